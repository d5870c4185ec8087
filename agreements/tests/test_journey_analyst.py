"""An analyst, in a real browser and without an account, narrows the list to the
memoranda between Rwanda and Kenya, reads the KPA MoU, looks at the pair page,
comes back and exports the list: the file holds exactly the rows of every page
of the filtered list, in the same order. A mistyped date shows the form's
message, not a server error.

The data is the demo data plus some seventy-five agreements of several kinds and
party pairs, so that the filter has something to leave out and its result runs
to two pages.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from playwright.sync_api import Page, expect

from agreements.demo import KPA_LIAISON_OFFICE_MOU
from agreements.models import Agreement
from agreements.tests.factories import AgreementFactory, PartyFactory, bilateral, country
from agreements.tests.page_helpers import unfold_filters
from agreements.views.listing import PAGE_SIZE
from tradepacts.csv import complete_rows, without_trailer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MOU = Agreement.Kind.MOU
SUBJECTS = [
    "cross-border trade",
    "one-stop border posts",
    "customs cooperation",
    "cargo tracking",
    "standards and quality",
    "transit charges",
    "rail freight",
    "port services",
]
RWANDA_KENYA_MOUS = PAGE_SIZE + 5
# The kind's checkbox, its count beside it (agreements.facets).
MOU_LABEL = re.compile(r"Memorandum of understanding \(")


@dataclass(frozen=True)
class Shown:
    """One row of the list as the analyst sees it."""

    title: str
    href: str


def newest_first(agreements: list[Agreement]) -> list[Agreement]:
    """The list's default order, worked out here rather than asked of the app:
    newest signing first, undated last, the later record first on a tie."""
    return sorted(agreements, key=lambda a: (a.signed_on is None, -(a.signed_on or dt.date.min).toordinal(), -a.id))


def build_agreements() -> list[Agreement]:
    """The demo data and many more agreements; returns, newest first, the published
    MoUs to which both Rwanda and Kenya are parties."""
    call_command("load_demo", stdout=io.StringIO())
    expected = [Agreement.objects.get(slug=KPA_LIAISON_OFFICE_MOU)]
    day = dt.date(2025, 12, 20)
    with transaction.atomic():  # PostgreSQL checks a bilateral agreement's two parties at commit
        for n in range(RWANDA_KENYA_MOUS):
            subject = SUBJECTS[n % len(SUBJECTS)]
            title = f"Rwanda–Kenya memorandum of understanding on {subject}, no. {n + 1}"
            # Every seventh shares its day with the one before: the tie is broken by id.
            day -= dt.timedelta(days=0 if n % 7 == 6 else 97)
            expected.append(bilateral("RWA", "KEN", title=title, kind=MOU, signed_on=day, published=True))
        # Signed, but when is not known: it comes last.
        expected.append(
            bilateral("KEN", "RWA", title="Kenya–Rwanda MoU on trade data", kind=MOU, signed_on=None, published=True)
        )
        # Regional MoUs both are parties to belong in the result ...
        for n, others in enumerate([["UGA"], ["UGA", "TZA", "BDI"]]):
            regional = AgreementFactory(
                title=f"Northern Corridor states' memorandum on axle load limits, part {n + 1}",
                kind=MOU,
                signed_on=dt.date(2019 + n, 6, 1),
                published=True,
            )
            for code in ["RWA", "KEN", *others]:
                PartyFactory(agreement=regional, country=country(code))
            expected.append(regional)
        # ... and these do not: another kind, only one of the two countries, a draft.
        for kind in [Agreement.Kind.FTA, Agreement.Kind.COMMUNIQUE, Agreement.Kind.PROTOCOL, Agreement.Kind.MOC]:
            bilateral("RWA", "KEN", title=f"Rwanda–Kenya {kind.label.lower()} on trade", kind=kind, published=True)
        for n in range(6):
            for a, b, corridor in [("RWA", "TZA", "Central"), ("KEN", "UGA", "Northern")]:
                title = f"{country(a).name}–{country(b).name} MoU on the {corridor} Corridor, no. {n + 1}"
                bilateral(a, b, title=title, kind=MOU, published=True)
        bilateral("RWA", "KEN", title="Rwanda–Kenya MoU still being checked", kind=MOU, published=False)
    return newest_first(expected)


def rows_on_page(page: Page) -> list[Shown]:
    links = page.locator(".agreement-table tbody th a")
    return [Shown(link.inner_text(), link.get_attribute("href")) for link in links.all()]


def assert_filtered_url(url: str) -> None:
    """The address is the query the analyst made and nothing else: two parties and a kind; no
    empty field, nor the match mode and sort left at their defaults (static/js/filter-form.js)."""
    parsed = urlsplit(url)
    query = parse_qs(parsed.query, keep_blank_values=True)
    query.pop("page", None)
    assert (parsed.path, query) == ("/agreements/", {"party": ["KEN", "RWA"], "kind": ["mou"]}), url


def test_analyst_filters_reads_and_exports_what_is_shown(live_server, page: Page, browser_problems):
    expected = build_agreements()
    assert len(expected) > PAGE_SIZE, "the filter's result must run to two pages"

    page.goto(f"{live_server.url}/agreements/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agreements")
    total = Agreement.objects.filter(is_published=True).count()
    expect(page.locator("#results-count")).to_contain_text(f"{total} agreements")

    # The filter form, as a person uses it: pick two countries, open "Kind", tick a box.
    for name in ("Kenya", "Rwanda"):
        page.get_by_role("combobox", name="Add a country").fill(name)
        page.get_by_role("option", name=re.compile(f"^{name}")).click()
    page.locator(".filters__field--kind summary").click()
    page.get_by_label(MOU_LABEL).check()
    page.get_by_role("button", name="Apply filters").click()

    assert_filtered_url(page.url)
    applied = page.get_by_label("Filters applied")
    expect(applied).to_contain_text("Parties: Kenya (KEN) and Rwanda (RWA)")
    expect(applied).to_contain_text("Kind: Memorandum of understanding")
    expect(page.locator("#results-count")).to_contain_text(f"{len(expected)} agreements, showing 1–{PAGE_SIZE}")
    first_page = rows_on_page(page)
    assert len(first_page) == PAGE_SIZE

    page.get_by_role("link", name="Next page").click()
    expect(page.locator(".pagination__status")).to_have_text("Page 2 of 2")
    shown = first_page + rows_on_page(page)
    assert shown == [Shown(a.title, a.get_absolute_url()) for a in expected], "the filter, or its order, is wrong"

    # Back to the first page, to the KPA MoU, and from it to the pair page.
    page.get_by_role("link", name="Previous page").click()
    expect(page.locator(".pagination__status")).to_have_text("Page 1 of 2")
    kpa_mou = expected[0]
    page.get_by_role("link", name=kpa_mou.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kpa_mou.title)
    expect(page.get_by_role("region", name="Parties", exact=True)).to_contain_text(
        "Acting through Kenya Ports Authority (KPA)"
    )
    page.get_by_role("link", name="Every instrument between Rwanda and Kenya").click()
    expect(page).to_have_url(f"{live_server.url}/countries/RWA/KEN/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rwanda and Kenya")
    # Oldest first, 50 a page: the newest, the KPA MoU, is on the timeline's second page.
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_role("link", name=kpa_mou.title).first).to_be_visible()

    # Back to the filtered list (from the timeline's two pages and the MoU), the form still showing the filters.
    for _ in range(3):
        page.go_back()
    assert_filtered_url(page.url)
    expect(page.locator(".country-picker__chip")).to_have_text([re.compile("Kenya"), re.compile("Rwanda")])
    expect(page.get_by_label(MOU_LABEL)).to_be_checked()
    assert rows_on_page(page) == first_page

    with page.expect_download() as downloading:
        page.get_by_role("link", name=re.compile("^Export CSV")).click()
    download = downloading.value
    assert re.fullmatch(
        r"tradepacts-agreements-party-KEN-RWA_kind-mou-\d{8}T\d{4}Z\.csv",
        download.suggested_filename,
    )
    raw = download.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, for Excel"
    assert complete_rows(raw) is not None, "the file says it is complete"
    exported = list(csv.DictReader(io.StringIO(without_trailer(raw.decode("utf-8-sig")), newline="")))
    ids = dict(Agreement.objects.values_list("slug", "id"))
    assert [(row["id"], row["title"]) for row in exported] == [
        (str(ids[row.href.strip("/").split("/")[-1]]), row.title) for row in shown
    ]
    assert [row["url"] for row in exported] == [f"{live_server.url}{row.href}" for row in shown]
    kpa_row = exported[0]
    assert (kpa_row["parties"], kpa_row["signed_on"], kpa_row["signed_place"]) == ("RWA; KEN", "2026-01-22", "Kigali")

    # A mistyped date: the form says what is wrong, and nothing looks filtered. With filters set
    # the form is folded under its count, the results first: the analyst opens it.
    expect(page.locator(".filters__fold")).not_to_have_attribute("open", "")
    unfold_filters(page)
    page.get_by_label("Signed from").fill("notadate")
    with page.expect_response(lambda response: "signed_from=notadate" in response.url) as answered:
        page.get_by_role("button", name="Apply filters").click()
    assert answered.value.status == 400
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The filters could not be applied")
    expect(summary.get_by_role("link", name=re.compile("^Signed from: "))).to_be_visible()
    expect(page.get_by_label("Signed from")).to_have_value("notadate")
    expect(page.locator(".results__none")).to_contain_text("No results are shown")
    expect(page.locator(".agreement-table")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Export CSV"))).to_have_count(0)
    expect(page).to_have_title(re.compile("^Error: Agreements"))

    browser_problems.assert_none()
