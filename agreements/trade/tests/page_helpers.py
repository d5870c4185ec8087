"""The trade page tests' figures (Rwanda and Tanzania worked out by hand: the ``pair``
fixture, which conftest.py offers every trade test) and a page's text and table rows."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import transaction

from agreements.models import Agreement, Country, ExchangeRate, Source, TradeFlow
from agreements.tests.factories import bilateral
from agreements.trade.refresh import refresh_trade_statistics

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
