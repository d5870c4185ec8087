"""Suite-wide test rules.

Tests marked ``postgres`` need PostgreSQL features (deferred constraint
triggers, composite foreign keys, later full-text search and advisory locks).
On another database they are skipped, except under CI=true, where a skip would
hide a gap: there they fail.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import BrowserContext, ConsoleMessage, Request, Response, WebError

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """make test-fast: SQLite's test database in the file TEST_SQLITE_FILE, which --reuse-db
    keeps between runs (by default it lives in memory and dies with the run)."""
    path = os.environ.get("TEST_SQLITE_FILE")
    if path and connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = path


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


@pytest.fixture(autouse=True)
def _listing_index_inline(settings):
    """The agreement list's index (agreements.current_index) built by the request that needs it, from
    the test's own data (a thread of its own would not see the test's transaction), and never one
    built in another test: its data version may repeat once that test's data is rolled back."""
    from agreements import current_index

    settings.LISTING_INDEX = "inline"
    current_index._current = None
    yield
    current_index._current = None


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


# Reports every Content-Security-Policy violation, whatever Chromium's console
# says about it. Init scripts and bindings come through the DevTools protocol,
# which the page's CSP does not govern.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__tradepactsCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline code"} ` +
    `(${event.sourceFile || document.location.href}:${event.lineNumber})`
  );
});
"""


@dataclass
class BrowserProblems:
    """What went wrong in the browser while a test ran: JavaScript errors, CSP
    violations, console errors and warnings, failed requests.

    A page the server refuses on purpose (a 400 for a bad filter) is the test's
    to check; a 5xx page, or any failed stylesheet, script, image or fetch, is a
    problem.
    """

    found: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> None:
        """Record the problems of every page of ``context``, popups included."""
        context.expose_binding(
            "__tradepactsCspViolation",
            lambda source, text: self.found.append(f"CSP violation on {source['frame'].url}: {text}"),
        )
        context.add_init_script(CSP_LISTENER)
        context.on("weberror", self._web_error)
        context.on("console", self._console)
        context.on("response", self._response)
        context.on("requestfailed", self._request_failed)

    def _web_error(self, error: WebError) -> None:
        self.found.append(f"JavaScript error on {error.page.url if error.page else 'a worker'}: {error.error}")

    def _console(self, message: ConsoleMessage) -> None:
        # Failed loads are reported by _response, which knows what kind of request it was.
        if message.type in ("error", "warning") and not message.text.startswith("Failed to load resource"):
            self.found.append(f"Console {message.type} on {message.location.get('url')}: {message.text}")

    def _response(self, response: Response) -> None:
        document = response.request.resource_type == "document"
        if response.status >= 500 or (response.status >= 400 and not document):
            self.found.append(f"HTTP {response.status} for {response.request.resource_type} {response.url}")

    def _request_failed(self, request: Request) -> None:
        # Aborted: a navigation that replaced another, or a download handed to the download manager.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.found.append(f"Request failed: {request.resource_type} {request.url}: {request.failure}")

    def take(self) -> list[str]:
        found, self.found = self.found, []
        return found

    def assert_none(self, where: str = "") -> None:
        found = self.take()
        assert not found, f"the browser reported problems{f' ({where})' if where else ''}:\n" + "\n".join(found)


@pytest.fixture
def browser_problems():
    """Every browser context of the test is watched (see ``new_context``); the
    test fails if anything was reported that the test did not take itself."""
    problems = BrowserProblems()
    yield problems
    if problems.found:
        pytest.fail("the browser reported problems:\n" + "\n".join(problems.take()), pytrace=False)


@pytest.fixture
def new_context(new_context, browser_problems):
    """pytest-playwright's contexts (and so ``context`` and ``page``), watched by ``browser_problems``."""

    def watched(**kwargs) -> BrowserContext:
        context = new_context(**kwargs)
        browser_problems.watch(context)
        return context

    return watched


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Where the browser tests write their screenshots: artifacts/screenshots/, or $SCREENSHOT_DIR."""
    path = Path(os.environ.get("SCREENSHOT_DIR") or Path(__file__).resolve().parent / "artifacts" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _restore_reference_data() -> None:
    """Countries, content types, permissions and groups, as migrate leaves them."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.sql import emit_post_migrate_signal

    from agreements.countries import sync_countries

    ContentType.objects.clear_cache()  # ids cached in this process may be gone
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    sync_countries()


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request):
    """A transactional test (live server, Celery worker) ends by emptying the test
    database: countries, content types, permissions, groups. Put them back at the
    start of each such test, as migrate would."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        _restore_reference_data()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A test database kept from the last run (make test-fast) was emptied by that run's last
    transactional test: put the reference data back once, before any test."""
    if os.environ.get("TEST_SQLITE_FILE"):
        with django_db_blocker.unblock():
            _restore_reference_data()


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Tests see freshly rendered pages (their data is rolled back between tests,
    which bumps no version); tradepacts/tests/test_page_cache.py turns it on."""
    settings.PAGE_CACHE_SECONDS = 0
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _exports_never_queue(settings):
    """Tests hold several downloads open at once from one thread: a site-wide queue of one
    (this machine's default) would make the second wait for the first. test_export_limits
    sets it where it is the subject."""
    settings.EXPORTS_AT_ONCE = 100


@pytest.fixture(autouse=True)
def _import_jobs_inline(settings, tmp_path_factory):
    """Import jobs run in the request (tradepacts.import_jobs), their files in a directory of the test run's."""
    settings.IMPORT_JOB_RUNNER = "inline"
    settings.IMPORT_FILES_DIR = tmp_path_factory.getbasetemp() / "imports"
