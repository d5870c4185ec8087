"""Each web process's listing index (agreements.listing_index), kept current.

An index is good for one data version of the page cache (tradepacts.pagecache), which every
write bumps. While a process has none for the current version (at start-up, after any write)
its list counts in SQL (agreements.facets), so no request waits, and the index is built once
for the whole deployment: one process takes the build (an ``add`` in the shared cache), builds
it in a thread of its own from the committed data (never a writer's open transaction) and stores
it in the cache; the other processes load it from there as soon as its version says it is there.
It is built in two steps, each shared when done: the filters' bitmaps first (about 1 s at
100,000 agreements, 8 MB), then the search's lexemes (agreements.text_index: 3 s more, 18 MB in
all): the lists stop counting in SQL after the first, searches meanwhile ask the database for
their ids. If the builder dies, its claim expires and another builds.

``LISTING_INDEX`` sets how: ``background`` (the default, above), ``inline`` (built by the
request that finds it stale, in that request's transaction: the tests, whose data no other
thread sees) or ``off`` (every count in SQL). With the cache unreachable there is no knowing
whether an index is current: the list counts in SQL.
"""

import logging
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from agreements.listing_index import ListingIndex, build
from tradepacts.pagecache import data_version

logger = logging.getLogger(__name__)

SHARED_KEY = "tradepacts:listing-index"  # (version, index): the newest one built
SHARED_VERSION_KEY = "tradepacts:listing-index-version"  # its version alone, cheap to poll
SHARED_TEXT_VERSION_KEY = "tradepacts:listing-index-text-version"  # the version shared with its lexemes
BUILDING_KEY = "tradepacts:listing-index-building:{version}"
BUILD_CLAIM_SECONDS = 120  # past this, a claim is taken to have died with its process
SHARED_SECONDS = 24 * 3600

_current: ListingIndex | None = None
_building = threading.Lock()  # one build thread per process


def _share(index: ListingIndex, version_key: str) -> None:
    global _current
    _current = index
    cache.set(SHARED_KEY, (index.version, index), SHARED_SECONDS)
    cache.set(version_key, index.version, SHARED_SECONDS)


def _build_and_share(version: int) -> None:
    try:
        index = build(version, text=False)
        _share(index, SHARED_VERSION_KEY)
        if index.text_pending:
            _share(index.with_text(), SHARED_TEXT_VERSION_KEY)
    except Exception:  # the list keeps its SQL path; the claim expires and a process tries again
        logger.exception("The listing index could not be built")
    finally:
        connection.close()  # this thread's own connection
        _building.release()


def _shared(version: int, version_key: str = SHARED_VERSION_KEY) -> ListingIndex | None:
    """The index another process built for ``version``, if it is in the cache (with its lexemes,
    for SHARED_TEXT_VERSION_KEY)."""
    if cache.get(version_key) != version:
        return None
    shared = cache.get(SHARED_KEY)
    if shared is None or shared[0] != version:
        return None
    return shared[1]


def listing_index() -> ListingIndex | None:
    """This process's index if it is current (the data version has not moved since it was
    built), else None: the list counts in SQL while a current one is on its way."""
    global _current
    mode = getattr(settings, "LISTING_INDEX", "background")
    if mode == "off":
        return None
    try:
        version = data_version()
        current = _current
        if current is not None and current.version == version:
            if current.text_pending and (complete := _shared(version, SHARED_TEXT_VERSION_KEY)) is not None:
                _current = current = complete  # its lexemes are built now
            return current
        if mode == "inline":
            current = _current = build(version)
            return current
        if (shared := _shared(version)) is not None:
            _current = shared
            return shared
        if _building.acquire(blocking=False):  # no thread of this process is building one
            try:
                claimed = cache.add(BUILDING_KEY.format(version=version), 1, BUILD_CLAIM_SECONDS)  # nor another's
            except Exception:
                _building.release()
                raise
            if claimed:
                threading.Thread(target=_build_and_share, args=(version,), name="listing-index", daemon=True).start()
            else:
                _building.release()
    except Exception as error:  # the cache is down: no way to know whether an index is current
        logger.warning("Cache unreachable, the list counts in SQL: %s", error)
    return None
