"""The upserts of trade figures and exchange rates (also used by the demo data,
agreements.trade.demo), and the refresh queued after them.

Rows go into a temporary table (COPY on PostgreSQL), then one UPDATE writes the
stored rows that differ and one INSERT the missing ones, in key order, under a
table lock that keeps other writers (not readers) out until commit.
"""

from collections import defaultdict
from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import Field, Model, Q
from django.utils import timezone

from agreements.models import ExchangeRate, Origin, TradeFlow
from agreements.trade.imports.reading import chunks

STAGE = "trade_import_stage"  # a temporary table: private to the connection


def queue_refresh(pairs: list[tuple[int, int]]) -> None:
    """Have the derived statistics of these pairs refreshed once the transaction commits."""
    from agreements.tasks import queue_trade_refresh  # the refresh builds on this app's models

    queue_trade_refresh(pairs)


FLOW_STAGE = [
    ("reporter_id", "bigint"),
    ("partner_id", "bigint"),
    ("year", "smallint"),
    ("flow", "varchar(7)"),
    ("value", "numeric(22, 2)"),
    ("currency", "varchar(3)"),
    ("source_id", "bigint"),
    ("is_synthetic", "boolean"),
    ("origin", "smallint"),
]
RATE_STAGE = [
    ("currency", "varchar(3)"),
    ("year", "smallint"),
    ("units_per_usd", "numeric(32, 18)"),
    ("source_id", "bigint"),
]


def column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise ValueError(f"{model.__name__}.{name} is not a column.")
    return connection.ops.quote_name(field.column)


