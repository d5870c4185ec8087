"""Queuing the trade refresh: after commit only, coalesced, never failing a save.

Where a test needs the broker path, the task's send (``apply_async``) is
replaced by a mock; test_celery_worker.py runs the real thing.
"""

import datetime as dt
import time
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import IntegrityError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from agreements import runs as refresh
from agreements import tasks
from agreements.models import Agreement, Country, PairYearStatistic, RefreshRun, TradeFlow
from agreements.tasks import queue_trade_refresh, refresh_trade_statistics_task, trade_refresh_for_agreement
from agreements.tests.factories import AgreementFactory, PartyFactory, backdate
from agreements.tests.test_admin import ADD_MOU, kpa_mou_post, reference  # noqa: F401 (a fixture)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sent(monkeypatch):
    """The broker path, with the task's send replaced by a mock."""
    conf = refresh_trade_statistics_task.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = False  # (monkeypatch cannot restore a Celery setting)
    send = mock.Mock()
    monkeypatch.setattr(refresh_trade_statistics_task, "apply_async", send)
    yield send
    conf.task_always_eager = eager


def ids(*codes: str) -> list[int]:
    return [Country.objects.get(iso3=code).pk for code in codes]


def queued_scopes(send: mock.Mock) -> list:
    return [call.kwargs["args"][0] for call in send.call_args_list]


def test_nothing_is_queued_when_the_transaction_rolls_back(db, sent, django_capture_on_commit_callbacks):
    ken, rwa = ids("KEN", "RWA")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):  # noqa: SIM117
        with transaction.atomic():
            queue_trade_refresh([(ken, rwa)])
            raise RuntimeError("the import found a bad line")

    assert callbacks == []
    sent.assert_not_called()


def test_after_a_rollback_the_next_transaction_queues_only_its_own_pairs(db, sent, django_capture_on_commit_callbacks):
    """The rolled-back batch is gone with its transaction, not reused by the next one."""
    ken, rwa, tza = ids("KEN", "RWA", "TZA")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            queue_trade_refresh([(ken, rwa)])
            raise RuntimeError("the import found a bad line")
        with transaction.atomic():
            queue_trade_refresh([(rwa, tza)])

    assert len(callbacks) == 1
    assert queued_scopes(sent) == [[[min(rwa, tza), max(rwa, tza)]]]


def test_a_refresh_is_queued_once_the_transaction_commits(db, sent, django_capture_on_commit_callbacks):
    ken, rwa = ids("KEN", "RWA")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        queue_trade_refresh([(rwa, ken)])
        sent.assert_not_called()

    assert len(callbacks) == 1
    sent.assert_called_once()
    assert sent.call_args.kwargs["args"] == [[[min(ken, rwa), max(ken, rwa)]]]
    # The task waits out the coalescing window: whatever commits within it is read.
    assert sent.call_args.kwargs["countdown"] > refresh.COALESCE_SECONDS


