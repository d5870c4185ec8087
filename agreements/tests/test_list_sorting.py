"""The list's column headers sort it: title, signed, in force and number of parties,
each both ways, as plain links that keep every filter, with aria-sort on the column
the rows are sorted by; the export follows the same order."""

import csv
import datetime as dt
import html
import io
import re

import pytest

from agreements.search import reindex
from agreements.tests.factories import PartyFactory, country
from agreements.tests.list_helpers import plurilateral, shown
from tradepacts.csv import without_trailer

pytestmark = pytest.mark.django_db

HEADER = re.compile(r'<th scope="col"(?: aria-sort="(\w+)")?><a class="sort-link" href="([^"]+)">([^<]+)<')


@pytest.fixture
def four():
    """Four agreements of Rwanda, each first by one column, and one without Rwanda."""
    made = [
        plurilateral(
            "Bravo", "RWA", "KEN", signed_on=dt.date(2010, 1, 1), in_force_on=dt.date(2012, 1, 1), status="in_force"
        ),
        plurilateral(
            "Alpha",
            "RWA",
            "KEN",
            "UGA",
            "TZA",
            signed_on=dt.date(2001, 1, 1),
            in_force_on=dt.date(2003, 1, 1),
            status="in_force",
        ),
        plurilateral("Delta", "RWA", "KEN", "UGA", signed_on=dt.date(2020, 1, 1)),
        plurilateral("Charlie", "RWA", "BDI", "KEN", "UGA", "TZA", status="announced", signed_on=None),
        plurilateral("Echo", "KEN", "UGA", signed_on=dt.date(2021, 1, 1)),
    ]
    reindex([a.pk for a in made])


SORTED = {
    "title": ["Alpha", "Bravo", "Charlie", "Delta"],
    "-title": ["Delta", "Charlie", "Bravo", "Alpha"],
    "oldest": ["Alpha", "Bravo", "Delta", "Charlie"],  # never signed: last both ways
    "newest": ["Delta", "Bravo", "Alpha", "Charlie"],
    "in_force": ["Alpha", "Bravo", "Delta", "Charlie"],  # not in force: last both ways
    "-in_force": ["Bravo", "Alpha", "Charlie", "Delta"],
    "parties": ["Bravo", "Delta", "Alpha", "Charlie"],
    "-parties": ["Charlie", "Alpha", "Delta", "Bravo"],
}


@pytest.mark.parametrize("sort", SORTED)
def test_each_column_sorts_both_ways_keeping_the_filter(client, four, sort):
    assert shown(client, f"party=RWA&sort={sort}") == SORTED[sort]


def headers(client, query: str) -> dict[str, tuple[str | None, str]]:
    """Each sortable header's (aria-sort, link) on the page for ``query``."""
    page = client.get(f"/agreements/?{query}").content.decode()
    return {label: (aria or None, html.unescape(href)) for aria, href, label in HEADER.findall(page)}


def test_the_bare_list_is_newest_first_and_says_so_on_signed(client, four):
    found = headers(client, "")
    assert found == {
        "Title": (None, "?sort=title"),
        "Parties": (None, "?sort=-parties"),
        "Signed": ("descending", "?sort=oldest"),
        "In force": (None, "?sort=-in_force"),
    }


def test_a_header_link_keeps_every_filter_drops_the_page_and_toggles(client, four):
    query = "party=RWA&party=KEN&status=in_force&status=signed&q=&sort=title&page=1"
    found = headers(client, query)

    assert found["Title"] == ("ascending", "?party=RWA&party=KEN&status=in_force&status=signed&q=&sort=-title")
    assert found["Parties"] == (None, "?party=RWA&party=KEN&status=in_force&status=signed&q=&sort=-parties")
    assert found["Signed"][0] is None and found["In force"][0] is None
    # Following the link: the other direction, the same filters (Charlie is only announced).
    assert shown(client, found["Title"][1][1:]) == ["Delta", "Bravo", "Alpha"]
    assert headers(client, found["Title"][1][1:])["Title"] == (
        "descending",
        "?party=RWA&party=KEN&status=in_force&status=signed&q=&sort=title",
    )


def test_a_header_tells_a_screen_reader_what_a_click_does(client, four):
    page = client.get("/agreements/?sort=-parties").content.decode()
    assert re.search(
        r'aria-sort="descending"><a class="sort-link" href="\?sort=parties">Parties'
        r'<span class="visually-hidden">, sort ascending</span>',
        page,
    )


def test_the_count_follows_parties_added_and_removed(client, four):
    echo = plurilateral("Foxtrot", "RWA", "KEN")
    for iso3 in ("UGA", "TZA", "BDI", "SSD", "COD"):
        PartyFactory(agreement=echo, country=country(iso3))
    reindex([echo.pk])
    assert shown(client, "party=RWA&sort=-parties")[0] == "Foxtrot"

    echo.parties.exclude(country__iso3__in=["RWA", "KEN"]).delete()
    reindex([echo.pk])
    assert shown(client, "party=RWA&sort=-parties")[-2:] == ["Foxtrot", "Bravo"]


def test_the_export_follows_the_header_s_order(client, four):
    response = client.get("/agreements/export.csv?party=RWA&sort=-parties")
    text = without_trailer(b"".join(response.streaming_content).decode("utf-8-sig"))
    assert [row["title"] for row in csv.DictReader(io.StringIO(text))] == SORTED["-parties"]


def test_the_query_count_does_not_depend_on_the_column(client, four, django_assert_max_num_queries):
    from agreements.tests.test_list import LIST_QUERIES, warm

    warm(client)
    for sort in SORTED:  # one more than newest first: the page's ids in the column's order
        with django_assert_max_num_queries(LIST_QUERIES + 1):
            assert client.get(f"/agreements/?sort={sort}").status_code == 200


@pytest.mark.postgres
@pytest.mark.parametrize("sort", [sort for sort in SORTED if sort != "newest"])  # newest: since migration 0014
def test_each_column_order_is_read_from_an_index_on_postgresql(four, sort):
    """At 100,000 agreements a sort PostgreSQL had to do itself cost 150-500 ms a page;
    an index in the list's order (migrations 0014, 0020) gives the first rows at once."""
    from django.db import connection, transaction
    from django.http import QueryDict

    from agreements.filters import AgreementFilterSet
    from agreements.models import Agreement

    filterset = AgreementFilterSet(QueryDict(f"sort={sort}"), queryset=Agreement.objects.published())
    assert filterset.is_valid()
    sql, params = filterset.qs.values_list("pk", flat=True)[:50].query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # A Sort node left in the plan (even an incremental one): no index serves the order.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Sort" not in plan and "Index Scan" in plan, plan


@pytest.mark.parametrize(
    ("sort", "said"),
    [
        ("title", "sorted by title, alphabetical."),
        ("-title", "sorted by title, reverse alphabetical."),
        ("oldest", "sorted by oldest first."),
        ("in_force", "sorted by earliest in force first."),
        ("-in_force", "sorted by latest in force first."),
        ("parties", "sorted by fewest parties first."),
        ("-parties", "sorted by most parties first."),
    ],
)
def test_the_count_line_says_what_the_list_is_sorted_by(client, four, sort, said):
    assert said in client.get(f"/agreements/?sort={sort}").content.decode()
