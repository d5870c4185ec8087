"""Each filter of the agreement list, one parameter at a time, through the page
an analyst opens: what the URL asks for is what the list shows.

The same parameters drive the CSV export (test_export.py checks it follows the list).
"""

import datetime as dt

import pytest

from agreements.models import Agreement, DatePrecision
from agreements.search import reindex
from agreements.tests.factories import (
    AgreementFactory,
    BlocMembershipFactory,
    OrganisationFactory,
    SignatoryFactory,
    TopicFactory,
    bilateral,
    country,
)
from agreements.tests.list_helpers import plurilateral, rejected, shown

pytestmark = pytest.mark.django_db

# Agreement's corridors come from the corridors app, which agreements never imports.
Corridor = Agreement._meta.get_field("corridors").related_model

# q -------------------------------------------------------------------------


def test_q_matches_titles_summaries_places_parties_institutions_and_signatories(client):
    mou = bilateral(
        "RWA",
        "KEN",
        title="Liaison office MoU",
        summary="Brings the Port of Mombasa closer to Rwandan businesses.",
        place="Kigali",
        published=True,
    )
    mou.parties.filter(country__iso3="KEN").update(institution=OrganisationFactory(name="Kenya Ports Authority"))
    SignatoryFactory(agreement=mou, name="Mohamed Daghar", position="Principal Secretary", country=country("KEN"))
    other = bilateral("UGA", "TZA", title="Fisheries accord", summary="Lake Victoria.", place="Entebbe", published=True)
    reindex([mou.pk, other.pk])

    for query in ("Mombasa", "Kigali", "Kenya", "Ports Authority", "Daghar", "liaison"):
        assert shown(client, f"q={query}") == ["Liaison office MoU"], query
    assert shown(client, "q=Fisheries") == ["Fisheries accord"]
    # Every word must match.
    assert shown(client, "q=Mombasa+Fisheries") == []
    # An empty search is no filter.
    assert sorted(shown(client, "q=")) == ["Fisheries accord", "Liaison office MoU"]


def test_q_with_no_match_says_so(client):
    bilateral("RWA", "KEN", title="Liaison office MoU", published=True)
    response = client.get("/agreements/?q=zanzibar")
    assert response.status_code == 200
    assert "No published agreement matches these filters" in response.content.decode()


# party ----------------------------------------------------------------------


def test_party_means_every_listed_country_is_a_party(client):
    plurilateral("Rwanda and Kenya", "RWA", "KEN")
    plurilateral("Rwanda and Tanzania", "RWA", "TZA")
    plurilateral("Kenya, Uganda and Rwanda", "KEN", "UGA", "RWA", signed_on=dt.date(2023, 1, 1))
    plurilateral("Kenya and Uganda", "KEN", "UGA", signed_on=dt.date(2022, 1, 1))

    assert shown(client, "party=RWA&party=KEN") == ["Rwanda and Kenya", "Kenya, Uganda and Rwanda"]
    assert shown(client, "party=RWA") == ["Rwanda and Tanzania", "Rwanda and Kenya", "Kenya, Uganda and Rwanda"]
    assert shown(client, "party=RWA&party=KEN&party=UGA") == ["Kenya, Uganda and Rwanda"]


def test_party_codes_in_lower_case_work_the_same(client):
    plurilateral("Rwanda and Kenya", "RWA", "KEN")
    plurilateral("Rwanda and Tanzania", "RWA", "TZA")

    assert shown(client, "party=rwa&party=ken") == ["Rwanda and Kenya"]
    assert shown(client, "party=Rwa&party=KEN&party=ken") == ["Rwanda and Kenya"]


