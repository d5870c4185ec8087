"""The JSON and Atom feed of a country's page and a pair's: the agreement list's own, with the
page's filter (``party=RWA``; ``party=RWA&party=KEN``), linked from the page and its <head>,
and the very rows the page lists (agreements.default_lists); ``?format=json`` on the page goes
there. (/countries/?format=json: test_countries_json.py; a corridor's: corridors' tests.)"""

import datetime as dt
import json
import re
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from agreements.models import Agreement, AgreementRelation
from agreements.tests.factories import AgreementFactory, AgreementRelationFactory, PartyFactory, bilateral, country
from agreements.tests.page_helpers import get, plurilateral
from agreements.views.countries import timeline
from agreements.views.feeds import FEED_SIZE

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def registry():
    """Rwanda and Kenya: a bilateral MoU, a regional treaty Rwanda joined by an accession
    instrument, a third country's (Burundi's) accession, a consolidated version, a draft, an
    undated agreement, and agreements with only one of them."""
    bilateral("RWA", "KEN", title="Rwanda–Kenya MoU", published=True, signed_on=dt.date(2026, 1, 22))
    bilateral("RWA", "KEN", title="Rwanda–Kenya draft", signed_on=dt.date(2026, 2, 1))
    plurilateral("RWA", "KEN", title="Undated accord", published=True, signed_on=None)
    base = plurilateral(
        "KEN", "TZA", "UGA", title="Community", kind="treaty", published=True, signed_on=dt.date(1999, 11, 30)
    )
    PartyFactory(agreement=base, country=country("RWA"), joined_on=dt.date(2007, 6, 18))
    PartyFactory(agreement=base, country=country("BDI"), joined_on=dt.date(2009, 6, 18))
    for code, year in (("RWA", 2007), ("BDI", 2009)):
        accession = plurilateral(
            "KEN", "TZA", "UGA", code, title=f"Accession of {code}", kind=Agreement.Kind.ACCESSION,
            published=True, signed_on=dt.date(year, 6, 18),
        )  # fmt: skip
        AgreementRelationFactory(from_agreement=accession, kind=AgreementRelation.Kind.ACCESSION_TO, to_agreement=base)
    consolidated = plurilateral("RWA", "KEN", title="Community (consolidated)", published=True)
    Agreement.objects.filter(pk=consolidated.pk).update(in_default_lists=False)
    bilateral("KEN", "UGA", title="Kenya–Uganda accord", published=True)
    bilateral("RWA", "BDI", title="Rwanda–Burundi MoU", published=True)


def head_and_links(html: str) -> tuple[dict[str, str], list[str]]:
    """The page's alternate links by type, and the hrefs of its visible links to them."""
    alternates = dict(re.findall(r'<link rel="alternate" type="([^"]+)"[^>]*href="([^"]+)"', html))
    formats = re.findall(r'<a href="([^"]+)" type="application/(?:json|atom\+xml)"', html)
    return {kind: href.replace("&amp;", "&") for kind, href in alternates.items()}, [
        href.replace("&amp;", "&") for href in formats
    ]


def json_ids(client, url: str) -> list[int]:
    """Every row of a list's JSON, following its next links."""
    ids: list[int] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        data = json.loads(response.content)
        ids += [row["id"] for row in data["results"]]
        url = data["next"]
    return ids


def feed_ids(client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    links = [e.find(f"{ATOM}link").get("href") for e in ElementTree.fromstring(response.content).iter(f"{ATOM}entry")]
    slugs = {urlsplit(link).path.rstrip("/").rsplit("/", 1)[1] for link in links}
    return set(Agreement.objects.filter(slug__in=slugs).values_list("pk", flat=True))


def test_a_pairs_json_and_feed_list_exactly_its_timelines_rows(client, registry):
    rows = [agreement.pk for agreement in timeline(country("RWA"), country("KEN"))]
    html = get(client, "/countries/RWA/KEN/")
    alternates, links = head_and_links(html)

    assert alternates == {
        "application/atom+xml": "/agreements/feed.atom?party=RWA&party=KEN",
        "application/json": "/agreements/?party=RWA&party=KEN&format=json",
    }
    assert links == [alternates["application/json"], alternates["application/atom+xml"]]  # each once
    assert len(rows) == 4  # the MoU, the undated accord, the Community and Rwanda's accession
    assert sorted(json_ids(client, alternates["application/json"])) == sorted(rows)
    assert len(rows) <= FEED_SIZE and feed_ids(client, alternates["application/atom+xml"]) == set(rows)


def test_a_countrys_json_and_feed_list_exactly_its_pages_rows(client, registry):
    response = client.get("/countries/RWA/")
    on_page = {entry.agreement.pk for group in response.context["partner_groups"] for entry in group.entries}
    alternates, links = head_and_links(response.content.decode())

    assert links == [alternates["application/json"], alternates["application/atom+xml"]]
    assert alternates["application/json"] == "/agreements/?party=RWA&format=json"
    # The page counts its rows (its years add up to them) and shows the partners' newest.
    listed = set(json_ids(client, alternates["application/json"]))
    assert len(listed) == response.context["agreement_count"] == sum(g.count for g in response.context["years"]) == 5
    assert on_page and on_page <= listed
    assert feed_ids(client, alternates["application/atom+xml"]) == listed


def test_a_long_timeline_is_every_page_of_the_json(client):
    for year in range(1960, 2030):  # more than a page of the list's JSON (50)
        bilateral("RWA", "KEN", published=True, signed_on=dt.date(year, 1, 1))

    rows = [agreement.pk for agreement in timeline(country("RWA"), country("KEN"))]

    assert sorted(json_ids(client, "/agreements/?party=RWA&party=KEN&format=json")) == sorted(rows)


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("/countries/RWA/?format=json", "/agreements/?party=RWA&format=json"),
        ("/countries/rwa/?format=json&trade_year=2020", "/agreements/?party=RWA&format=json"),
        ("/countries/KEN/RWA/?format=json&page=2", "/agreements/?party=KEN&party=RWA&format=json"),
    ],
)
def test_format_json_on_a_page_goes_to_its_lists_json(client, registry, url, target):
    response = client.get(url)

    assert response.status_code == 302 and response["Location"] == target
    assert json.loads(client.get(target).content)["count"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/countries/XYZ/?format=json", 404),
        ("/countries/RWA/RWA/?format=json", 404),
        ("/countries/RWA/XYZ/?format=json", 404),
        ("/countries/RWA/?format=xml", 400),
        ("/countries/RWA/KEN/?format=csv", 400),
    ],
)
def test_format_json_of_no_such_page_or_an_unknown_format(client, registry, url, status):
    response = client.get(url)

    assert response.status_code == status
    if status == 400:
        assert "Unknown format" in response.content.decode()


def test_a_page_without_agreements_still_offers_its_feed(client):
    AgreementFactory(title="Nothing of Chile's", published=True)

    alternates, links = head_and_links(get(client, "/countries/CHL/"))

    assert alternates["application/atom+xml"] == "/agreements/feed.atom?party=CHL"
    assert alternates["application/atom+xml"] in links
    assert feed_ids(client, alternates["application/atom+xml"]) == set()
