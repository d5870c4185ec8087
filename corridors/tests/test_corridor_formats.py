"""A corridor's agreements as JSON and Atom: the agreement list's, ``?corridor=<slug>``, linked
from the page and its <head>, with the very rows the page lists and counts (no accession
instrument, as the list: agreements.default_lists); ``?format=json`` on the page goes there."""

import datetime as dt
import json
import re

import pytest

from agreements.models import Agreement
from agreements.tests.factories import bilateral
from corridors.tests.page_helpers import concerning, get, northern_corridor

pytestmark = pytest.mark.django_db
JSON = "/agreements/?corridor=northern-corridor&format=json"
FEED = "/agreements/feed.atom?corridor=northern-corridor"


@pytest.fixture
def corridor():
    corridor = northern_corridor()
    for year in (2015, 2020, 2026):
        concerning(corridor, bilateral("RWA", "KEN", published=True, signed_on=dt.date(year, 1, 1)))
    concerning(corridor, bilateral("UGA", "KEN", published=True, kind=Agreement.Kind.ACCESSION, title="Accession"))
    concerning(corridor, bilateral("UGA", "KEN", title="Draft"))
    bilateral("RWA", "KEN", published=True, title="Not about this corridor")
    return corridor


def test_the_json_lists_exactly_the_pages_rows_and_count(client, corridor):
    response = client.get("/corridors/northern-corridor/")
    on_page = [entry.agreement.pk for entry in response.context["entries"]]
    data = json.loads(client.get(JSON).content)

    assert response.context["corridor"].agreement_count == len(on_page) == 3  # not the accession
    assert data["count"] == 3 and [row["id"] for row in data["results"]] == on_page  # newest first, both
    assert "<dt>Published agreements</dt><dd>3 · " in response.content.decode()


def test_the_list_of_corridors_counts_the_same(client, corridor):
    assert "3 published agreements" in " ".join(get(client, "/corridors/").split())


def test_linked_once_each_from_the_page_and_its_head(client, corridor):
    html = get(client, "/corridors/northern-corridor/").replace("&amp;", "&")

    assert re.findall(r'<link rel="alternate" type="([^"]+)"[^>]*href="([^"]+)"', html) == [
        ("application/atom+xml", FEED),
        ("application/json", JSON),
    ]
    assert re.findall(r'<a href="([^"]+)" type="application/', html) == [JSON, FEED]
    feed = client.get(FEED)
    assert feed.status_code == 200 and feed.content.decode().count("<entry>") == 3


def test_format_json_on_the_page_goes_to_the_lists_json(client, corridor):
    response = client.get("/corridors/northern-corridor/?format=json")

    assert response.status_code == 302 and response["Location"] == JSON
    assert client.get("/corridors/nope/?format=json").status_code == 404
    assert client.get("/corridors/northern-corridor/?format=rss").status_code == 400
