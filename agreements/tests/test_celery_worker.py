"""A real Celery worker, consuming from Redis, runs the trade refresh end to end.

The worker is a separate process on the test database, so the test commits its
data (a transactional test) and the database must be reachable from another
process: PostgreSQL (SQLite's test database lives in this process's memory).
Redis must answer on 127.0.0.1:6379; the test uses database 15 and a queue of
its own. Without Redis the test is skipped, except under CI=true, where it fails.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.db import connection, transaction

from agreements.models import Agreement, Country, ExchangeRate, PairYearStatistic, RefreshRun, TradeFlow
from agreements.tests.factories import bilateral
from conftest import IN_CI

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as error:
        message = f"needs Redis at {REDIS_URL} for a real Celery worker: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


def database_url() -> str:
    """The test database, as the worker's DATABASE_URL."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def worker(redis_url, tmp_path):
    """A worker process on a queue of its own; yields (queue, log file)."""
    queue = f"tradepacts-test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "tradepacts.settings",
        "CONN_MAX_AGE": "0",
    }
    command = [sys.executable, "-m", "celery", "-A", "tradepacts", "worker", "--queues", queue]
    command += ["--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield queue, log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        import redis

        redis.Redis.from_url(redis_url).delete(queue)


def test_a_worker_consuming_from_redis_refreshes_the_statistics(worker):
    queue, log = worker
    ken, rwa = Country.objects.get(iso3="KEN"), Country.objects.get(iso3="RWA")
    with transaction.atomic():  # committed: the worker reads it from its own connection
        ExchangeRate.objects.create(currency="KES", year=2025, units_per_usd=Decimal("130"))
        TradeFlow.objects.create(
            reporter=ken, partner=rwa, year=2025, flow="exports", value=Decimal("65000000000"), currency="KES"
        )
        TradeFlow.objects.create(reporter=ken, partner=rwa, year=2025, flow="imports", value=Decimal("40000000"))
        bilateral(
            "KEN",
            "RWA",
            is_published=True,
            status=Agreement.Status.IN_FORCE,
            signed_on=dt.date(2024, 1, 22),
            in_force_on=dt.date(2024, 2, 1),
        )

    sender = Celery("tradepacts-test-sender", broker=REDIS_URL)
    sender.send_task(
        "agreements.tasks.refresh_trade_statistics_task", args=[[[ken.pk, rwa.pk]]], queue=queue, routing_key=queue
    )

    run = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run = RefreshRun.objects.filter(status__in=["succeeded", "failed"]).first()
        if run:
            break
        time.sleep(0.25)
    assert run is not None, f"no refresh finished within 120 s; worker log:\n{log.read_text()}"
    assert run.status == RefreshRun.Status.SUCCEEDED, run.error
    assert set(run.scope.split("-")) == {"KEN", "RWA"}
    stat = PairYearStatistic.objects.get()
    kenya_exports = stat.a_to_b_usd if stat.country_a_id == ken.pk else stat.b_to_a_usd
    rwanda_exports = stat.b_to_a_usd if stat.country_a_id == ken.pk else stat.a_to_b_usd
    assert kenya_exports == Decimal("500000000.00"), "65 billion shillings at 130 to the dollar"
    assert rwanda_exports == Decimal("40000000.00"), "Rwanda reports no exports: Kenya's imports, mirrored"
    assert stat.total_usd == Decimal("540000000.00")
    assert stat.agreements_in_force == 1
    assert "refresh_trade_statistics_task" in log.read_text() and "succeeded" in log.read_text()
