"""The text search read from postings in memory (agreements.text_index): tsquery's operators over
bitmaps, by hand, then against PostgreSQL's own search and ranking on the same agreements."""

import datetime as dt

import pytest
from django.http import QueryDict

from agreements.filters import AgreementFilterSet
from agreements.listing_index import build, span
from agreements.models import Agreement
from agreements.search import reindex
from agreements.tests.list_helpers import plurilateral
from agreements.text_index import TextPostings, Unsupported, pack, unpack


def bits(*positions: int) -> int:
    return sum(1 << i for i in positions)


# Ten agreements: "port" in five, twice in 1 and 6, three times in 4; "rail" in 2 and 3; "kenya" in 0, 2, 4.
POSTINGS = TextPostings(
    everything=span(0, 10),
    postings={
        "port": pack([0, 1, 4, 6, 9], 10),
        "rail": pack([2, 3], 100),  # sparse: an array
        "kenya": pack([0, 2, 4], 10),
        "o'brien": pack([7], 10),
    },
    repeats={"port": {2: pack([1, 6], 10), 3: pack([4], 10)}},
)


@pytest.mark.parametrize(
    "tsquery, positions",
    [
        ("'port'", [0, 1, 4, 6, 9]),
        ("'port' & 'kenya'", [0, 4]),
        ("'port' | 'rail'", [0, 1, 2, 3, 4, 6, 9]),
        ("!'port'", [2, 3, 5, 7, 8]),
        ("'kenya' & !'port'", [2]),
        ("'rail' | 'port' & 'kenya'", [0, 2, 3, 4]),  # & binds first, as tsquery's text means
        ("( 'rail' | 'port' ) & 'kenya'", [0, 2, 4]),
        ("!( 'port' | 'rail' ) & 'kenya'", []),
        ("'o''brien'", [7]),
        ("'unknown'", []),
        ("", []),  # stop words only: PostgreSQL matches nothing
    ],
)
def test_a_query_is_evaluated_over_the_bitmaps_with_tsquerys_precedence(tsquery, positions):
    assert POSTINGS.matching(tsquery) == bits(*positions)


@pytest.mark.parametrize("tsquery", ["'free' <-> 'trade'", "'port' <2> 'lake'", "'port':*", "'port':A", "'port' &"])
def test_phrases_weights_and_prefixes_are_left_to_the_database(tsquery):
    with pytest.raises(Unsupported):
        POSTINGS.matching(tsquery)


def test_one_word_is_ranked_by_how_often_the_text_holds_it():
    assert POSTINGS.by_rank("'port'") == [bits(4), bits(1, 6), bits(0, 9)]
    assert POSTINGS.by_rank("'rail'") == [bits(2, 3)]
    assert POSTINGS.by_rank("'port' & 'kenya'") is None


@pytest.mark.parametrize("positions", [[], [3], [0, 5, 63, 64, 999], list(range(0, 1000, 7))])
def test_positions_packed_either_way_read_back_the_same(positions):
    for size in (1000, 100_000):
        assert unpack(pack(positions, size)) == bits(*positions)


# --- against PostgreSQL ---------------------------------------------------------------


@pytest.fixture
def texts():
    """Titles that hold "port" one to four times, on equal dates too (the rank's ties), and
    words the queries combine; Kenya in some, a draft that nothing may find."""
    same_day = dt.date(2020, 1, 1)
    for i, (title, parties, signed_on) in enumerate(
        [
            ("Ports of Mombasa", ("KEN", "UGA"), same_day),
            ("Port and port rail link", ("KEN", "TZA"), same_day),
            ("Rail freight", ("RWA", "TZA"), dt.date(2019, 5, 1)),
            ("Ports, ports, ports and ports authority", ("RWA", "KEN"), same_day),
            ("Lomé convention on ports", ("TGO", "KEN"), None),
            ("Free trade and the port", ("UGA", "RWA"), dt.date(2001, 1, 1)),
            ("Trade free of ports rail", ("UGA", "KEN"), same_day),
            ("Dry port port", ("RWA", "BDI"), dt.date(2021, 3, 3)),
        ]
    ):
        plurilateral(title, *parties, signed_on=signed_on, summary=f"Agreement number {i}.")
    draft = plurilateral("Port draft", "KEN", "UGA")
    Agreement.objects.filter(pk=draft.pk).update(is_published=False)
    reindex(Agreement.objects.values_list("pk", flat=True))


SEARCHES = [
    "ports",
    "Port",
    "rail",
    "ports rail",
    "ports or rail",
    "ports -rail",
    "-ports",
    "lome",
    "Lomé",
    "the",
    "(ports",
    "free trade",
    "Kenya ports",
    "zzzz",
]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_postings_find_what_postgresql_finds(texts):
    index = build(version=1)
    for text in SEARCHES:
        found = index.bitmap_of(Agreement.objects.published().search(text).values_list("pk", flat=True))
        assert index.text_matches(text) == found, text
    assert index.text_matches('"free trade"') is None  # a phrase: the database's
    assert index.text_matches("") == index.everything


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("query", ["q=ports", "q=port&party=KEN", "q=rail", "q=Kenya&kind=mou", "q=lome"])
def test_one_word_ranked_from_the_postings_is_in_postgresqls_order(texts, query):
    index = build(version=1)
    filterset = AgreementFilterSet(
        QueryDict(f"{query}&sort=relevance"), queryset=Agreement.objects.published().for_listing()
    )
    assert filterset.is_valid()
    selection = index.select_for(filterset)
    assert selection is not None
    page_ids = selection.ranked_page_ids()
    assert page_ids is not None
    ranked = list(filterset.qs.values_list("pk", flat=True))
    assert page_ids(0, 100) == ranked
    assert page_ids(1, 2) == ranked[1:3]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_search_page_is_the_same_with_the_index_and_without(client, texts, settings):
    for query in ["q=ports", "q=ports&sort=relevance", "q=free+trade&sort=relevance", "q=-rail", "q=%22free+trade%22"]:
        settings.LISTING_INDEX = "inline"
        with_index = client.get(f"/agreements/?{query}").content.decode()
        settings.LISTING_INDEX = "off"
        assert client.get(f"/agreements/?{query}").content.decode() == with_index, query
