"""The listing index (agreements.listing_index) against the SQL it replaces on the list page:
the same count, the same counts beside every option, the same rows newest first, for each
filter and their combinations; kept current across writes; built in a thread of its own."""

import datetime as dt
import pickle
import threading
import time

import pytest
from django.db import connection, transaction
from django.http import QueryDict

from agreements import current_index, listing_index
from agreements.facets import facet_counts
from agreements.filters import AgreementFilterSet
from agreements.listing_index import all_set_bits, build, set_bits, span
from agreements.models import Agreement, AgreementRelation
from agreements.party_codes import PARTY_LIMIT, parties_of, party_codes
from agreements.search import reindex
from agreements.tests.factories import (
    AgreementRelationFactory,
    OrganisationFactory,
    PartyFactory,
    bilateral,
    country,
)
from agreements.tests.list_helpers import facet_registry, plurilateral, shown

pytestmark = pytest.mark.django_db
K = Agreement.Kind


MANY = ["KEN", "TZA", "UGA", "RWA", "BDI", "ETH", "SOM", "SSD", "COD", "ZMB", "MWI", "MOZ", "ZAF", "NAM"]


@pytest.fixture
def registry():
    """Every filter's cases: test_facets' (blocs, topics, a corridor, scopes, decades, an undated
    agreement), and same-day signatures, an institution acting alone beside two countries, a
    draft, accession instruments (Rwanda's own, and Burundi's) and a consolidated version."""
    facet_registry()  # "A": Rwanda and Kenya's MoU of 1 May 2021
    bilateral("RWA", "KEN", title="Same day", kind=K.MOU, published=True, signed_on=dt.date(2021, 5, 1))
    bilateral("RWA", "KEN", title="A draft", kind=K.MOU, signed_on=dt.date(2022, 1, 1))
    with_body = plurilateral("With a body", "RWA", "KEN", kind=K.MOU, signed_on=dt.date(2019, 3, 3))
    PartyFactory(agreement=with_body, country=None, institution=OrganisationFactory(name="Commission", country=None))
    plurilateral("Old", "KEN", "TZA", kind=K.TREATY, scope=Agreement.Scope.BLOC, signed_on=dt.date(1925, 1, 1))
    base = plurilateral("Community", "KEN", "TZA", "UGA", kind=K.TREATY, signed_on=dt.date(1999, 11, 30))
    PartyFactory(agreement=base, country=country("RWA"), joined_on=dt.date(2007, 6, 18))
    PartyFactory(agreement=base, country=country("BDI"), joined_on=dt.date(2009, 6, 18))
    for code, year in (("RWA", 2007), ("BDI", 2009)):
        accession = plurilateral(
            f"Accession of {code}", "KEN", "TZA", "UGA", code, kind=K.ACCESSION, signed_on=dt.date(year, 6, 18)
        )
        AgreementRelationFactory(from_agreement=accession, kind=AgreementRelation.Kind.ACCESSION_TO, to_agreement=base)
    plurilateral("Consolidated", "KEN", "TZA", kind=K.TREATY, in_default_lists=False, signed_on=dt.date(2010, 1, 1))
    # More parties than the list's cell names (agreements.party_codes.PARTY_LIMIT), one acting through a body.
    many = plurilateral("Many", *MANY, kind=K.TREATY, signed_on=dt.date(2015, 2, 2))
    PartyFactory(agreement=many, country=country("DJI"), institution=OrganisationFactory(name="Port", acronym="PDSA"))
    reindex(Agreement.objects.values_list("pk", flat=True))


QUERIES = [
    "",
    "party=KEN",
    "party=RWA",
    "party=RWA&party=KEN",
    "party=RWA&party=KEN&match=any",
    "party=RWA&party=KEN&match=exactly",
    "party=KEN&party=RWA&match=exactly&scope=bilateral",
    "party=KEN&party=TZA&party=UGA&match=exactly",
    "party=BDI&accessions=true",
    "party=BDI",
    "accessions=true&kind=accession&kind=treaty",
    "kind=mou&status=announced",
    "scope=regional&scope=region-to-region",
    "decade=2020&decade=1990",
    "decade=1940",
    "topic=ports",
    "topic=ports&topic=roads&party=KEN",
    "bloc=EAC",
    "bloc=AU&kind=mou",
    "corridor=northern-corridor",
    "signed_from=2011",
    "signed_to=2011",
    "signed_from=2021-05&signed_to=2021-05-01",
    "signed_from=1999-11-30&signed_to=2015",
    "q=ports",
    "q=ports&party=RWA&kind=treaty",
    "q=-ports",
    "q=Kenya&sort=relevance",
    "sort=oldest&party=KEN",
]


