"""Celery tasks of the agreements app: thin wrappers around services.

Queue trade refreshes with ``queue_trade_refresh(pairs)``, never by calling the
task directly: it waits for the commit, and coalesces, through the machinery
the corridor refresh shares (agreements.runs):

- Per transaction: every call inside one transaction adds its pairs to one
  batch, sent once on commit. A thousand saves in an import queue one task;
  a rollback queues nothing.
- Across transactions: a batch that reaches the broker sets the cache key
  ``trade-refresh-queued:<scope>`` for refresh.COALESCE_SECONDS and queues its task with
  that countdown. Any other batch of the same scope committed meanwhile is
  dropped: the queued task only starts once the key has expired, so it reads
  every change committed before then. This works with a per-process cache
  too (nothing needs to clear the key). While a full refresh is pending, pair
  batches are dropped as well: it covers them.
- Too many pairs (more than MAX_PAIRS) become one full refresh.
- Broker down: the commit has happened and the change is saved (within about
  a second: the publish gives up quickly); the batch is not queued. It is
  logged as an error and recorded as a FAILED RefreshRun ("Not queued: ..."),
  which staff see in the admin. Once the broker answers again, the next
  ``catch_up_trade_refresh`` (every few minutes, from beat) queues one full
  refresh that covers every gap; the nightly full refresh would too.
- The cache (coalescing keys) down as well: nothing is coalesced, every batch
  is sent (or recorded as not queued).
- A worker killed mid-refresh: the refresh's transaction dies with it, so the
  figures stay as they were; its RefreshRun stays "running". The message was
  not acknowledged (acks_late), so the broker hands it to a worker again (at
  once when only the pool process died, after CELERY_VISIBILITY_TIMEOUT when the
  whole worker did). A later run that succeeds for the same scope marks the
  interrupted run FAILED ("Interrupted: ..."); ``catch_up_trade_refresh`` marks
  a trade run "running" for longer than the task's hard time limit FAILED
  ("Abandoned: ...") and queues a full refresh to cover it (corridors.tasks has
  its own catch-up, the same way).
- Without a broker (CELERY_TASK_ALWAYS_EAGER) the refresh runs in-process at
  commit, and only the per-transaction batching applies.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypedDict

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

from agreements.models import RefreshRun
from agreements.runs import OnCommitBatch, catch_up, close_running, send_coalesced
from agreements.trade.refresh import Pair, agreement_pairs, describe_scope, normalise_pairs, refresh_trade_statistics

logger = logging.getLogger(__name__)

MAX_PAIRS = 1000
# How RefreshRun.error begins for a run a later one redid.
INTERRUPTED = "Interrupted"
# The refresh task's hard time limit: a run "running" for longer has lost its worker.
REFRESH_TIME_LIMIT = 20 * 60

try:  # the Redis transport's own errors, when it is installed (celery[redis])
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    REDIS_ERRORS: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover
    REDIS_ERRORS = ()

# Worth another try: the database or the broker was briefly unreachable, a lock
# wait timed out, a deadlock or serialisation failure. Never a bug or bad data.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    BrokerOperationalError,
    ConnectionError,
    *REDIS_ERRORS,
)


class TaskOptions(TypedDict, total=False):
    """The options of ``shared_task`` these tasks set, typed so ``**options`` checks against it."""

    autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: bool
    retry_backoff_max: int
    retry_jitter: bool
    max_retries: int
    soft_time_limit: int
    time_limit: int
    acks_late: bool


# Every statistics refresh task (trade here, corridors.tasks): retried with backoff
# on transient errors only, time-limited (the catch-ups count on the
# hard limit), acknowledged only once done so a lost worker's run is redelivered.
REFRESH_TASK_OPTIONS: TaskOptions = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "soft_time_limit": 15 * 60,
    "time_limit": REFRESH_TIME_LIMIT,
    "acks_late": True,
}
# The catch-ups (here, corridors.tasks): a few quick queries, retried briefly. Their soft
# limit too: the global default (CELERY_TASK_SOFT_TIME_LIMIT, 25 min) above a 60 s hard
# limit made the broker path refuse them, so beat never ran them.
CATCH_UP_TASK_OPTIONS: TaskOptions = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "max_retries": 3,
    "soft_time_limit": 50,
    "time_limit": 60,
    "acks_late": True,
}


@shared_task(**REFRESH_TASK_OPTIONS)
def refresh_trade_statistics_task(pairs: list[list[int]] | None = None) -> dict:
    """Refresh the trade statistics of ``pairs`` ([[country id, country id], ...]; None: all)."""
    run = refresh_trade_statistics(None if pairs is None else [(a, b) for a, b in pairs])
    if run.status == RefreshRun.Status.SUCCEEDED:
        close_interrupted_runs(run)
    return {"run": run.pk, "status": run.status, "rows_written": run.rows_written}


def close_interrupted_runs(done: RefreshRun) -> int:
    """Mark FAILED the runs of the same scope still "running" that started before ``done``.

    Runs of one scope are serialised by the refresh's lock, so one that started
    earlier and is still "running" after ``done`` succeeded lost its worker
    (killed, out of memory) mid-way: its transaction rolled back and ``done``
    covered its work. (If it was merely still waiting for the lock, it records
    its own ending when it finishes, over this mark.)
    """
    return close_running(
        RefreshRun.objects.filter(kind=done.kind, scope=done.scope, started_at__lt=done.started_at),
        RefreshRun.Failure.INTERRUPTED,
        f"{INTERRUPTED}: its worker stopped before it finished; nothing of it was written. Run #{done.pk} redid it.",
    )


@shared_task(**CATCH_UP_TASK_OPTIONS)
def catch_up_trade_refresh() -> str:
    """Queue one full trade refresh if a change was not queued or a run was abandoned
    (agreements.runs.catch_up)."""
    return catch_up("trade", REFRESH_TIME_LIMIT, lambda: send_trade_refresh(None))


def queue_trade_refresh(pairs: Iterable[Iterable[int | None]] | None = None, *, using: str | None = None) -> None:
    """Refresh the trade statistics of ``pairs`` after the current transaction commits.

    ``pairs``: (country id, country id) in either order, e.g.
    ``[(flow.reporter_id, flow.partner_id) for flow in flows]`` (pairs with the
    World, None, are ignored); None refreshes everything (after an
    exchange-rate import, say). Outside a transaction the task is queued at once.
    """
    batch = TradeBatch.for_transaction(using)
    assert isinstance(batch, TradeBatch)
    fresh = batch.pairs == set()
    batch.add(pairs)
    if fresh:
        batch.register(using)  # sends at commit, at once outside a transaction


@contextmanager
def trade_refresh_for_agreement(agreement_id: int | None, *, using: str | None = None) -> Iterator[None]:
    """Around a change to an agreement or its parties: queue a refresh of every pair
    of its parties before and after (a removed party's pairs count it no more)."""
    before = agreement_pairs(agreement_id)
    yield
    queue_trade_refresh(before | agreement_pairs(agreement_id), using=using)


class TradeBatch(OnCommitBatch):
    """The pairs queued during one transaction; sent once, on commit."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: set[Pair] | None = set()  # None: everything

    def add(self, pairs: Iterable[Iterable[int | None]] | None) -> None:
        if self.pairs is None:
            return
        if pairs is None:
            self.pairs = None
            return
        self.pairs.update(normalise_pairs(pairs))
        if len(self.pairs) > MAX_PAIRS:
            self.pairs = None

    def send(self) -> None:
        scope = None if self.pairs is None else sorted(self.pairs)
        if scope != []:
            send_trade_refresh(scope)


def scope_key(scope: list[Pair] | None) -> str:
    if scope is None:
        return "trade-refresh-queued:all"
    digest = hashlib.blake2b(repr(scope).encode(), digest_size=12).hexdigest()
    return f"trade-refresh-queued:pairs:{digest}"


def send_trade_refresh(scope: list[Pair] | None) -> None:
    """Queue one refresh task for ``scope`` unless an equivalent one, or a full one, is already pending."""
    send_coalesced(
        refresh_trade_statistics_task,
        key=scope_key(scope),
        kind="trade",
        scope=describe_scope(scope),
        args=[None if scope is None else [list(pair) for pair in scope]],
        covered_by=scope_key(None),
    )
