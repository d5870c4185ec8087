"""The trade statistics refresh (agreements.trade.refresh), on figures worked out by hand.

The same tests run on SQLite (the portable Python path) and on PostgreSQL (the
SQL path), so both give the figures written here.
"""

import datetime as dt
import random
import threading
import time
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from agreements.models import (
    Agreement,
    AgreementTradeStatistic,
    Country,
    ExchangeRate,
    PairYearStatistic,
    RefreshRun,
    TradeFlow,
)
from agreements.tests.factories import AgreementFactory, PartyFactory, bilateral
from agreements.trade import refresh as trade
from agreements.trade import sql as trade_sql
from agreements.trade.python import PAIR_FIELDS
from agreements.trade.refresh import refresh_trade_statistics

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


def test_mirror_rule_usd_conversion_and_growth(figures):
    run = refresh_trade_statistics()

    assert run.status == RefreshRun.Status.SUCCEEDED and run.scope == "all"
    y2023, y2024 = row("KEN", "RWA", 2023), row("KEN", "RWA", 2024)
    # 2023: each exporter's own report; 50 billion shillings at 100 to the dollar.
    assert direction(y2023, "KEN") == (D("500000000.00"), "reported", figures["ken_rwa_2023"].pk)
    assert direction(y2023, "RWA") == (D("20000000.00"), "reported", figures["rwa_ken_2023"].pk)
    assert (y2023.total_usd, y2023.total_basis, y2023.total_flow_id) == (D("520000000.00"), "reported", None)
    assert y2023.growth is None, "no figure for 2022"
    # 2024: Kenya's exports from Rwanda's imports, 600 billion francs at 1,000 to the dollar.
    assert direction(y2024, "KEN") == (D("600000000.00"), "mirror", figures["rwa_mirror_2024"].pk)
    assert direction(y2024, "RWA") == (D("26000000.00"), "reported", figures["rwa_ken_2024"].pk)
    assert (y2024.total_usd, y2024.total_basis) == (D("626000000.00"), "mirror")
    # 626,000,000 / 520,000,000 - 1 = 0.2038461538...
    assert y2024.growth == D("0.203846")
    assert y2023.notes == y2024.notes == ""
    # A half cent rounds away from zero: 1,000.50 KES / 100 = 10.005 -> 10.01.
    uga = row("KEN", "UGA", 2023)
    assert direction(uga, "KEN")[0] == D("10.01")
    assert (uga.total_usd, uga.total_basis, uga.total_flow_id) == (D("15.01"), "reported", None)
    assert not PairYearStatistic.objects.filter(year=2023).exclude(pk__in=[y2023.pk, uga.pk]).exists()


def test_a_missing_rate_leaves_the_figure_empty_and_says_why(figures):
    refresh_trade_statistics()

    y2025 = row("KEN", "RWA", 2025)
    assert direction(y2025, "KEN") == (None, "reported", figures["ken_rwa_2025"].pk), "the flow stays, unconverted"
    assert direction(y2025, "RWA") == (D("30000000.00"), "reported", figures["rwa_ken_2025"].pk)
    assert (y2025.total_usd, y2025.total_basis, y2025.growth) == (None, "missing", None)
    assert y2025.notes == "no exchange rate for KES in 2025"
    # A reported total without a rate: kept, unconverted, with the reason.
    tza_2024 = row("RWA", "TZA", 2024)
    assert (tza_2024.total_usd, tza_2024.total_basis) == (None, "reported_total")
    assert tza_2024.total_flow_id == figures["tza_total_2024"].pk
    assert tza_2024.notes == "no exchange rate for TZS in 2024"


def test_a_reported_total_is_used_only_when_a_direction_is_missing(figures):
    refresh_trade_statistics()

    # 644,000,000,000 TZS at 2,500 to the dollar: Rwanda's exports alone cannot make a total.
    y2025 = row("RWA", "TZA", 2025)
    assert direction(y2025, "RWA") == (D("100000000.00"), "reported", figures["rwa_tza_2025"].pk)
    assert direction(y2025, "TZA") == (None, "missing", None)
    assert (y2025.total_usd, y2025.total_basis) == (D("257600000.00"), "reported_total")
    assert y2025.total_flow_id == figures["tza_total_2025"].pk
    assert y2025.growth is None, "2024's total has no rate"
    assert y2025.notes == ""
    # Both directions known: Uganda's reported total (999) is not used.
    assert row("KEN", "UGA", 2023).total_usd == D("15.01")


