"""The machinery every derived-statistics refresh shares, in the shape the trade
refresh (agreements.trade.refresh, agreements.tasks) established, made generic for the
corridor refresh (corridors.stats, corridors.tasks):

- ``recorded_run(kind, scope, work)``: a RefreshRun per run, committed even
  when the work fails (it is written outside the work's transaction).
- The work runs in one transaction holding the refresh's lock
  (tradepacts.locking: ``single_flight(name)``, or ``hold`` for several).
- ``OnCommitBatch``: every request to refresh during one transaction joins one
  batch, sent once on commit; a rollback sends nothing (public API only:
  ``transaction.on_commit`` and a weak reference, no private hook list).
- ``send_coalesced(task, key, ...)``: across transactions, a batch that reaches
  the broker sets ``key`` for COALESCE_SECONDS and queues the task with that
  countdown; other batches meanwhile are dropped (the queued task starts after
  they committed, and reads them). Without a broker the task runs in-process at
  once. Broker down: the change stays saved, the gap is logged and recorded as
  a FAILED RefreshRun ("Not queued: ..."), and the catch-up fills it.
- ``catch_up(kind, time_limit, send_full)``: run by beat every few minutes per
  kind; closes the kind's runs abandoned by a lost worker and, if a gap has no
  full refresh after it, sends one.
- A run's state is its ``status`` and, when FAILED, its ``failure`` (error, not
  queued, interrupted, abandoned); both change only by compare-and-set updates
  (``finish``, ``close_running``), so a late worker and a catch-up never
  overwrite each other's record.

The trade refresh (agreements.trade.refresh) records its runs here too, and
locks one name per pair with a full refresh's name shared (tradepacts.locking).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import weakref
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from agreements.models import RefreshRun

logger = logging.getLogger(__name__)

COALESCE_SECONDS = 10


def recorded_run(kind: str, scope: str, work: Callable[[], int]) -> RefreshRun:
    """Run ``work`` (which returns how many rows it wrote) and record it as a RefreshRun.

    Raises whatever made the work fail, after recording it on the run.
    """
    run = RefreshRun.objects.create(kind=kind, scope=scope)
    started = time.monotonic()
    try:
        written = work()
    except BaseException as error:
        finish(
            run,
            RefreshRun.Status.FAILED,
            failure=RefreshRun.Failure.ERROR,
            error=f"{type(error).__name__}: {error}"[:4000],
        )
        raise
    finish(run, RefreshRun.Status.SUCCEEDED, rows_written=written)
    logger.info(
        "%s refresh #%s (%s): %s rows written in %.2f s", kind, run.pk, scope, written, time.monotonic() - started
    )
    return run


# A run's ending as others guessed it (its worker seemed lost): the run's own ending wins over these.
GUESSED_ENDINGS = [RefreshRun.Failure.INTERRUPTED, RefreshRun.Failure.ABANDONED]


def finish(run: RefreshRun, status: str, *, rows_written: int = 0, failure: str = "", error: str = "") -> None:
    """Record how ``run`` ended: compare-and-set, over RUNNING or a guessed ending only, never
    over an ending the run recorded itself."""
    run.status, run.failure, run.rows_written, run.error = status, failure, rows_written, error
    run.finished_at = timezone.now()
    try:
        RefreshRun.objects.filter(
            Q(status=RefreshRun.Status.RUNNING) | Q(failure__in=GUESSED_ENDINGS), pk=run.pk
        ).update(status=status, failure=failure, rows_written=rows_written, error=error, finished_at=run.finished_at)
    except Exception:  # the database itself may be what failed: keep the original error
        logger.exception("Could not record the end of %s refresh #%s (%s)", run.kind, run.pk, status)


def close_running(runs: QuerySet[RefreshRun], failure: str, error: str) -> int:
    """Mark FAILED, compare-and-set, those of ``runs`` still RUNNING: their worker was lost."""
    return runs.filter(status=RefreshRun.Status.RUNNING).update(
        status=RefreshRun.Status.FAILED, failure=failure, finished_at=timezone.now(), error=error
    )


# This thread's pending batches, (class, database alias) -> a weak reference. Only
# transaction.on_commit holds a batch strongly: when a rollback discards the
# callback, the batch is freed and its weak reference dies with it, so the next
# transaction starts a batch of its own (connections are per thread, so is this).
_pending = threading.local()


def _batches() -> dict[tuple[type, str], weakref.ref]:
    if not hasattr(_pending, "batches"):
        _pending.batches = {}
    return _pending.batches


class OnCommitBatch:
    """The requests of one transaction, sent once on commit by ``send()``.

    Subclasses add what they collect (``add``) and how to send it. Use
    ``for_transaction()`` to find or start the current transaction's batch.
    Only public API: ``transaction.on_commit`` keeps the batch alive until the
    commit runs it or a rollback drops it; this module keeps a weak reference.
    A batch must hold no reference to itself (no cycle), so that it is freed
    the moment a rollback drops it.
    """

    def __init__(self) -> None:
        self.sent = False

    @classmethod
    def for_transaction(cls, using: str | None = None) -> OnCommitBatch:
        """This transaction's pending batch of this class, or a new one registered
        for its commit (outside a transaction: run as soon as the caller adds to it
        and returns; ``on_commit`` runs it immediately)."""
        conn = transaction.get_connection(using)
        if conn.in_atomic_block:
            reference = _batches().get((cls, conn.alias))
            batch = reference() if reference else None
            if batch is not None and not batch.sent:
                return batch
        return cls()

    def register(self, using: str | None = None) -> None:
        """Call once, after the first ``add``: sends at commit (at once outside a transaction)."""
        conn = transaction.get_connection(using)
        if conn.in_atomic_block:
            _batches()[(type(self), conn.alias)] = weakref.ref(self)
        transaction.on_commit(self, using=using)

    def __call__(self) -> None:
        self.sent = True
        try:
            self.send()
        except Exception:  # after the commit: the change is saved whatever happens here
            logger.exception("Could not queue %s", type(self).__name__)

    def send(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def send_coalesced(
    task: Any, *, key: str, kind: str, scope: str, args: list | None = None, covered_by: str | None = None
) -> None:
    """Queue ``task`` unless one for the same ``key`` (or the broader ``covered_by``) is
    already pending (see the module doc)."""
    args = args or []
    if task.app.conf.task_always_eager:
        # In-process: run now, so coalescing across transactions would only lose changes.
        try:
            task.apply(args=args)
        except Exception:  # the save that queued it has committed: never fail it
            logger.exception("The in-process %s refresh failed (recorded as a RefreshRun)", kind)
        return
    try:
        if covered_by and cache.get(covered_by):
            return  # a broader refresh is pending: it covers this one
        if not cache.add(key, 1, timeout=COALESCE_SECONDS):
            return  # the same refresh is pending and will read this change
    except Exception as error:  # the cache is down: send uncoalesced rather than lose the change
        logger.warning("%s refresh not coalesced, the cache is unreachable: %s", kind, error)
        key = ""
    try:
        task.apply_async(
            args=args,
            countdown=COALESCE_SECONDS + 1,
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1},
        )
    except Exception as error:  # the broker is unreachable: the change is saved, the figures wait
        if key:
            with suppress(Exception):  # if the cache is down too, the key expires by itself
                cache.delete(key)
        record_not_queued(kind, scope, error)


NOT_QUEUED = "Not queued"


def record_not_queued(kind: str, scope: str, error: Exception) -> None:
    message = (
        f"{NOT_QUEUED}: the task broker was unreachable ({type(error).__name__}: {error}). "
        "A full refresh is queued within minutes of the broker answering again (catch_up, from beat), "
        "and the nightly refresh brings these figures up to date anyway."
    )
    logger.error("%s refresh of %s %s", kind, scope, message)
    try:
        RefreshRun.objects.create(
            kind=kind,
            scope=scope,
            status=RefreshRun.Status.FAILED,
            failure=RefreshRun.Failure.NOT_QUEUED,
            error=message[:4000],
        )
    except DatabaseError:
        logger.exception("Could not record the %s refresh that was not queued", kind)


ABANDONED = "Abandoned"


def catch_up(kind: str, time_limit: int, send_full: Callable[[], None]) -> str:
    """Fill the gaps of one kind of refresh: queue one full refresh (``send_full``) if a
    change since the last full one was not queued (broker down) or its run was abandoned.

    A run still "running" ``time_limit`` seconds (its task's hard limit) after it
    started lost its worker: it is marked FAILED ("Abandoned: ...") first. Run by
    beat every few minutes, so a refresh that could not be queued while Redis was
    down is queued within minutes of Redis coming back. Idempotent: once a full
    refresh that started after the last gap has succeeded, or while one is
    running, it does nothing.
    """
    abandoned = close_running(
        RefreshRun.objects.filter(kind=kind, started_at__lt=timezone.now() - dt.timedelta(seconds=time_limit + 60)),
        RefreshRun.Failure.ABANDONED,
        f"{ABANDONED}: still running after the task's time limit; its worker was lost. "
        "Nothing of it was written; a full refresh covers it.",
    )
    gaps = RefreshRun.objects.filter(
        kind=kind, failure__in=[RefreshRun.Failure.NOT_QUEUED, RefreshRun.Failure.ABANDONED]
    )
    last_gap = gaps.order_by("-started_at").values_list("started_at", flat=True).first()
    if last_gap is None:
        return "no gap"
    full_runs = RefreshRun.objects.filter(kind=kind, scope="all", started_at__gt=last_gap)
    if full_runs.filter(status__in=[RefreshRun.Status.SUCCEEDED, RefreshRun.Status.RUNNING]).exists():
        return "covered"
    send_full()
    return f"queued a full refresh ({abandoned} abandoned run(s) closed)"
