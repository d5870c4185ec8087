"""The key pages in a real browser at desktop and phone widths, over the demo
data: each is saved as a full-page screenshot (artifacts/screenshots/, or
$SCREENSHOT_DIR) and checked for what a reader would notice at once: the page
answers, its heading is there and visible, nothing runs off the side of the
screen (nor, on the public pages, out of a box that scrolls sideways), and the
browser reports no CSP violation, JavaScript error or failed request.

Every page is checked before the test fails, so one run names every broken
page, and its screenshot is written either way.
"""

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from itertools import permutations
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Page

from agreements.demo import KPA_LIAISON_OFFICE_MOU
from agreements.models import Agreement, Country, ProductTrade, TradeFlow
from agreements.tests.page_helpers import plurilateral
from agreements.trade.refresh import refresh_trade_statistics

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}
KPA_MOU_TITLE = "Memorandum of Understanding establishing a Kenya Ports Authority liaison office in Kigali"
EAC_TITLE = "East African Community (EAC)"
EAC_MEMBERS = ("KEN", "TZA", "UGA", "RWA", "BDI")

# The elements that stick out past the right edge of the window, for the failure message.
WIDER_THAN_WINDOW = """() => {
  const width = window.innerWidth;
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5)
    .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 0.5)
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className && typeof el.className === "string"
      ? "." + el.className.trim().split(/\\s+/).join(".") : ""} (right edge ${Math.round(el.getBoundingClientRect().right)}px)`);
}"""


# Boxes that scroll sideways, so part of what they hold is cut off at the edge
# (a wide table in an overflow-x: auto wrapper). The admin's own tables do this
# by design, so only the public pages are held to it.
SCROLLING_BOXES = """() => [...document.querySelectorAll("body *")]
  .filter((el) => !["SELECT", "TEXTAREA", "INPUT"].includes(el.tagName))
  .filter((el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX))
  .filter((el) => el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
  .slice(0, 5)
  .map((el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === "string"
    ? "." + el.className.trim().split(/\\s+/).join(".") : ""} (${el.scrollWidth}px in ${el.clientWidth}px)`)"""


@dataclass(frozen=True)
class KeyPage:
    name: str  # the screenshot's file name, before the width
    path: str
    heading: str  # the page's h1
    staff: bool = False


def eac_like() -> Agreement:
    """An agreement like the real EAC's page (issue 14: 493px wide on a phone): five countries
    in force since 2000, with trade among them in the window (nine-digit figures, the reference
    year's tag, the pairs column); and what Rwanda and Tanzania trade by HS chapter."""
    eac = plurilateral(*EAC_MEMBERS, title=EAC_TITLE, kind=Agreement.Kind.CUSTOMS_UNION, published=True,
                       status=Agreement.Status.IN_FORCE, signed_on=dt.date(1999, 11, 30),
                       in_force_on=dt.date(2000, 7, 7))  # fmt: skip
    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=EAC_MEMBERS)}
    TradeFlow.objects.bulk_create(
        TradeFlow(reporter=countries[a], partner=countries[b], year=year, flow="exports",
                  value=Decimal(25_923_656 + year), currency="USD")
        for a, b in permutations(EAC_MEMBERS, 2) for year in range(1997, 2004)
    )  # fmt: skip
    ProductTrade.objects.bulk_create(
        ProductTrade(reporter=countries[a], partner=countries[b], year=2019, chapter=f"{n:02}",
                     value_usd=Decimal(1_000_000 * n))
        for a, b in (("RWA", "TZA"), ("TZA", "RWA")) for n in (71, 25, 27, 84, 85, 86, 94)
    )  # fmt: skip
    refresh_trade_statistics()
    return eac


def key_pages(kpa_mou: Agreement, eac: Agreement) -> list[KeyPage]:
    return [
        KeyPage("home", "/", "Trade agreements, memoranda and corridors"),
        KeyPage("agreements-RWA-KEN-mou", "/agreements/?party=RWA&party=KEN&kind=mou", "Agreements"),
        KeyPage("agreement-kpa-mou", kpa_mou.get_absolute_url(), KPA_MOU_TITLE),
        KeyPage("agreement-eac-like", eac.get_absolute_url(), EAC_TITLE),
        KeyPage("country-RWA", "/countries/RWA/", "Rwanda"),
        KeyPage("pair-RWA-TZA", "/countries/RWA/TZA/", "Rwanda and Tanzania"),
        KeyPage("corridor-northern", "/corridors/northern-corridor/", "Northern Corridor"),
        KeyPage("corridor-central", "/corridors/central-corridor/", "Central Corridor"),
        KeyPage("admin-agreements", "/admin/agreements/agreement/", "Select agreement to change", staff=True),
        KeyPage(
            "admin-mou-change",
            f"/admin/agreements/memorandum/{kpa_mou.pk}/change/",
            "Change memorandum of understanding",
            staff=True,
        ),
    ]


def log_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", "curator")
    page.fill("#id_password", "a long pass phrase")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


def check(page: Page, key: KeyPage, base_url: str, width_name: str, folder: Path, browser_problems) -> list[str]:
    """Visit one page, save its screenshot, and say what is wrong with it."""
    response = page.goto(f"{base_url}{key.path}")
    page.wait_for_load_state("load")
    page.screenshot(path=folder / f"{key.name}-{width_name}.png", full_page=True)
    wrong = []
    if response is None or response.status != 200:
        wrong.append(f"status {response.status if response else 'none'}")
    headings = page.locator("h1")
    if headings.count() != 1:
        wrong.append(f"{headings.count()} h1 elements, not one")
    elif not headings.is_visible() or headings.inner_text().strip() != key.heading:
        wrong.append(f"h1 {headings.inner_text().strip()!r} (visible: {headings.is_visible()}), not {key.heading!r}")
    scroll_width, window_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width > window_width:
        wrong.append(
            f"{scroll_width}px wide in a {window_width}px window (scrolls sideways): "
            + ", ".join(page.evaluate(WIDER_THAN_WINDOW))
        )
    if not key.staff and (boxes := page.evaluate(SCROLLING_BOXES)):
        wrong.append("content cut off at the edge of a box that scrolls sideways: " + ", ".join(boxes))
    wrong += browser_problems.take()
    return [f"{key.name}-{width_name}: {problem}" for problem in wrong]


@pytest.mark.parametrize("width_name", list(VIEWPORTS))
def test_key_pages(live_server, new_context, browser_problems, screenshot_dir: Path, width_name: str):
    call_command("load_demo", stdout=io.StringIO())
    User.objects.create_superuser("curator", "curator@example.org", "a long pass phrase")
    kpa_mou = Agreement.objects.get(slug=KPA_LIAISON_OFFICE_MOU)
    eac = eac_like()
    page = new_context(viewport=VIEWPORTS[width_name]).new_page()

    wrong: list[str] = []
    logged_in = False
    for key in key_pages(kpa_mou, eac):
        if key.staff and not logged_in:
            log_in(page, live_server.url)
            logged_in = True
        wrong += check(page, key, live_server.url, width_name, screenshot_dir, browser_problems)

    assert not wrong, "\n".join(wrong)
