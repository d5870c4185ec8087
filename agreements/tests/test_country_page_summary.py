"""A country's page opens on a summary (counts by kind, status and scope, each a link to the list
that shows as many; the top trading partners; the blocs), then folds: partners ranked by
significance, years by decade, the trading partners' table, each a <details> with its count.
(The groups' contents: test_country_pages.py; the corridors in the summary: corridors' tests.)"""

import datetime as dt
import html
import re

import pytest

from agreements.models import Agreement, AgreementRelation
from agreements.tests.factories import (
    AgreementRelationFactory,
    BlocFactory,
    BlocMembershipFactory,
    bilateral,
    country,
)
from agreements.tests.list_helpers import shown
from agreements.tests.page_helpers import get, plurilateral, section
from agreements.trade.refresh import refresh_trade_statistics
from agreements.trade.tests.page_helpers import flow

pytestmark = pytest.mark.django_db

IN_FORCE = Agreement.Status.IN_FORCE
FOLD = re.compile(
    r'<details class="fold"( open)?>\s*<summary><h3 class="group__heading" id="([^"]+)">(.*?)</h3></summary>', re.S
)


def in_force(*iso3s: str, **kwargs) -> Agreement:
    return plurilateral(
        *iso3s, status=IN_FORCE, signed_on=dt.date(2010, 1, 1), in_force_on=dt.date(2011, 1, 1), **kwargs
    )


def trade(partner: str, each_way: int, year: int) -> None:
    flow("RWA", partner, year, "exports", str(each_way))
    flow(partner, "RWA", year, "exports", str(each_way))


def folds(page: str) -> list[tuple[bool, str, str]]:
    """Every fold of a page section: (open, heading id, heading text without tags)."""
    return [
        (bool(opened), anchor, " ".join(re.sub(r"<[^>]+>", " ", text).split()))
        for opened, anchor, text in FOLD.findall(page)
    ]


def tallies(summary: str, label: str) -> list[tuple[str, str, int]]:
    """The (link, label, count) of one line of the summary."""
    line = summary.split(f"<dt>{label}</dt>", 1)[1].split("</dd>", 1)[0]
    found = re.findall(r'<li><a href="([^"]+)">([^<]+)</a> <span class="count">(\d+)</span></li>', line)
    return [(html.unescape(url), text, int(n)) for url, text, n in found]


@pytest.fixture
def rwanda():
    """Rwanda's agreements: two MoUs with Kenya, a treaty in force with Uganda and Kenya, an FTA in
    force with Tanzania, a draft (never counted), and an accession instrument (not in the list)."""
    bilateral("RWA", "KEN", title="MoU one", kind=Agreement.Kind.MOU, published=True, signed_on=dt.date(2024, 1, 1))
    bilateral("RWA", "KEN", title="MoU two", kind=Agreement.Kind.MOU, published=True, signed_on=dt.date(1999, 1, 1))
    in_force("RWA", "UGA", "KEN", title="Transit treaty", kind=Agreement.Kind.TREATY, published=True)
    in_force("RWA", "TZA", title="Tanzania FTA", kind=Agreement.Kind.FTA, published=True)
    bilateral("RWA", "ETH", title="Draft", published=False)
    BlocMembershipFactory(bloc=BlocFactory(code="EAC", name="East African Community"), country=country("RWA"))


def test_the_summary_comes_first_and_counts_what_its_links_list(client, rwanda):
    page = get(client, "/countries/RWA/")
    summary = section(page, "summary")

    assert page.index('id="summary"') < page.index('id="by-partner"') < page.index('id="by-year"')
    assert '<a href="/agreements/?party=RWA&amp;status=in_force">2 in force</a>' in summary
    kinds = tallies(summary, "By kind")
    assert [(label, n) for _, label, n in kinds] == [
        ("Memorandum of understanding", 2),
        ("Treaty", 1),
        ("Free trade agreement", 1),
    ]
    statuses = tallies(summary, "By status")
    assert [(label, n) for _, label, n in statuses] == [("Signed", 2), ("In force", 2)]
    scopes = tallies(summary, "By scope")
    assert [(label, n) for _, label, n in scopes] == [("Bilateral", 2), ("Plurilateral", 2)]
    for url, _, count in kinds + statuses + scopes:
        assert len(shown(client, url.split("?", 1)[1])) == count, url
    assert '<abbr title="East African Community">EAC</abbr>' in summary


