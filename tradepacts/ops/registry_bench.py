"""Timing of the registry's three datasets imported into an empty database (make bench).

Prints the seconds for DESTA, the WTO RTA list and GPTAD, and the total against the
target (under 60 s), on the database DATABASE_URL names (a fresh, migrated one each run).
Never a test: wall-clock figures depend on the machine.
"""

import argparse
import os
import subprocess
import sys
import time

TARGET_SECONDS = 60


def empty_postgres(url: str) -> None:
    """Create the database if missing, else drop and recreate its public schema."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    try:
        connection = psycopg.connect(url, autocommit=True)
    except psycopg.OperationalError:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return
    with connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    env = {**os.environ, "DATABASE_URL": args.database_url}
    if args.database_url.startswith("sqlite:///"):
        path = args.database_url.removeprefix("sqlite:///")
        if os.path.exists(path):
            os.remove(path)
    else:
        empty_postgres(args.database_url)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0", "--noinput"], env=env, check=True)
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", "load_registry"], env=env, check=True)
    seconds = time.monotonic() - started
    verdict = "within" if seconds < TARGET_SECONDS else "OVER"
    print(f"registry import (DESTA + WTO RTA + GPTAD) on {args.database_url.split(':')[0]}: {seconds:.1f} s "
          f"(target < {TARGET_SECONDS} s: {verdict}; includes process start-up)")  # fmt: skip


if __name__ == "__main__":
    main()