def test_a_burst_of_a_thousand_calls_in_one_transaction_queues_one_task(db, sent, django_capture_on_commit_callbacks):
    countries = ids("KEN", "RWA", "TZA", "UGA", "BDI", "SSD", "COD", "ETH", "SOM", "DJI")
    calls = [(countries[i % 10], countries[(i * 7 + 1) % 10]) for i in range(1000)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for pair in calls:
            queue_trade_refresh([pair])

    assert len(callbacks) == 1
    sent.assert_called_once()
    expected = sorted({(min(x, y), max(x, y)) for x, y in calls if x != y})
    assert queued_scopes(sent) == [[list(pair) for pair in expected]]


def test_a_burst_across_transactions_queues_one_task_per_window(db, sent, monkeypatch):
    monkeypatch.setattr(refresh, "COALESCE_SECONDS", 1)
    ken, rwa = ids("KEN", "RWA")
    for _ in range(5):
        tasks.send_trade_refresh([(ken, rwa)])  # what each commit's callback does
    assert sent.call_count == 1

    time.sleep(1.1)  # the queued task has started by now: a later change needs another run
    tasks.send_trade_refresh([(ken, rwa)])
    assert sent.call_count == 2


def test_a_pending_full_refresh_covers_every_pair(db, sent):
    ken, rwa = ids("KEN", "RWA")
    tasks.send_trade_refresh(None)
    tasks.send_trade_refresh([(ken, rwa)])

    assert queued_scopes(sent) == [None]


def test_too_many_pairs_become_one_full_refresh(db, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        queue_trade_refresh((n, n + 1) for n in range(1, tasks.MAX_PAIRS + 10))
        queue_trade_refresh([(1, 5)])

    assert queued_scopes(sent) == [None]


def test_with_the_broker_down_the_change_is_saved_and_the_gap_recorded(db, sent, django_capture_on_commit_callbacks):
    sent.side_effect = BrokerOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    ken, rwa = ids("KEN", "RWA")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        flow = TradeFlow.objects.create(
            reporter_id=ken, partner_id=rwa, year=2024, flow="exports", value=Decimal("1"), currency="USD"
        )
        queue_trade_refresh([(flow.reporter_id, flow.partner_id)])

    assert TradeFlow.objects.filter(pk=flow.pk).exists()
    gap = RefreshRun.objects.get()
    assert gap.status == RefreshRun.Status.FAILED
    assert gap.error.startswith("Not queued: the task broker was unreachable (OperationalError: Error 111")
    assert "nightly refresh" in gap.error
    tasks.send_trade_refresh([(ken, rwa)])
    assert sent.call_count == 2, "the coalescing key was released: the next change tries again"


def test_an_admin_save_succeeds_with_the_broker_down(admin_client, reference, sent, django_capture_on_commit_callbacks):  # noqa: F811
    sent.side_effect = BrokerOperationalError("Connection refused")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ADD_MOU, kpa_mou_post(reference))

    assert response.status_code == 302
    assert Agreement.objects.count() == 1
    assert RefreshRun.objects.get().error.startswith("Not queued")


def test_without_a_broker_the_refresh_runs_in_process_at_commit(db, django_capture_on_commit_callbacks):
    ken, rwa = ids("KEN", "RWA")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        TradeFlow.objects.create(reporter_id=ken, partner_id=rwa, year=2024, flow="exports", value=Decimal("7"))
        queue_trade_refresh([(ken, rwa)])
        assert not PairYearStatistic.objects.exists()

    assert PairYearStatistic.objects.get().year == 2024
    assert RefreshRun.objects.get().status == RefreshRun.Status.SUCCEEDED


@pytest.fixture
def ken_rwa_trade(db):
    ken, rwa = ids("KEN", "RWA")
    for exporter, importer in ((ken, rwa), (rwa, ken)):
        TradeFlow.objects.create(reporter_id=exporter, partner_id=importer, year=2026, flow="exports", value=1)
    tasks.refresh_trade_statistics([(ken, rwa)])
    return PairYearStatistic.objects.get(year=2026)


def test_publishing_an_agreement_in_the_admin_updates_the_pairs_figures(
    admin_client,
    reference,  # noqa: F811
    ken_rwa_trade,
    django_capture_on_commit_callbacks,
):
    assert ken_rwa_trade.agreements_in_force == 0
    data = kpa_mou_post(reference, status="in_force", in_force_on="2026-02-01", _publish="Save and publish")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ADD_MOU, data)

    assert response.status_code == 302
    ken_rwa_trade.refresh_from_db()
    assert ken_rwa_trade.agreements_in_force == 1


def test_deleting_an_agreement_in_the_admin_updates_the_pairs_figures(
    admin_client,
    reference,  # noqa: F811
    ken_rwa_trade,
    django_capture_on_commit_callbacks,
):
    data = kpa_mou_post(reference, status="in_force", in_force_on="2026-02-01", _publish="Save and publish")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(ADD_MOU, data)
    mou = Agreement.objects.get()
    ken_rwa_trade.refresh_from_db()
    assert ken_rwa_trade.agreements_in_force == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:agreements_memorandum_delete", args=[mou.pk]), {"post": "yes"})

    assert response.status_code == 302 and not Agreement.objects.exists()
    ken_rwa_trade.refresh_from_db()
    assert ken_rwa_trade.agreements_in_force == 0


