"""The corridor statistics refresh (corridors.stats) on hand-computed fixtures:
growth, each destination's share by corridor, indicators before and after an
agreement; idempotent, atomic, single-flight, recorded."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection

from agreements.models import DatePrecision, RefreshRun
from agreements.tests.factories import bilateral
from corridors import stats
from corridors.models import AgreementIndicatorChange, IndicatorObservation, ObservationStatistic
from corridors.stats import refresh_corridor_statistics
from corridors.tests.factories import CorridorAgreementFactory, IndicatorFactory, corridor_through, figure
from tradepacts import locking
from tradepacts.locking import lock_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def corridors():
    northern = corridor_through("KEN", "UGA", "RWA", name="Northern", slug="northern")
    central = corridor_through("TZA", "RWA", "BDI", name="Central", slug="central")
    return northern, central


def stat(observation: IndicatorObservation) -> ObservationStatistic:
    return ObservationStatistic.objects.get(observation=observation)


def test_shares_and_growth_on_a_hand_computed_fixture(corridors):
    northern, central = corridors
    n24, n25 = figure(northern, "2024", 600), figure(northern, "2025", 800)
    c24, c25 = figure(central, "2024", 1400), figure(central, "2025", 1200)
    uganda = figure(northern, "2024", 100, destination="UGA")  # one corridor only: no share
    burundi = figure(central, "2024", 50, destination="BDI")
    whole = figure(northern, "2024", 5000, destination=None)  # the corridor as a whole: no share
    hours = IndicatorFactory(slug="transit", unit="hours", additive=False)
    transit_n, transit_c = figure(northern, "2024", 72, indicator=hours), figure(central, "2024", 96, indicator=hours)

    run = refresh_corridor_statistics()

    assert (run.kind, run.scope, run.status) == ("corridor", "all", RefreshRun.Status.SUCCEEDED)
    # 600 / (600 + 1400), 1400 / 2000; 800 / 2000, 1200 / 2000
    assert [stat(o).share for o in (n24, c24, n25, c25)] == [
        Decimal("0.3"),
        Decimal("0.7"),
        Decimal("0.4"),
        Decimal("0.6"),
    ]
    assert stat(n24).corridors_counted == 2
    # 800 / 600 - 1; 1200 / 1400 - 1, rounded half away from zero to six places
    assert stat(n25).growth == Decimal("0.333333") and stat(n25).previous_value == 600
    assert stat(c25).growth == Decimal("-0.142857")
    assert stat(n24).growth is None and stat(n24).previous_value is None
    for lone in (uganda, burundi, whole, transit_n, transit_c):
        assert stat(lone).share is None, lone
    assert not any(s.is_synthetic for s in ObservationStatistic.objects.all())


def test_growth_is_on_the_previous_period_of_the_same_kind(corridors):
    northern, _ = corridors
    figure(northern, "2024-Q4", 100)
    q1 = figure(northern, "2025-Q1", 120)
    year = figure(northern, "2025", 500)
    month = figure(northern, "2025-01", 40)
    figure(northern, "2024-11", 30)  # not the month before January
    refresh_corridor_statistics()

    assert stat(q1).growth == Decimal("0.2")
    assert stat(year).growth is None, "no 2024 figure: quarters are not years"
    assert stat(month).growth is None


def test_a_synthetic_figure_marks_what_it_went_into(corridors):
    northern, central = corridors
    observed = figure(northern, "2024", 600)
    figure(central, "2024", 1400, is_synthetic=True)
    refresh_corridor_statistics()
    assert stat(observed).share == Decimal("0.3") and stat(observed).is_synthetic


def test_zero_previous_and_zero_total_give_no_figure(corridors):
    northern, central = corridors
    figure(northern, "2023", 0)
    n24 = figure(northern, "2024", 0)
    figure(central, "2024", 0)
    refresh_corridor_statistics()
    assert (stat(n24).growth, stat(n24).share) == (None, None)


def quarterly(corridor, values: dict[str, int]) -> None:
    for period, value in values.items():
        figure(corridor, period, value)


def test_before_and_after_an_agreement_signed_on_a_day(corridors):
    northern, central = corridors
    mou = bilateral("RWA", "KEN", published=True, signed_on=dt.date(2025, 2, 10))
    CorridorAgreementFactory(corridor=northern, agreement=mou)
    quarterly(
        northern,
        {
            "2024-Q1": 80,  # outside the window
            "2024-Q2": 90,
            "2024-Q3": 95,
            "2024-Q4": 100,
            "2025-Q1": 120,  # holds the signing: in neither
            "2025-Q2": 130,
            "2025-Q3": 140,
            "2025-Q4": 150,
            "2026-Q1": 160,  # outside the window
        },
    )
    figure(central, "2024-Q4", 300)  # Rwanda's share via the Northern in 2024-Q4: 100 / 400
    figure(northern, "2024", 600)

    refresh_corridor_statistics()

    quarter = AgreementIndicatorChange.objects.get(agreement=mou, period_kind="quarter")
    assert (quarter.reference_date, quarter.reference_event) == (dt.date(2025, 2, 10), "signed")
    assert (quarter.average_before, quarter.periods_before) == (Decimal("95"), 3)
    assert (quarter.average_after, quarter.periods_after) == (Decimal("140"), 3)
    assert quarter.change == Decimal("140") / Decimal("95") - 1
    assert (quarter.share_before, quarter.share_after) == (Decimal("0.25"), None)
    year = AgreementIndicatorChange.objects.get(agreement=mou, period_kind="year")
    assert (year.average_before, year.periods_before, year.average_after, year.periods_after) == (
        Decimal("600"),
        1,
        None,
        0,
    )
    assert year.change is None
    assert not AgreementIndicatorChange.objects.filter(corridor=central).exists(), "the MoU concerns the Northern only"


def test_a_date_known_to_the_year_excludes_the_whole_year(corridors):
    northern, _ = corridors
    treaty = bilateral(
        "RWA",
        "KEN",
        published=True,
        status="in_force",
        signed_on=dt.date(2024, 6, 1),
        in_force_on=dt.date(2025, 1, 1),
        in_force_precision=DatePrecision.YEAR,
    )
    CorridorAgreementFactory(corridor=northern, agreement=treaty)
    quarterly(northern, {"2024-Q4": 100, "2025-Q1": 999, "2025-Q4": 999, "2026-Q1": 200})

    refresh_corridor_statistics()

    change = AgreementIndicatorChange.objects.get(agreement=treaty)
    assert change.reference_event == "in_force"
    assert (change.average_before, change.average_after) == (Decimal("100"), Decimal("200"))


def test_drafts_and_undated_agreements_have_no_rows(corridors):
    northern, _ = corridors
    CorridorAgreementFactory(corridor=northern, agreement=bilateral("RWA", "KEN", signed_on=dt.date(2025, 1, 5)))
    CorridorAgreementFactory(
        corridor=northern, agreement=bilateral("RWA", "KEN", published=True, signed_on=None, status="announced")
    )
    quarterly(northern, {"2024-Q4": 100, "2025-Q2": 200})
    refresh_corridor_statistics()
    assert not AgreementIndicatorChange.objects.exists()


def snapshot() -> list:
    return [
        list(ObservationStatistic.objects.order_by("pk").values_list()),
        list(AgreementIndicatorChange.objects.order_by("pk").values_list()),
    ]


def test_a_second_run_writes_nothing_and_a_change_writes_only_what_moved(corridors):
    northern, central = corridors
    mou = bilateral("RWA", "KEN", published=True, signed_on=dt.date(2025, 2, 10))
    CorridorAgreementFactory(corridor=northern, agreement=mou)
    n24 = figure(northern, "2024", 600)
    figure(northern, "2025", 800)
    figure(central, "2024", 1400)
    figure(central, "2025", 1200)
    quarterly(northern, {"2024-Q4": 100, "2025-Q2": 130})

    first = refresh_corridor_statistics()
    before = snapshot()
    second = refresh_corridor_statistics()

    assert first.rows_written == 6 + 2  # six figures' statistics, two agreement rows (year, quarter)
    assert second.rows_written == 0
    assert snapshot() == before

    IndicatorObservation.objects.filter(pk=n24.pk).update(value=1000)
    third = refresh_corridor_statistics()
    # n24's share; c24's share; n25's growth; the year row's average before
    assert third.rows_written == 4
    assert stat(n24).share == Decimal("0.416667")

    n24.delete()
    assert refresh_corridor_statistics().rows_written == 3  # c24's share; n25's growth; the year row (gone)
    assert not AgreementIndicatorChange.objects.filter(period_kind="year").exists()


def test_a_failed_run_writes_nothing_and_is_recorded(corridors, monkeypatch):
    northern, central = corridors
    figure(northern, "2024", 600)
    figure(central, "2024", 1400)

    def broken(rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(stats, "_sync_changes", broken)
    with pytest.raises(RuntimeError):
        refresh_corridor_statistics()

    assert not ObservationStatistic.objects.exists(), "the statistics written before the failure rolled back"
    run = RefreshRun.objects.get(kind="corridor")
    assert (run.status, run.error) == (RefreshRun.Status.FAILED, "RuntimeError: disk full")
    assert run.finished_at is not None


def test_a_second_run_waits_for_the_first_then_gives_up(corridors, monkeypatch):
    """Single flight: while another run holds the lock (PostgreSQL: the advisory
    lock, held here from a second connection; elsewhere the cache lock), a run
    waits LOCK_WAIT_SECONDS, then fails, recorded, so the task retries."""
    monkeypatch.setattr(locking, "LOCK_WAIT_SECONDS", 0.3)
    if connection.vendor == "postgresql":
        import psycopg

        other = psycopg.connect(**connection.get_connection_params(), autocommit=True)
        other.execute("SELECT pg_advisory_lock(%s)", [lock_key(stats.LOCK)])
        expected: type[Exception] = OperationalError
    else:
        other = None
        cache.add("refresh-lock:corridors", "another run", timeout=60)
        expected = TimeoutError
    try:
        with pytest.raises(expected):
            refresh_corridor_statistics()
    finally:
        if other is not None:
            other.close()
        cache.delete("refresh-lock:corridors")

    assert RefreshRun.objects.get(kind="corridor").status == RefreshRun.Status.FAILED
    assert refresh_corridor_statistics().status == RefreshRun.Status.SUCCEEDED
