"""Trade statistics where an analyst reads them: the pair page's chart and table,
an agreement's trade before and after, a country's top partners. The figures
are worked out by hand below; the refresh (agreements.trade.refresh) derives them.
"""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement, Country, ExchangeRate, Source, TradeFlow
from agreements.tests import test_detail
from agreements.tests.factories import AgreementFactory, PartyFactory, bilateral
from agreements.tests.page_helpers import DETAIL_QUERIES, PAIR_QUERIES, assert_plain_page, section
from agreements.trade import partners as trade_partners
from agreements.trade.refresh import refresh_trade_statistics
from tradepacts.pagecache import data_version

pytestmark = pytest.mark.django_db

D = Decimal


def country(iso3: str) -> Country:
    return Country.objects.get(iso3=iso3)


def flow(reporter, partner, year, kind, value, currency="USD", source=None, synthetic=False) -> TradeFlow:
    return TradeFlow.objects.create(
        reporter=country(reporter),
        partner=country(partner),
        year=year,
        flow=kind,
        value=D(value),
        currency=currency,
        source=source,
        is_synthetic=synthetic,
    )


def make_pair() -> dict:
    """Rwanda and Tanzania, 2022-2025.

    2022  RWA→TZA 5,000,000 (synthetic, Rwanda's report); TZA→RWA 100 billion TZS, no 2022 rate:
          not converted, so no total; note "no exchange rate for TZS in 2022".
    2023  RWA→TZA 10,000,000 + TZA→RWA 50,000,000 = 60,000,000, both exporters' reports.
    2024  RWA→TZA 12,000,000 from Tanzania's imports (mirror) + TZA→RWA 60,000,000 = 72,000,000;
          growth 72/60 - 1 = +20.0%.
    2025  Tanzania's reported total, 644,000,000,000 TZS at 2,550 = 252,549,019.61 US$;
          growth 252,549,019.61 / 72,000,000 - 1 = 2.507625 (+250.8%).
    An agreement signed in 2023, in force from March 2024: in force at the end of 2024 and 2025.
    """
    made = {
        "seed": Source.objects.create(title="Tanzania–Rwanda trade talks", url="https://example.org/seed"),
        "rate_source": Source.objects.create(title="TZS rate (demo value)", kind=Source.Kind.DATASET),
        "stats": Source.objects.create(title="National statistics", kind=Source.Kind.DATASET),
        "synthetic": Source.objects.create(title="Synthetic figures", kind=Source.Kind.DATASET),
    }
    ExchangeRate.objects.create(currency="TZS", year=2025, units_per_usd=D("2550"), source=made["rate_source"])
    flow("RWA", "TZA", 2022, "exports", "5000000", source=made["synthetic"], synthetic=True)
    flow("TZA", "RWA", 2022, "exports", "100000000000", "TZS", source=made["stats"])
    flow("RWA", "TZA", 2023, "exports", "10000000", source=made["stats"])
    flow("TZA", "RWA", 2023, "exports", "50000000", source=made["stats"])
    flow("TZA", "RWA", 2024, "imports", "12000000", source=made["stats"])
    flow("TZA", "RWA", 2024, "exports", "60000000", source=made["stats"])
    flow("TZA", "RWA", 2025, "total", "644000000000", "TZS", source=made["seed"])
    made["agreement"] = bilateral(
        "RWA",
        "TZA",
        title="Rwanda–Tanzania trade protocol",
        is_published=True,
        status=Agreement.Status.IN_FORCE,
        signed_on=dt.date(2023, 6, 1),
        in_force_on=dt.date(2024, 3, 1),
    )
    return made


