"""Drill b: Redis (the Celery broker and the page cache) stopped.

Expected: a curator's admin save succeeds, within about a second; public pages
still render (without the cache); the refresh that could not be queued is a
FAILED RefreshRun "Not queued: ..."; once Redis is back, the catch-up task (beat
runs it every 5 minutes; here it is sent at once) queues a full refresh, and
the figures include the flow saved during the outage. Nothing is lost.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import requests

from tradepacts.ops.faults.services import (
    PrivateRedis,
    answers,
    app_env,
    celery_worker,
    gunicorn,
    manage,
    query,
    send_task,
    wait_for,
)
from tradepacts.ops.harness import free_port

PASSWORD = "fault-drill-password-7d1c"


def csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    page.raise_for_status()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if match is None:
        raise RuntimeError(f"no CSRF token in {url}")
    return match.group(1)


def run(url: str, redis: PrivateRedis, report: Callable[[str], None]) -> None:
    env = app_env(url, redis, DJANGO_SUPERUSER_PASSWORD=PASSWORD)
    query(url, "DELETE FROM auth_user WHERE username = 'drill'")
    manage(env, "createsuperuser", "--noinput", "--username", "drill", "--email", "drill@example.org")
    ken, uga = (
        query(url, "SELECT id FROM agreements_country WHERE iso3 = %s", [code])[0][0] for code in ("KEN", "UGA")
    )
    query(url, "DELETE FROM agreements_tradeflow WHERE reporter_id = %s AND partner_id = %s", [ken, uga])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = gunicorn("gunicorn-b", env, port)
    worker = None
    try:
        session = requests.Session()
        token = csrf(session, f"{base}/admin/login/")
        login = session.post(
            f"{base}/admin/login/",
            {"username": "drill", "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/admin/"},
            headers={"Referer": f"{base}/admin/login/"},
            timeout=30,
        )
        assert login.status_code == 200 and "Log out" in login.text, "logged in"
        add = f"{base}/admin/agreements/tradeflow/add/"
        token = csrf(session, add)
        last = query(url, "SELECT coalesce(max(id), 0) FROM agreements_refreshrun")[0][0]

        redis.stop()
        report("Redis stopped (broker and cache)")
        form = {"reporter": ken, "partner": uga, "year": 2023, "flow": "exports", "value": "123456789.00"}
        form |= {"currency": "USD", "csrfmiddlewaretoken": token}
        started = time.monotonic()
        saved = session.post(add, form, headers={"Referer": add}, timeout=60, allow_redirects=False)
        seconds = time.monotonic() - started
        assert saved.status_code == 302, f"admin save: {saved.status_code}\n{saved.text[:2000]}"
        assert (
            query(
                url, "SELECT count(*) FROM agreements_tradeflow WHERE reporter_id = %s AND partner_id = %s", [ken, uga]
            )[0][0]
            == 1
        )
        report(f"admin save of a trade flow with Redis down: {saved.status_code} in {seconds:.2f} s; the row is saved")
        assert seconds < 5, "a save must not hang on the broker"
        page = requests.get(f"{base}/agreements/", timeout=30)
        assert page.status_code == 200, page.status_code
        report(
            f"public list page with Redis down: {page.status_code} in {page.elapsed.total_seconds():.2f} s (rendered without cache)"
        )
        gap = query(url, "SELECT id, status, error FROM agreements_refreshrun WHERE id > %s", [last])
        assert gap and gap[0][1] == "failed" and gap[0][2].startswith("Not queued"), gap
        report(f"recorded: refresh run #{gap[0][0]} {gap[0][1]}: {gap[0][2][:90]}...")

        redis.start()
        report("Redis started again (empty, as after a crash)")
        worker = celery_worker("worker-b", env)
        send_task(redis, "agreements.tasks.catch_up_trade_refresh")  # beat's next five-minute tick
        figure = wait_for(
            lambda: query(
                url,
                "SELECT a_to_b_usd, b_to_a_usd FROM agreements_pairyearstatistic"
                " WHERE year = 2023 AND country_a_id = %s AND country_b_id = %s",
                [min(ken, uga), max(ken, uga)],
            ),
            120,
            "the catch-up refresh",
        )[0]
        assert "123456789.00" in {str(value) for value in figure}, figure
        report(f"catch-up: a full refresh ran; KEN-UGA 2023 now shows the flow saved during the outage ({figure})")
    finally:
        if worker:
            worker.stop()
        server.stop()
        if not answers(redis.ping):
            redis.start()
