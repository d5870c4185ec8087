"""Reading the public pages in tests: their query budgets, a page's HTML and one of its
sections, and what every page must be (one h1, nothing a strict CSP blocks). The trade and
corridor page tests use them too."""

from html.parser import HTMLParser

from agreements.models import Agreement
from agreements.tests.factories import AgreementFactory, PartyFactory, country

LIST_QUERIES = 2  # countries with their counts; their own accession instruments (agreements.default_lists)
# The years with trade figures (none here: trade/tests/test_trade_pages_bad_input_and_queries.py
# counts the page with them) and the partner groups' entries with their first parties. The country
# itself comes from the reference lists (agreements.reference_lists), its blocs from every country's
# memberships and the corridors app's records from the countries it has some about
# (corridors.extensions.countries_with_records), each read once per process until the data changes
# (``warm`` reads them), and the counts (partners, the newest three with each, kind, status, scope and
# year) from the listing index (agreements.listing_index). A country the corridors app has records
# about takes up to three more (corridors/tests/test_corridor_pages.py counts them).
DETAIL_QUERIES = 2
# Without the listing index (LISTING_INDEX=off, or while it is rebuilt): the partners counted, the
# newest with the partners shown, the counts by kind, status, scope and year.
SQL_DETAIL_QUERIES = DETAIL_QUERIES + 3
# The page's entries with their first parties, the trade statistics, the HS chapters; the two
# countries come from the reference lists and the timeline's ids from the listing index (``warm``
# reads them after a write).
PAIR_QUERIES = 3
SQL_PAIR_QUERIES = PAIR_QUERIES + 1  # without the index: the timeline's ids
# With trade figures: the flows they were computed from, with their sources; and with figures
# reported in another currency than the US dollar, their exchange rates (agreements.trade.pair_rows).
CONVERTED_PAIR_QUERIES = PAIR_QUERIES + 2


def unfold_filters(page) -> None:
    """Open the list's filter form, as a reader clicks its summary: it is served folded under its count
    once filters are set ("Filter agreements (2 active)"), so that the results come first."""
    if page.locator(".filters__fold").get_attribute("open") is None:
        page.locator(".filters__summary").click()


def warm(client) -> None:
    """A country's page once, after the test's writes: the reference lists and the listing index read since the last change."""
    get(client, "/countries/ISL/")


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def plurilateral(*iso3s: str, **kwargs) -> Agreement:
    agreement = AgreementFactory(**kwargs)
    for iso3 in iso3s:
        PartyFactory(agreement=agreement, country=country(iso3))
    return agreement


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> whose heading has this id, up to the next h2."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<h2", start)
    return html[start : end if end != -1 else len(html)]


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes, as a browser reads them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_plain_page(html: str) -> None:
    """One h1; nothing a strict Content-Security-Policy would block; no tag from user text."""
    tags = Tags(html).tags
    assert [tag for tag, _ in tags].count("h1") == 1
    assert not {"script", "style", "img", "iframe"} & {tag for tag, _ in tags}
    assert not [(tag, name) for tag, attrs in tags for name in attrs if name == "style" or name.startswith("on")]
