"""Trade statistics refresh runs: a second run changes nothing, changes update only what
they touch, a failure leaves the previous figures, runs wait for each other, each run is
recorded, and the command."""

import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from agreements.models import PairYearStatistic, RefreshRun, TradeFlow
from agreements.trade import refresh as trade
from agreements.trade import sql as trade_sql
from agreements.trade.python import PAIR_FIELDS
from agreements.trade.refresh import refresh_trade_statistics
from agreements.trade.tests.refresh_helpers import D, country, direction, flow, row, snapshot


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
