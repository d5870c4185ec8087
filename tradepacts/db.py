"""Database helpers the apps share: migrations' PostgreSQL-only SQL, and
settings for one transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """SQL that only PostgreSQL can run: rules spanning rows or tables (composite
    foreign keys, deferred constraint triggers). SQLite, the development
    default, relies on the same rules in ``clean()`` and the admin instead."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


@contextmanager
def transaction_settings(cursor: Any, values: dict[str, str]) -> Iterator[None]:
    """PostgreSQL settings (lock_timeout, work_mem ...) for this transaction, put back
    afterwards: a caller's own transaction (a refresh may run inside one) keeps its settings."""
    names = list(values)
    cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
    previous = dict(zip(names, cursor.fetchone(), strict=True))
    for name, value in values.items():
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    yield
    for name, value in previous.items():
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
