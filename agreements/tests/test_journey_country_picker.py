"""Choosing countries in a real browser (static/js/filter-form.js over agreements/country_picker.py):
with the keyboard only, with a thumb on a 375 px phone, and with JavaScript off. Each time the
address is ``?party=...&party=...`` and the list is what both countries are parties to.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from agreements.tests.factories import bilateral
from agreements.tests.page_helpers import plurilateral, unfold_filters

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 375, "height": 812}, "has_touch": True, "is_mobile": True}
BOTH = {"Rwanda–Kenya MoU", "Northern Corridor treaty"}


def build() -> None:
    """Two agreements Rwanda and Kenya are both parties to, and three that one of them is not."""
    with transaction.atomic():  # PostgreSQL checks a bilateral agreement's two parties at commit
        bilateral("RWA", "KEN", title="Rwanda–Kenya MoU", published=True)
        plurilateral("RWA", "KEN", "UGA", title="Northern Corridor treaty", published=True)
        bilateral("RWA", "TZA", title="Rwanda–Tanzania MoU", published=True)
        bilateral("KEN", "UGA", title="Kenya–Uganda MoU", published=True)
        bilateral("NOR", "KEN", title="Norway–Kenya MoU", published=True)


def titles(page: Page) -> set[str]:
    return set(page.locator(".agreement-table tbody th a").all_inner_texts())


def parties(url: str) -> list[str]:
    return parse_qs(urlsplit(url).query).get("party", [])


def results_top(page: Page) -> float:
    return page.evaluate("document.getElementById('results-heading').getBoundingClientRect().top + scrollY")


def test_two_countries_with_the_keyboard_only(live_server, page: Page, browser_problems):
    build()
    page.goto(f"{live_server.url}/agreements/")
    box = page.get_by_role("combobox", name="Add a country")
    listbox = page.get_by_role("listbox", name="Countries")
    status = page.get_by_role("status")

    box.focus()
    box.press_sequentially("Rwa")
    expect(box).to_have_attribute("aria-expanded", "true")
    # Its code and the start of its name first; a name that only contains it (Norway) after.
    expect(listbox.get_by_role("option")).to_have_count(2)
    expect(listbox.get_by_role("option").first).to_contain_text("Rwanda")
    expect(status).to_contain_text("2 countries match. Enter adds Rwanda")
    box.press("ArrowDown")
    rwanda = listbox.get_by_role("option", name=re.compile("^Rwanda"))
    expect(box).to_have_attribute("aria-activedescendant", rwanda.get_attribute("id") or "")
    box.press("Enter")
    expect(status).to_have_text("Rwanda added. 1 country chosen: Rwanda.")
    expect(box).to_have_value("")
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press_sequentially("Ken")
    box.press("Enter")
    expect(status).to_have_text("Kenya added. 2 countries chosen: Rwanda, Kenya.")
    expect(page.get_by_role("button", name="Remove Rwanda")).to_be_visible()
    expect(page.get_by_role("button", name="Remove Kenya")).to_be_visible()

    # A third, then taken off again from its chip; Escape closes the list and keeps the text.
    box.press_sequentially("uga")
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("uga")
    box.press("Enter")
    page.keyboard.press("Tab")  # the chips follow the text box
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Remove Uganda")).to_be_focused()
    page.keyboard.press("Enter")
    expect(status).to_have_text("Uganda removed. 2 countries chosen: Rwanda, Kenya.")
    expect(page.get_by_role("button", name="Remove Kenya")).to_be_focused()

    box.focus()
    box.press("Enter")  # an empty box: Enter submits the form
    page.wait_for_url(re.compile(r"party="))
    assert parties(page.url) == ["RWA", "KEN"]  # in the order chosen
    assert titles(page) == BOTH
    # The page comes back with both chosen, as chips.
    expect(page.locator(".country-picker__chip")).to_have_text([re.compile("Rwanda"), re.compile("Kenya")])
    browser_problems.assert_none()


def test_historic_countries_come_after_current_ones_and_say_so(live_server, page: Page, browser_problems):
    page.goto(f"{live_server.url}/agreements/")
    box = page.get_by_role("combobox", name="Add a country")

    box.press_sequentially("german")

    options = page.get_by_role("listbox", name="Countries").get_by_role("option")
    expect(options).to_have_text(
        [re.compile(r"^Germany\s*DEU$"), re.compile(r"^German Democratic Republic\s*DDR, historic$")]
    )
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("Enter")
    expect(page.get_by_role("button", name="Remove German Democratic Republic (historic)")).to_be_visible()
    browser_problems.assert_none()


def test_two_countries_with_a_thumb_on_a_phone(live_server, new_context, browser_problems):
    build()
    page = new_context(**PHONE).new_page()
    page.goto(f"{live_server.url}/agreements/")

    # The filters are folded: the results start on the first screen.
    expect(page.locator(".filters__fold")).not_to_have_attribute("open", "")
    assert results_top(page) < PHONE["viewport"]["height"]

    page.get_by_text("Filter agreements").tap()
    box = page.get_by_role("combobox", name="Add a country")
    box.tap()
    listbox = page.get_by_role("listbox", name="Countries")
    listbox.get_by_role("option", name=re.compile("^Rwanda")).tap()
    # A plain tap adds without taking the first one away; the list stays open for the next.
    listbox.get_by_role("option", name=re.compile("^Kenya")).tap()
    expect(listbox.get_by_role("option", name=re.compile("^Rwanda"))).to_have_attribute("aria-selected", "true")
    page.get_by_role("button", name="Apply filters").tap()

    page.wait_for_url(re.compile(r"party="))
    assert sorted(parties(page.url)) == ["KEN", "RWA"]
    assert titles(page) == BOTH
    assert results_top(page) < PHONE["viewport"]["height"]
    page.get_by_text("Filter agreements").tap()
    chip = page.get_by_role("button", name="Remove Kenya")
    box_height = chip.bounding_box()["height"]  # type: ignore[index]
    assert box_height >= 44, "a chip is a thumb's target"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    browser_problems.assert_none()


def test_an_error_keeps_the_folded_form_open_on_a_phone(live_server, new_context, browser_problems):
    page = new_context(**PHONE).new_page()

    page.goto(f"{live_server.url}/agreements/?party=XYZ")

    expect(page.locator(".filters__fold")).to_have_attribute("open", "")
    expect(page.get_by_role("alert")).to_contain_text("Unknown country code: XYZ")
    browser_problems.take()  # the 400 page is the test's to check


def test_without_javascript_the_boxes_filter(live_server, new_context, browser_problems):
    build()
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/agreements/?party=KEN")

    expect(page.get_by_role("combobox", name="Add a country")).to_have_count(0)
    expect(page.get_by_label("Kenya", exact=True)).to_be_checked()
    unfold_filters(page)  # folded under its count with a filter set: the browser opens it, no script needed
    page.get_by_label("Rwanda", exact=True).click()  # a plain click: Kenya stays chosen
    page.get_by_role("button", name="Apply filters").click()

    page.wait_for_url(re.compile(r"party=RWA"))
    assert parties(page.url) == ["KEN", "RWA"]
    assert titles(page) == BOTH
    unfold_filters(page)
    expect(page.get_by_role("group", name="Chosen").get_by_role("checkbox")).to_have_count(2)
    expect(page.get_by_label("German Democratic Republic (historic)")).not_to_be_checked()
    browser_problems.assert_none()