def test_unknown_party_code_is_an_error_next_to_the_field(client):
    plurilateral("Rwanda and Kenya", "RWA", "KEN")

    page = rejected(client, "party=RWA&party=XYZ")
    assert "Unknown country code: XYZ." in page
    assert 'id="id_party_error"' in page and 'aria-invalid="true"' in page

    assert "Not an ISO 3166 alpha-3 code: R1" in rejected(client, "party=R1")
    eleven = ["KEN", "UGA", "RWA", "TZA", "BDI", "SSD", "COD", "ETH", "SOM", "ZMB", "MWI"]
    assert "Choose at most 10 countries." in rejected(client, "&".join(f"party={c}" for c in eleven))


# kind -------------------------------------------------------------------------


def test_kind_is_repeatable(client):
    plurilateral("An MoU", "RWA", "KEN", kind=Agreement.Kind.MOU)
    plurilateral("A treaty", "RWA", "KEN", kind=Agreement.Kind.TREATY, signed_on=dt.date(2020, 1, 1))
    plurilateral("A protocol", "RWA", "KEN", kind=Agreement.Kind.PROTOCOL, signed_on=dt.date(2019, 1, 1))

    assert shown(client, "kind=mou") == ["An MoU"]
    assert shown(client, "kind=mou&kind=treaty") == ["An MoU", "A treaty"]
    assert "nope is not one of the available choices" in rejected(client, "kind=nope")


# status -----------------------------------------------------------------------


def test_status_is_repeatable(client):
    plurilateral("Signed one", "RWA", "KEN")
    plurilateral(
        "In force one",
        "RWA",
        "KEN",
        status=Agreement.Status.IN_FORCE,
        signed_on=dt.date(2020, 1, 1),
        in_force_on=dt.date(2021, 1, 1),
    )
    plurilateral(
        "Announced one",
        "RWA",
        "KEN",
        status=Agreement.Status.ANNOUNCED,
        signed_on=None,
        announced_on=dt.date(2026, 1, 1),
    )

    assert shown(client, "status=in_force") == ["In force one"]
    assert shown(client, "status=signed&status=announced") == ["Signed one", "Announced one"]
    assert "is not one of the available choices" in rejected(client, "status=dormant")


# topic ------------------------------------------------------------------------


def test_topic_by_slug_any_of_several_without_duplicates(client):
    ports = TopicFactory(name="Ports and logistics", slug="ports-and-logistics")
    energy = TopicFactory(name="Energy", slug="energy")
    both = plurilateral("Ports and energy", "RWA", "KEN")
    both.topics.set([ports, energy])
    plurilateral("Ports only", "RWA", "KEN", signed_on=dt.date(2020, 1, 1)).topics.set([ports])
    plurilateral("Nothing", "RWA", "KEN", signed_on=dt.date(2019, 1, 1))

    assert shown(client, "topic=energy") == ["Ports and energy"]
    assert shown(client, "topic=ports-and-logistics") == ["Ports and energy", "Ports only"]
    assert shown(client, "topic=ports-and-logistics&topic=energy") == ["Ports and energy", "Ports only"]
    assert "is not one of the available choices" in rejected(client, "topic=no-such-topic")


# corridor -------------------------------------------------------------------------


def test_corridor_by_slug(client):
    northern = Corridor.objects.create(name="Northern Corridor", slug="northern-corridor")
    central = Corridor.objects.create(name="Central Corridor", slug="central-corridor")
    plurilateral("On the Northern Corridor", "RWA", "KEN").corridors.add(northern)
    plurilateral("On the Central Corridor", "RWA", "TZA").corridors.add(central)
    plurilateral("On no corridor", "RWA", "UGA")

    assert shown(client, "corridor=northern-corridor") == ["On the Northern Corridor"]
    assert "Select a valid choice" in rejected(client, "corridor=southern-corridor")


# bloc -----------------------------------------------------------------------------


def test_bloc_means_at_least_one_party_is_a_member(client):
    eac = BlocMembershipFactory(bloc__code="EAC", country=country("KEN")).bloc
    BlocMembershipFactory(bloc=eac, country=country("RWA"))
    plurilateral("Kenya and Ethiopia", "KEN", "ETH")
    plurilateral("Rwanda and Kenya", "RWA", "KEN", signed_on=dt.date(2020, 1, 1))
    plurilateral("Ethiopia and Somalia", "ETH", "SOM", signed_on=dt.date(2019, 1, 1))

    assert shown(client, "bloc=EAC") == ["Kenya and Ethiopia", "Rwanda and Kenya"]
    assert "Select a valid choice" in rejected(client, "bloc=NOPE")