def test_agreements_in_force_at_the_end_of_each_year(figures):
    refresh_trade_statistics()

    # 2023: the agreement that expired in June 2024 and the one in force since July 2023.
    # 2024: only the latter. 2025: it, and the regional agreement Rwanda joined that year.
    # Never: the draft, the one only signed.
    counts = {year: row("KEN", "RWA", year).agreements_in_force for year in (2023, 2024, 2025)}
    assert counts == {2023: 2, 2024: 1, 2025: 2}
    assert {year: row("RWA", "TZA", year).agreements_in_force for year in (2024, 2025)} == {2024: 0, 2025: 1}


def test_synthetic_only_when_a_flow_used_is_synthetic(figures):
    refresh_trade_statistics()

    assert not row("KEN", "RWA", 2023).is_synthetic, "the synthetic mirror report was not used"
    assert row("KEN", "RWA", 2024).is_synthetic
    assert not row("RWA", "TZA", 2025).is_synthetic


def test_agreement_trade_before_and_after(figures):
    refresh_trade_statistics()

    signed = AgreementTradeStatistic.objects.get(agreement=figures["signed_only"])
    # Never in force: the signing year, 2022. After: 2023 (520 m) and 2024 (626 m); 2025 has no total.
    assert (signed.reference_year, signed.reference_event, signed.window) == (2022, "signed", 3)
    assert (signed.average_before_usd, signed.years_before) == (None, 0)
    assert (signed.average_after_usd, signed.years_after) == (D("573000000.00"), 2)
    expired = AgreementTradeStatistic.objects.get(agreement=figures["expired"])
    assert (expired.reference_year, expired.reference_event) == (2020, "in_force")
    assert (expired.average_after_usd, expired.years_after) == (D("520000000.00"), 1)
    assert not AgreementTradeStatistic.objects.filter(agreement=figures["draft"]).exists()


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


def test_average_trade_among_the_parties_before_and_after_entry_into_force(regional_trade):
    refresh_trade_statistics()

    stat = AgreementTradeStatistic.objects.get(agreement=regional_trade)
    assert (stat.reference_year, stat.reference_event, stat.window) == (2010, "in_force", 3)
    # Before, 2007-2009: 11 m, 25 m, 32 m + 10 m = 42 m; (11 + 25 + 42) / 3 = 26 m.
    assert (stat.average_before_usd, stat.years_before) == (D("26000000.00"), 3)
    # After, 2011-2013: 44 m, 56 m, 12 m; 112 m / 3 = 37,333,333.33.
    assert (stat.average_after_usd, stat.years_after) == (D("37333333.33"), 3)
    assert stat.change == D("37333333.33") / D("26000000.00") - 1


def test_an_agreement_no_longer_qualifying_loses_its_figures(regional_trade):
    refresh_trade_statistics()
    Agreement.objects.filter(pk=regional_trade.pk).update(is_published=False)

    refresh_trade_statistics()

    assert not AgreementTradeStatistic.objects.filter(agreement=regional_trade).exists()


def test_a_second_run_changes_nothing(figures, regional_trade):
    first = refresh_trade_statistics()
    before = snapshot()

    second = refresh_trade_statistics()

    assert first.rows_written == len(before) > 0
    assert snapshot() == before
    assert second.status == RefreshRun.Status.SUCCEEDED and second.rows_written == 0


def test_changed_and_removed_flows_update_and_delete_rows(figures):
    refresh_trade_statistics()
    figures["ken_rwa_2023"].value = D("60000000000.00")  # 600 m USD: 2023 total 620 m
    figures["ken_rwa_2023"].save()
    TradeFlow.objects.filter(reporter__iso3="UGA").delete()
    TradeFlow.objects.filter(partner__iso3="UGA").delete()

    refresh_trade_statistics()

    assert row("KEN", "RWA", 2023).total_usd == D("620000000.00")
    assert row("KEN", "RWA", 2024).growth == D("0.009677"), "626 / 620 - 1 = 0.0096774..."
    assert not PairYearStatistic.objects.filter(country_b__iso3="UGA").exists()
    assert not PairYearStatistic.objects.filter(country_a__iso3="UGA").exists()