def filtered(query: str) -> AgreementFilterSet:
    filterset = AgreementFilterSet(QueryDict(query), queryset=Agreement.objects.published().for_listing())
    assert filterset.is_valid(), filterset.errors
    return filterset


def answered(index: listing_index.ListingIndex, filterset: AgreementFilterSet) -> listing_index.Selection:
    selection = index.select_for(filterset)
    assert selection is not None
    return selection


@pytest.mark.parametrize("query", QUERIES)
def test_the_index_counts_and_pages_as_the_database_does(registry, query):
    index = build(version=1)
    filterset = filtered(query)
    selection = answered(index, filterset)

    facets, total = facet_counts(filterset, filterset.queryset)
    assert (selection.total, selection.facets) == (total, facets)
    newest = list(filtered(query.replace("sort=oldest", "")).qs.values_list("pk", flat=True))
    assert selection.page_ids(0, 100) == newest
    assert selection.page_ids(1, 2) == newest[1:3]


def test_the_list_page_is_the_same_with_the_index_and_without(client, registry, settings):
    for query in QUERIES:
        settings.LISTING_INDEX = "inline"
        with_index = client.get(f"/agreements/?{query}").content.decode()
        settings.LISTING_INDEX = "off"
        without = client.get(f"/agreements/?{query}").content.decode()
        assert with_index == without, query


def test_the_country_pages_are_the_same_with_the_index_and_without(client, registry, settings):
    """Their counts by partner, kind, status, scope and year, each partner's newest agreements,
    and a pair's timeline (Burundi's and Rwanda's accessions: each on its own country's pairs)."""
    pages = [f"/countries/{code}/" for code in ("KEN", "RWA", "BDI", "ETH", "ISL")]
    pages += [f"/countries/{pair}/" for pair in ("KEN/RWA", "RWA/KEN", "BDI/KEN", "KEN/TZA", "UGA/TZA", "ISL/KEN")]
    for url in pages:
        settings.LISTING_INDEX = "inline"
        with_index = client.get(url).content.decode()
        settings.LISTING_INDEX = "off"
        without = client.get(url).content.decode()
        assert with_index == without, url


def test_a_write_is_in_the_next_page(client, registry):
    assert "Lake Victoria MoU" not in shown(client, "party=KEN&kind=mou")
    first = current_index.listing_index()

    bilateral("UGA", "KEN", title="Lake Victoria MoU", kind=K.MOU, published=True, signed_on=dt.date(2024, 2, 2))

    assert shown(client, "party=KEN&kind=mou")[0] == "Lake Victoria MoU"
    assert current_index.listing_index() is not first
    Agreement.objects.filter(title="Lake Victoria MoU").update(is_published=False)  # a bulk write...
    from tradepacts.pagecache import bump_data_version

    bump_data_version()  # ...says so, as every bulk writer does
    assert "Lake Victoria MoU" not in shown(client, "party=KEN&kind=mou")


