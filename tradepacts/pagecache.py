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
"""

import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

VERSION_KEY = "tradepacts:data-version"
WATCHED_APPS = {"agreements", "corridors"}


def data_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet, or evicted
        cache.set(VERSION_KEY, 2, timeout=None)


def bump_data_version() -> None:
    """Call after writes that skip model signals (bulk_create, update, COPY, raw SQL)."""
    _bump()
    transaction.on_commit(_bump)


def bump_on_write(sender, **kwargs) -> None:
    """Receiver for post_save, post_delete and m2m_changed of every model."""
    if sender._meta.app_label in WATCHED_APPS:
        bump_data_version()


def cached_for_readers(render: Callable[[], HttpResponse], request: HttpRequest) -> HttpResponse:
    """The page for anonymous GETs from the cache, else rendered and stored (200 and 400 only)."""
    seconds = settings.PAGE_CACHE_SECONDS
    if not seconds or request.method != "GET" or request.user.is_authenticated:
        return render()
    url = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    key = f"tradepacts:page:{data_version()}:{dt.date.today():%Y%m%d}:{url}"
    stored = cache.get(key)
    if stored is not None:
        status, content_type, content = stored
        return HttpResponse(content, status=status, content_type=content_type)
    response = render()
    if hasattr(response, "render"):
        response.render()
    if response.status_code in (200, 400):
        cache.set(key, (response.status_code, response["Content-Type"], response.content), seconds)
    return response
