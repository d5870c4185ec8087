"""The nightly full refresh picks up a change of a flow made any way (a new flow, a changed value by
save(), by a queryset or by plain SQL, a deleted flow, a flow moved to another year, a trade import),
and a night when nothing changed writes nothing. On PostgreSQL it reads them from the queue of changed
pair-years the database keeps (migration 0024), without comparing every flow's digest; the portable
path (SQLite) recomputes everything, and must give the same figures."""

from decimal import Decimal

import pytest
from django.db import connection

from agreements.models import ExchangeRate, Origin, PairYearStatistic, RefreshRun, TradeFlow
from agreements.trade.imports import import_trade_flows
from agreements.trade.refresh import refresh_trade_statistics
from agreements.trade.tests.import_helpers import HEADER, lines
from agreements.trade.tests.refresh_helpers import direction, flow, row, snapshot

D = Decimal

# Imports and saves ask for a refresh of their pairs at commit: recorded instead, so that only the
# nightly refresh can put the figures right (conftest.refresh).
pytestmark = pytest.mark.usefixtures("refresh")


def nightly() -> tuple[RefreshRun, bool]:
    """A full refresh, and whether it compared every flow's digest (PostgreSQL's check of everything)."""
    scans: list[str] = []

    def spy(execute, sql, params, many, context):
        if "WITH inputs AS" in sql:
            scans.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        run = refresh_trade_statistics()
    assert run.status == RefreshRun.Status.SUCCEEDED
    return run, bool(scans)


def is_the_rebuilds() -> bool:
    picked = snapshot()
    return refresh_trade_statistics(rebuild=True).rows_written == 0 and snapshot() == picked


def rwa_to_ken_2025() -> Decimal | None:
    return direction(row("KEN", "RWA", 2025), "RWA")[0]


def change(name: str, made: dict) -> None:
    rwa_ken_2025 = made["rwa_ken_2025"]
    if name == "insert":  # Kenya's own report replaces Rwanda's mirror figure
        flow("KEN", "RWA", 2024, "exports", "700000000.00")
    elif name == "save":
        rwa_ken_2025.value = D("31000000.00")
        rwa_ken_2025.save()
    elif name == "queryset":
        TradeFlow.objects.filter(pk=rwa_ken_2025.pk).update(value=D("32000000.00"))
    elif name == "plain_sql":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE agreements_tradeflow SET value = 33000000 WHERE id = %s", [rwa_ken_2025.pk])
    elif name == "delete":
        made["rwa_tza_2025"].delete()
    elif name == "moved":  # from 2024 to 2023: one pair-year goes, another comes
        TradeFlow.objects.filter(pk=made["tza_total_2024"].pk).update(year=2023)
    elif name == "import":
        import_trade_flows(lines(HEADER, "RWA,KEN,2025,exports,34000000,USD"), filename="revised.csv")


def changed_as_expected(name: str) -> bool:
    if name == "insert":
        return direction(row("KEN", "RWA", 2024), "KEN")[:2] == (D("700000000.00"), "reported")
    if name == "delete":
        return direction(row("RWA", "TZA", 2025), "RWA") == (None, "missing", None)
    if name == "moved":
        stat = row("RWA", "TZA", 2025)
        totals = PairYearStatistic.objects.filter(country_a=stat.country_a_id, country_b=stat.country_b_id)
        return dict(totals.values_list("year", "total_usd")) == {2023: D("260869565.22"), 2025: stat.total_usd}
    expected = {"save": "31000000", "queryset": "32000000", "plain_sql": "33000000", "import": "34000000"}
    return rwa_to_ken_2025() == D(expected[name])


@pytest.mark.parametrize("name", ["insert", "save", "queryset", "plain_sql", "delete", "moved", "import"])
def test_a_change_made_any_way_is_picked_up_by_the_nightly_refresh(figures, name):
    refresh_trade_statistics()
    refresh_trade_statistics()  # on PostgreSQL the first run after filling checks every flow once
    assert not changed_as_expected(name)
    change(name, figures)

    run, scanned = nightly()

    assert changed_as_expected(name)
    assert run.rows_written > 0
    assert not scanned, "found in the queue, not by comparing every flow"
    assert is_the_rebuilds()


def test_a_change_of_origin_alone_is_picked_up(figures):
    """Origin decides which of two reports of one flow is used: an update of it alone is queued."""
    national = figures["rwa_ken_2025"]
    TradeFlow.objects.create(
        reporter=national.reporter, partner=national.partner, year=2025, flow="exports", value=1, origin=Origin.WTO
    )
    refresh_trade_statistics()
    assert rwa_to_ken_2025() == D("30000000.00"), "the national figure first"
    TradeFlow.objects.filter(pk=figures["rwa_ken_2025"].pk).update(origin=Origin.COW)

    assert nightly()[0].rows_written > 0
    assert rwa_to_ken_2025() == D("1.00"), "now the WTO's"
    assert is_the_rebuilds()


def test_a_night_when_nothing_changed_writes_nothing_and_reads_no_flow(figures):
    refresh_trade_statistics()
    refresh_trade_statistics()
    picked = snapshot()
    unchanged = figures["rwa_ken_2025"]
    unchanged.save()  # saved as it was: no figure of it changes

    run, scanned = nightly()

    assert run.rows_written == 0
    assert not scanned
    assert snapshot() == picked
    assert nightly()[0].rows_written == 0


# --- PostgreSQL: when the queue alone cannot be trusted, every flow is compared -------------------


@pytest.mark.postgres
def test_after_a_truncate_which_names_no_flow_every_flow_is_compared(figures):
    refresh_trade_statistics()
    refresh_trade_statistics()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's checks done: TRUNCATE refuses pending ones
        cursor.execute("TRUNCATE agreements_tradeflow")
    flow("KEN", "UGA", 2024, "exports", "5.00")

    _, scanned = nightly()

    assert scanned
    assert list(PairYearStatistic.objects.values_list("year", "a_to_b_usd", "b_to_a_usd")) in (
        [(2024, D("5.00"), None)],
        [(2024, None, D("5.00"))],
    )
    assert not nightly()[1], "then the queue is trusted again"
    assert is_the_rebuilds()


@pytest.mark.postgres
def test_a_pair_refreshed_under_other_rates_is_compared_though_the_rates_came_back(figures):
    """The rates' digest alone would say nothing changed: the pair's rows were computed under the other rates."""
    refresh_trade_statistics()
    refresh_trade_statistics()
    kes = ExchangeRate.objects.filter(currency="KES", year=2023)
    kes.update(units_per_usd=200)
    ken_rwa = row("KEN", "RWA", 2023)
    refresh_trade_statistics([(ken_rwa.country_a_id, ken_rwa.country_b_id)])
    assert direction(row("KEN", "RWA", 2023), "KEN")[0] == D("250000000.00")
    kes.update(units_per_usd=100)

    _, scanned = nightly()

    assert scanned
    assert direction(row("KEN", "RWA", 2023), "KEN")[0] == D("500000000.00")
    assert is_the_rebuilds()
