"""/countries/?format=json: the countries /countries/ lists, in its order, each with the number
of agreements its list shows (that list's JSON says the same count) and the addresses of that
list's JSON and feed; linked from the page; one query whatever the number of countries."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement, AgreementRelation, Country
from agreements.tests.factories import AgreementRelationFactory, PartyFactory, bilateral, country
from agreements.tests.page_helpers import get, plurilateral

pytestmark = pytest.mark.django_db
FIELDS = ["iso3", "name", "historic", "agreement_count", "url", "agreements_url", "feed_url"]


def countries(client) -> dict:
    response = client.get("/countries/?format=json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_each_country_with_its_count_and_its_lists_addresses(client):
    bilateral("RWA", "KEN", published=True)
    bilateral("RWA", "UGA", published=True)
    bilateral("RWA", "TZA")  # a draft counts for nobody
    base = plurilateral("KEN", "UGA", title="Community", kind="treaty", published=True, signed_on=dt.date(1999, 1, 1))
    PartyFactory(agreement=base, country=country("BDI"), joined_on=dt.date(2009, 1, 1))
    accession = plurilateral(
        "KEN", "UGA", "BDI", kind=Agreement.Kind.ACCESSION, published=True, signed_on=dt.date(2009, 1, 1)
    )
    AgreementRelationFactory(from_agreement=accession, kind=AgreementRelation.Kind.ACCESSION_TO, to_agreement=base)

    data = countries(client)
    rows = {row["iso3"]: row for row in data["results"]}

    assert list(data) == ["count", "page", "pages", "page_size", "next", "previous", "results"]
    assert data["next"] is None and data["pages"] == 1 and data["count"] == len(data["results"])
    assert list(rows["RWA"]) == FIELDS
    assert rows["RWA"] == {
        "iso3": "RWA",
        "name": "Rwanda",
        "historic": False,
        "agreement_count": 2,
        "url": "http://testserver/countries/RWA/",
        "agreements_url": "http://testserver/agreements/?party=RWA&format=json",
        "feed_url": "http://testserver/agreements/feed.atom?party=RWA",
    }
    # Burundi's accession is Burundi's (and on its list), not Kenya's nor Uganda's.
    counts = {code: rows[code]["agreement_count"] for code in ("RWA", "KEN", "UGA", "BDI", "TZA")}
    assert counts == {"RWA": 2, "KEN": 2, "UGA": 2, "BDI": 2, "TZA": 0}
    for code in counts:
        listed = json.loads(client.get(rows[code]["agreements_url"]).content)
        assert listed["count"] == counts[code], code


def test_in_the_pages_order_with_agreements_first_and_no_historic_country_without(client):
    bilateral("RWA", "ALA", published=True)  # Åland: with the As
    bilateral("CIV", "KEN", published=True)  # Côte d'Ivoire: with the Cs
    assert Country.objects.filter(iso3="DDR").update(is_historic=True) == 1  # none of its agreements

    results = countries(client)["results"]
    codes = [row["iso3"] for row in results]
    with_agreements = [row["iso3"] for row in results if row["agreement_count"]]

    assert with_agreements == ["ALA", "CIV", "KEN", "RWA"] == codes[:4]
    assert "DDR" not in codes and "FRA" in codes
    assert all(not row["historic"] for row in results)


def test_linked_from_the_page(client):
    html = get(client, "/countries/")

    assert '<link rel="alternate" type="application/json"' in html
    assert html.count('href="/countries/?format=json"') == 2  # the <head>'s and the visible link


def test_two_queries_whatever_the_number_of_countries_and_agreements(client):
    bilateral("RWA", "KEN", published=True)
    with CaptureQueriesContext(connection) as few:
        countries(client)
    for code in ("UGA", "TZA", "BDI", "ETH", "SSD", "COD"):
        bilateral("RWA", code, published=True)
        bilateral("KEN", code, published=True)
    with CaptureQueriesContext(connection) as many:
        countries(client)

    assert len(few) == len(many) == 2  # the countries with their counts; their own accessions (default_lists)