def test_deleting_a_used_flow_clears_the_pointer_until_the_next_refresh(figures):
    """The pointer has no database constraint (see flow_pointer): Django's on_delete clears it."""
    refresh_trade_statistics()
    used = figures["ken_rwa_2023"]
    assert direction(row("KEN", "RWA", 2023), "KEN")[2] == used.pk

    used.delete()

    assert direction(row("KEN", "RWA", 2023), "KEN")[2] is None
    refresh_trade_statistics()
    mirror = figures["rwa_mirror_2023"]
    assert direction(row("KEN", "RWA", 2023), "KEN") == (D("48000000.00"), "mirror", mirror.pk)


def test_refreshing_one_pair_leaves_the_other_pairs_alone(figures):
    refresh_trade_statistics()
    ken_rwa = [row("KEN", "RWA", year).pk for year in (2023, 2024, 2025)]
    others = PairYearStatistic.objects.exclude(pk__in=ken_rwa).order_by("id")
    before = list(others.values_list("id", *PAIR_FIELDS))
    figures["ken_rwa_2023"].value = D("60000000000.00")
    figures["ken_rwa_2023"].save()
    figures["tza_total_2025"].value = D("1.00")  # would change RWA-TZA 2025 on a full refresh
    figures["tza_total_2025"].save()

    run = refresh_trade_statistics([(country("RWA").pk, country("KEN").pk)])

    assert set(run.scope.split("-")) == {"KEN", "RWA"}
    assert row("KEN", "RWA", 2023).total_usd == D("620000000.00")
    assert list(others.values_list("id", *PAIR_FIELDS)) == before
    # Written: KEN-RWA 2023 (its figures), 2024 (its growth), and the two Kenya-Rwanda agreements
    # whose after-window holds 2023: the expired one (2021-2023) and the one only signed (2023-2025).
    assert run.rows_written == 4


def test_a_pair_refresh_takes_a_fixed_number_of_queries(figures, django_assert_max_num_queries):
    refresh_trade_statistics()
    pair = [(country("KEN").pk, country("RWA").pk)]
    with django_assert_max_num_queries(30) as small:
        refresh_trade_statistics(pair)
    for year in range(1990, 2023):  # thirty more years of figures for the pair
        flow("KEN", "RWA", year, "exports", "1000.00")
        flow("RWA", "KEN", year, "exports", "2000.00")
    refresh_trade_statistics(pair)
    with django_assert_max_num_queries(len(small.captured_queries)):
        refresh_trade_statistics(pair)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failure_half_way_leaves_the_previous_figures(figures, monkeypatch):
    refresh_trade_statistics()
    figures["ken_rwa_2023"].value = D("60000000000.00")
    figures["ken_rwa_2023"].save()
    TradeFlow.objects.filter(reporter__iso3="UGA").delete()
    before = snapshot()

    def fail_after_the_pairs(scope):
        # The pair-year rows are already rewritten, inside the refresh's transaction ...
        assert row("KEN", "RWA", 2023).total_usd == D("620000000.00")
        raise RuntimeError("disk full half way")

    monkeypatch.setattr(trade, "_refresh_agreements", fail_after_the_pairs)
    with pytest.raises(RuntimeError, match="disk full"):
        refresh_trade_statistics()

    # ... and none of it is kept; the run that failed is.
    assert snapshot() == before
    failed = RefreshRun.objects.order_by("-id").first()
    assert failed.status == RefreshRun.Status.FAILED
    assert failed.error == "RuntimeError: disk full half way"
    assert failed.finished_at is not None
    assert RefreshRun.objects.filter(status=RefreshRun.Status.SUCCEEDED).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_refreshes_at_once_one_waits_for_the_other(figures, monkeypatch):
    compute = trade_sql.refresh_pairs
    inside, release = threading.Event(), threading.Event()
    entered = []

    def held_open(scope, rebuild):
        written = compute(scope, rebuild)
        entered.append(scope)
        if len(entered) == 1:  # the first run keeps its transaction open, rows written
            inside.set()
            release.wait(20)
        return written

    monkeypatch.setattr(trade_sql, "refresh_pairs", held_open)
    results = {}

    def refresh(name: str, pairs=None) -> None:
        try:
            results[name] = refresh_trade_statistics(pairs)
        except Exception as error:  # pragma: no cover - reported by the asserts
            results[name] = error
        finally:
            connection.close()

    first = threading.Thread(target=refresh, args=("first",))
    first.start()
    assert inside.wait(20)
    pair = [(country("KEN").pk, country("RWA").pk)]
    second = threading.Thread(target=refresh, args=("second",))
    third = threading.Thread(target=refresh, args=("third", pair))  # an overlapping scope waits too
    second.start()
    third.start()
    waiting = 0
    for _ in range(200):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            waiting = cursor.fetchone()[0]
        if waiting == 2:
            break
        time.sleep(0.05)
    assert waiting == 2, "the second and third runs wait on the first one's lock"
    assert len(entered) == 1, "and have not written anything"
    release.set()
    for thread in (first, second, third):
        thread.join(30)

    assert [results[name].status for name in ("first", "second", "third")] == ["succeeded"] * 3
    assert results["first"].rows_written > 0
    assert results["second"].rows_written == results["third"].rows_written == 0, "they saw the first one's rows"
    keys = list(PairYearStatistic.objects.values_list("country_a", "country_b", "year"))
    assert len(keys) == len(set(keys)) == 6


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


