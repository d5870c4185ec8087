"""In a real browser, the list's filter form, the header's search box and the home page's send
addresses that carry only what the analyst set: ``/agreements/?q=lome``, never
``?q=lome&kind=&status=&bloc=&signed_from=&...`` nor the defaults (``match=all``, ``sort=newest``);
and the form still works after going Back, and without JavaScript (sending every field, for
the same list)."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from agreements.search import reindex
from agreements.tests.list_helpers import plurilateral
from agreements.tests.page_helpers import unfold_filters

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def agreements():
    lome = plurilateral("Lomé Convention", "TGO", "FRA", summary="Signed in Lomé.", signed_on=dt.date(1975, 2, 28))
    other = plurilateral("Georgetown Agreement", "GUY", "FRA", signed_on=dt.date(1975, 6, 6))
    reindex([lome.pk, other.pk])


def address(page: Page) -> str:
    """The path and query the browser went to, as the analyst would copy them."""
    url = urlsplit(page.url)
    return f"{url.path}?{url.query}" if url.query else url.path


def test_the_filter_form_sends_only_what_was_set(live_server, page: Page, browser_problems, agreements):
    page.goto(f"{live_server.url}/agreements/")
    filters = page.get_by_role("form", name="Filter agreements")

    filters.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#results-count")).to_contain_text("2 agreements")
    assert address(page) == "/agreements/"  # nothing set: the bare list, not "?"

    filters.get_by_label("Search", exact=True).fill("lome")
    filters.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#results-count")).to_contain_text("1 agreement")
    assert address(page) == "/agreements/?q=lome"

    # A value other than the default is sent; back at the default, it is not. (With a filter set
    # the form is served folded under its count: opened first.)
    unfold_filters(page)
    filters.get_by_label("Sort by").select_option("title")
    filters.get_by_label("Signed from").fill("1975")
    filters.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#results-count")).to_contain_text("sorted by title")
    assert address(page) == "/agreements/?q=lome&signed_from=1975&sort=title"
    unfold_filters(page)
    filters.get_by_label("Sort by").select_option("newest")
    filters.get_by_label("Search", exact=True).fill("  ")
    filters.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#results-count")).to_contain_text("2 agreements")
    assert address(page) == "/agreements/?signed_from=1975"

    # Back: every field still usable (nothing was disabled to leave it out of the address).
    page.go_back()
    expect(page.locator("#results-count")).to_contain_text("sorted by title")
    unfold_filters(page)
    search = filters.get_by_label("Search", exact=True)
    expect(search).to_be_enabled()
    search.fill("georgetown")
    filters.get_by_label("Sort by").select_option("title")
    filters.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="Georgetown Agreement")).to_be_visible()
    assert address(page) == "/agreements/?q=georgetown&signed_from=1975&sort=title"

    browser_problems.assert_none()


@pytest.mark.parametrize("start", ["/", "/agreements/?kind=mou"])
def test_the_search_boxes_send_the_words_and_the_relevance_sort_only(
    live_server, page: Page, browser_problems, agreements, start
):
    page.goto(f"{live_server.url}{start}")
    boxes = page.get_by_role("searchbox", name="Search agreements")
    expect(boxes).to_have_count(2 if start == "/" else 1)  # the home page's own box and the header's
    for n in range(boxes.count()):
        page.goto(f"{live_server.url}{start}")
        boxes.nth(n).fill("lome")
        boxes.nth(n).press("Enter")
        expect(page.locator("#results-count")).to_contain_text("1 agreement")
        assert address(page) == "/agreements/?q=lome&sort=relevance"

    browser_problems.assert_none()


def test_without_javascript_the_form_sends_every_field_for_the_same_list(live_server, new_context, agreements):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/agreements/")

    page.get_by_label("Search", exact=True).fill("lome")
    page.get_by_role("button", name="Apply filters").click()

    expect(page.locator("#results-count")).to_contain_text("1 agreement")
    assert "q=lome" in page.url and "signed_from=&" in page.url
