"""Drill a: the Celery worker SIGKILLed in the middle of a full trade refresh.

Expected: the figures readers see stay the old ones, whole (the refresh writes
in one transaction, which dies with the worker); the run is left "running"; the
message was never acknowledged (acks_late), so a worker started again receives
it once CELERY_VISIBILITY_TIMEOUT has passed (20 s here, an hour by default),
finishes the refresh, and marks the interrupted run FAILED ("Interrupted: ...").
A further refresh then writes nothing: the figures are complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tradepacts.ops.faults.services import (
    PrivateRedis,
    app_env,
    celery_worker,
    manage,
    query,
    send_task,
    wait_for,
)

VISIBILITY_TIMEOUT = 20
COUNTRIES, FIRST_YEAR, YEARS = 100, 2000, 20

FIGURES = """
SELECT count(*), coalesce(sum(total_usd), 0), md5(coalesce(string_agg(
    concat_ws(',', country_a_id, country_b_id, year, a_to_b_usd, b_to_a_usd, total_usd, growth), ';'
    ORDER BY country_a_id, country_b_id, year), ''))
FROM agreements_pairyearstatistic
"""

FLOWS = f"""
WITH c AS (SELECT id FROM agreements_country WHERE NOT is_historic ORDER BY id LIMIT {COUNTRIES})
INSERT INTO agreements_tradeflow
    (created_at, updated_at, reporter_id, partner_id, year, flow, value, currency, is_synthetic)
SELECT now(), now(), a.id, b.id, y, f, round((1e6 + random() * 1e9)::numeric, 2), 'USD', true
FROM c a JOIN c b ON a.id <> b.id
CROSS JOIN generate_series({FIRST_YEAR}, {FIRST_YEAR + YEARS - 1}) y
CROSS JOIN (VALUES ('exports'), ('imports')) v(f)
"""


def runs(url: str, after: int = 0) -> list[tuple]:
    return query(url, "SELECT id, scope, status, error FROM agreements_refreshrun WHERE id > %s ORDER BY id", [after])


def run(url: str, redis: PrivateRedis, report: Callable[[str], None]) -> None:
    env = app_env(url, redis, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
    query(url, "TRUNCATE agreements_tradeflow, agreements_pairyearstatistic, agreements_agreementtradestatistic")
    query(url, FLOWS)
    flows = query(url, "SELECT count(*) FROM agreements_tradeflow")[0][0]
    started = time.monotonic()
    manage(env, "refresh_trade_statistics")
    full_seconds = time.monotonic() - started
    old = query(url, FIGURES)[0]
    report(f"{flows:,} flows; a full refresh in-process takes {full_seconds:.1f} s; {old[0]:,} pair-years")

    # Every figure will change: a refresh that got half way would show.
    query(url, "UPDATE agreements_tradeflow SET value = value * 2")
    last = max((r[0] for r in runs(url)), default=0)
    worker = celery_worker("worker-a1", env)
    try:
        send_task(redis, "agreements.tasks.refresh_trade_statistics_task", [None])
        running = wait_for(lambda: [r for r in runs(url, last) if r[2] == "running"], 60, "the refresh to start")
        killed_id = running[0][0]
        time.sleep(min(2.0, full_seconds / 3))
        if runs(url, last)[0][2] != "running":
            raise AssertionError("the refresh finished before the kill: add flows so it runs longer")
        worker.kill()  # SIGKILL, the worker and its whole process group
    finally:
        worker.stop()
    killed_at = time.monotonic()
    report(f"worker SIGKILLed {min(2.0, full_seconds / 3):.1f} s into refresh #{killed_id}")

    # The server notices the dead client when its statement ends, then rolls back.
    wait_for(
        lambda: (
            not query(
                url,
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND state <> 'idle'",
            )
        ),
        120,
        "the killed worker's transaction to end",
    )
    after_kill = query(url, FIGURES)[0]
    assert after_kill == old, f"figures changed after the kill: {after_kill} != {old}"
    status = {r[0]: r[2] for r in runs(url, last)}[killed_id]
    report(
        f"figures after the kill: identical to before it ({old[0]:,} rows, same checksum); run #{killed_id} {status}"
    )

    worker = celery_worker("worker-a2", env)
    try:
        done = wait_for(
            lambda: [r for r in runs(url, killed_id) if r[1] == "all" and r[2] == "succeeded"],
            VISIBILITY_TIMEOUT + 180,
            "the redelivered refresh to finish",
        )
    finally:
        worker.stop()
    report(
        f"restarted worker: refresh #{done[0][0]} succeeded {time.monotonic() - killed_at:.0f} s after the kill "
        f"(the unacknowledged message was restored by kombu's periodic sweep once the {VISIBILITY_TIMEOUT} s "
        "visibility timeout had passed)"
    )
    closed = {r[0]: r for r in runs(url, last)}[killed_id]
    assert closed[2] == "failed" and closed[3].startswith("Interrupted"), closed
    report(f"run #{killed_id} now: {closed[2]}, {closed[3]!r}")
    new = query(url, FIGURES)[0]
    assert new[0] == old[0] and new[2] != old[2], "every figure doubled"
    output = manage(env, "refresh_trade_statistics")
    assert ": 0 rows written" in output, output
    report(f"figures: all {new[0]:,} rows new; a further refresh writes 0 rows, so none were left behind")
