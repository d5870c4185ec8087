"""A curator enters the Rwanda–Kenya MoU of 22 January 2026 in a real browser:
countries typed as ISO3 codes, institutions chosen in the raw-id look-up popups,
topics and corridors from autocomplete boxes, the source created from its "+" popup,
a deliberate mistake shown next to its field, a draft that the public cannot
see, then publication (now on the public page and in the export) and the
history that says who did it."""

import contextlib
import csv
import io

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from agreements.models import Agreement, Country, Organisation, Topic
from corridors.models import Corridor
from tradepacts.csv import without_trailer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def pick(page: Page, field_id: str, text: str) -> None:
    """Choose from one of the admin's autocomplete (select2) boxes by typing."""
    page.click(f"#{field_id} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", text)
    page.locator(".select2-container--open .select2-results__option", has_text=text).first.click()


def add_in_popup(page: Page, button_id: str, fill) -> None:
    with page.expect_popup() as opened:
        page.click(f"#{button_id}")
    popup = opened.value
    popup.wait_for_load_state()
    fill(popup)
    click_closing(popup, "input[name=_save]")


def look_up(page: Page, field_id: str, text: str) -> None:
    """Choose a record in a raw-id box's look-up popup (the organisations' list)."""
    with page.expect_popup() as opened:
        page.click(f"#lookup_{field_id}")
    popup = opened.value
    popup.wait_for_load_state()
    click_closing(popup, f"#result_list a:text-is('{text}')")


def click_closing(popup: Page, selector: str) -> None:
    """Click what closes the popup, and wait until it has. The close event is awaited from
    before the click (the popup may close at once), and the click itself may find its page
    closed under it (Playwright's TargetClosedError, seen once in CI). An error is let pass
    only so: if the popup does not close, waiting for its close event fails the test."""
    with popup.expect_event("close"), contextlib.suppress(PlaywrightError):
        popup.click(selector, no_wait_after=True)


def test_curator_enters_and_publishes_the_kpa_mou(live_server, page: Page, browser_problems):
    User.objects.create_superuser("curator", "curator@example.org", "a long pass phrase")
    Topic.objects.create(slug="ports-and-logistics", name="Ports and logistics")
    Topic.objects.create(slug="trade-facilitation", name="Trade facilitation")
    Corridor.objects.create(name="Northern Corridor", slug="northern-corridor", gateway_port="Mombasa")
    rwa, ken = Country.objects.get(iso3="RWA"), Country.objects.get(iso3="KEN")
    Organisation.objects.create(
        name="Ministry of Infrastructure", acronym="MININFRA", slug="m", kind="ministry", country=rwa
    )
    Organisation.objects.create(
        name="Kenya Ports Authority", acronym="KPA", slug="kpa", kind="port_authority", country=ken
    )

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "curator")
    page.fill("#id_password", "a long pass phrase")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/agreements/memorandum/add/")
    expect(page.locator("#id_kind")).to_have_value("mou")

    page.fill("#id_title", "Memorandum of Understanding establishing a Kenya Ports Authority liaison office in Kigali")
    page.fill("#id_signed_on", "2026-01-22")
    page.fill("#id_place", "Kigali")
    pick(page, "id_topics", "Ports and logistics")
    pick(page, "id_topics", "Trade facilitation")
    page.fill("#id_parties-0-country", "RWA")
    look_up(page, "id_parties-0-institution", "Ministry of Infrastructure")
    page.fill("#id_parties-1-country", "KEN")
    look_up(page, "id_parties-1-institution", "Kenya Ports Authority")
    page.fill("#id_signatories-0-name", "Canoth Manishimwe")
    page.fill("#id_signatories-0-position", "Permanent Secretary")
    page.fill("#id_signatories-0-country", "RWA")
    page.fill("#id_signatories-1-name", "Mohamed Daghar")
    page.fill("#id_signatories-1-honorific", "CBS")
    page.fill("#id_signatories-1-position", "Principal Secretary")
    page.fill("#id_signatories-1-country", "TZA")  # the deliberate mistake
    page.click("#citations-group .add-row a")

    def release(popup: Page) -> None:
        popup.fill("#id_title", "MININFRA hosts the signing of the MoU on a KPA liaison office in Kigali")
        popup.select_option("#id_kind", "official_release")
        popup.fill("#id_published_on", "2026-01-22")

    add_in_popup(page, "add_id_citations-0-source", release)
    page.click("#corridor_links-group .add-row a")
    pick(page, "id_corridor_links-0-corridor", "Northern Corridor")
    page.click("input[name=_save]")

    expect(page.locator("#signatories-group .errorlist")).to_contain_text("Tanzania is not a party to this agreement")
    assert not Agreement.objects.exists(), "a rejected form saves nothing"

    page.fill("#id_signatories-1-country", "KEN")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("This agreement is a draft")
    mou = Agreement.objects.get()
    assert not mou.is_published
    assert {p.country.iso3 for p in mou.parties.all()} == {"RWA", "KEN"}
    assert [s.name for s in mou.signatories.all()] == ["Canoth Manishimwe", "Mohamed Daghar"]
    # What the public sees: a visitor's own browser context, without the curator's session.
    visitor = page.context.browser.new_context()
    detail_url = f"{live_server.url}/agreements/{mou.slug}/"
    export_url = f"{live_server.url}/agreements/export.csv?party=RWA&party=KEN"
    assert visitor.request.get(detail_url).status == 404, "a draft is not public"
    assert mou.title not in visitor.request.get(export_url).text(), "nor in the export"

    page.click("input[name=_publish]")
    expect(page.locator(".messagelist")).to_contain_text("This agreement is published")
    mou.refresh_from_db()
    assert mou.is_published
    assert visitor.request.get(detail_url).status == 200
    exported = list(
        csv.DictReader(io.StringIO(without_trailer(visitor.request.get(export_url).text().lstrip("\ufeff"))))
    )
    assert [(row["title"], row["parties"]) for row in exported] == [(mou.title, "RWA; KEN")]
    visitor.close()

    page.goto(f"{live_server.url}/admin/agreements/memorandum/{mou.pk}/history/")
    history = page.locator("#change-history")
    expect(history).to_contain_text("Published.")
    expect(history).to_contain_text("Added party Rwanda acting through Ministry of Infrastructure (MININFRA).")
    expect(history).to_contain_text("curator")
    browser_problems.assert_none()  # no CSP violation, JavaScript error or failed request, popups included
