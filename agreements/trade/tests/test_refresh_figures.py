"""The trade statistics refresh (agreements.trade.refresh), on figures worked out by hand.

The same tests run on SQLite (the portable Python path) and on PostgreSQL (the
SQL path), so both give the figures written here; on PostgreSQL, random figures give
the same rows on both paths too.
"""

import pytest

from agreements.models import Agreement, AgreementTradeStatistic, PairYearStatistic, RefreshRun
from agreements.trade.refresh import refresh_trade_statistics
from agreements.trade.tests.refresh_helpers import D, country, direction, random_figures, row, snapshot


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
