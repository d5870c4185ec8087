"""The trade refresh tests' figures: flows, rates and agreements worked out by hand (the
``figures`` and ``regional_trade`` fixtures, which conftest.py offers every trade test),
many random ones, and what the refresh wrote."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import transaction

from agreements.models import Agreement, AgreementTradeStatistic, Country, ExchangeRate, PairYearStatistic, TradeFlow
from agreements.tests.factories import AgreementFactory, PartyFactory, bilateral
from agreements.trade import refresh as trade
from agreements.trade.python import PAIR_FIELDS

D = Decimal


def country(iso3: str) -> Country:
    return Country.objects.get(iso3=iso3)


def flow(reporter, partner, year, kind, value, currency="USD", synthetic=False) -> TradeFlow:
    return TradeFlow.objects.create(
        reporter=country(reporter),
        partner=country(partner) if partner else None,
        year=year,
        flow=kind,
        value=D(value),
        currency=currency,
        is_synthetic=synthetic,
    )


def rate(currency: str, year: int, units_per_usd: str) -> ExchangeRate:
    return ExchangeRate.objects.create(currency=currency, year=year, units_per_usd=D(units_per_usd))


def row(x: str, y: str, year: int) -> PairYearStatistic:
    a, b = sorted([country(x), country(y)], key=lambda c: c.pk)
    return PairYearStatistic.objects.get(country_a=a, country_b=b, year=year)


def direction(stat: PairYearStatistic, exporter: str) -> tuple[Decimal | None, str, int | None]:
    """(USD, basis, flow id) of the figure for exports from ``exporter``."""
    if stat.country_a_id == country(exporter).pk:
        return stat.a_to_b_usd, stat.a_to_b_basis, stat.a_to_b_flow_id
    return stat.b_to_a_usd, stat.b_to_a_basis, stat.b_to_a_flow_id


def snapshot() -> list[tuple]:
    pairs = PairYearStatistic.objects.order_by("country_a", "country_b", "year")
    agreements = AgreementTradeStatistic.objects.order_by("agreement")
    return [
        *pairs.values_list("id", "country_a", "country_b", "year", *PAIR_FIELDS),
        *agreements.values_list("id", "agreement", *trade.AGREEMENT_FIELDS),
    ]


@pytest.fixture
def figures(db):
    """Kenya, Rwanda, Tanzania and Uganda, 2023-2025, worked out by hand below."""
    # One transaction: PostgreSQL checks a bilateral agreement's two parties at commit.
    with transaction.atomic():
        return make_figures()


def make_figures() -> dict:
    rate("KES", 2023, "100")
    rate("RWF", 2024, "1000")
    rate("TZS", 2025, "2500")  # none for TZS in 2024, none for KES in 2025
    rate("TZS", 2023, "2300")  # unused: no TZS figure that year
    made = {
        # KEN-RWA 2023: both exporters report; Rwanda's mirror report is not used.
        "ken_rwa_2023": flow("KEN", "RWA", 2023, "exports", "50000000000.00", "KES"),  # 500,000,000 USD
        "rwa_ken_2023": flow("RWA", "KEN", 2023, "exports", "20000000.00"),
        "rwa_mirror_2023": flow("RWA", "KEN", 2023, "imports", "48000000.00", synthetic=True),
        # KEN-RWA 2024: Kenya's exports only through Rwanda's imports (the mirror).
        "rwa_mirror_2024": flow("RWA", "KEN", 2024, "imports", "600000000000.00", "RWF"),  # 600,000,000 USD
        "rwa_ken_2024": flow("RWA", "KEN", 2024, "exports", "26000000.00", synthetic=True),
        # KEN-RWA 2025: no KES rate for 2025.
        "ken_rwa_2025": flow("KEN", "RWA", 2025, "exports", "1000.00", "KES"),
        "rwa_ken_2025": flow("RWA", "KEN", 2025, "exports", "30000000.00"),
        # RWA-TZA: the seeds' 644 billion shillings, a total of both directions.
        "tza_total_2024": flow("TZA", "RWA", 2024, "total", "600000000000.00", "TZS"),
        "tza_total_2025": flow("TZA", "RWA", 2025, "total", "644000000000.00", "TZS"),
        "rwa_tza_2025": flow("RWA", "TZA", 2025, "exports", "100000000.00"),
        # KEN-UGA 2023: a tie at half a cent; a reported total that both directions make unnecessary.
        "ken_uga_2023": flow("KEN", "UGA", 2023, "exports", "1000.50", "KES"),  # 10.005 -> 10.01 USD
        "uga_ken_2023": flow("UGA", "KEN", 2023, "exports", "5.00"),
        "uga_total_2023": flow("UGA", "KEN", 2023, "total", "999.00"),
        # With the World: not a pair.
        "ken_world_2023": flow("KEN", None, 2023, "exports", "1000000000000.00"),
    }
    # Agreements between Kenya and Rwanda.
    made["expired"] = bilateral(
        "KEN",
        "RWA",
        is_published=True,
        status=Agreement.Status.EXPIRED,
        signed_on=dt.date(2019, 6, 1),
        in_force_on=dt.date(2020, 1, 1),
        ended_on=dt.date(2024, 6, 30),
    )
    made["in_force"] = bilateral(
        "KEN",
        "RWA",
        is_published=True,
        status=Agreement.Status.IN_FORCE,
        signed_on=dt.date(2023, 5, 1),
        in_force_on=dt.date(2023, 7, 1),
    )
    made["draft"] = bilateral(
        "KEN", "RWA", status=Agreement.Status.IN_FORCE, signed_on=dt.date(2019, 1, 1), in_force_on=dt.date(2020, 1, 1)
    )
    made["signed_only"] = bilateral("KEN", "RWA", is_published=True, signed_on=dt.date(2022, 3, 1))
    # A regional agreement Rwanda joined in 2025.
    regional = AgreementFactory(
        is_published=True,
        status=Agreement.Status.IN_FORCE,
        signed_on=dt.date(2009, 11, 1),
        in_force_on=dt.date(2010, 1, 1),
    )
    PartyFactory(agreement=regional, country=country("KEN"))
    PartyFactory(agreement=regional, country=country("TZA"))
    PartyFactory(agreement=regional, country=country("RWA"), joined_on=dt.date(2025, 2, 1))
    made["regional"] = regional
    return made


@pytest.fixture
def regional_trade(db):
    """Uganda, Burundi and South Sudan; their agreement entered into force in 2010."""

    def both(x: str, y: str, year: int, there: str, back: str) -> None:
        flow(x, y, year, "exports", there)
        flow(y, x, year, "exports", back)

    both("UGA", "BDI", 2007, "10000000", "1000000")  # 11 m
    both("UGA", "BDI", 2008, "20000000", "5000000")  # 25 m
    both("UGA", "BDI", 2009, "30000000", "2000000")  # 32 m
    both("UGA", "BDI", 2010, "999000000", "1000000")  # the reference year: in neither window
    both("UGA", "BDI", 2011, "40000000", "4000000")  # 44 m
    both("UGA", "BDI", 2012, "50000000", "6000000")  # 56 m
    both("UGA", "SSD", 2009, "7000000", "3000000")  # 10 m
    flow("UGA", "SSD", 2012, "exports", "9000000")  # one direction only: no total
    both("BDI", "SSD", 2006, "999000000", "1000000")  # before the window
    both("BDI", "SSD", 2013, "11000000", "1000000")  # 12 m
    both("UGA", "KEN", 2008, "500000000", "1000000")  # Kenya is not a party
    agreement = AgreementFactory(
        is_published=True,
        status=Agreement.Status.IN_FORCE,
        signed_on=dt.date(2009, 6, 1),
        in_force_on=dt.date(2010, 3, 1),
    )
    for code in ("UGA", "BDI", "SSD"):
        PartyFactory(agreement=agreement, country=country(code))
    return agreement


def random_figures(seed: int) -> None:
    """Many small cases at once: every role, missing rates, totals, odd cents."""
    rng = random.Random(seed)
    codes = ["KEN", "RWA", "TZA", "UGA", "BDI", "SSD"]
    currencies = ["USD", "KES", "RWF", "TZS", "EUR"]
    for currency in currencies[1:]:
        for year in range(2000, 2010):
            if rng.random() < 0.8:
                rate(currency, year, f"{rng.uniform(0.5, 3000):.6f}")
    for x in codes:
        for y in codes:
            if x == y:
                continue
            for year in range(2000, 2010):
                for kind in ("exports", "imports", "total"):
                    if rng.random() < (0.1 if kind == "total" else 0.6):
                        value = f"{rng.choice([0, rng.uniform(0, 1e9), rng.uniform(0, 1e12)]):.2f}"
                        flow(x, y, year, kind, value, rng.choice(currencies), synthetic=rng.random() < 0.2)
    for n in range(4):
        agreement = AgreementFactory(
            is_published=n != 3,
            status=Agreement.Status.IN_FORCE,
            signed_on=dt.date(2001 + n, 1, 1),
            in_force_on=dt.date(2002 + n, 5, 1),
        )
        for code in rng.sample(codes, rng.randint(2, 5)):
            joined = dt.date(2004 + rng.randint(0, 4), 1, 1) if rng.random() < 0.3 else None
            PartyFactory(agreement=agreement, country=country(code), joined_on=joined)
