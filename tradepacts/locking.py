"""Taking a lock: the one helper every refresh and import uses.

A lock has a name ("corridors", "trade:all", "trade:12-40"). On PostgreSQL it
is a transaction-level advisory lock (``hold``): taken inside the caller's
transaction, exclusive or shared, released when that transaction ends, and
waited for at most ``wait_seconds`` (``lock_timeout``): then the database
raises, so a task fails and retries rather than hanging. Several names are
taken in one order everywhere (by key), so two holders never wait for each
other in a circle.

Elsewhere (SQLite: one writer anyway) ``cache_lock`` serialises the work with
an atomic ``cache.add``, taken before the transaction begins and released after
it ends. ``single_flight`` is both around one transaction: what a whole
refresh needs.

A second run *waits* rather than skipping: a skipped run could lose a change
committed after the running one took its snapshot.

``take_slot`` is the shared kind: at most N holders at once across every process
(the CSV exports of one client), refusing the next rather than making it wait.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction

from tradepacts.db import transaction_settings

logger = logging.getLogger(__name__)

LOCK_WAIT_SECONDS = 300


def lock_key(name: str) -> int:
    """A stable signed 64-bit PostgreSQL advisory lock key for a lock name."""
    digest = hashlib.blake2b(f"tradepacts:refresh:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def hold(*names: str, shared: bool = False, wait_seconds: float | None = None) -> None:
    """PostgreSQL, inside a transaction: take the locks ``names`` until it ends. Elsewhere nothing."""
    if connection.vendor != "postgresql" or not names:
        return
    wait = LOCK_WAIT_SECONDS if wait_seconds is None else wait_seconds
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor, transaction_settings(cursor, {"lock_timeout": f"{int(wait * 1000)}ms"}):
        for key in sorted({lock_key(name) for name in names}):
            cursor.execute(f"SELECT {function}(%s)", [key])


@contextmanager
def cache_lock(name: str, wait_seconds: float | None = None) -> Iterator[None]:
    """Not PostgreSQL: a cache lock taken before the transaction begins and released after it ends."""
    if connection.vendor == "postgresql":
        yield
        return
    wait = LOCK_WAIT_SECONDS if wait_seconds is None else wait_seconds
    key, token = f"refresh-lock:{name}", uuid.uuid4().hex
    deadline = time.monotonic() + wait
    while not cache.add(key, token, timeout=max(1, int(wait * 2))):
        if time.monotonic() > deadline:
            raise TimeoutError(f"another {name} refresh held the lock for more than {wait} s")
        time.sleep(0.05)
    try:
        yield
    finally:
        if cache.get(key) == token:
            cache.delete(key)


@contextmanager
def single_flight(name: str, wait_seconds: float | None = None) -> Iterator[None]:
    """One transaction in which no other holder of lock ``name`` runs (waits up to LOCK_WAIT_SECONDS)."""
    wait = LOCK_WAIT_SECONDS if wait_seconds is None else wait_seconds
    with cache_lock(name, wait), transaction.atomic():
        hold(name, wait_seconds=wait)
        yield


@dataclass
class Slot:
    """One of a limited number of places (``take_slot``); ``release()`` frees it."""

    key: str
    token: str

    def release(self) -> None:
        if not self.key:
            return
        try:
            if cache.get(self.key) == self.token:
                cache.delete(self.key)
        except Exception as error:  # the cache is down: the slot expires by itself
            logger.warning("Could not release %s: %s", self.key, error)
        self.key = ""


def take_slot(name: str, limit: int, seconds: int) -> Slot | None:
    """One of ``limit`` places for ``name`` (``export:203.0.113.9``), shared by every process
    through the cache (an atomic ``cache.add`` per place), or None when all are taken. A
    holder that dies without releasing its place loses it after ``seconds``. With the cache
    down nobody is refused: the place is not counted (and a warning logged)."""
    token = uuid.uuid4().hex
    try:
        for n in range(limit):
            key = f"slot:{name}:{n}"
            if cache.add(key, token, timeout=seconds):
                return Slot(key, token)
    except Exception as error:
        logger.warning("Cache unreachable, %s not limited: %s", name, error)
        return Slot("", token)
    return None


def wait_for_slot(name: str, limit: int, seconds: int, wait_seconds: float, poll: float = 0.1) -> Slot | None:
    """``take_slot``, waiting up to ``wait_seconds`` for a place to free: a queue, in the
    order the cache happens to grant places, not a fair one."""
    deadline = time.monotonic() + wait_seconds
    while (slot := take_slot(name, limit, seconds)) is None:
        if time.monotonic() >= deadline:
            return None
        time.sleep(poll)
    return slot