# signed_from / signed_to ------------------------------------------------------------


@pytest.fixture
def dated():
    for title, day in [
        ("Last day of 2025", dt.date(2025, 12, 31)),
        ("First day of 2026", dt.date(2026, 1, 1)),
        ("22 January 2026", dt.date(2026, 1, 22)),
        ("Last day of 2026", dt.date(2026, 12, 31)),
        ("First day of 2027", dt.date(2027, 1, 1)),
    ]:
        plurilateral(title, "RWA", "KEN", signed_on=day)
    plurilateral(
        "Undated",
        "RWA",
        "KEN",
        status=Agreement.Status.ANNOUNCED,
        signed_on=None,
        announced_on=dt.date(2026, 1, 1),
        announced_precision=DatePrecision.YEAR,
    )


def test_signed_from_and_to_a_year_include_the_whole_year(client, dated):
    assert shown(client, "signed_from=2026&signed_to=2026") == [
        "Last day of 2026",
        "22 January 2026",
        "First day of 2026",
    ]
    assert shown(client, "signed_from=2026") == [
        "First day of 2027",
        "Last day of 2026",
        "22 January 2026",
        "First day of 2026",
    ]
    assert shown(client, "signed_to=2025") == ["Last day of 2025"]


def test_signed_from_and_to_a_day_are_inclusive(client, dated):
    assert shown(client, "signed_from=2026-01-01&signed_to=2026-01-22") == ["22 January 2026", "First day of 2026"]
    assert shown(client, "signed_from=2026-01-02&signed_to=2026-01-21") == []
    assert shown(client, "signed_from=2025-12-31&signed_to=2025-12-31") == ["Last day of 2025"]


def test_a_month_bound_covers_the_month(client, dated):
    assert shown(client, "signed_from=2026-01&signed_to=2026-01") == ["22 January 2026", "First day of 2026"]


def test_a_reversed_range_is_an_error(client, dated):
    page = rejected(client, "signed_from=2026&signed_to=2025")
    assert "Must not be before “Signed from”." in page


@pytest.mark.parametrize("bad", ["2026-02-30", "26", "January", "2026/01/01", "2026-1-1"])
def test_a_malformed_date_is_an_error(client, dated, bad):
    page = rejected(client, f"signed_from={bad}")
    assert "not a" in page  # "is not a date" or "is not a real date"


# sort -----------------------------------------------------------------------------


@pytest.fixture
def three():
    plurilateral("Bravo", "RWA", "KEN", signed_on=dt.date(2020, 5, 1))
    plurilateral("Alpha", "RWA", "KEN", signed_on=dt.date(2026, 1, 22))
    plurilateral("Charlie", "RWA", "KEN", status=Agreement.Status.ANNOUNCED, signed_on=None)


def test_sort_newest_is_the_default_and_undated_come_last(client, three):
    assert shown(client) == ["Alpha", "Bravo", "Charlie"]
    assert shown(client, "sort=newest") == ["Alpha", "Bravo", "Charlie"]


def test_sort_oldest_puts_undated_last(client, three):
    assert shown(client, "sort=oldest") == ["Bravo", "Alpha", "Charlie"]


def test_sort_by_title(client, three):
    plurilateral("Aardvark", "RWA", "KEN", signed_on=dt.date(2010, 1, 1))
    assert shown(client, "sort=title") == ["Aardvark", "Alpha", "Bravo", "Charlie"]


def test_sort_by_relevance_without_a_query_is_newest_first(client, three):
    assert shown(client, "sort=relevance") == ["Alpha", "Bravo", "Charlie"]


