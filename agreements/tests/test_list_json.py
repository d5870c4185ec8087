"""/agreements/?format=json: the list page as data, with the page's FilterSet, rows and
order; paged with absolute next and previous links that keep the filters; invalid filters
a 400 with the form's messages; an unknown format a 400 that says which there are."""

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement
from agreements.tests.factories import AgreementFactory, PartyFactory, country
from agreements.tests.format_helpers import build_format_fixture
from agreements.tests.list_helpers import shown
from agreements.views.listing import PAGE_SIZE

pytestmark = pytest.mark.django_db

FIELDS = [
    "id",
    "slug",
    "url",
    "title",
    "kind",
    "kind_label",
    "status",
    "status_label",
    "scope",
    "binding",
    "signed_place",
    "signed_on",
    "signed_precision",
    "in_force_on",
    "in_force_precision",
    "ended_on",
    "ended_precision",
    "announced_on",
    "announced_precision",
    "parties",
    "updated_at",
]


def get_json(client, query: str, status: int = 200) -> dict:
    response = client.get(f"/agreements/?{query}")
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


@pytest.fixture
def many() -> list[Agreement]:
    """PAGE_SIZE * 2 + 3 Kenyan agreements (three pages), signed on distinct days, and one Ugandan."""
    agreements = []
    for n in range(PAGE_SIZE * 2 + 3):
        agreement = AgreementFactory(
            title=f"Kenyan agreement {n:03}", signed_on=dt.date(2000, 1, 1) + dt.timedelta(n), published=True
        )
        PartyFactory(agreement=agreement, country=country("KEN"))
        agreements.append(agreement)
    PartyFactory(agreement=AgreementFactory(title="Ugandan", published=True), country=country("UGA"))
    return agreements


def test_the_structure_and_the_field_names(client):
    fixture = build_format_fixture()
    data = get_json(client, "format=json&party=KEN&sort=title")

    assert list(data) == ["count", "page", "pages", "page_size", "next", "previous", "results"]
    assert (data["count"], data["page"], data["pages"], data["page_size"]) == (2, 1, 1, PAGE_SIZE)
    assert data["next"] is None and data["previous"] is None
    customs, kigali = data["results"]
    assert list(customs) == FIELDS
    assert customs["id"] == fixture.customs.pk
    assert customs["url"] == "http://testserver/agreements/customs-protocol/"
    assert customs["title"] == "=1+1 customs protocol"  # JSON is no spreadsheet: the text as it is
    assert (customs["kind"], customs["kind_label"], customs["status"]) == ("protocol", "Protocol", "expired")
    assert (customs["signed_on"], customs["signed_precision"]) == ("1999-01-01", "year")
    assert (customs["in_force_on"], customs["in_force_precision"]) == ("2000-07-01", "month")
    assert (customs["announced_on"], customs["announced_precision"]) == (None, None)
    assert [p["iso3"] for p in customs["parties"]] == ["KEN", "UGA", "TZA"]
    assert kigali["parties"][1] == {"iso3": "KEN", "name": "Kenya", "institution": "Kenya Ports Authority"}
    assert dt.datetime.fromisoformat(kigali["updated_at"]).tzinfo is not None


def test_an_institution_acting_alone_has_no_country(client):
    fixture = build_format_fixture()
    (row,) = get_json(client, "format=json&kind=communique")["results"]

    assert row["id"] == fixture.corridor.pk
    assert row["parties"][1] == {"iso3": None, "name": None, "institution": "Northern Corridor Authority #2"}


@pytest.mark.parametrize(
    "query",
    ["", "party=KEN", "sort=title", "sort=oldest&party=KEN", "kind=mou&sort=title&match=any&party=KEN&party=UGA"],
)
def test_each_page_holds_exactly_the_page_s_rows_in_its_order(client, many, query):
    for page in (1, 2, 3):
        data = get_json(client, f"{query}&format=json&page={page}")
        assert [row["title"] for row in data["results"]] == shown(client, f"{query}&page={page}")


def test_next_and_previous_are_absolute_and_keep_the_filters(client, many):
    first = get_json(client, "party=KEN&sort=oldest&format=json")
    assert (first["count"], first["pages"]) == (PAGE_SIZE * 2 + 3, 3)
    assert first["previous"] is None
    next_url = urlsplit(first["next"])
    assert (next_url.scheme, next_url.netloc, next_url.path) == ("http", "testserver", "/agreements/")
    assert parse_qs(next_url.query) == {"party": ["KEN"], "sort": ["oldest"], "format": ["json"], "page": ["2"]}

    second = get_json(client, next_url.query)
    third = get_json(client, urlsplit(second["next"]).query)
    assert parse_qs(urlsplit(second["previous"]).query)["page"] == ["1"]
    assert third["next"] is None and len(third["results"]) == 3
    titles = [row["title"] for page in (first, second, third) for row in page["results"]]
    assert titles == [a.title for a in many]  # oldest first: every row once, in order


def test_invalid_filters_are_a_400_with_the_form_s_messages(client):
    data = get_json(client, "format=json&party=XXX&signed_from=2020&signed_to=2019", status=400)

    assert data == {
        "errors": {
            "party": ["Unknown country code: XXX."],
            "signed_to": ["Must not be before “Signed from”."],
        }
    }


def test_a_page_past_the_end_is_a_404_in_json(client, many):
    data = get_json(client, "format=json&page=9", status=404)

    assert "page" in data["errors"]


def queries_of(client, query: str) -> int:
    """After one request: the reference lists and the listing index read since the last write."""
    get_json(client, query)
    with CaptureQueriesContext(connection) as queries:
        get_json(client, query)
    return len(queries)


def test_the_json_costs_the_same_queries_whatever_the_rows(client):
    build_format_fixture()
    few = queries_of(client, "format=json")
    for _ in range(30):
        PartyFactory(agreement=AgreementFactory(published=True), country=country("KEN"))

    # The rows and their parties: the listing index counts and pages them (without it, a COUNT and the ids).
    assert queries_of(client, "format=json") == few <= 2


@pytest.mark.parametrize("value", ["xml", "JSON", "csv"])
def test_an_unknown_format_is_a_400_that_names_the_formats(client, value):
    response = client.get("/agreements/", {"format": value})

    assert response.status_code == 400
    text = response.content.decode()
    assert f"Unknown format “{value}”" in text and "json" in text and "/agreements/feed.atom" in text


def test_the_page_links_to_its_json_feed_and_parties_csv_with_its_filters(client):
    build_format_fixture()
    page = client.get("/agreements/?party=KEN&sort=title&page=1").content.decode()

    assert 'href="/agreements/?party=KEN&amp;sort=title&amp;format=json"' in page
    assert 'href="/agreements/export.csv?party=KEN&amp;sort=title&amp;shape=parties"' in page
    assert (
        '<link rel="alternate" type="application/atom+xml" title="New or changed agreements matching this query" '
        'href="/agreements/feed.atom?party=KEN&amp;sort=title">' in page
    )
