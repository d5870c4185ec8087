"""Run the fault drills: ``python -m tradepacts.ops.faults [worker_killed redis_down postgres_restart]``."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import traceback

from tradepacts.ops.faults import postgres_restart, redis_down, worker_killed
from tradepacts.ops.faults.services import WORKDIR, PrivatePostgres, PrivateRedis, answers, app_env, manage

DRILLS = {
    "worker_killed": "a) Celery worker SIGKILLed mid-refresh",
    "redis_down": "b) Redis stopped",
    "postgres_restart": "c) PostgreSQL restarted under load",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("drills", nargs="*", metavar="DRILL", help=f"Some of {', '.join(DRILLS)} (default: all).")
    args = parser.parse_args()
    unknown = set(args.drills) - DRILLS.keys()
    if unknown:
        parser.error(f"unknown drill(s) {', '.join(sorted(unknown))}: choose from {', '.join(DRILLS)}")
    args.drills = args.drills or list(DRILLS)
    # `timeout`, Ctrl-C, a CI stop: unwind, so every finally stops what it started.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    WORKDIR.mkdir(parents=True, exist_ok=True)
    print(f"Logs in {WORKDIR}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    postgres, redis = PrivatePostgres(), PrivateRedis()
    results = {}
    try:
        postgres.start()
        redis.start()
        url = postgres.create_database("tradepacts_faults")
        started = time.monotonic()
        manage(app_env(url, None), "migrate", "--noinput")
        print(
            f"Private PostgreSQL on port {postgres.port} and Redis on port {redis.port}; migrated in {time.monotonic() - started:.0f} s"
        )
        for name in args.drills:
            print(f"\n== {DRILLS[name]}")
            started = time.monotonic()
            try:
                module = {
                    "worker_killed": worker_killed,
                    "redis_down": redis_down,
                    "postgres_restart": postgres_restart,
                }[name]
                module.run(
                    url, postgres if name == "postgres_restart" else redis, lambda line: print(f"   {line}", flush=True)
                )
                results[name] = "PASSED"
            except Exception:
                traceback.print_exc()
                results[name] = "FAILED"
            print(f"   {results[name]} in {time.monotonic() - started:.0f} s")
    finally:
        if answers(redis.ping):
            redis.stop()
        postgres.remove()
    print("\n" + "\n".join(f"{DRILLS[name]}: {outcome}" for name, outcome in results.items()))
    return 0 if results and all(outcome == "PASSED" for outcome in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
