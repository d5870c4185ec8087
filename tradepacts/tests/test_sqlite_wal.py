"""On SQLite, a reader answers while a writer holds a long transaction (an import job
writing its file): the settings' SQLITE_OPTIONS put the database in WAL mode.

Run on a scratch database file of its own, through Django's SQLite backend with the
settings' options, so it runs in both passes whatever the test database is."""

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.db.utils import OperationalError


@pytest.fixture(autouse=True)
def scratch_databases_allowed(django_db_blocker):
    """Only the scratch files below, never the test database."""
    with django_db_blocker.unblock():
        yield


def open_database(path, options):
    wrapper = DatabaseWrapper(
        {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": options,
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "TEST": {},
        },
        alias="scratch",
    )
    wrapper.ensure_connection()
    return wrapper


def read_during_a_large_write(path, options) -> int:
    """Open a writer's transaction larger than its page cache (an import's), then read."""
    writer = open_database(path, options)
    reader = open_database(path, {**options, "timeout": 0.2})
    try:
        with writer.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS job (id integer PRIMARY KEY, state text)")
            cursor.execute("INSERT INTO job (state) VALUES ('writing')")
            cursor.execute("PRAGMA cache_size = 10")  # pages: a big transaction spills to the file
            cursor.execute("CREATE TABLE IF NOT EXISTS figure (id integer PRIMARY KEY, note text)")
        writer.set_autocommit(False)
        with writer.cursor() as cursor:
            cursor.executemany("INSERT INTO figure (note) VALUES (%s)", [("x" * 200,)] * 20_000)
            with reader.cursor() as read:  # the status page, while the job writes
                read.execute("SELECT count(*) FROM job WHERE state = 'writing'")
                return read.fetchone()[0]
    finally:
        writer.rollback()
        writer.close()
        reader.close()


def test_the_settings_put_sqlite_in_wal_mode(tmp_path):
    database = open_database(tmp_path / "wal.sqlite3", settings.SQLITE_OPTIONS)
    with database.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    database.close()


def test_a_reader_answers_while_a_writer_holds_a_large_transaction(tmp_path):
    assert read_during_a_large_write(tmp_path / "wal.sqlite3", settings.SQLITE_OPTIONS) == 1


def test_without_wal_the_same_reader_is_locked_out(tmp_path):
    """The check above can fail: SQLite's default journal locks the reader out."""
    options = {name: value for name, value in settings.SQLITE_OPTIONS.items() if name != "init_command"}
    with pytest.raises(OperationalError, match="locked"):
        read_during_a_large_write(tmp_path / "journal.sqlite3", options)