def test_the_countrys_own_accession_is_counted_as_the_list_shows_it(client, rwanda):
    base = Agreement.objects.get(title="Transit treaty")
    accession = plurilateral(
        "RWA", "UGA", "KEN", title="Accession", kind=Agreement.Kind.ACCESSION, published=True,
        signed_on=dt.date(2011, 6, 1), in_default_lists=False,
    )  # fmt: skip
    base.parties.filter(country__iso3="RWA").update(joined_on=dt.date(2012, 1, 1))
    AgreementRelationFactory(from_agreement=accession, kind=AgreementRelation.Kind.ACCESSION_TO, to_agreement=base)

    page = get(client, "/countries/RWA/")
    summary = section(page, "summary")

    assert "Accession" in section(page, "by-partner")
    assert "<dt>Published agreements</dt><dd>5 · " in summary
    kinds = tallies(summary, "By kind")
    assert sum(n for _, _, n in kinds) == 5
    assert ("Accession", 1) in [(label, n) for _, label, n in kinds]
    assert "Accession" in shown(client, "party=RWA")  # the list agrees (agreements.default_lists)


def test_partners_fold_most_agreements_in_force_first_then_trade(client, rwanda):
    in_force("RWA", "BDI", title="Burundi FTA", published=True)
    for year in (2019, 2020):
        trade("BDI", 5_000_000, year)
        trade("TZA", 9_000_000, year)
    refresh_trade_statistics()

    partners = folds(section(get(client, "/countries/RWA/"), "by-partner"))

    # Uganda and Tanzania: one in force each; Tanzania trades more. Kenya: three, one in force.
    # Burundi: one in force, less trade than Tanzania. Kenya has more agreements than any.
    assert [anchor for _, anchor, _ in partners] == ["partner-TZA", "partner-BDI", "partner-KEN", "partner-UGA"]
    assert not any(opened for opened, _, _ in partners)
    assert partners[0][2] == "Tanzania TZA 1 agreement, 1 in force · 64.3% of trade"
    assert partners[2][2] == "Kenya KEN 3 agreements, 1 in force"


def test_years_fold_by_decade_and_the_trade_table_folds_unless_a_year_is_asked(client, rwanda):
    trade("TZA", 9_000_000, 2020)
    refresh_trade_statistics()

    page = get(client, "/countries/RWA/")

    decades = folds(section(page, "by-year"))
    assert decades == [(False, "decade-2020", "2020s 1 agreement"), (False, "decade-2010", "2010s 2 agreements"),
                       (False, "decade-1990", "1990s 1 agreement")]  # fmt: skip
    inside = section(page, "by-year").split('id="decade-2010"', 1)[1].split("</details>", 1)[0]
    year = '<li id="year-2010"><a href="/agreements/?party=RWA&amp;signed_from=2010&amp;signed_to=2010">2010</a>'
    assert f'{year} <span class="count">2</span></li>' in inside and "Transit treaty" not in inside
    assert folds(section(page, "trade-partners")) == [
        (False, "trade-partners-table", "The top 1 in 2020 their trade and shares")
    ]
    assert folds(section(get(client, "/countries/RWA/?trade_year=2020"), "trade-partners"))[0][0] is True


def test_a_country_without_agreements_has_a_short_summary(client):
    summary = section(get(client, "/countries/ISL/"), "summary")

    assert "<dt>Published agreements</dt><dd>0</dd>" in summary
    assert "By kind" not in summary and "in force" not in summary