@pytest.mark.postgres
def test_the_sql_and_python_paths_give_identical_figures(db):
    random_figures(seed=4)

    sql = refresh_trade_statistics(engine="sql")
    python = refresh_trade_statistics(engine="python")
    assert sql.rows_written > 100
    assert python.rows_written == 0, "the Python path finds every figure the SQL path wrote"
    stats = PairYearStatistic.objects.all()
    # The cases are all there: mirror figures, reported totals, notes, growth, agreements in force.
    assert stats.filter(a_to_b_basis="mirror").exists() and stats.filter(total_basis="reported_total").exists()
    assert stats.exclude(notes="").exists() and stats.filter(a_to_b_usd__isnull=True, a_to_b_flow__isnull=False)
    assert stats.filter(growth__isnull=False).exists() and stats.filter(agreements_in_force__gt=1).exists()
    assert stats.filter(is_synthetic=True).exists() and stats.filter(notes__contains="; ").exists()

    PairYearStatistic.objects.all().delete()
    AgreementTradeStatistic.objects.all().delete()
    assert refresh_trade_statistics(engine="python").rows_written == sql.rows_written
    assert refresh_trade_statistics(engine="sql").rows_written == 0


def test_refreshing_a_list_of_pairs_equals_the_full_refresh(db):
    random_figures(seed=9)
    refresh_trade_statistics()
    full = snapshot()
    PairYearStatistic.objects.all().delete()
    AgreementTradeStatistic.objects.all().delete()
    codes = ["KEN", "RWA", "TZA", "UGA", "BDI", "SSD"]
    ids = [country(code).pk for code in codes]

    refresh_trade_statistics([(x, y) for x in ids for y in ids if x < y])

    strip = [s[1:] for s in snapshot()]
    assert strip == [s[1:] for s in full]


def test_each_run_is_recorded(figures):
    run = refresh_trade_statistics([(country("KEN").pk, country("UGA").pk)])

    run.refresh_from_db()
    assert run.kind == "trade"
    assert run.status == RefreshRun.Status.SUCCEEDED
    assert run.finished_at >= run.started_at
    assert run.rows_written == 1 and run.error == ""
    assert set(run.scope.split("-")) == {"KEN", "UGA"}
    assert refresh_trade_statistics([]).scope == "no pairs"


def test_the_management_command_refreshes_without_a_broker(figures, capsys):
    call_command("refresh_trade_statistics", "--pair", "ken", "RWA")

    assert "rows written" in capsys.readouterr().out
    assert PairYearStatistic.objects.count() == 3
    with pytest.raises(CommandError, match="Unknown country code"):
        call_command("refresh_trade_statistics", "--pair", "KEN", "XXX")
    call_command("refresh_trade_statistics")
    assert PairYearStatistic.objects.count() == 6


@pytest.mark.postgres
def test_a_refresh_inside_a_transaction_leaves_its_settings_alone(figures):
    def settings() -> tuple:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('work_mem'), current_setting('enable_mergejoin'),"
                " current_setting('jit'), current_setting('lock_timeout')"
            )
            return cursor.fetchone()

    before = settings()
    with transaction.atomic():
        refresh_trade_statistics()
        assert settings() == before
