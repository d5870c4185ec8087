"""The full refresh on PostgreSQL recomputes only the pair-years whose inputs
changed, found by digest (agreements.trade.sql): whatever changes, and however,
it must end with the figures a rebuild of everything gives."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F

from agreements.models import Agreement, Country, ExchangeRate, PairYearStatistic, Party, TradeFlow
from agreements.trade import sql as trade_sql
from agreements.trade.refresh import refresh_trade_statistics
from agreements.trade.tests.refresh_helpers import country, flow, random_figures, rate, snapshot

pytestmark = pytest.mark.postgres


@pytest.fixture
def modes(monkeypatch):
    """The statement each full refresh ran: "keys" (the changed pair-years), "all", or None."""
    seen = []
    find = trade_sql._find_changed_pair_years

    def spy(*args):
        found = find(*args)
        seen.append(found[0])
        return found

    monkeypatch.setattr(trade_sql, "_find_changed_pair_years", spy)
    # However many changed, pick them out (the tests change more than a quarter of a small set).
    monkeypatch.setattr(trade_sql, "MAX_CHANGED_SHARE", 1.0)
    return seen


def recomputed() -> set[tuple[str, str, int]]:
    """The pair-years the last full refresh recomputed (its keys table lives until the test's commit)."""
    codes = dict(Country.objects.values_list("id", "iso3"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT a, b, year FROM {trade_sql.KEYS}")
        return {(codes[a], codes[b], year) for a, b, year in cursor.fetchall()}


def change_at_random(rng: random.Random) -> None:
    """Every kind of change to flows and agreements that an import, a curator or plain SQL can make."""
    flows = list(TradeFlow.objects.filter(partner__isnull=False).order_by("id"))
    for f in rng.sample(flows, 3):
        TradeFlow.objects.filter(pk=f.pk).update(value=f.value + Decimal("0.01"))
    for f in rng.sample(flows, 2):
        TradeFlow.objects.filter(pk=f.pk).update(is_synthetic=not f.is_synthetic)
    for f in rng.sample(flows, 2):
        TradeFlow.objects.filter(pk=f.pk).update(currency="USD" if f.currency != "USD" else "KES")
    for f in rng.sample(flows, 3):
        TradeFlow.objects.filter(pk=f.pk).delete()
    flow("KEN", "SSD", 2011, "exports", "123.45")  # a new pair-year, the year after the last
    agreements = list(Agreement.objects.order_by("id"))
    Agreement.objects.filter(pk=agreements[0].pk).update(is_published=not agreements[0].is_published)
    Agreement.objects.filter(pk=agreements[1].pk).update(in_force_on=dt.date(2007, 6, 1))
    withdrawing = Party.objects.filter(agreement=agreements[2]).order_by("id").first()
    Party.objects.filter(pk=withdrawing.pk).update(withdrew_on=dt.date(2006, 3, 1))


def change_rates() -> None:
    rates = list(ExchangeRate.objects.order_by("id"))
    ExchangeRate.objects.filter(pk=rates[0].pk).update(units_per_usd=rates[0].units_per_usd * 2)
    ExchangeRate.objects.filter(pk=rates[1].pk).delete()
    missing = {(c, y) for c in ("KES", "RWF", "TZS", "EUR") for y in range(2000, 2010)} - set(
        ExchangeRate.objects.values_list("currency", "year")
    )
    rate(*sorted(missing)[0], "7.5")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_every_kind_of_change_the_changed_pair_years_are_the_rebuilds_figures(db, modes, seed):
    random_figures(seed=seed)
    refresh_trade_statistics()
    change_at_random(random.Random(seed))

    run = refresh_trade_statistics()

    assert modes[-1] == "keys", "the changed pair-years were picked out"
    assert 0 < len(recomputed()) < PairYearStatistic.objects.count()
    picked = snapshot()
    assert refresh_trade_statistics(rebuild=True).rows_written == 0, "a rebuild of every row finds nothing to change"
    assert snapshot() == picked
    assert run.rows_written > 0


def test_a_changed_rate_recomputes_every_row(db, modes):
    random_figures(seed=4)
    refresh_trade_statistics()
    change_rates()

    assert refresh_trade_statistics().rows_written > 0
    assert len(recomputed()) >= PairYearStatistic.objects.count(), "every stored row"
    picked = snapshot()
    assert refresh_trade_statistics(rebuild=True).rows_written == 0
    assert snapshot() == picked


def test_nothing_changed_nothing_is_recomputed(db, modes):
    random_figures(seed=5)
    refresh_trade_statistics()

    assert refresh_trade_statistics().rows_written == 0
    assert modes == ["all", None], "the first run had no rows to compare; the second found no change"


def test_a_changed_flow_recomputes_its_pair_year_and_the_next_years_growth(db, modes):
    for year, value in [(2023, "100.00"), (2024, "200.00"), (2025, "300.00")]:
        flow("KEN", "RWA", year, "exports", value)
        flow("RWA", "KEN", year, "exports", "0.00")  # so that the totals are known
    flow("RWA", "TZA", 2024, "exports", "50.00")
    refresh_trade_statistics()
    TradeFlow.objects.filter(year=2024, reporter__iso3="KEN").update(value=Decimal("250.00"))

    run = refresh_trade_statistics()

    ken, rwa = sorted(["KEN", "RWA"], key=lambda code: country(code).pk)
    assert recomputed() == {(ken, rwa, 2024)}, "the changed pair-year only"
    assert run.rows_written == 2, "and the growth of the year after"
    pair = PairYearStatistic.objects.filter(country_a__iso3=ken, country_b__iso3=rwa)
    growth = dict(pair.values_list("year", "growth"))
    assert growth == {2023: None, 2024: Decimal("1.5"), 2025: Decimal("0.2")}


def test_a_deleted_flow_deletes_its_row_and_clears_the_next_growth(db, modes):
    for year, value in [(2023, "100.00"), (2024, "200.00")]:
        flow("KEN", "RWA", year, "exports", value)
        flow("RWA", "KEN", year, "exports", "0.00")
    refresh_trade_statistics()
    assert PairYearStatistic.objects.get(year=2024).growth == 1
    TradeFlow.objects.filter(year=2023).delete()

    assert refresh_trade_statistics().rows_written == 2
    assert list(PairYearStatistic.objects.values_list("year", "growth")) == [(2024, None)]


def test_a_new_rate_converts_the_figures_it_was_missing_for(db, modes):
    flow("TZA", "RWA", 2025, "exports", "2550000.00", "TZS")
    refresh_trade_statistics()
    assert PairYearStatistic.objects.get().notes == "no exchange rate for TZS in 2025"
    rate("TZS", 2025, "2550")

    assert refresh_trade_statistics().rows_written == 1
    stat = PairYearStatistic.objects.get()
    assert (stat.total_usd, stat.notes) == (None, "")
    assert Decimal(1000) in (stat.a_to_b_usd, stat.b_to_a_usd)


def test_rows_the_python_path_wrote_are_recomputed_once_then_trusted(db, modes):
    random_figures(seed=6)
    refresh_trade_statistics(engine="python")
    assert not PairYearStatistic.objects.filter(inputs_digest__isnull=False).exists()

    assert refresh_trade_statistics().rows_written == 0, "the same figures: only their digests were missing"
    assert not PairYearStatistic.objects.filter(inputs_digest__isnull=True).exists()
    assert refresh_trade_statistics().rows_written == 0
    assert modes[-1] is None


def test_a_rule_change_recomputes_every_row(db, modes, monkeypatch):
    random_figures(seed=7)
    refresh_trade_statistics()
    stored = PairYearStatistic.objects.count()
    monkeypatch.setattr(trade_sql, "DIGEST_VERSION", trade_sql.DIGEST_VERSION + 1)

    assert refresh_trade_statistics().rows_written == 0
    assert len(recomputed()) >= stored


def test_a_hand_edited_row_is_trusted_until_a_rebuild(db, modes, capsys):
    """Derived rows are never edited; if one is, only its inputs are checked, and --rebuild puts it right."""
    flow("KEN", "RWA", 2024, "exports", "200.00")
    refresh_trade_statistics()
    PairYearStatistic.objects.update(a_to_b_usd=Decimal("1.00"), b_to_a_usd=Decimal("1.00"))

    assert refresh_trade_statistics().rows_written == 0
    call_command("refresh_trade_statistics", "--rebuild")

    assert "1 rows written" in capsys.readouterr().out
    stat = PairYearStatistic.objects.get()
    assert Decimal("200.00") in (stat.a_to_b_usd, stat.b_to_a_usd)


def test_when_most_rows_changed_one_pass_recomputes_everything(db, modes, monkeypatch):
    monkeypatch.setattr(trade_sql, "MAX_CHANGED_SHARE", 0.25)
    random_figures(seed=8)
    refresh_trade_statistics()
    TradeFlow.objects.update(value=F("value") + 1)

    assert refresh_trade_statistics().rows_written > 0
    assert modes[-1] == "all"
    picked = snapshot()
    assert refresh_trade_statistics(rebuild=True).rows_written == 0
    assert snapshot() == picked


def test_a_quarter_of_the_rows_changed_is_still_picked_out_and_one_more_is_not(db, modes, monkeypatch):
    """The share is checked against the stored rows counted up to what it needs, never the planner's guess."""
    monkeypatch.setattr(trade_sql, "MAX_CHANGED_SHARE", 0.25)
    for year in range(2001, 2009):  # eight pair-years, then two or three of them changed
        flow("KEN", "UGA", year, "exports", "100")
    refresh_trade_statistics()
    TradeFlow.objects.filter(year__in=[2001, 2002]).update(value=F("value") + 1)
    refresh_trade_statistics()
    assert modes[-1] == "keys"  # 2 (and the years after as growth only) of 8: not more than a quarter
    TradeFlow.objects.filter(year__in=[2001, 2002, 2003]).update(value=F("value") + 1)
    refresh_trade_statistics()
    assert modes[-1] == "all"
    with connection.cursor() as cursor:
        assert not trade_sql._fewer_stored_rows_than(cursor, 8)
        assert trade_sql._fewer_stored_rows_than(cursor, 9)