def test_with_the_cache_down_the_list_counts_in_sql(client, registry, monkeypatch):
    def unreachable() -> int:
        raise ConnectionError("no cache")

    monkeypatch.setattr(current_index, "data_version", unreachable)
    assert current_index.listing_index() is None
    assert shown(client, "party=RWA&party=KEN&match=exactly")[:2] == ["Same day", "A"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_the_background_the_list_is_served_in_sql_until_the_index_is_built(client, settings):
    """Production's mode: no request waits for the index; a thread builds it from committed data."""
    settings.LISTING_INDEX = "background"
    with transaction.atomic():  # PostgreSQL checks a bilateral's two parties at commit
        committed = bilateral(
            "RWA", "KEN", title="Committed", kind=K.MOU, published=True, signed_on=dt.date(2020, 1, 1)
        )
        reindex([committed.pk])  # its search text

    assert current_index.listing_index() is None  # a thread is building it
    assert shown(client, "party=KEN") == ["Committed"]  # meanwhile, in SQL
    deadline = time.monotonic() + 30
    while (index := current_index.listing_index()) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert index is not None and len(index.ids) == 1
    assert shown(client, "party=KEN") == ["Committed"]
    # Two steps: the bitmaps are shared first, then (PostgreSQL) the index with the search's lexemes.
    while (index := current_index.listing_index()).text_pending and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.05)
    assert index is not None and not index.text_pending
    assert (index.text is not None) == (connection.vendor == "postgresql")
    assert shown(client, "q=committed") == ["Committed"]
    deadline = time.monotonic() + 5
    while any(t.name == "listing-index" for t in threading.enumerate() if t.is_alive()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(thread.name == "listing-index" for thread in threading.enumerate() if thread.is_alive())

    current_index._current = None  # another web process: it loads the one built, builds none
    shared = current_index.listing_index()
    assert shared is not None and shared.ids == index.ids and shared is not index
    assert not shared.text_pending
    assert not any(thread.name == "listing-index" for thread in threading.enumerate())
    if connection.vendor == "sqlite":
        connection.close()


def test_an_index_built_without_the_search_s_lexemes_takes_them_in_a_second_step(registry):
    first = build(version=1, text=False)
    assert first.text is None and first.text_pending == (connection.vendor == "postgresql")
    assert (
        answered(first, filtered("q=ports&party=RWA")).total
        == answered(build(version=1), filtered("q=ports&party=RWA")).total
    )
    if first.text_pending:
        complete = first.with_text()
        assert not complete.text_pending and complete.ids == first.ids
        assert complete.text_matches("ports") == first.bitmap_of(
            Agreement.objects.search("ports").values_list("pk", flat=True)
        )


@pytest.mark.postgres
def test_a_process_holding_the_first_step_takes_the_lexemes_once_shared(registry, settings):
    """Another process loaded the bitmaps while the builder read the lexemes: it keeps serving with
    them (searches ask the database) and takes the complete index once its version key says so."""
    from django.core.cache import cache

    from tradepacts.pagecache import data_version

    settings.LISTING_INDEX = "background"
    version = data_version()
    first = build(version, text=False)
    current_index._current = first
    assert current_index.listing_index() is first  # nothing more shared yet
    complete = first.with_text()
    cache.set(current_index.SHARED_KEY, (version, complete))
    cache.set(current_index.SHARED_TEXT_VERSION_KEY, version)
    taken = current_index.listing_index()
    assert taken is not None and not taken.text_pending and taken.text is not None
    assert current_index.listing_index() is taken


def test_the_list_s_party_cells_from_the_index_are_the_database_s(registry):
    index = build(version=1)
    ids = list(Agreement.objects.published().values_list("pk", flat=True))
    assert party_codes(*index.first_parties_of(ids)) == party_codes(parties_of(ids))
    many = Agreement.objects.get(title="Many")
    parties, totals = index.first_parties_of([many.pk])
    assert ([p.iso3 for p in parties[many.pk]], totals[many.pk]) == (MANY[:PARTY_LIMIT], len(MANY) + 1)
    assert "and 3 more" in party_codes(parties, totals)[many.pk]


def test_an_index_loaded_in_another_process_answers_the_same(registry):
    index = build(version=1)
    loaded = pickle.loads(pickle.dumps(index))
    for query in QUERIES:
        mine, theirs = answered(index, filtered(query)), answered(loaded, filtered(query))
        assert (mine.total, mine.facets, mine.page_ids(0, 100)) == (
            theirs.total,
            theirs.facets,
            theirs.page_ids(0, 100),
        )
    assert loaded.positions == index.positions
    ids = index.ids
    assert loaded.first_parties_of(ids) == index.first_parties_of(ids)


def test_set_bits_finds_any_run_of_positions_across_chunks():
    positions = [0, 5, 4095, 4096, 4097, 9000, 12_287, 12_288, 70_000]
    bitmap = 0
    for position in positions:
        bitmap |= 1 << position
    for skip in range(len(positions) + 1):
        for count in (1, 2, 5, 20):
            assert set_bits(bitmap, skip, count) == positions[skip : skip + count]
    assert set_bits(span(10, 20), 3, 4) == [13, 14, 15, 16]
    assert set_bits(0, 0, 50) == []
    assert all_set_bits(bitmap) == positions and all_set_bits(0) == []