@pytest.fixture
def pair(db) -> dict:
    # One transaction: PostgreSQL checks a bilateral agreement's two parties at commit.
    with transaction.atomic():
        made = make_pair()
    refresh_trade_statistics()
    return made


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text(html: str) -> str:
    """The page's text, tags dropped and white space collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def table_rows(html: str) -> dict[str, str]:
    """Each row of the trade table as text, by its year."""
    body = html[html.index('<table class="trade-table') : html.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)[1:]:
        row_text = text(row)
        rows[row_text[:4]] = row_text
    return rows


# --- the pair page


def test_the_pair_table_shows_each_figure_with_its_basis_source_and_original_currency(client, pair):
    html = section(get(client, "/countries/RWA/TZA/"), "trade")
    rows = table_rows(html)

    assert list(rows) == ["2025", "2024", "2023", "2022"]  # newest first
    # The seeds' figure: converted at the demo rate, the original beside it, both sources cited.
    assert rows["2025"] == (
        "2025 no figure no figure 252,549,020 reported total [1] 644,000,000,000 TZS at 2,550 TZS/US$ [2] +250.8% 1"
    )
    assert rows["2024"] == (
        "2024 12,000,000 importer's mirror report [3] 60,000,000 exporter's report [3] "
        "72,000,000 sum, with a mirror report +20.0% 1"
    )
    assert rows["2023"] == (
        "2023 10,000,000 exporter's report [3] 50,000,000 exporter's report [3] "
        "60,000,000 sum of the exporters' reports — 0"
    )
    assert rows["2022"] == (
        "2022 synthetic 5,000,000 exporter's report [4] not converted exporter's report [3] 100,000,000,000 TZS "
        "no figure — 0 no exchange rate for TZS in 2022"
    )
    # Numbered in order of first use, newest year first.
    sources = html[html.index('<ol class="trade-sources">') : html.index("</ol>", html.index('id="trade-sources"'))]
    assert text(sources) == "Tanzania–Rwanda trade talks TZS rate (demo value) National statistics Synthetic figures"
    assert re.findall(r'<li id="trade-source-(\d)">', html) == ["1", "2", "3", "4"]
    assert '<a href="https://example.org/seed" rel="noopener noreferrer">Tanzania–Rwanda trade talks</a>' in html
    assert "TZS rate (demo value)" in html


def test_synthetic_years_are_marked_and_explained(client, pair):
    html = section(get(client, "/countries/RWA/TZA/"), "trade")
    assert html.count('<tr class="trade-table__synthetic">') == 1
    assert "demonstration figures generated by the software, not observed trade" in html
    # On the chart: the synthetic 2022 point of Rwanda's exports is hollow, and the legend says what that means.
    assert "chart__point chart__point--hollow" in html
    assert "Hollow point: synthetic figure, not observed" in html


def test_the_bases_are_explained_only_when_the_table_uses_them(client, pair):
    html = section(get(client, "/countries/RWA/TZA/"), "trade")
    for term in ("Exporter's report", "Importer's mirror report", "Reported total", "Converted figures"):
        assert f"<dt>{term}</dt>" in html


def test_the_chart_draws_both_directions_and_the_total_with_the_agreement_on_the_time_axis(client, pair):
    response = client.get("/countries/RWA/TZA/")
    chart = response.context["trade"].chart
    assert [entry.label for entry in chart.legend] == [
        "Rwanda → Tanzania",
        "Tanzania → Rwanda",
        "Total, both directions",
    ]
    wide = chart.views[0]
    assert [tick.label for tick in wide.x_ticks] == ["2022", "2023", "2024", "2025"]
    assert [tick.label for tick in wide.y_ticks] == ["0", "100 M", "200 M", "300 M"]
    # Rwanda's exports: 2022-2024; Tanzania's: 2023-2024 (2022 not converted); the total: 2023-2025.
    assert [len(s.points) for s in wide.series] == [3, 2, 3]
    (marker,) = chart.events
    assert (marker.x, marker.href) == (2023, pair["agreement"].get_absolute_url())
    assert marker.label == "Rwanda–Tanzania trade protocol (signed 1 June 2023)"
    html = response.content.decode()
    assert (
        f'<a href="{pair["agreement"].get_absolute_url()}">Rwanda–Tanzania trade protocol (signed 1 June 2023)</a>'
        in html
    )
    assert_plain_page(html)


def test_the_other_order_puts_the_first_country_first(client, pair):
    rows = table_rows(section(get(client, "/countries/TZA/RWA/"), "trade"))
    assert rows["2024"].startswith("2024 60,000,000 exporter's report [3] 12,000,000 importer's mirror report [3]")


def test_the_pair_page_links_its_trade_csv_in_the_same_order(client, pair):
    assert 'href="/countries/RWA/TZA/trade.csv" download' in get(client, "/countries/RWA/TZA/")
    assert 'href="/countries/TZA/RWA/trade.csv" download' in get(client, "/countries/TZA/RWA/")


def test_a_pair_without_figures_says_so(client, pair):
    html = section(get(client, "/countries/KEN/UGA/"), "trade")
    assert "No trade figures between Kenya and Uganda yet" in html
    assert "<svg" not in html


# --- an agreement's page


def test_the_agreement_page_shows_trade_before_and_after_it_entered_into_force(client, pair):
    html = section(get(client, pair["agreement"].get_absolute_url()), "trade-heading")
    page = text(html)
    # In force 2024: before 2021-2023 (only 2023: 60,000,000), after 2025-2027 (only 2025: 252,549,019.61).
    assert "the 3 years before and the 3 years after 2024, the year it entered into force" in page
    assert "Before (2021–2023) US$ 60,000,000 a year (1 year with figures)" in page
    assert "After (2025–2027) US$ 252,549,020 a year (1 year with figures)" in page
    assert "Change +320.9%" in page  # 252,549,019.61 / 60,000,000 - 1
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)[1:]
    assert [text(r) for r in rows] == [
        "2021 no figure",
        "2022 no figure",
        "2023 60,000,000",
        "2024 entered into force, not counted 72,000,000",
        "2025 252,549,020",
        "2026 no figure",
        "2027 no figure",
    ]
    assert 'href="/countries/RWA/TZA/#trade"' in html


def test_an_agreement_only_signed_is_measured_from_its_signing(client, pair):
    with transaction.atomic():
        signed = bilateral(
            "RWA", "TZA", is_published=True, status=Agreement.Status.SIGNED, signed_on=dt.date(2024, 1, 5)
        )
    refresh_trade_statistics()
    page = text(section(get(client, signed.get_absolute_url()), "trade-heading"))
    assert "after 2024, the year it was signed (it has not entered into force)" in page
    assert "Before (2021–2023) US$ 60,000,000 a year" in page


def test_an_agreement_without_figures_says_so(client, pair):
    with transaction.atomic():
        quiet = bilateral(
            "KEN", "UGA", is_published=True, status=Agreement.Status.SIGNED, signed_on=dt.date(2024, 1, 5)
        )
        undated = bilateral("KEN", "UGA", is_published=True, status=Agreement.Status.ANNOUNCED, signed_on=None)
        alone = AgreementFactory(is_published=True)
        PartyFactory(agreement=alone, country=country("KEN"))
    refresh_trade_statistics()
    assert "No trade figures between the parties in 2021–2027 yet" in get(client, quiet.get_absolute_url())
    assert "there is no year to compare before and after" in get(client, undated.get_absolute_url())
    assert "this one has one country party" in get(client, alone.get_absolute_url())


def test_a_regional_agreement_adds_every_pair_of_its_parties(client, pair):
    with transaction.atomic():
        regional = AgreementFactory(
            is_published=True,
            status=Agreement.Status.IN_FORCE,
            signed_on=dt.date(2023, 1, 1),
            in_force_on=dt.date(2024, 1, 1),
        )
        for iso3 in ("RWA", "TZA", "KEN"):
            PartyFactory(agreement=regional, country=country(iso3))
        flow("KEN", "TZA", 2023, "total", "40000000")
    refresh_trade_statistics()
    html = section(get(client, regional.get_absolute_url()), "trade-heading")
    rows = [text(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)[1:]]
    assert "2023 100,000,000 2" in rows  # 60,000,000 RWA-TZA + 40,000,000 KEN-TZA, two pairs
    assert "among the 3 country parties (every pair of them)" in text(html)


# --- a country's page


def make_partners() -> None:
    """Rwanda's reported totals (US$ M): 2019 KEN 200, TZA 200 (400 in all); 2024 KEN 300,
    TZA 100, UGA 100 (500 in all); 2025 KEN 50 only. Kenya-Tanzania (not Rwanda's) 999 in 2024.

    2024 shares: KEN 60%, TZA 20%, UGA 20%; 2019: KEN 50%, TZA 50%, UGA none.
    Change: KEN up 10.0 points, TZA down 30.0 points."""
    m = 1_000_000
    for partner, year, value in [
        ("KEN", 2019, 200),
        ("TZA", 2019, 200),
        ("KEN", 2024, 300),
        ("TZA", 2024, 100),
        ("UGA", 2024, 100),
        ("KEN", 2025, 50),
    ]:
        flow("RWA", partner, year, "total", str(value * m), synthetic=partner == "UGA")
    flow("KEN", "TZA", 2024, "total", str(999 * m))
    refresh_trade_statistics()


def partner_rows(html: str) -> list[str]:
    table = html[html.index('<table class="trade-table') : html.index("</table>")]
    return [text(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]]


def test_country_page_ranks_partners_with_their_shares_and_how_they_moved(client):
    make_partners()
    html = section(get(client, "/countries/RWA/"), "trade-partners")
    # 2025 has figures for one partner of three: not a year to rank them by.
    assert "in 2024 (exports and imports, US dollars)" in html
    assert "all 3 partners that have figures that year (US$ 500,000,000 in all), against 2019" in text(html)
    assert partner_rows(html) == [
        "Kenya KEN 300,000,000 60.0% 50.0% up 10.0 points",
        "Tanzania TZA 100,000,000 20.0% 50.0% down 30.0 points",
        "Uganda UGA synthetic 100,000,000 20.0% no figure —",
    ]
    assert '<a href="/countries/RWA/KEN/#trade">Kenya</a>' in html
    assert "demonstration figures generated by the software" in html


def test_country_page_shows_another_year_on_request_and_says_when_it_has_none(client):
    make_partners()
    html = section(get(client, "/countries/RWA/?trade_year=2025"), "trade-partners")
    assert partner_rows(html) == ["Kenya KEN 50,000,000 100.0% 60.0% up 40.0 points"]  # against 2024
    assert '<span aria-current="true">2025</span>' in html
    assert '<a href="?trade_year=2024#trade-partners">2024</a>' in html

    for asked in ("1850", "<b>x</b>", "２０２４"):
        response = client.get("/countries/RWA/", {"trade_year": asked})
        assert response.status_code == 200
        html = section(response.content.decode(), "trade-partners")
        assert "No trade figures for Rwanda in" in html and "showing 2024" in html
        assert "<b>x" not in html


def test_country_page_shows_the_top_partners_and_counts_the_rest(client, monkeypatch):
    monkeypatch.setattr(trade_partners, "TOP_PARTNERS", 2)
    make_partners()
    html = section(get(client, "/countries/RWA/"), "trade-partners")
    assert len(partner_rows(html)) == 2
    assert "1 more partner with smaller figures in 2024" in html


def test_country_without_figures_says_so(client):
    assert "No trade figures for Burundi yet" in get(client, "/countries/BDI/")


# --- bad input and query counts


@pytest.mark.parametrize(
    "url",
    [
        "/countries/RWA/XXX/trade.csv",
        "/countries/RWA/RWA/trade.csv",
        "/countries/RW/TZA/trade.csv",
        "/countries/RWA/TZA1/trade.csv",
        "/countries/RWA/TZA/trade.csv/extra",
        "/countries/%00%00%00/TZA/trade.csv",
    ],
)
def test_bad_codes_are_404(client, url):
    assert client.get(url).status_code == 404


AGREEMENT_QUERIES = test_detail.DETAIL_QUERIES + 1  # with the refresh's figures: the window's trade by year
COUNTRY_QUERIES = DETAIL_QUERIES + 1  # with trade figures: the two years' partners as well


def test_query_counts_do_not_grow_with_years_or_partners(client, pair, django_assert_num_queries):
    def counts() -> tuple[int, int, int]:
        result = []
        for url in ("/countries/RWA/TZA/", pair["agreement"].get_absolute_url(), "/countries/RWA/"):
            with CaptureQueriesContext(connection) as queries:
                get(client, url)
            result.append(len(queries))
        return tuple(result)

    assert counts() == (PAIR_QUERIES, AGREEMENT_QUERIES, COUNTRY_QUERIES)
    for year in range(2000, 2022):
        flow("RWA", "TZA", year, "exports", "1000", source=pair["stats"])
        flow("TZA", "RWA", year, "exports", "2000", "TZS", source=pair["seed"])
        ExchangeRate.objects.create(currency="TZS", year=year, units_per_usd=D("2000"), source=pair["rate_source"])
    for partner in ("KEN", "UGA", "BDI", "COD", "SSD"):
        flow("RWA", partner, 2024, "total", "1000000")
        flow("RWA", partner, 2019, "total", "1000000")
    refresh_trade_statistics()
    assert counts() == (PAIR_QUERIES, AGREEMENT_QUERIES, COUNTRY_QUERIES)


# --- fresh figures


def test_new_figures_show_as_soon_as_the_refresh_commits(client, pair):
    """The trade pages are not cached; the refresh's RefreshRun writes bump the page cache's
    data version anyway, so no cached page could outlive new figures."""
    assert "2021" not in table_rows(section(get(client, "/countries/RWA/TZA/"), "trade"))
    before = data_version()
    flow("TZA", "RWA", 2021, "total", "40000000", source=pair["stats"])
    refresh_trade_statistics()
    assert data_version() > before
    rows = table_rows(section(get(client, "/countries/RWA/TZA/"), "trade"))
    assert rows["2021"].startswith("2021 no figure no figure 40,000,000 reported total")
    assert "Before (2021–2023) US$ 50,000,000 a year (2 years with figures)" in text(
        get(client, pair["agreement"].get_absolute_url())
    )


def test_growth_on_a_synthetic_previous_year_says_so(client, db):
    flow("RWA", "TZA", 2023, "exports", "100", synthetic=True)
    flow("TZA", "RWA", 2023, "exports", "100", synthetic=True)
    flow("RWA", "TZA", 2024, "exports", "150")
    flow("TZA", "RWA", 2024, "exports", "150")
    flow("RWA", "TZA", 2025, "exports", "300")
    flow("TZA", "RWA", 2025, "exports", "300")
    refresh_trade_statistics()

    html = section(get(client, "/countries/RWA/TZA/"), "trade")
    rows = table_rows(html)

    assert "+50.0% on synthetic 2023" in rows["2024"], "observed 2024, on a synthetic 2023"
    assert "when that previous total is synthetic" in text(html)
    assert "+100.0%" in rows["2025"] and "on synthetic" not in rows["2025"]
    assert "on synthetic" not in rows["2023"]
