"""The trade refresh on PostgreSQL: the rules of agreements.trade.refresh in SQL.

One statement does a refresh's work: one pass of aggregation over the flows,
the figures, growth and agreements in force, a diff against the stored rows,
then only the changed rows written. It divides with enough scale to round the
exact quotient, so it gives the Python path's figures to the cent.

A full refresh first finds which pair-years can have changed, and recomputes
only those when they are few. Each stored row keeps ``inputs_digest``, a
64-bit digest of what its figures were computed from: every flow of the
pair-year (id, reporter, flow, value, currency, synthetic; each flow's digest
is a stored generated column, migration 0012), XOR-ed together, one digest of
every exchange rate, and the rules' DIGEST_VERSION. One aggregate over every
flow and every stored row (each stored row's digest cancels its flows' and the
rest) names the pair-years whose flows changed, appeared or went, or every
pair-year when a rate changed; a second query names those whose count of
agreements in force no longer matches, run only when the agreements' own
digest (statements.AGREEMENTS_DIGEST) differs from the one the counts were last
checked against or computed from (TradeRefreshState: a refresh of a few pairs
under other agreements forgets it). The year after each recomputed pair-year
gets its growth again, in the same statement (statements.NEXT_YEARS). A change
is missed only if it leaves a 64-bit digest equal (a chance of 2^-64). Nothing
but the digests is trusted: a change made any way (import, admin, plain SQL) is
found. A derived row edited by hand is not (they are never edited);
``rebuild=True`` recomputes every row regardless. When the rules change,
DIGEST_VERSION changes, and every row is recomputed.
"""

from __future__ import annotations

import math
from typing import Any

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

# The extra scale makes the division exact to 28 places before rounding to cents.
CHANGED_FLOWS_SQL = f"""
WITH inputs AS (
    SELECT {PAIR}, f.year, {FLOW_DIGEST} AS digest
    FROM agreements_tradeflow f
    WHERE f.partner_id IS NOT NULL
    UNION ALL
    -- A stored row's digest cancels its flows' and the rates' when nothing changed (NULL: never known).
    SELECT country_a_id, country_b_id, year, inputs_digest # {COMMON_DIGEST} FROM agreements_pairyearstatistic
)
INSERT INTO {KEYS} (a, b, year)
SELECT a, b, year FROM inputs GROUP BY a, b, year HAVING bit_xor(digest) IS DISTINCT FROM 0
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
        stored = _stored_agreements_digest(cursor)
        if scope is not None:
            params.update(scope_a=[a for a, _ in scope], scope_b=[b for _, b in scope])
            cursor.execute(pair_year_sql("pairs"), params)
            *written, agreements = cursor.fetchone()
            if stored is not None and agreements != stored:
                _store_agreements_digest(cursor, None)  # these pairs' counts are of other agreements
            return sum(written)
        with transaction_settings(cursor, FULL_REFRESH_SETTINGS):
            mode, checked = ("all", None) if rebuild else _find_changed_pair_years(cursor, stored)
            if mode is not None:
                cursor.execute(pair_year_sql(mode), params)
                *written, agreements = cursor.fetchone()
                # Every count is of the agreements the statement read, unless they changed since the check.
                checked = agreements if mode == "all" or agreements == checked else None
            _store_agreements_digest(cursor, checked)
            return 0 if mode is None else sum(written)


def _find_changed_pair_years(cursor: CursorWrapper, stored: int | None) -> tuple[str | None, int | None]:
    """Fill the keys table with the pair-years to recompute: "keys" to recompute
    those, "all" when they are too many to pick out, None when there are none; with
    the digest of the agreements every stored count of agreements in force is then
    known to be of (None: "all", whose statement counts them all again).

    The counts are checked against the agreements only when the agreements' digest
    differs from the ``stored`` one, that of the agreements the counts were last
    checked against or computed from (TradeRefreshState)."""
    cursor.execute("SELECT EXISTS (SELECT FROM agreements_pairyearstatistic)")
    if not cursor.fetchone()[0]:
        return "all", None
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {KEYS} (a bigint, b bigint, year int, PRIMARY KEY (a, b, year)) ON COMMIT DROP"
    )
    cursor.execute(f"TRUNCATE {KEYS}")
    params = {"digest_version": DIGEST_VERSION}
    cursor.execute(CHANGED_FLOWS_SQL, params)
    changed = cursor.rowcount
    cursor.execute(f"SELECT {AGREEMENTS_DIGEST}", params)
    checked = cursor.fetchone()[0]
    if checked != stored:  # an agreement or a party changed since: check every count
        cursor.execute(CHANGED_IN_FORCE_SQL, params)
        added, checked = cursor.fetchone()
        changed += added
    if not changed:
        return None, checked
    if _fewer_stored_rows_than(cursor, math.ceil(changed / MAX_CHANGED_SHARE)):
        return "all", None
    cursor.execute(f"ANALYZE {KEYS}")  # the planner's only way to know how few they are
    return "keys", checked


def _stored_agreements_digest(cursor: CursorWrapper) -> int | None:
    cursor.execute(f"SELECT agreements_digest FROM {STATE} WHERE id = 1")
    row = cursor.fetchone()
    return None if row is None else row[0]


def _store_agreements_digest(cursor: CursorWrapper, digest: int | None) -> None:
    """Remember the agreements every stored count is of (None: not known), writing only a change."""
    cursor.execute(
        f"INSERT INTO {STATE} (id, agreements_digest) VALUES (1, %s) ON CONFLICT (id) DO UPDATE"
        f" SET agreements_digest = excluded.agreements_digest"
        f" WHERE {STATE}.agreements_digest IS DISTINCT FROM excluded.agreements_digest",
        [digest],
    )


def forget_agreements_digest() -> None:
    """After counts written another way (the portable path): the next full refresh checks them all."""
    with connection.cursor() as cursor:
        _store_agreements_digest(cursor, None)


def _fewer_stored_rows_than(cursor: CursorWrapper, limit: int) -> bool:
    """Whether fewer than ``limit`` rows are stored: counts up to ``limit`` only, so a few changes never
    count the whole table (the planner's estimate is unknown until the table is analysed, as after a
    first fill, and counting every row cost a twelfth of a nightly run at 300,000 rows)."""
    cursor.execute("SELECT count(*) FROM (SELECT FROM agreements_pairyearstatistic LIMIT %s) r", [limit])
    return cursor.fetchone()[0] < limit
