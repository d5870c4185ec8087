"""Every periodic job is sent the way beat sends it: ``apply_async`` with the
task's own options, through a real broker (Redis database 15, a queue of its
own, emptied afterwards). Calling the task function directly would miss what
the broker path checks, e.g. a soft time limit above the hard one, which made
beat refuse both catch-ups every five minutes."""

import os
import uuid

import pytest
from django.conf import settings

from conftest import IN_CI
from tradepacts.celery import app

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def broker():
    """The Celery app sending to Redis for real (not in-process), on a queue nobody consumes."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        message = f"needs Redis at {REDIS_URL}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    queue = f"tradepacts-beat-test-{uuid.uuid4().hex[:12]}"
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        with app.connection_for_write(REDIS_URL) as connection:
            yield queue, client, app.amqp.Producer(connection)
    finally:
        app.conf.task_always_eager = eager
        client.delete(queue)


@pytest.mark.parametrize("name", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_beat_entry_is_accepted_by_the_broker_with_its_options(broker, name):
    queue, client, producer = broker
    entry = settings.CELERY_BEAT_SCHEDULE[name]
    task = app.tasks[entry["task"]]

    result = task.apply_async(
        entry.get("args", ()), entry.get("kwargs", {}), producer=producer, queue=queue, **entry.get("options", {})
    )

    assert result.id
    assert client.llen(queue) == 1, "the message reached the queue"


def test_every_task_soft_time_limit_is_below_its_hard_limit():
    """What the broker path checks, for every task of the project, with the global defaults."""
    for name, task in app.tasks.items():
        if not name.startswith(("agreements.", "corridors.")):
            continue
        hard = task.time_limit or app.conf.task_time_limit
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        assert not (hard and soft and soft > hard), f"{name}: soft {soft} s > hard {hard} s"
