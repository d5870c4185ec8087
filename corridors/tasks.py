"""Celery tasks of the corridors app: the corridor statistics refresh.

Queue it with ``queue_corridor_refresh()``, never by calling the task: like the
trade refresh (agreements.tasks) it waits for the commit and coalesces, through
agreements.runs: every call in one transaction joins one batch, sent once on
commit (a rollback sends nothing); across transactions, one task is pending at
a time (COALESCE_SECONDS). Without a broker it runs in-process at commit.
Every run is a full one: shares span all corridors. A refresh that could not
be queued (broker down) or lost its worker is made up for by
``catch_up_corridor_refresh`` (beat, every five minutes).

An agreement's dates move the before/after figures of the corridors it
concerns: ``queue_corridor_refresh(agreements=[pk])`` asks for a refresh only
if the agreement concerns a corridor, and looks that up at commit, so saving
an agreement costs no query and queues nothing when it concerns none.
"""

from __future__ import annotations

from collections.abc import Iterable

from celery import shared_task

from agreements.runs import OnCommitBatch, catch_up, send_coalesced
from agreements.tasks import CATCH_UP_TASK_OPTIONS, REFRESH_TASK_OPTIONS, REFRESH_TIME_LIMIT
from corridors.stats import KIND, refresh_corridor_statistics

QUEUED_KEY = "corridor-refresh-queued:all"


@shared_task(**REFRESH_TASK_OPTIONS)
def refresh_corridor_statistics_task() -> dict:
    """Refresh every derived corridor figure."""
    run = refresh_corridor_statistics()
    return {"run": run.pk, "status": run.status, "rows_written": run.rows_written}


class CorridorBatch(OnCommitBatch):
    """This transaction's request: a refresh for sure, or only if one of some agreements concerns a corridor."""

    def __init__(self) -> None:
        super().__init__()
        self.needed = False
        self.agreements: set[int] = set()

    def send(self) -> None:
        if not self.needed and not concerns_a_corridor(self.agreements):
            return
        send_corridor_refresh()


# Up to this many agreements are looked up by id; a registry import's thousands are compared with
# every agreement a corridor concerns (a short list) instead of going into one long IN (...).
IN_LIST_LIMIT = 500


def concerns_a_corridor(agreement_ids: set[int]) -> bool:
    """Whether any of these agreements concerns a corridor. One query."""
    from corridors.models import CorridorAgreement

    links = CorridorAgreement.objects.order_by()
    if len(agreement_ids) <= IN_LIST_LIMIT:
        return links.filter(agreement_id__in=agreement_ids).exists()
    return not agreement_ids.isdisjoint(links.values_list("agreement_id", flat=True))


def send_corridor_refresh() -> None:
    send_coalesced(refresh_corridor_statistics_task, key=QUEUED_KEY, kind=KIND, scope="all")


@shared_task(**CATCH_UP_TASK_OPTIONS)
def catch_up_corridor_refresh() -> str:
    """Queue one corridor refresh if a change was not queued or a run was abandoned
    (agreements.runs.catch_up), as catch_up_trade_refresh does for trade."""
    return catch_up(KIND, REFRESH_TIME_LIMIT, send_corridor_refresh)


def queue_corridor_refresh(*, agreements: Iterable[int | None] | None = None, using: str | None = None) -> None:
    """Refresh the corridor statistics after the current transaction commits (at once outside one).

    With ``agreements``: only if one of them concerns a corridor (checked at commit).
    """
    ids = None if agreements is None else {pk for pk in agreements if pk is not None}
    if ids == set():
        return
    batch = CorridorBatch.for_transaction(using)
    assert isinstance(batch, CorridorBatch)
    fresh = not batch.needed and not batch.agreements
    if ids is None:
        batch.needed = True
    else:
        batch.agreements |= ids
    if fresh:
        batch.register(using)
