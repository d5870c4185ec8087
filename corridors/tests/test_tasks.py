"""Queuing the corridor refresh: on commit only, once per transaction, coalesced
across transactions, never failing a save; nightly by Celery beat."""

import datetime as dt

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerOperationalError

from agreements.models import RefreshRun
from agreements.tasks import REFRESH_TIME_LIMIT
from agreements.tests.factories import backdate, bilateral
from corridors.models import ObservationStatistic
from corridors.tasks import catch_up_corridor_refresh, queue_corridor_refresh, refresh_corridor_statistics_task
from corridors.tests.factories import CorridorAgreementFactory, corridor_through, figure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_many_changes_in_one_transaction_queue_one_refresh_after_commit(sent, django_capture_on_commit_callbacks):
    corridor = corridor_through("KEN", "RWA")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for year in range(2015, 2025):
            figure(corridor, str(year), 1000 + year)  # each save queues, through the signal
        queue_corridor_refresh()
        assert not sent.called, "nothing before the commit"

    assert sent.call_count == 1
    assert sent.call_args.kwargs["countdown"] == 11


def test_a_rollback_queues_nothing(sent, django_capture_on_commit_callbacks):
    corridor = corridor_through("KEN", "RWA")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        figure(corridor, "2024", 1)
        raise RuntimeError
    assert not sent.called


def test_batches_of_other_transactions_coalesce_while_one_is_pending(sent, django_capture_on_commit_callbacks):
    corridor = corridor_through("KEN", "RWA")
    for year in ("2023", "2024"):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            figure(corridor, year, 1)
    assert sent.call_count == 1
    cache.clear()  # the coalescing window passed
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        figure(corridor, "2025", 1)
    assert sent.call_count == 2


def test_saving_an_agreement_queues_a_refresh_only_if_it_concerns_a_corridor(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bilateral("RWA", "KEN", published=True)
    assert not sent.called

    with django_capture_on_commit_callbacks(execute=True):
        corridor = corridor_through("KEN", "RWA")
        agreement = bilateral("RWA", "KEN", published=True)
        CorridorAgreementFactory(corridor=corridor, agreement=agreement)
    assert sent.call_count == 1, "the link itself"
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        agreement.signed_on = dt.date(2025, 1, 1)
        agreement.save()
    assert sent.call_count == 2


def test_with_the_broker_down_the_change_is_saved_and_the_gap_recorded(sent, django_capture_on_commit_callbacks):
    sent.side_effect = BrokerOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    corridor = corridor_through("KEN", "RWA")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        saved = figure(corridor, "2024", 1)

    assert type(saved).objects.filter(pk=saved.pk).exists()
    gap = RefreshRun.objects.get(kind="corridor")
    assert gap.status == RefreshRun.Status.FAILED
    assert gap.error.startswith("Not queued: the task broker was unreachable (OperationalError: Error 111")


def test_without_a_broker_the_refresh_runs_in_process_at_commit(django_capture_on_commit_callbacks):
    corridor = corridor_through("KEN", "RWA")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        figure(corridor, "2024", 1)
        assert not ObservationStatistic.objects.exists()
    assert ObservationStatistic.objects.count() == 1
    assert RefreshRun.objects.get(kind="corridor").status == RefreshRun.Status.SUCCEEDED


def test_the_task_retries_transient_errors_with_time_limits():
    task = refresh_corridor_statistics_task
    assert task.acks_late and task.max_retries == 5 and task.time_limit == 20 * 60 and task.soft_time_limit == 15 * 60
    assert BrokerOperationalError in task.autoretry_for


def test_nightly_beat_entry():
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-corridor-statistics"]
    assert entry["task"] == "corridors.tasks.refresh_corridor_statistics_task"
    assert entry["schedule"] == crontab(hour=2, minute=45)


def test_the_command_refreshes(capsys):
    from django.core.management import call_command

    corridor = corridor_through("KEN", "RWA")
    figure(corridor, "2024", 1)
    call_command("refresh_corridor_statistics")
    assert "1 rows written" in capsys.readouterr().out
    call_command("refresh_corridor_statistics")
    assert "0 rows written" in capsys.readouterr().out


def test_catch_up_queues_one_refresh_for_what_was_not_queued(sent, django_capture_on_commit_callbacks):
    sent.side_effect = [BrokerOperationalError("Connection refused"), None]
    corridor = corridor_through("KEN", "RWA")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        figure(corridor, "2024", 1)  # Redis down: recorded, not queued
    backdate(RefreshRun.objects.get(kind="corridor"), minutes=3)
    RefreshRun.objects.create(kind="trade", scope="all", status=RefreshRun.Status.SUCCEEDED)  # not this kind's

    assert catch_up_corridor_refresh().startswith("queued a full refresh")  # Redis back
    assert sent.call_count == 2

    cache.clear()
    RefreshRun.objects.create(kind="corridor", scope="all", status=RefreshRun.Status.SUCCEEDED)
    assert catch_up_corridor_refresh() == "covered"
    assert sent.call_count == 2


def test_catch_up_closes_an_abandoned_corridor_run_and_covers_it(sent):
    lost = backdate(RefreshRun.objects.create(kind="corridor", scope="all"), seconds=REFRESH_TIME_LIMIT + 120)
    trade = backdate(RefreshRun.objects.create(kind="trade", scope="all"), seconds=REFRESH_TIME_LIMIT + 120)

    assert catch_up_corridor_refresh() == "queued a full refresh (1 abandoned run(s) closed)"

    lost.refresh_from_db()
    assert lost.status == RefreshRun.Status.FAILED and lost.error.startswith("Abandoned:")
    trade.refresh_from_db()
    assert trade.status == RefreshRun.Status.RUNNING, "the trade catch-up's business"
    assert sent.call_count == 1


def test_the_catch_up_runs_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["catch-up-corridor-refresh"]
    assert entry["task"] == catch_up_corridor_refresh.name
    assert entry["schedule"] == crontab(minute="*/5")
