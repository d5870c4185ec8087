"""Breaking a database rule on purpose: the rule's name, the error each database raises
(at once, or at commit for PostgreSQL's deferred rules), a write past save() and clean().
The corridors app's constraint tests use them too."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import IntegrityError, connection, transaction

BILATERAL_RULE = "agreements_agreement_bilateral_two_countries"
SIGNATORY_RULE = "agreements_signatory_country_is_party"

EARLY, LATE, FAR_FUTURE = dt.date(2020, 6, 1), dt.date(2020, 6, 2), dt.date(2030, 1, 1)


@contextmanager
def breaks(constraint: str, *, sqlite_unique: str = "") -> Iterator[None]:
    """Expect the block to violate ``constraint``, and the database to say which.

    PostgreSQL names every constraint. SQLite names a CHECK constraint but
    reports a unique one by its columns: pass them as ``sqlite_unique``.
    """
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        yield
    if connection.vendor == "sqlite":
        expected = (
            f"UNIQUE constraint failed: {sqlite_unique}" if sqlite_unique else f"CHECK constraint failed: {constraint}"
        )
    else:
        expected = f'"{constraint}"'
    assert expected in str(excinfo.value)


def check_deferred_constraints() -> None:
    """Run now the checks PostgreSQL defers to commit (a test's transaction is
    rolled back, never committed), then defer them again."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def breaks_at_commit(constraint: str) -> Iterator[None]:
    """Expect the block to violate the deferred rule ``constraint``, as the commit would report it."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        yield
        check_deferred_constraints()
    assert excinfo.value.__cause__.diag.constraint_name == constraint


def update(instance, **values) -> None:
    """Write ``values`` straight to the row, past save() and clean()."""
    type(instance).objects.filter(pk=instance.pk).update(**values)
