"""Set-based inserts for large imports: rows and their history rows in a few
statements, without the ORM's per-value work.

``insert(model, objs)`` gives every unsaved object its primary key and writes
them all. On PostgreSQL the keys come from the table's sequence in one query
and the rows go in by ``COPY``: for a 100,000-agreement import this is most of
the difference between minutes and seconds (``bulk_create`` prepares each
value through its field and builds a statement of ~30,000 parameters a batch;
``bulk_history_create`` builds a model instance per history row first). On
SQLite it is ``bulk_create``: correct, and fast enough for the sizes SQLite is
used for.

``insert_with_history`` also writes one history row per object
(django-simple-history's historical model: ``+``, its date, user and change
reason), as ``bulk_create_with_history`` would, but as plain values.

``reserve_ids(model, highest)`` moves the table's key sequence past ids a file
gives, so keys drawn afterwards never meet them, whatever order the rows come in.

No model signals are sent (as with ``bulk_create``): callers reindex, bump the
page cache and tell other apps themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone
from simple_history.utils import get_history_manager_for_model

BATCH = 1000  # bulk_create's batch on SQLite (its limit on parameters)
# Fields whose Python value is already what psycopg writes: no per-value preparation.
PLAIN_FIELDS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}
# The historical model's own columns (django-simple-history), besides the tracked fields.
HISTORY_COLUMNS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}


def postgres() -> bool:
    return connection.vendor == "postgresql"


def stamp(model: type[models.Model], objs: Sequence[models.Model], now: dt.datetime) -> None:
    """What ``pre_save`` does on an insert: ``auto_now`` and ``auto_now_add`` dates."""
    for field in model._meta.concrete_fields:
        if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
            for obj in objs:
                if field.auto_now or getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, now)


def columns(model: type[models.Model]) -> list[models.Field]:
    """The columns an insert writes: every concrete field but generated ones."""
    return [field for field in model._meta.concrete_fields if not getattr(field, "generated", False)]


def value_getter(field: models.Field) -> Any:
    """A function giving the field's value of an object as the database takes it."""
    attname = field.attname
    if field.get_internal_type() in PLAIN_FIELDS:
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)


def next_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` keys from the table's sequence, in one query (PostgreSQL)."""
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(table: str, names: list[str], rows: Any) -> None:
    """``COPY table (names) FROM STDIN`` of ``rows`` (tuples), PostgreSQL."""
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def insert(model: type[models.Model], objs: Sequence[models.Model], now: dt.datetime | None = None) -> None:
    """Insert unsaved ``objs`` (their keys given, or drawn now); each gets its primary key."""
    if not objs:
        return
    stamp(model, objs, now or timezone.now())
    if not postgres():
        model._default_manager.bulk_create(list(objs), batch_size=BATCH)
        return
    missing = [obj for obj in objs if obj.pk is None]
    for obj, pk in zip(missing, next_ids(model, len(missing)) if missing else [], strict=True):
        obj.pk = pk
    fields = columns(model)
    getters = [value_getter(field) for field in fields]
    copy_rows(model._meta.db_table, [f.column for f in fields], (tuple(g(obj) for g in getters) for obj in objs))
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias


def history_model(model: type[models.Model]) -> type[models.Model] | None:
    """The model's historical model (django-simple-history), if it keeps history."""
    name = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, name).model if name else None


def insert_with_history(
    model: type[models.Model], objs: Sequence[models.Model], *, user: Any = None, reason: str = "", now: Any = None
) -> None:
    """Insert ``objs``, then one history row each ("created", at ``now``, by ``user``, for ``reason``)."""
    if not objs:
        return
    now = now or timezone.now()
    insert(model, objs, now)
    historical = history_model(model)
    if historical is None:
        return
    if not postgres():
        get_history_manager_for_model(model).bulk_history_create(
            list(objs), batch_size=BATCH, default_user=user, default_change_reason=reason, default_date=now
        )
        return
    tracked = {field.attname for field in historical.tracked_fields}  # type: ignore[attr-defined]
    own = {field.attname: field for field in model._meta.concrete_fields}
    names, getters = [], []
    fixed = {
        "history_date": now,
        "history_change_reason": reason,
        "history_type": "+",
        "history_user_id": getattr(user, "pk", None),
    }
    for field in historical._meta.concrete_fields:
        if field.attname == "history_id":
            continue  # the column's default: its sequence
        if field.attname in fixed:
            value = fixed[field.attname]
            getters.append(lambda obj, value=value: value)
        elif field.attname in tracked:
            getters.append(value_getter(own[field.attname]))
        else:  # a column this writer does not know: refuse rather than write it wrong
            raise ValueError(f"{historical.__name__}.{field.attname}: not a tracked field nor a history column.")
        names.append(field.column)
    copy_rows(historical._meta.db_table, names, (tuple(g(obj) for g in getters) for obj in objs))


def reserve_ids(model: type[models.Model], highest: int) -> None:
    """Keys drawn from now on are above ``highest`` (ids a file gives to new rows)."""
    table, pk = model._meta.db_table, model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        if postgres():
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST(%s, nextval(pg_get_serial_sequence(%s, %s))))",
                [table, pk.column, highest, table, pk.column],
            )
        elif connection.vendor == "sqlite":  # AUTOINCREMENT: the next key is above sqlite_sequence's
            cursor.execute("UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [highest, table])
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT %s, %s "
                "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
                [table, highest, table],
            )
