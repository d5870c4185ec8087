"""Suite-wide test rules.

Tests marked ``postgres`` need PostgreSQL features (deferred constraint
triggers, composite foreign keys, later full-text search and advisory locks).
On another database they are skipped, except under CI=true, where a skip would
hide a gap: there they fail.
"""

import os

import pytest
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def _require_postgres(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        message = "needs PostgreSQL: set DATABASE_URL=postgres://..."
        if IN_CI and os.environ.get("TEST_DATABASE") == "postgres":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _static_files_from_source(settings):
    """Tests read static files from the source tree, even in a checkout where
    collectstatic once ran (whose manifest may be stale)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: Playwright cannot download its own browser here."""
    if not os.path.exists(CHROMIUM):
        message = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the test's own
    # database calls are still synchronous and safe. (Subprocess tests that
    # run check --deploy remove it from their environment.)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request):
    """A transactional test (live server, Celery worker) ends by emptying the test
    database: countries, content types, permissions, groups. Put them back at the
    start of each such test, as migrate would."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        from django.contrib.contenttypes.models import ContentType
        from django.core.management.sql import emit_post_migrate_signal

        from agreements.countries import sync_countries

        ContentType.objects.clear_cache()  # ids cached in this process may be gone
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
        sync_countries()


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Tests see freshly rendered pages (their data is rolled back between tests,
    which bumps no version); tradepacts/tests/test_page_cache.py turns it on."""
    settings.PAGE_CACHE_SECONDS = 0
    from django.core.cache import cache

    cache.clear()
