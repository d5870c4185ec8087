"""Fixtures shared by the agreements app's tests."""

import pytest

from agreements import tasks


@pytest.fixture
def refresh(monkeypatch) -> list[list[tuple[int, int]]]:
    """The pairs each call asks the trade statistics refresh for, instead of refreshing."""
    calls: list[list[tuple[int, int]]] = []
    monkeypatch.setattr(tasks, "queue_trade_refresh", lambda pairs, **kwargs: calls.append(pairs))
    return calls
