"""Drill c: PostgreSQL restarted under load.

Eight client threads send list, search, detail and health requests to gunicorn
(3 workers, CONN_MAX_AGE 60 with health checks, page cache off) for 30 s; at
10 s the server is restarted (``pg_ctl restart -m fast``). Expected: every
answer is a 200 or, while the database is away, a 503 "Temporarily unavailable"
page with Retry-After; never a 500, a dropped connection or a hang; and once
the server is back, the same gunicorn processes (no restart) answer 200 again.
"""

from __future__ import annotations

import collections
import http.client
import threading
import time
from collections.abc import Callable

from tradepacts.ops.faults.services import PrivatePostgres, app_env, gunicorn, manage, query
from tradepacts.ops.harness import free_port

THREADS, SECONDS, RESTART_AT = 8, 30, 10
TIMEOUT = 30


def run(url: str, postgres: PrivatePostgres, report: Callable[[str], None]) -> None:
    env = app_env(url, None, PAGE_CACHE_SECONDS="0", CONN_MAX_AGE="60")
    if query(url, "SELECT count(*) FROM agreements_agreement")[0][0] < 2000:
        manage(env, "generate_synthetic", "--agreements", "2000", "--seed", "7")
    slugs = [row[0] for row in query(url, "SELECT slug FROM agreements_agreement WHERE is_published LIMIT 50")]
    paths = ["/health/", "/agreements/?party=KEN", "/agreements/?q=trade", "/agreements/?kind=mou&page=2"]
    paths += [f"/agreements/{slug}/" for slug in slugs[:4]]
    port = free_port()
    server = gunicorn("gunicorn-c", env, port, workers=3)
    workers_before = _children(server.pid)
    results: list[tuple[float, str, object, float, str]] = []  # (at, path, status or error, seconds, body start)
    lock = threading.Lock()
    start = time.monotonic()

    def client(n: int) -> None:
        i = n
        while time.monotonic() - start < SECONDS:
            path = paths[i % len(paths)]
            i += 1
            sent = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                outcome: object = response.status
                detail = f"{response.getheader('Retry-After')}|{body[:4000].decode(errors='replace')}"
                conn.close()
            except Exception as error:  # a dropped connection or a timeout: what must not happen
                outcome, detail = type(error).__name__, str(error)
            with lock:
                results.append((sent - start, path, outcome, time.monotonic() - sent, detail))
            time.sleep(0.02)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(RESTART_AT)
        restart_started = time.monotonic() - start
        restart_seconds = postgres.restart()
        restart_ended = time.monotonic() - start
        for thread in threads:
            thread.join()
        workers_after = _children(server.pid)
    finally:
        server.stop()

    counts = collections.Counter(r[2] for r in results)
    report(
        f"{len(results)} requests in {SECONDS} s; PostgreSQL restarted at {restart_started:.1f} s, "
        f"back after {restart_seconds:.1f} s; outcomes: {dict(counts)}"
    )
    bad = [r for r in results if r[2] not in (200, 503)]
    assert not bad, f"not a 200 or a 503: {[(round(r[0], 1), r[1], r[2], r[4][:200]) for r in bad[:5]]}"
    unavailable = [r for r in results if r[2] == 503]
    for r in unavailable:
        retry_after, body = r[4].split("|", 1)
        assert retry_after == "30" and "Temporarily unavailable" in body, r[4][:300]
    if unavailable:
        first, last = min(r[0] for r in unavailable), max(r[0] + r[3] for r in unavailable)
        report(f"503 'Temporarily unavailable' (Retry-After 30) from {first:.1f} s to {last:.1f} s")
    slowest = max(r[3] for r in results)
    assert slowest < 10, f"a request took {slowest:.1f} s"
    after = [r for r in results if r[0] > restart_ended + 1]
    assert after and all(r[2] == 200 for r in after), "all 200 once the server is back"
    assert workers_before == workers_after, f"gunicorn workers changed: {workers_before} -> {workers_after}"
    report(
        f"after the restart: {len(after)} requests, all 200, served by the same gunicorn workers "
        f"{sorted(workers_after)}; slowest request of the drill {slowest:.2f} s"
    )


def _children(pid: int) -> set[int]:
    from pathlib import Path

    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
