"""The trade refresh on PostgreSQL: the rules of agreements.trade.refresh in SQL.

One statement does a refresh's work: one pass of aggregation over the flows,
the figures, growth and agreements in force, a diff against the stored rows,
then only the changed rows written. It divides with enough scale to round the
exact quotient, so it gives the Python path's figures to the cent.

A full refresh first finds which pair-years can have changed, and recomputes
only those when they are few. The database queues the pair-year of every flow
inserted, updated or deleted, whatever wrote it (triggers, migration 0024: the
ORM, the imports' set-based writes, COPY, plain SQL); a full refresh consumes
that queue, so a night after a few changes reads those pair-years, not every
flow. A change committed while it runs stays queued for the next run.

The queue is trusted while the exchange rates and rules are those every stored
row was computed under (TradeRefreshState.rates_digest: statements.COMMON_DIGEST,
one digest of every rate and of DIGEST_VERSION). Otherwise (a rate or a rule
changed, a refresh of a few pairs ran under other rates, the portable path
wrote rows, a TRUNCATE queued a mark naming no pair-year, the first run) every
flow is compared: each stored row keeps ``inputs_digest``, a 64-bit digest of
what its figures were computed from: every flow of the pair-year (each flow's
digest is a stored generated column, migrations 0012 and 0016), XOR-ed
together, and the rates' digest; one aggregate over every flow and every
stored row (each stored row's digest cancels its flows' and the rest) names the
pair-years whose flows changed, appeared or went, or every pair-year when a rate
changed. A change is then missed only if it leaves a 64-bit digest equal (a
chance of 2^-64).

A second query names the pair-years whose count of agreements in force no
longer matches, run only when the agreements' own digest
(statements.AGREEMENTS_DIGEST) differs from the one the counts were last checked
against or computed from (TradeRefreshState: a refresh of a few pairs under
other agreements forgets it). The year after each recomputed pair-year gets its
growth again, in the same statement (statements.NEXT_YEARS). A derived row
edited or deleted by hand is not found (they are written by the refresh alone);
``rebuild=True`` recomputes every row regardless. When the rules change,
DIGEST_VERSION changes, and every row is recomputed.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from django.db import connection
from django.db.backends.utils import CursorWrapper

from agreements.trade.models import TradeRefreshState
from agreements.trade.statements import (
    AGREEMENT_PAIRS,
    AGREEMENTS_DIGEST,
    COMMON_DIGEST,
    FLOW_DIGEST,
    KEYS,
    PAIR,
    QUEUE,
    pair_year_sql,
)
from tradepacts.db import transaction_settings

# Part of every digest: change it whenever a rule changes, to recompute every stored row.
DIGEST_VERSION = 3
# Above this share of the stored rows changed, one pass over everything is faster.
MAX_CHANGED_SHARE = 0.25
# Memory for the full refresh's aggregate and sorts (per run; only one full run at a time).
FULL_REFRESH_WORK_MEM = "256MB"
FULL_REFRESH_SETTINGS = {
    "work_mem": FULL_REFRESH_WORK_MEM,
    # Joins by hash: a merge join would sort the wide rows (growth's join on the year before).
    "enable_mergejoin": "off",
    # Compiling these large statements costs more than it saves.
    "jit": "off",
}

# Every flow's digest compared with its stored row's: the pair-years whose flows changed, appeared or
# went (every one when the rates' digest changed), with the rates' digest they were compared under.
CHANGED_FLOWS_SQL = f"""
WITH inputs AS (
    SELECT {PAIR}, f.year, {FLOW_DIGEST} AS digest
    FROM agreements_tradeflow f
    WHERE f.partner_id IS NOT NULL
    UNION ALL
    -- A stored row's digest cancels its flows' and the rates' when nothing changed (NULL: never known).
    SELECT country_a_id, country_b_id, year, inputs_digest # {COMMON_DIGEST} FROM agreements_pairyearstatistic
),
added AS (
    INSERT INTO {KEYS} (a, b, year)
    SELECT a, b, year FROM inputs GROUP BY a, b, year HAVING bit_xor(digest) IS DISTINCT FROM 0
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM added), {COMMON_DIGEST}
"""
# The queue of changed pair-years (migration 0024) consumed: a change committed from now on stays queued
# for the next run. With whether it held a TRUNCATE's mark (no pair-year), and the rates' digest.
QUEUED_SQL = f"""
WITH queued AS (DELETE FROM {QUEUE} RETURNING a, b, year),
added AS (
    INSERT INTO {KEYS} (a, b, year) SELECT DISTINCT a, b, year FROM queued WHERE a IS NOT NULL
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM added), EXISTS (SELECT FROM queued WHERE a IS NULL), {COMMON_DIGEST}
"""

CHANGED_IN_FORCE_SQL = f"""
WITH agreement_pairs AS MATERIALIZED ({AGREEMENT_PAIRS.format(agreement_scope="")}),
counted AS MATERIALIZED (
    SELECT s.id, s.country_a_id AS a, s.country_b_id AS b, s.year, s.agreements_in_force AS stored,
        count(*) AS expected
    FROM agreement_pairs ap
    JOIN agreements_pairyearstatistic s ON s.country_a_id = ap.a AND s.country_b_id = ap.b
    WHERE ap.start <= s.year AND (ap.stop IS NULL OR s.year < ap.stop)
    GROUP BY s.id
),
added AS (
    INSERT INTO {KEYS} (a, b, year)
    SELECT a, b, year FROM counted WHERE stored <> expected
    UNION ALL
    SELECT s.country_a_id, s.country_b_id, s.year
    FROM agreements_pairyearstatistic s
    WHERE s.agreements_in_force > 0 AND NOT EXISTS (SELECT FROM counted c WHERE c.id = s.id)
    ON CONFLICT DO NOTHING
    RETURNING 1
)
-- The digest of the agreements it checked against, read in the same snapshot.
SELECT (SELECT count(*) FROM added), {AGREEMENTS_DIGEST}
"""
STATE = TradeRefreshState._meta.db_table


def refresh_pairs(scope: list[tuple[int, int]] | None, rebuild: bool = False) -> int:
    """Refresh the pair-years of ``scope`` (None: all); the number of rows whose figures changed."""
    params: dict[str, Any] = {"digest_version": DIGEST_VERSION}
    with connection.cursor() as cursor:
        stored = _stored_state(cursor)
        if scope is not None:
            params.update(scope_a=[a for a, _ in scope], scope_b=[b for _, b in scope])
            cursor.execute(pair_year_sql("pairs"), params)
            *written, agreements, rates = cursor.fetchone()
            # These pairs' rows are of the agreements and rates the statement read: where those differ from
            # the stored digest, it no longer describes every row (the next full refresh checks them all).
            kept = State(*(old if new == old else None for old, new in zip(stored, (agreements, rates), strict=True)))
            if kept != stored:
                _store_state(cursor, kept)
            return sum(written)
        with transaction_settings(cursor, FULL_REFRESH_SETTINGS):
            mode, checked = _find_changed_pair_years(cursor, stored, rebuild)
            if mode is not None:
                cursor.execute(pair_year_sql(mode), params)
                *written, agreements, rates = cursor.fetchone()
                # Every row is of what the statement read ("all"); the rows it left are of what was checked,
                # which the rows it wrote are of too unless it changed since the check.
                checked = State(
                    *(
                        new if mode == "all" or new == old else None
                        for old, new in zip(checked, (agreements, rates), strict=True)
                    )
                )
            _store_state(cursor, checked)
            return 0 if mode is None else sum(written)


class State(NamedTuple):
    """TradeRefreshState's digests: the agreements every stored count of agreements in force is of,
    and the rates every stored row is of, every flow changed since being queued (None: not known)."""

    agreements: int | None
    rates: int | None


def _find_changed_pair_years(cursor: CursorWrapper, stored: State, rebuild: bool = False) -> tuple[str | None, State]:
    """Fill the keys table with the pair-years to recompute: "keys" to recompute
    those, "all" when they are too many to pick out (or to ``rebuild``), None when
    there are none; with the digests the stored rows are then known to be of
    (when checked: "all" recomputes every row from what its statement reads).

    Every run consumes the queue of changed pair-years. The queue names every change
    of a flow while the rates are those of the ``stored`` state; when they differ, or
    the queue holds the mark of a TRUNCATE, every flow's digest is compared with its
    stored row's. The counts are checked against the agreements only when the
    agreements' digest differs from the ``stored`` one, that of the agreements the
    counts were last checked against or computed from."""
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {KEYS} (a bigint, b bigint, year int, PRIMARY KEY (a, b, year)) ON COMMIT DROP"
    )
    cursor.execute(f"TRUNCATE {KEYS}")
    params = {"digest_version": DIGEST_VERSION}
    cursor.execute(QUEUED_SQL, params)
    changed, unnamed, rates = cursor.fetchone()
    cursor.execute("SELECT EXISTS (SELECT FROM agreements_pairyearstatistic)")
    if rebuild or not cursor.fetchone()[0]:
        return "all", State(None, None)
    if unnamed or rates != stored.rates:  # the queue alone cannot say what changed: check every flow
        cursor.execute(CHANGED_FLOWS_SQL, params)
        added, scanned = cursor.fetchone()
        changed += added
        rates = rates if scanned == rates else None
    cursor.execute(f"SELECT {AGREEMENTS_DIGEST}", params)
    checked = cursor.fetchone()[0]
    if checked != stored.agreements:  # an agreement or a party changed since: check every count
        cursor.execute(CHANGED_IN_FORCE_SQL, params)
        added, checked = cursor.fetchone()
        changed += added
    if not changed:
        return None, State(checked, rates)
    if _fewer_stored_rows_than(cursor, math.ceil(changed / MAX_CHANGED_SHARE)):
        return "all", State(None, None)
    cursor.execute(f"ANALYZE {KEYS}")  # the planner's only way to know how few they are
    return "keys", State(checked, rates)


def _stored_state(cursor: CursorWrapper) -> State:
    cursor.execute(f"SELECT agreements_digest, rates_digest FROM {STATE} WHERE id = 1")
    row = cursor.fetchone()
    return State(None, None) if row is None else State(*row)


def _store_state(cursor: CursorWrapper, state: State) -> None:
    """Remember the digests the stored rows are of (None: not known), writing only a change."""
    cursor.execute(
        f"INSERT INTO {STATE} (id, agreements_digest, rates_digest) VALUES (1, %s, %s) ON CONFLICT (id) DO UPDATE"
        f" SET agreements_digest = excluded.agreements_digest, rates_digest = excluded.rates_digest"
        f" WHERE ({STATE}.agreements_digest, {STATE}.rates_digest)"
        f" IS DISTINCT FROM (excluded.agreements_digest, excluded.rates_digest)",
        [state.agreements, state.rates],
    )


def forget_state() -> None:
    """After rows written another way (the portable path): the next full refresh checks every count
    and every flow."""
    with connection.cursor() as cursor:
        _store_state(cursor, State(None, None))


def _fewer_stored_rows_than(cursor: CursorWrapper, limit: int) -> bool:
    """Whether fewer than ``limit`` rows are stored: counts up to ``limit`` only, so a few changes never
    count the whole table (the planner's estimate is unknown until the table is analysed, as after a
    first fill, and counting every row cost a twelfth of a nightly run at 300,000 rows)."""
    cursor.execute("SELECT count(*) FROM (SELECT FROM agreements_pairyearstatistic LIMIT %s) r", [limit])
    return cursor.fetchone()[0] < limit
