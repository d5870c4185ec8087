"""The agreements app's fixtures serve the trade statistics' tests too, and the figures
worked out by hand serve every trade test module."""

from unittest import mock

import pytest

from agreements.tests.conftest import refresh  # noqa: F401 (a fixture)
from agreements.trade.tests.page_helpers import pair  # noqa: F401 (a fixture)
from agreements.trade.tests.refresh_helpers import figures, regional_trade  # noqa: F401 (fixtures)


@pytest.fixture
def queued(monkeypatch):
    """The trade refresh tasks sent to the broker (apply_async replaced by a mock), the cache emptied
    so no coalescing window of another test hides a send."""
    from django.core.cache import cache

    from agreements.tasks import refresh_trade_statistics_task

    cache.clear()
    conf = refresh_trade_statistics_task.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = False  # (monkeypatch cannot restore a Celery setting)
    send = mock.Mock()
    monkeypatch.setattr(refresh_trade_statistics_task, "apply_async", send)
    yield send
    conf.task_always_eager = eager
    cache.clear()