def test_the_admin_delete_hook_updates_the_pairs_figures(
    admin_user, rf, ken_rwa_trade, django_capture_on_commit_callbacks
):
    ken, rwa = ids("KEN", "RWA")
    mou = AgreementFactory(
        is_published=True, status="in_force", signed_on=dt.date(2026, 1, 22), in_force_on=dt.date(2026, 2, 1)
    )
    for country_id in (ken, rwa):
        PartyFactory(agreement=mou, country_id=country_id)
    tasks.refresh_trade_statistics([(ken, rwa)])
    ken_rwa_trade.refresh_from_db()
    assert ken_rwa_trade.agreements_in_force == 1
    request = rf.post("/")
    request.user = admin_user

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        admin.site._registry[Agreement].delete_model(request, mou)

    ken_rwa_trade.refresh_from_db()
    assert ken_rwa_trade.agreements_in_force == 0


def test_a_removed_party_s_pairs_are_refreshed_too(db, sent, django_capture_on_commit_callbacks):
    ken, rwa, tza = ids("KEN", "RWA", "TZA")
    agreement = AgreementFactory(
        is_published=True, status="in_force", signed_on=dt.date(2019, 1, 1), in_force_on=dt.date(2020, 1, 1)
    )
    for country_id in (ken, rwa, tza):
        PartyFactory(agreement=agreement, country_id=country_id)
    with (
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
        trade_refresh_for_agreement(agreement.pk),
    ):
        agreement.parties.filter(country_id=tza).delete()

    pairs = sorted([sorted([ken, rwa]), sorted([ken, tza]), sorted([rwa, tza])])
    assert queued_scopes(sent) == [pairs]


def test_the_task_retries_transient_errors_only(db, monkeypatch):
    calls = []

    def flaky(pairs):
        calls.append(pairs)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return SimpleNamespace(
            pk=7, status="succeeded", rows_written=3, kind="trade", scope="KEN-RWA", started_at=timezone.now()
        )

    monkeypatch.setattr(tasks, "refresh_trade_statistics", flaky)
    result = refresh_trade_statistics_task.apply(args=[[[1, 2]]], throw=False)  # as a worker runs it
    assert result.get() == {"run": 7, "status": "succeeded", "rows_written": 3}
    assert calls == [[(1, 2)], [(1, 2)]]

    def broken(pairs):
        calls.append(pairs)
        raise IntegrityError("a bug, not bad luck")

    calls.clear()
    monkeypatch.setattr(tasks, "refresh_trade_statistics", broken)
    with pytest.raises(IntegrityError):
        refresh_trade_statistics_task.apply(args=[None])
    assert calls == [None], "not retried"


def test_the_task_is_bounded_and_acknowledged_late():
    task = refresh_trade_statistics_task
    assert task.max_retries == 5 and task.retry_backoff and task.acks_late
    assert 0 < task.soft_time_limit < task.time_limit
    assert OperationalError in task.autoretry_for and BrokerOperationalError in task.autoretry_for
    assert not any(issubclass(IntegrityError, kind) for kind in task.autoretry_for)


def test_the_full_refresh_runs_nightly():
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-trade-statistics"]
    assert entry["task"] == refresh_trade_statistics_task.name
    assert entry["schedule"] == crontab(hour=2, minute=15)


# --- faults: the cache down, runs that lost their worker, gaps caught up ------------------------


