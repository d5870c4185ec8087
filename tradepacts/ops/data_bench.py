"""Timing of the real default data set on PostgreSQL (make bench; issue 14's targets).

On an emptied database of its own: the WTO's bilateral file (273,256 rows) imported into the empty
trade tables (target under 30 s), then every trade dataset loaded, and the whole default data set
refreshed from nothing (target under 60 s); then a night with nothing changed, and one pair after
one changed row (target under 0.2 s). The refreshes the imports queue are left out of the import
timings (timed on their own). Never a test: wall-clock figures depend on the machine.
"""

import argparse
import os
import subprocess
import sys
import time

IMPORT_TARGET, REFRESH_TARGET, PAIR_TARGET = 30.0, 60.0, 0.2


def verdict(seconds: float, target: float) -> str:
    return f"{seconds:.2f} s (target < {target:g} s: {'within' if seconds < target else 'OVER'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    from tradepacts.ops.registry_bench import empty_postgres

    empty_postgres(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0", "--noinput"], check=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tradepacts.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from agreements import tasks
    from agreements.models import Country, Origin, TradeFlow
    from agreements.trade.datasets import FILES, load_datasets, read_file
    from agreements.trade.imports import import_trade_flows
    from agreements.trade.refresh import refresh_trade_statistics

    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    queued: list = []
    tasks.queue_trade_refresh = lambda pairs=None, **kwargs: queued.append(pairs)  # timed on their own below
    wto = next(f for f in FILES if f.slug == "wto_trade")
    data = read_file(wto.path)
    started = time.perf_counter()
    result = import_trade_flows(data, source=wto.url, filename="wto", origin=Origin.WTO)
    print(
        f"WTO bilateral file into empty tables: {result.rows:,} rows, {verdict(time.perf_counter() - started, IMPORT_TARGET)}"
    )
    with transaction.atomic():
        load_datasets(FILES, report=lambda text: None)
    flows = TradeFlow.objects.count()
    started = time.perf_counter()
    run = refresh_trade_statistics()
    print(f"default data set refreshed from nothing ({flows:,} flows, {run.rows_written:,} rows): "
          f"{verdict(time.perf_counter() - started, REFRESH_TARGET)}")  # fmt: skip
    started = time.perf_counter()
    refresh_trade_statistics()
    print(f"nightly full refresh, nothing changed: {time.perf_counter() - started:.2f} s")
    ken, uga = (Country.objects.get(iso3=c).pk for c in ("KEN", "UGA"))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE agreements_tradeflow SET value = value + 1 WHERE id = "
            "(SELECT min(id) FROM agreements_tradeflow WHERE reporter_id = %s AND partner_id = %s)",
            [uga, ken],
        )
    started = time.perf_counter()
    refresh_trade_statistics([(ken, uga)])
    print(f"one pair (KEN-UGA) after one changed row: {verdict(time.perf_counter() - started, PAIR_TARGET)}")


if __name__ == "__main__":
    main()