def stage(cursor: Any, columns: list[tuple[str, str]], rows: Iterable[tuple]) -> None:
    """Load ``rows`` into the temporary table STAGE (COPY on PostgreSQL)."""
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({', '.join(f'{n} {t}' for n, t in columns)})")
    names = ", ".join(name for name, _ in columns)
    if connection.vendor == "postgresql":
        with connection.wrap_database_errors, cursor.copy(f"COPY {STAGE} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        sql = f"INSERT INTO {STAGE} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        for chunk in chunks(rows):
            cursor.executemany(sql, chunk)
    cursor.execute(f"ANALYZE {STAGE}")  # the planner's row counts: a hash join for a million rows


def merge_sql(
    model: type[Model], fields: list[str], keys: list[str], compare: list[str], returning: list[str], scope: str
) -> tuple[str, str]:
    """(UPDATE, INSERT) from STAGE into ``model``'s table, for the staged rows matching ``scope``.

    The UPDATE changes only rows whose values differ (a staged NULL source
    keeps the stored one); the INSERT adds the rows whose key is missing, in
    key order (index pages are then filled in turn). The timestamps come as
    parameters: one for the UPDATE, two for the INSERT. Both return
    ``returning`` of the rows they wrote.

    Two statements rather than INSERT ... ON CONFLICT: PostgreSQL's
    speculative insertion costs about twice a plain insert, and the table is
    locked against concurrent writers anyway (see ``lock``).
    """
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    table = connection.ops.quote_name(model._meta.db_table)
    col = {name: column(model, name) for name in {*fields, "source", "created_at", "updated_at"}}
    match = " AND ".join(f"t.{col[key]} = s.{col[key]}" for key in keys)
    if "partner" in fields and "partner" not in keys:  # the World: NULL partners match each other
        match += f" AND t.{col['partner']} IS NULL"
    sets = [f"{col[name]} = s.{col[name]}" for name in compare]
    sets += [f"{col['source']} = COALESCE(s.{col['source']}, t.{col['source']})", f"{col['updated_at']} = %s"]
    differs = [f"t.{col[name]} {distinct} s.{col[name]}" for name in compare]
    differs.append(f"(s.{col['source']} IS NOT NULL AND t.{col['source']} {distinct} s.{col['source']})")
    # SQLite's RETURNING names the target table's columns only, unqualified.
    qualify = "t." if connection.vendor == "postgresql" else ""
    back = ", ".join(f"{qualify}{col[name]}" for name in returning)
    update = (
        f"UPDATE {table} AS t SET {', '.join(sets)} FROM {STAGE} AS s "
        f"WHERE {scope} AND {match} AND ({' OR '.join(differs)}) RETURNING {back}"
    )
    staged = ", ".join(col[name] for name in fields)
    insert = (
        f"INSERT INTO {table} ({staged}, {col['created_at']}, {col['updated_at']}) "
        f"SELECT {', '.join(f's.{col[name]}' for name in fields)}, %s, %s FROM {STAGE} AS s "
        f"WHERE {scope} AND NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {match}) "
        f"ORDER BY {', '.join(f's.{col[key]}' for key in keys)} "
        f"RETURNING {', '.join(col[name] for name in returning)}"
    )
    return update, insert


def lock(cursor: Any, model: type[Model]) -> None:
    """One writer at a time on PostgreSQL, until the transaction ends (readers go on).

    SHARE ROW EXCLUSIVE conflicts with itself and with row changes: a second
    import, or an admin save, waits for this one, so the INSERT's "key is
    missing" stays true until commit. SQLite has a single writer anyway.
    """
    if connection.vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE")


def _now() -> Any:
    return connection.ops.adapt_datetimefield_value(timezone.now())


FLOW_FIELDS = ["reporter", "partner", "year", "flow", "value", "currency", "source", "is_synthetic", "origin"]
RATE_FIELDS = ["currency", "year", "units_per_usd", "source"]


def _pairs(cursor: Any, sql: str, params: list) -> tuple[int, set[tuple[int, int]]]:
    """Run a statement returning (reporter, partner); how many rows, and their pairs (lower id first)."""
    if connection.vendor == "postgresql":
        # Counted and grouped in the database: a million rows never travel back.
        cursor.execute(
            f"WITH written (a, b) AS ({sql}) "
            "SELECT LEAST(a, b), CASE WHEN b IS NOT NULL THEN GREATEST(a, b) END, count(*) FROM written GROUP BY 1, 2",
            params,
        )
        rows = cursor.fetchall()
        return sum(n for _, _, n in rows), {(a, b) for a, b, _ in rows if b is not None}
    cursor.execute(sql, params)
    written = cursor.fetchall()
    return len(written), {(min(a, b), max(a, b)) for a, b in written if b is not None}


def write_flows(rows: Iterable[tuple], origin: int = Origin.NATIONAL) -> tuple[int, int, list[tuple[int, int]]]:
    """Upsert trade figures: (reporter_id, partner_id or None, year, flow, value, currency, source_id, is_synthetic),
    all of one ``origin`` (who published them: a figure of another origin is another row).

    Keys must be distinct. Returns (created, updated, the pairs with a created or
    changed figure as (lower id, higher id)); unchanged rows are not written.
    Call it inside a transaction.
    """
    with connection.cursor() as cursor:
        lock(cursor, TradeFlow)
        stage(cursor, FLOW_STAGE, ((*row, int(origin)) for row in rows))
    return merge_flows()


def merge_flows() -> tuple[int, int, list[tuple[int, int]]]:
    """Write the figures in STAGE (FLOW_STAGE's columns, keys distinct) into TradeFlow, then drop
    it: (created, updated, the pairs with a created or changed figure). Inside a transaction."""
    now = _now()
    created = updated = 0
    pairs: set[tuple[int, int]] = set()
    partner = column(TradeFlow, "partner")
    with connection.cursor() as cursor:
        lock(cursor, TradeFlow)
        for scope, keys in (
            (f"s.{partner} IS NOT NULL", ["reporter", "partner", "year", "flow", "origin"]),
            (f"s.{partner} IS NULL", ["reporter", "year", "flow", "origin"]),
        ):
            update, insert = merge_sql(
                TradeFlow, FLOW_FIELDS, keys, ["value", "currency", "is_synthetic"], ["reporter", "partner"], scope
            )
            n, changed = _pairs(cursor, update, [now])
            updated, pairs = updated + n, pairs | changed
            n, changed = _pairs(cursor, insert, [now, now])
            created, pairs = created + n, pairs | changed
        cursor.execute(f"DROP TABLE {STAGE}")
    return created, updated, sorted(pairs)


def write_rates(rows: Iterable[tuple]) -> tuple[int, int, list[tuple[str, int]]]:
    """Upsert exchange rates: (currency, year, units_per_usd, source_id). Returns
    (created, updated, the (currency, year) created or changed)."""
    now = _now()
    with connection.cursor() as cursor:
        lock(cursor, ExchangeRate)
        stage(cursor, RATE_STAGE, rows)
        update, insert = merge_sql(
            ExchangeRate, RATE_FIELDS, ["currency", "year"], ["units_per_usd"], ["currency", "year"], "1 = 1"
        )
        cursor.execute(update, [now])
        updated = cursor.fetchall()
        cursor.execute(insert, [now, now])
        created = cursor.fetchall()
        cursor.execute(f"DROP TABLE {STAGE}")
    return len(created), len(updated), sorted({(currency, year) for currency, year in [*created, *updated]})


def pairs_for_rates(rates: Iterable[tuple[str, int]]) -> list[tuple[int, int]]:
    """The pairs with a figure in one of these currencies and years: their USD values depend on the rate."""
    years: dict[str, set[int]] = defaultdict(set)
    for currency, year in rates:
        years[currency].add(year)
    if not years:
        return []
    condition = reduce(or_, (Q(currency=c, year__in=sorted(ys)) for c, ys in years.items()))
    found = (
        TradeFlow.objects.filter(condition, partner__isnull=False)
        .values_list("reporter_id", "partner_id")
        .distinct()
        .order_by()
    )
    return sorted({(min(a, b), max(a, b)) for a, b in found})
