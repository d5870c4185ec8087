"""Rendered public pages, cached for anonymous readers until the data changes.

A page is stored under its full URL, the day (pages cite the access date) and
a data version. Every write to the agreements or corridors apps bumps the
version (signals for saves, deletes and m2m changes; ``bump_data_version`` by
hand where bulk writes skip signals, as ``agreements.search.reindex`` does),
so a reader never gets a page older than the last change. The version is
bumped at once and again on commit: a page rendered from the old data while
the transaction was open is stored under the in-between version and never
served after the commit.

The cache must be shared by every web process (CACHE_URL=redis://... in
production) or a bump in one process would not reach the others.

The cache is only a shortcut: while it is unreachable (Redis stopped), pages
are rendered afresh and writes save as usual, with a warning in the log. A
page cached before an outage may then be served until it expires
(PAGE_CACHE_SECONDS) if a write happened during the outage and the cache kept
its data.
"""

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

VERSION_KEY = "tradepacts:data-version"
WATCHED_APPS = {"agreements", "corridors"}


def _first_version() -> int:
    """Where a version starts (first use, or after the cache lost it): anywhere, so that
    it never repeats one a process still holds something under (agreements.reference_lists)."""
    return secrets.randbelow(2**52) + 1


# Within one public page's rendering (``cached_for_readers``): the version it read first. A country's
# page asked the cache six times (its key, the reference lists, the listing index ...), a round trip
# to Redis each; and every part of the page is now read under the same version.
_RENDERING: ContextVar[list[int] | None] = ContextVar("pagecache_rendering", default=None)


def data_version() -> int:
    held = _RENDERING.get()
    if held:
        return held[0]
    version = cache.get(VERSION_KEY)
    if version is None:
        first = _first_version()
        cache.add(VERSION_KEY, first, timeout=None)
        version = cache.get(VERSION_KEY, first)
    if held is not None:
        held.append(version)
    return version


@contextmanager
def one_version() -> Iterator[None]:
    """``data_version()`` read once within the block: for rendering a page that writes nothing."""
    token = _RENDERING.set([])
    try:
        yield
    finally:
        _RENDERING.reset(token)


def derived(name: str, compute: Callable[[], Any], seconds: int = 300) -> Any:
    """A value computed from the whole data set (the home page's counts), kept under the
    data version: never older than the last write, computed at most once per version and
    ``seconds``. With the cache down, computed every time."""
    try:
        key = f"tradepacts:derived:{name}:{data_version()}"
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, seconds)
        return value
    except Exception as error:
        logger.warning("Cache unreachable, %s computed: %s", name, error)
        return compute()


_KEPT: dict[str, tuple[int, Any]] = {}


def kept_until_change(name: str, load: Callable[[], Any]) -> Any:
    """A value read from the database (reference lists, the few countries an app has records
    about), kept in this process under the data version: read again, by ``load()``, once the
    version has moved, so never older than the last write in any process. Reading it costs a
    cache read, not the queries. With the cache unreachable, read afresh every time."""
    try:
        version = data_version()
    except Exception:  # no way to know it is current, so read it
        return load()
    kept = _KEPT.get(name)
    if kept is None or kept[0] != version:
        kept = _KEPT[name] = (version, load())
    return kept[1]


def _bump() -> None:
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet, or evicted
            cache.set(VERSION_KEY, _first_version(), timeout=None)
    except Exception as error:  # the cache is down: the write itself must still succeed
        logger.warning("Page cache unreachable, data version not bumped: %s", error)


_QUIET: ContextVar[bool] = ContextVar("pagecache_quiet", default=False)


@contextmanager
def quiet() -> Iterator[None]:
    """No bump within the block: for writes that are always rolled back (an import's
    preview), which no reader ever sees; so the version still says nothing changed."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def bump_data_version() -> None:
    """Call after writes that skip model signals (bulk_create, update, COPY, raw SQL)."""
    if _QUIET.get():
        return
    _bump()
    transaction.on_commit(_bump)


def bump_on_write(sender: type[models.Model], **kwargs: Any) -> None:
    """Receiver for post_save, post_delete and m2m_changed of every model."""
    if sender._meta.app_label in WATCHED_APPS:
        bump_data_version()


def cached_for_readers(render: Callable[[], HttpResponse], request: HttpRequest) -> HttpResponse:
    """The page for anonymous GETs from the cache, else rendered and stored (200 and 400 only).
    A GET reads the data version once (``one_version``): it writes nothing."""
    if request.method != "GET":
        return render()
    with one_version():
        return _cached_for_readers(render, request)


def _cached_for_readers(render: Callable[[], HttpResponse], request: HttpRequest) -> HttpResponse:
    seconds = settings.PAGE_CACHE_SECONDS
    if not seconds or request.user.is_authenticated:
        return render()
    url = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    try:
        key = f"tradepacts:page:{data_version()}:{dt.date.today():%Y%m%d}:{url}"
        stored = cache.get(key)
    except Exception as error:  # the cache is down: render, as if caching were off
        logger.warning("Page cache unreachable, rendering %s: %s", request.path, error)
        return render()
    if stored is not None:
        status, content_type, content = stored
        return HttpResponse(content, status=status, content_type=content_type)
    response = render()
    if hasattr(response, "render"):
        response.render()
    if response.status_code in (200, 400):
        try:
            cache.set(key, (response.status_code, response["Content-Type"], response.content), seconds)
        except Exception as error:
            logger.warning("Page cache unreachable, %s not stored: %s", request.path, error)
    return response
