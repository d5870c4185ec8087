"""Counts beside the filter options (agreements.facets): each equals the number of
agreements the list shows with that option chosen, the other filters kept; in a
fixed number of queries."""

import re
from urllib.parse import urlencode

import pytest

from agreements.tests.list_helpers import facet_registry, shown

pytestmark = pytest.mark.django_db

FACETS = ["kind", "status", "scope", "decade", "topic", "bloc", "corridor"]


@pytest.fixture
def registry():
    facet_registry()


OPTION = re.compile(r'name="(?P<name>\w+)" value="(?P<value>[^"]+)"[^>]*>\s*[^<]*\((?P<n>[\d,]+)\)</label>')
SELECT = re.compile(r'<select name="(\w+)"[^>]*>(.*?)</select>', re.S)
SELECT_OPTION = re.compile(r'<option value="([^"]+)"[^>]*>[^<]*\(([\d,]+)\)</option>')


def page_counts(query: str, client) -> dict[str, dict[str, int]]:
    """The count the page shows beside every option, by parameter and value."""
    page = client.get(f"/agreements/?{query}").content.decode()
    counts: dict[str, dict[str, int]] = {}
    for match in OPTION.finditer(page):
        counts.setdefault(match["name"], {})[match["value"]] = int(match["n"].replace(",", ""))
    for name, options in SELECT.findall(page):
        for value, n in SELECT_OPTION.findall(options):
            counts.setdefault(name, {})[value] = int(n.replace(",", ""))
    return counts


def with_option(params: list[tuple[str, str]], name: str, value: str) -> str:
    """The query with ``name``'s choice replaced by ``value``, the other filters kept."""
    return urlencode([(key, v) for key, v in params if key != name] + [(name, value)])


@pytest.mark.parametrize(
    "params",
    [
        [],
        [("party", "KEN")],
        [("kind", "mou"), ("kind", "treaty")],
        [("kind", "mou"), ("status", "signed"), ("topic", "ports")],
        [("bloc", "EAC"), ("decade", "2020")],
        [("corridor", "northern-corridor"), ("scope", "bilateral")],
        [("accessions", "true"), ("party", "BDI")],
        [("q", "Kenya")],
    ],
)
def test_each_count_is_what_choosing_that_option_lists(client, registry, params):
    counts = page_counts(urlencode(params), client)
    assert set(FACETS) <= set(counts)
    checked = 0
    for name in FACETS:
        for value, n in counts[name].items():
            assert n == len(shown(client, with_option(params, name, value))), (name, value)
            checked += n
    assert checked


def test_the_counts_of_the_bare_list(client, registry):
    counts = page_counts("", client)
    assert counts["kind"]["mou"] == 3 and counts["kind"]["accession"] == 0
    assert counts["status"]["signed"] == 3 and counts["status"]["in_force"] == 1
    assert counts["scope"]["bilateral"] == 1 and counts["scope"]["regional"] == 1
    assert (counts["decade"]["2020"], counts["decade"]["2010"], counts["decade"]["1990"]) == (1, 2, 1)
    assert counts["topic"] == {"ports": 2, "roads": 1}
    assert counts["bloc"] == {"EAC": 4, "AU": 1}
    assert counts["corridor"] == {"northern-corridor": 2}


def test_a_chosen_option_keeps_its_alternatives_counted(client, registry):
    # With kind=mou chosen, the other kinds still count what choosing them would list.
    counts = page_counts("kind=mou", client)
    assert counts["kind"]["treaty"] == 1 and counts["kind"]["mou"] == 3
    assert counts["status"] == {**counts["status"], "signed": 1, "in_force": 1, "announced": 1}
    # The line above the results names the chosen kind without a count.
    page = client.get("/agreements/?kind=mou").content.decode()
    assert re.search(r"Memorandum of understanding\s*</", page) or "Memorandum of understanding<" in page


@pytest.mark.parametrize("mode", ["inline", "off"])
def test_the_facets_cost_no_query_of_their_own_whatever_the_filters(
    client, registry, django_assert_num_queries, settings, mode
):
    from agreements.tests.test_list import QUERIES, warm

    settings.LISTING_INDEX = mode
    plain, filtered = QUERIES[mode]
    if mode == "inline":  # newest first with party, topic, corridor and bloc: all the index's
        filtered = plain
    warm(client)
    with django_assert_num_queries(plain):
        client.get("/agreements/?kind=mou&decade=2020&scope=bilateral&status=signed")
    with django_assert_num_queries(filtered):
        client.get("/agreements/?party=KEN&topic=ports&corridor=northern-corridor&bloc=EAC&kind=mou")


COUNT = re.compile(r'<p class="results__count" id="results-count">\s*<strong>([\d,]+)</strong>')


@pytest.mark.parametrize(
    "params",
    [
        [],
        [("kind", "mou"), ("decade", "2020"), ("decade", "1990")],
        [("status", "signed"), ("scope", "regional"), ("scope", "bilateral")],
        [("party", "KEN"), ("decade", "2010")],
        [("accessions", "true"), ("kind", "accession"), ("kind", "mou")],
        [("q", "Kenya"), ("decade", "2020")],
        [("decade", "1940")],  # none: the count is 0 with no combination to add up
    ],
)
def test_the_list_count_is_its_facets_and_the_rows_shown(client, registry, params):
    # No COUNT query of its own: the combinations of the column facets meeting every choice.
    page = client.get(f"/agreements/?{urlencode(params)}").content.decode()
    match = COUNT.search(page)
    assert match, page[:3000]
    assert int(match[1].replace(",", "")) == len(shown(client, urlencode(params)))
