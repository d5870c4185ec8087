"""The bench's time limits that once were tests' assertions (a wall-clock limit in a test
fails on a busy machine; the tests keep what the code does, the bench how long it takes):

d. importing the real DESTA file (18,329 rows), with the checks its commit would run,
   rolled back so the bench's database stays as it was: target under 30 s;
e. a filtered list page rendered while the page cache (Redis) is unreachable: target
   under 5 s (every cache call must fail at once, never wait).

Both run in the bench's process, on its PostgreSQL database (``tradepacts.ops.bench``).
"""

import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DESTA_FILE = BASE_DIR / "agreements" / "tests" / "data" / "desta_list_of_treaties_02_01_dyads.csv"
DESTA_ROWS, DESTA_AGREEMENTS, DESTA_SECONDS = 18_329, 1_116, 30.0
CACHE_DOWN_PATH, CACHE_DOWN_SECONDS = "/agreements/?party=KEN", 5.0
# Nothing listens on port 1: every cache call fails at once with "connection refused".
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def desta_figure() -> bool:
    """d. The DESTA import, timed like its test ran it, plus the deferred checks of its commit."""
    from django.db import connection, transaction

    from agreements.imports.desta import import_desta

    print(f"d. Importing the real DESTA file ({DESTA_FILE.name}), rolled back")
    if not DESTA_FILE.exists():
        print(f"   the file is not at {DESTA_FILE}   MISSED\n")
        return False
    data = DESTA_FILE.read_bytes()
    with transaction.atomic():
        started = time.perf_counter()
        result = import_desta(data, filename=DESTA_FILE.name)
        with connection.cursor() as cursor:
            # The deferred constraints are checked at commit, which never comes here: check them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    created, rows = result.created, result.details["rows in the file"]
    right = (rows, created) == (DESTA_ROWS, DESTA_AGREEMENTS)
    ok = right and seconds < DESTA_SECONDS
    print(
        f"   {rows:,} rows, {created:,} agreements created ({'as expected' if right else 'NOT AS EXPECTED'})"
        f"  {seconds:6.2f} s   target < {DESTA_SECONDS:g} s   {verdict(ok)}\n"
    )
    return ok


def cache_down_figure() -> bool:
    """e. One list page with the page cache unreachable (Django's test client, in this process)."""
    from django.core.cache import cache
    from django.test import Client, override_settings

    print(f"e. {CACHE_DOWN_PATH} with the page cache (Redis) unreachable")
    with override_settings(CACHES=UNREACHABLE_CACHE, PAGE_CACHE_SECONDS=300):
        try:
            cache.get("anything")
            print("   the cache answered: it is not unreachable   MISSED\n")
            return False
        except Exception:  # any failure to connect is what this figure needs
            pass
        client = Client(HTTP_HOST="127.0.0.1")
        started = time.perf_counter()
        response = client.get(CACHE_DOWN_PATH)
        seconds = time.perf_counter() - started
    ok = response.status_code == 200 and seconds < CACHE_DOWN_SECONDS
    print(f"   HTTP {response.status_code}  {seconds:6.2f} s   target < {CACHE_DOWN_SECONDS:g} s   {verdict(ok)}\n")
    return ok
