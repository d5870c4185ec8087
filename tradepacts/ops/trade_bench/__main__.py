"""Benchmark of the trade statistics refresh (issue 4): ``python -m tradepacts.ops.trade_bench``.

Runs on the PostgreSQL database named by DATABASE_URL (or --database-url), which must be one of its
own (its name must contain "bench", or pass --force): it deletes every trade
flow, exchange rate and derived statistic there. The database is created and
migrated when missing. Then:

1. Data: 1,000,000 synthetic flow rows (marked synthetic) between all current
   countries over 30 years, both directions (exports and imports, so mirror
   figures occur), a few reported totals, reporters in several currencies with
   yearly exchange rates (a few missing, so notes occur), written with COPY;
   plus 320 published agreements in force (bilateral and regional, up to 54
   parties). Reused when already there (--regenerate writes them again).
2. The reference: one SQL aggregate over the same rows computing the plain
   pair-year sums (sum of value by unordered pair and year), its sums consumed.
3. The full refresh, against that reference (target: at most 2x). It
   recomputes the pair-years whose inputs changed (those the database queued
   as their flows changed; every flow compared by digest after a change of
   rates or rules; agreements.trade.sql):
   a. cold: the derived tables empty, every row computed and inserted;
   b. a nightly run after 1% of the flows were revised (3% of the pair-years
      changed; they and the year after each are recomputed);
   c. nothing changed since the last run;
   d. nothing changed, but every pair-year recomputed (``rebuild=True``, as
      after a change of the rules): the whole computation, nothing written.
4. Floors: timed alone, the two things a and d cannot do without (each role's
   flow id and US dollars per pair-year as one aggregate; writing every row).
5. The import of every flow as one plain-layout CSV, into the emptied table and
   again (nothing changes), rolled back: target under 60 s for a million rows.
6. One pair after one changed row, end to end (run record, locks, the pair's
   every year, the agreements of both countries): target under 0.2 s.

Each time is the median of a few rounds (wall clock). The machine's load is
printed: other processes on a small machine move every figure, ratios less.
The database server's CPU time is printed too when its process is visible here.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from tradepacts.ops.trade_bench.bench import Bench
from tradepacts.ops.trade_bench.data import ROWS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tradepacts.ops.trade_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS, help="flow rows (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per timing (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--regenerate", action="store_true", help="write the data again even if present")
    parser.add_argument("--force", action="store_true", help="run on a database whose name lacks 'bench'")
    parser.add_argument(
        "--nightly-only", action="store_true", help="time only the nightly refresh (b and c) against the reference"
    )
    parser.add_argument("--database-url", help="instead of DATABASE_URL")
    args = parser.parse_args(argv)

    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url  # before Django reads its settings
    url = os.environ.get("DATABASE_URL", "")
    config = _database_config(url)
    if config is None:
        print("Set DATABASE_URL to a PostgreSQL database of its own, e.g.", file=sys.stderr)
        print("  DATABASE_URL=postgres://postgres@127.0.0.1:5432/tradepacts_bench", file=sys.stderr)
        return 2
    if "bench" not in config["NAME"] and not args.force:
        print(
            f"Refusing to replace the trade data of {config['NAME']!r}: its name lacks 'bench' (--force).",
            file=sys.stderr,
        )
        return 2
    _create_database(config)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tradepacts.settings")
    import django

    django.setup()
    logging.getLogger("agreements").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    bench = Bench(args.rows, args.seed, args.rounds)
    return 0 if bench.run(regenerate=args.regenerate, nightly_only=args.nightly_only) else 1


def _database_config(url: str) -> dict | None:
    import environ

    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return None
    return environ.Env.db_url_config(url)


def _create_database(config: dict) -> None:
    import psycopg
    from psycopg import sql

    params: dict[str, Any] = {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
    }
    params = {k: v for k, v in params.items() if v}
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"Created database {config['NAME']}.")


if __name__ == "__main__":
    sys.exit(main())
