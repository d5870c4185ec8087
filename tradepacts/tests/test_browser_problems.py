"""The browser tests' watchman (conftest.BrowserProblems) sees what it must:
otherwise "no CSP violation, no JavaScript error" in the journeys would pass
whatever the pages did.

The pages here are served by Playwright's router under the site's own
Content-Security-Policy, so they also show that the policy blocks inline code.
"""

import pytest
from playwright.sync_api import Page, Route

from tradepacts.middleware import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.browser

ORIGIN = "http://tradepacts.invalid"
BROKEN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Broken</title><link rel="stylesheet" href="/missing.css"></head>
<body>
<h1 style="color: red">Inline style</h1>
<script>document.title = "inline script ran";</script>
<script src="/throws.js"></script>
</body></html>"""
CLEAN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Clean</title></head><body><h1>Nothing wrong</h1></body></html>"""
ERROR_PAGES = {"/refused": 400, "/crashed": 500}


def serve(route: Route) -> None:
    path = route.request.url.removeprefix(ORIGIN)
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY}
    if path == "/throws.js":
        route.fulfill(body="throw new Error('a script that fails');", content_type="text/javascript", headers=headers)
    elif path == "/broken":
        route.fulfill(body=BROKEN_PAGE, content_type="text/html", headers=headers)
    elif path in ERROR_PAGES:
        route.fulfill(status=ERROR_PAGES[path], body=CLEAN_PAGE, content_type="text/html", headers=headers)
    elif path == "/":
        route.fulfill(body=CLEAN_PAGE, content_type="text/html", headers=headers)
    else:
        route.fulfill(status=404, body="Not found", content_type="text/plain", headers=headers)


def test_a_clean_page_reports_nothing(page: Page, browser_problems):
    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/")
    assert browser_problems.take() == []


def test_inline_code_failing_scripts_and_missing_files_are_reported(page: Page, browser_problems):
    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/broken")
    page.wait_for_load_state("load")
    assert page.title() == "Broken", "the site's CSP must block inline scripts"

    found = "\n".join(browser_problems.take())
    assert "CSP violation" in found and "script-src" in found
    assert "style-src" in found
    assert "JavaScript error" in found and "a script that fails" in found
    assert f"HTTP 404 for stylesheet {ORIGIN}/missing.css" in found


def test_error_pages_a_4xx_is_the_tests_to_check_a_5xx_is_a_problem(page: Page, browser_problems):
    page.route(f"{ORIGIN}/**", serve)
    assert page.goto(f"{ORIGIN}/refused").status == 400
    assert browser_problems.take() == []
    page.goto(f"{ORIGIN}/crashed")
    assert browser_problems.take() == [f"HTTP 500 for document {ORIGIN}/crashed"]


def test_popups_are_watched_too(page: Page, browser_problems):
    """The curator's "+" buttons open popups: their problems count."""
    page.route(f"{ORIGIN}/**", serve)
    page.context.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/")
    with page.expect_popup() as opened:
        page.evaluate(f"window.open('{ORIGIN}/broken')")
    opened.value.wait_for_load_state("load")
    assert any("JavaScript error" in problem for problem in browser_problems.take())
