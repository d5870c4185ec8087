"""/agreements/feed.atom?<the list's filters>: an Atom feed whose entries are exactly the
filtered, published agreements, the most recently changed first (the first page of them);
invalid filters a 400; and the /agreements.json alias of the list's JSON."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements.models import Agreement
from agreements.tests.factories import AgreementFactory, PartyFactory, country
from agreements.tests.format_helpers import build_format_fixture
from agreements.views.feeds import FEED_SIZE

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def feed(client, query: str = "") -> ET.Element:
    response = client.get(f"/agreements/feed.atom?{query}")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def entry_links(root: ET.Element) -> list[str]:
    return [entry.find(f"{ATOM}link").get("href") for entry in root.findall(f"{ATOM}entry")]


def changed(agreement: Agreement, minutes_ago: int) -> None:
    Agreement.objects.filter(pk=agreement.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=minutes_ago))


def test_the_feed_s_structure(client):
    fixture = build_format_fixture()
    root = feed(client, "party=RWA&party=KEN&match=exactly")

    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title") == (
        "tradepacts: agreements (Parties: exactly Rwanda (RWA) and Kenya (KEN), no other party)"
    )
    assert root.findtext(f"{ATOM}subtitle").startswith("New or changed agreements matching this query")
    assert root.findtext(f"{ATOM}id") == "http://testserver/agreements/feed.atom?party=RWA&party=KEN&match=exactly"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {
        "alternate": "http://testserver/agreements/?party=RWA&party=KEN&match=exactly",
        "self": "http://testserver/agreements/feed.atom?party=RWA&party=KEN&match=exactly",
    }
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == fixture.kigali.title
    assert entry.findtext(f"{ATOM}id") == "http://testserver/agreements/mou-kpa-kigali/"
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver/agreements/mou-kpa-kigali/"
    assert dt.datetime.fromisoformat(entry.findtext(f"{ATOM}updated")) == fixture.kigali.updated_at
    assert entry.findtext(f"{ATOM}summary") == (
        "Memorandum of understanding, signed. Parties: Rwanda (RWA), Kenya (KEN). Signed 22 January 2026."
    )
    assert root.findtext(f"{ATOM}updated") == entry.findtext(f"{ATOM}updated")  # the latest change


@pytest.mark.parametrize("query", ["", "party=KEN", "party=RWA", "kind=protocol", "status=announced", "party=ETH"])
def test_the_entries_are_exactly_the_filtered_rows_newest_change_first(client, query):
    fixture = build_format_fixture()
    for minutes, agreement in enumerate([fixture.customs, fixture.empty, fixture.kigali, fixture.corridor]):
        changed(agreement, minutes)
    changed(fixture.draft, 0)  # the latest change of all, and never in a feed
    listed = client.get(f"/agreements/?{query}&format=json").json()["results"]  # the list's own rows
    newest_first = sorted(listed, key=lambda row: row["updated_at"], reverse=True)

    assert entry_links(feed(client, query)) == [row["url"] for row in newest_first]


def test_the_feed_holds_the_first_page_of_changes(client):
    agreements = [AgreementFactory(title=f"Agreement {n}", published=True) for n in range(FEED_SIZE + 5)]
    for n, agreement in enumerate(agreements):
        PartyFactory(agreement=agreement, country=country("KEN"))
        changed(agreement, n)  # agreement 0 changed last

    links = entry_links(feed(client, "party=KEN"))

    assert links == [f"http://testserver/agreements/{a.slug}/" for a in agreements[:FEED_SIZE]]


def test_invalid_filters_are_a_400_that_says_why(client):
    response = client.get("/agreements/feed.atom?party=XXX")

    assert response.status_code == 400
    assert "Unknown country code: XXX" in response.content.decode()


def test_the_list_page_shows_the_feed_link_near_the_csv(client):
    build_format_fixture()
    page = client.get("/agreements/?party=RWA").content.decode()
    bar = page[page.index('class="results__bar"') : page.index("</div>", page.index('class="results__bar"'))]

    assert 'href="/agreements/export.csv?party=RWA"' in bar
    assert 'href="/agreements/feed.atom?party=RWA" type="application/atom+xml">Atom feed' in bar
    assert 'href="/agreements/?party=RWA&amp;format=json" type="application/json">JSON' in bar


def test_agreements_json_moves_to_the_canonical_json_with_its_filters(client):
    response = client.get("/agreements.json?party=KEN&sort=title")

    assert response.status_code == 301
    assert response["Location"] == "/agreements/?party=KEN&sort=title&format=json"


def test_the_feed_costs_the_same_queries_whatever_the_rows(client):
    build_format_fixture()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            feed(client, "party=KEN")
        return len(captured)

    few = queries()
    for _ in range(30):
        PartyFactory(agreement=AgreementFactory(published=True), country=country("KEN"))

    assert queries() == few
