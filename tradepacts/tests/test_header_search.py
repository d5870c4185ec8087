"""A search box in every page's header, and a larger one on the home page: labelled for
screen readers, a plain GET form (no script) to the agreement list sorted by relevance,
visible and usable on a 1280 px desktop and a 375 px phone."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from agreements.search import reindex
from agreements.tests.list_helpers import plurilateral
from corridors.tests.factories import CorridorFactory

HEADER_BOX = re.compile(
    r'<header class="site-header">.*<form class="search-box search-box--compact" method="get" action="/agreements/" '
    r'role="search" aria-label="Site search">\s*<label for="site-search-q" class="visually-hidden">Search agreements'
    r'</label>.*<input type="search" id="site-search-q" name="q".*'
    r'<input type="hidden" name="sort" value="relevance">.*</header>',
    re.DOTALL,
)
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}


@pytest.fixture
def site(db):
    lome = plurilateral("Lomé Convention", "TGO", "FRA", summary="Signed in Lomé.", signed_on=dt.date(1975, 2, 28))
    other = plurilateral("Georgetown Agreement", "GUY", "FRA", signed_on=dt.date(1975, 6, 6))
    reindex([lome.pk, other.pk])
    CorridorFactory(name="Northern Corridor", slug="northern-corridor")
    return lome


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/agreements/",
        "/agreements/?q=lome",
        "detail",
        "/countries/",
        "/countries/TGO/",
        "/countries/TGO/FRA/",
        "/corridors/",
        "/corridors/northern-corridor/",
        "/sources/",
        "/no-such-page/",
    ],
)
def test_every_page_has_the_header_search_box(client, site, path):
    response = client.get(site.get_absolute_url() if path == "detail" else path)
    assert response.status_code in (200, 404)
    page = response.content.decode()
    assert HEADER_BOX.search(page), path
    assert page.count('id="site-search-q"') == 1


@pytest.mark.django_db
def test_the_home_page_has_its_own_labelled_search_box_too(client, site):
    page = client.get("/").content.decode()
    assert '<label for="home-search-q">Search agreements</label>' in page
    assert '<input type="search" id="home-search-q" name="q"' in page
    assert page.count('role="search"') == 2


@pytest.mark.django_db
def test_what_the_box_sends_finds_lome_sorted_by_relevance(client, site):
    page = client.get("/agreements/", {"q": "LOME", "sort": "relevance"}).content.decode()
    assert "Lomé Convention" in page and "Georgetown" not in page
    assert "sorted by relevance" in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("width", VIEWPORTS)
def test_the_header_box_is_visible_and_searches_at_desktop_and_phone_widths(
    live_server, new_context, browser_problems, site, width
):
    page: Page = new_context(viewport=VIEWPORTS[width]).new_page()
    page.goto(f"{live_server.url}/countries/")

    box = page.get_by_role("search", name="Site search").get_by_role("searchbox", name="Search agreements")
    expect(box).to_be_visible()
    bounds = box.bounding_box()
    assert bounds and bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= VIEWPORTS[width]["width"]
    assert bounds["width"] >= 150, bounds  # room to type on a phone too

    box.fill("lome")
    box.press("Enter")
    expect(page.locator("#results-count")).to_contain_text("1 agreement")
    expect(page.locator("#results-count")).to_contain_text("sorted by relevance")
    expect(page.get_by_role("link", name="Lomé Convention")).to_be_visible()
    assert parse_qs(urlsplit(page.url).query) == {"q": ["lome"], "sort": ["relevance"]}
