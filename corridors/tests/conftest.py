"""Fixtures several corridor test modules use."""

from unittest import mock

import pytest

from corridors.tasks import refresh_corridor_statistics_task


@pytest.fixture
def sent(monkeypatch):
    """The broker path, with the corridor refresh task's send replaced by a mock."""
    conf = refresh_corridor_statistics_task.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = False  # (monkeypatch cannot restore a Celery setting)
    send = mock.Mock()
    monkeypatch.setattr(refresh_corridor_statistics_task, "apply_async", send)
    yield send
    conf.task_always_eager = eager