def test_sort_by_relevance_with_a_query_keeps_only_matches(client):
    a = plurilateral("Port of Mombasa liaison office", "RWA", "KEN", summary="Mombasa port services in Kigali.")
    b = plurilateral("Energy accord", "RWA", "KEN", summary="Mentions Mombasa once.", signed_on=dt.date(2027, 1, 1))
    plurilateral("Unrelated", "RWA", "KEN")
    reindex([a.pk, b.pk])

    titles = shown(client, "q=Mombasa&sort=relevance")
    assert sorted(titles) == ["Energy accord", "Port of Mombasa liaison office"]


@pytest.mark.postgres
def test_sort_by_relevance_ranks_better_matches_first_on_postgresql(client):
    once = plurilateral("Energy accord", "RWA", "KEN", summary="Mentions Mombasa once.", signed_on=dt.date(2027, 1, 1))
    often = plurilateral("Port of Mombasa liaison office", "RWA", "KEN", summary="Mombasa port, Mombasa services.")
    reindex([once.pk, often.pk])

    assert shown(client, "q=Mombasa&sort=relevance") == ["Port of Mombasa liaison office", "Energy accord"]
    assert shown(client, "q=Mombasa&sort=newest") == ["Energy accord", "Port of Mombasa liaison office"]


@pytest.mark.postgres
def test_search_reads_the_stored_indexed_vector_also_inside_a_subquery():
    """Migration 0009's generated column: found through its GIN index, and under
    whatever alias the table has when the search is a subquery."""
    from django.db import connection, transaction

    from agreements.search import search

    mou = plurilateral("Port of Mombasa liaison office", "RWA", "KEN")
    plurilateral("Energy accord", "RWA", "KEN")
    reindex([mou.pk])
    matches = search(Agreement.objects.all(), "Mombasa")

    assert list(Agreement.objects.filter(pk__in=matches.values("pk")).values_list("title", flat=True)) == [mou.title]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = matches.values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "agreements_search_vector" in plan
    assert "to_tsvector" not in plan


def test_an_unknown_sort_is_an_error(client, three):
    assert "is not one of the available choices" in rejected(client, "sort=random")


# page -----------------------------------------------------------------------------


def test_page_shows_the_next_fifty_in_the_same_order(client):
    start = dt.date(2000, 1, 1)
    for n in range(55):
        AgreementFactory(title=f"Agreement {n:02d}", published=True, signed_on=start + dt.timedelta(days=n))

    first, second = shown(client), shown(client, "page=2")

    assert first == [f"Agreement {n:02d}" for n in range(54, 4, -1)]
    assert second == [f"Agreement {n:02d}" for n in range(4, -1, -1)]
    assert shown(client, "page=last") == second
    assert client.get("/agreements/?page=3").status_code == 404


# Hostile input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "q=%00",
        "q=" + "x" * 5000,
        "q=%27%3B+DROP+TABLE+agreements_agreement%3B--",
        "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "q=%FF%FE",
        "q=%22unbalanced+OR+-+%21%21+%26%26",
        "party=%00",
        "party=%FF%FE%FD",
        "&".join(["party=KEN"] * 500),
        "topic=%00",
        "topic=" + "a" * 300,
        "corridor=%00",
        "bloc=%00",
        "bloc=%27",
        "kind=%00",
        "signed_from=%00",
        "signed_from=99999",
        "signed_from=0000",
        "signed_to=2026-13-01",
        "sort=%00",
    ],
)
def test_hostile_parameters_give_a_page_or_a_400_never_a_500(client, query):
    plurilateral("Rwanda and Kenya", "RWA", "KEN")

    page = client.get(f"/agreements/?{query}")
    export = client.get(f"/agreements/export.csv?{query}")

    assert page.status_code in (200, 400)
    assert export.status_code in (200, 400)
    if export.status_code == 200:
        assert b"".join(export.streaming_content).startswith("\ufeffid,title".encode())
    assert "<script>alert" not in page.content.decode()
