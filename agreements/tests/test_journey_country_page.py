"""A country's page on a 375 px phone, in a real browser: the summary on the first screen, the
partners folded, one opened with a tap, and from it the pair's timeline."""

import datetime as dt

import pytest
from django.db import transaction
from playwright.sync_api import expect

from agreements.tests.factories import bilateral
from agreements.tests.page_helpers import plurilateral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 375, "height": 812}, "has_touch": True, "is_mobile": True}


def test_the_summary_first_and_a_partner_opened_with_a_tap(live_server, new_context, browser_problems):
    with transaction.atomic():  # PostgreSQL checks a bilateral agreement's two parties at commit
        bilateral("RWA", "KEN", title="Liaison office MoU", published=True, signed_on=dt.date(2026, 1, 22))
    for n in range(12):
        plurilateral(
            "RWA", "KEN", "UGA", title=f"Transit protocol {n}", published=True, signed_on=dt.date(2000 + n, 1, 1)
        )
    page = new_context(**PHONE).new_page()

    page.goto(f"{live_server.url}/countries/RWA/")

    glance = page.get_by_role("heading", name="At a glance")
    assert glance.bounding_box()["y"] < PHONE["viewport"]["height"]  # type: ignore[index]
    expect(page.get_by_role("link", name="Memorandum of understanding")).to_be_visible()
    kenya = page.locator("details", has=page.locator("#partner-KEN"))
    expect(kenya).not_to_have_attribute("open", "")
    expect(kenya.get_by_role("link", name="Liaison office MoU")).to_be_hidden()

    page.locator("#partner-KEN").tap()

    expect(kenya.get_by_role("link", name="Liaison office MoU")).to_be_visible()
    kenya.get_by_role("link", name="All 13 with Kenya").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rwanda and Kenya")
    browser_problems.assert_none()