class DownCache:
    """A cache whose server is unreachable (Redis stopped)."""

    def __getattr__(self, name):
        def unreachable(*args, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        return unreachable


def test_with_the_cache_down_the_refresh_is_still_sent(db, sent, monkeypatch):
    monkeypatch.setattr(refresh, "cache", DownCache())
    ken, rwa = ids("KEN", "RWA")

    tasks.send_trade_refresh([(ken, rwa)])
    tasks.send_trade_refresh([(ken, rwa)])

    assert sent.call_count == 2, "not coalesced, but never dropped"


def test_with_the_cache_and_the_broker_down_the_gap_is_recorded(db, sent, monkeypatch):
    monkeypatch.setattr(refresh, "cache", DownCache())
    sent.side_effect = BrokerOperationalError("Connection refused")
    ken, rwa = ids("KEN", "RWA")

    tasks.send_trade_refresh([(ken, rwa)])

    assert RefreshRun.objects.get().error.startswith("Not queued: the task broker was unreachable")


def test_catch_up_does_nothing_without_a_gap(db, sent):
    RefreshRun.objects.create(scope="KEN-RWA", status=RefreshRun.Status.SUCCEEDED)
    RefreshRun.objects.create(scope="all", status=RefreshRun.Status.FAILED, error="ValueError: a bug")

    assert tasks.catch_up_trade_refresh() == "no gap"
    sent.assert_not_called()


def test_catch_up_queues_one_full_refresh_for_what_was_not_queued(db, sent):
    sent.side_effect = [BrokerOperationalError("Connection refused"), None]
    ken, rwa = ids("KEN", "RWA")
    tasks.send_trade_refresh([(ken, rwa)])  # Redis down: recorded, not queued
    backdate(RefreshRun.objects.get(), minutes=3)

    assert tasks.catch_up_trade_refresh().startswith("queued a full refresh")  # Redis back
    assert queued_scopes(sent)[-1] is None

    # Once a full refresh that started after the gap is running or done, nothing more is queued.
    cache.clear()
    full = RefreshRun.objects.create(scope="all", status=RefreshRun.Status.RUNNING)
    assert tasks.catch_up_trade_refresh() == "covered"
    full.status = RefreshRun.Status.SUCCEEDED
    full.save()
    assert tasks.catch_up_trade_refresh() == "covered"
    assert sent.call_count == 2


def test_catch_up_closes_abandoned_runs_and_covers_them(db, sent):
    lost = backdate(RefreshRun.objects.create(scope="KEN-RWA"), seconds=tasks.REFRESH_TIME_LIMIT + 120)
    recent = RefreshRun.objects.create(scope="RWA-TZA")  # may still be working

    assert tasks.catch_up_trade_refresh() == "queued a full refresh (1 abandoned run(s) closed)"

    lost.refresh_from_db()
    assert lost.status == RefreshRun.Status.FAILED and lost.error.startswith("Abandoned:")
    recent.refresh_from_db()
    assert recent.status == RefreshRun.Status.RUNNING
    assert queued_scopes(sent) == [None]


def test_a_successful_run_closes_the_interrupted_run_of_its_scope(db):
    ken, rwa = ids("KEN", "RWA")
    TradeFlow.objects.create(reporter_id=ken, partner_id=rwa, year=2024, flow="exports", value=Decimal("5"))
    killed = backdate(RefreshRun.objects.create(scope="KEN-RWA"), minutes=2)  # its worker was SIGKILLed
    other = backdate(RefreshRun.objects.create(scope="KEN-TZA"), minutes=2)

    result = refresh_trade_statistics_task.apply(args=[[[ken, rwa]]]).get()

    killed.refresh_from_db()
    assert killed.status == RefreshRun.Status.FAILED
    assert killed.error.startswith("Interrupted:") and f"Run #{result['run']} redid it" in killed.error
    other.refresh_from_db()
    assert other.status == RefreshRun.Status.RUNNING, "another scope: not this run's business"
    assert PairYearStatistic.objects.get().year == 2024


def test_the_catch_up_runs_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["catch-up-trade-refresh"]
    assert entry["task"] == tasks.catch_up_trade_refresh.name
    assert entry["schedule"] == crontab(minute="*/5")
