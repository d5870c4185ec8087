"""Curators at scale (issue 16), timed on an empty PostgreSQL database of its own (make bench):

a. the admin change page of a 106-party agreement (the Cotonou Agreement's size): the
   median server time of a few requests and its query count (target: under 1 s);
b. 100,000 agreements imported from one CSV of the export's columns through the import
   job, as a curator's confirmed upload runs it: the preview (checked, written, rolled
   back) and the write, each timed (target: the write under 2 minutes);
c. 1,000,000 trade figures imported from one CSV the same way (target: under 60 s).

Never a test: wall-clock figures depend on the machine and what else runs on it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PAGE_TARGET, AGREEMENTS_TARGET, FLOWS_TARGET = 1.0, 120.0, 60.0
CODES = ["RWA", "KEN", "TZA", "UGA", "BDI", "ETH", "SSD", "COD", "ZMB", "MWI", "MOZ", "SOM"]


def setup(url: str) -> None:
    from tradepacts.ops.registry_bench import empty_postgres

    empty_postgres(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tradepacts.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def page_figure() -> bool:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from agreements.synthetic.large import build_large_agreement

    agreement = build_large_agreement(parties=106)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.create_superuser("bench", "bench@example.org", "x"))
    url = f"/admin/agreements/agreement/{agreement.pk}/change/"
    client.get(url)
    times = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
    if response.status_code != 200:
        raise SystemExit(f"the change page answered {response.status_code}, not 200")
    median = statistics.median(times)
    print("a. Change page of a 106-party agreement (212 inline rows), server time")
    print(f"   median {median:.2f} s of 5 (best {min(times):.2f} s), {len(queries)} queries, "
          f"{len(response.content) / 1024:.0f} KB   target < {PAGE_TARGET:g} s   {verdict(median < PAGE_TARGET)}\n")  # fmt: skip
    return median < PAGE_TARGET


def agreements_file(path: Path, count: int) -> None:
    from agreements.exports import HEADER
    from tradepacts.csv import csv_lines

    def rows():
        for i in range(count):
            a = CODES[i % len(CODES)]
            b = CODES[(i + 1 + i // len(CODES)) % len(CODES)]
            b = b if b != a else CODES[(i + 5) % len(CODES)]
            values = {
                "title": f"Bench memorandum {i} on trade facilitation",
                "kind": "mou",
                "status": "signed",
                "parties": f"{a}; {b}",
                "signed_on": f"{1990 + i % 35}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "signed_place": "Kigali",
                "topics": "Trade facilitation" if i % 2 else "Ports and logistics",
                "scope": "bilateral",
                "binding": "no",
                "summary": "Synthetic, for the import benchmark.",
            }
            yield [values.get(name, "") for name in HEADER]

    with path.open("wb") as out:
        for chunk in csv_lines(HEADER, rows()):
            out.write(chunk)


def run_job(upload_key: str, model: str, path: Path, form_data: dict) -> tuple[float, float, str]:
    """Preview then write the file as the admin's job does; seconds of each, and the result."""
    from django.contrib.auth.models import User

    from tradepacts import import_jobs
    from tradepacts.models import ImportJob

    job = ImportJob.objects.create(
        upload=upload_key, model=model, filename=path.name, path=str(path), size=path.stat().st_size,
        form_data=form_data, user=User.objects.get_or_create(username="bench", defaults={"is_superuser": True, "is_staff": True})[0],
    )  # fmt: skip
    started = time.monotonic()
    import_jobs.run_job(job.pk)
    previewed = time.monotonic() - started
    job.refresh_from_db()
    if job.state != ImportJob.State.PREVIEWED:
        return previewed, 0.0, f"{job.state}: {job.errors[:3]}"
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.WRITING)
    started = time.monotonic()
    import_jobs.run_job(job.pk)
    written = time.monotonic() - started
    job.refresh_from_db()
    return previewed, written, (job.result or {}).get("summary", f"{job.state}: {job.errors[:3]}")


def import_figures(count: int, flows: int, only: str | None = None) -> list[bool]:
    from django.contrib import admin  # noqa: F401  # the upload pages register themselves with the admin

    from agreements.models import Country, Topic
    from agreements.trade.models import TradeFlow  # noqa: F401

    Topic.objects.get_or_create(name="Trade facilitation", defaults={"slug": "trade-facilitation"})
    Topic.objects.get_or_create(name="Ports and logistics", defaults={"slug": "ports-and-logistics"})
    met = []
    with tempfile.TemporaryDirectory(prefix="tradepacts-curation-bench-") as tmp:
        if only != "flows":
            path = Path(tmp) / "agreements.csv"
            agreements_file(path, count)
            size = path.stat().st_size
            previewed, written, summary = run_job("import-agreements-from-csv", "agreements.agreement", path, {})
            ok = 0 < written < AGREEMENTS_TARGET
            print(f"b. {count:,} agreements from one CSV ({size / 1e6:.1f} MB) through the import job")
            print(
                f"   preview {previewed:.1f} s, write {written:.1f} s   target write < {AGREEMENTS_TARGET:g} s   {verdict(ok)}"
            )
            print(f"   {summary}\n")
            met.append(ok)

        codes = list(Country.objects.filter(is_historic=False).values_list("iso3", flat=True).order_by("iso3"))[:80]
        path = Path(tmp) / "flows.csv"
        with path.open("w") as out:
            out.write("reporter,partner,year,flow,value,currency\n")
            n = 0
            for year in range(1900, 2101):
                for a in codes:
                    for b in codes:
                        if a != b and n < flows:
                            out.write(f"{a},{b},{year},exports,{1000 + n % 997},USD\n")
                            n += 1
        size = path.stat().st_size
        previewed, written, summary = run_job(
            "import-trade-figures-from-csv", "agreements.tradeflow", path, {"source": ["Bench"]}
        )
        ok = 0 < written < FLOWS_TARGET
        print(f"c. {flows:,} trade figures from one CSV ({size / 1e6:.1f} MB) through the import job")
        print(
            f"   preview {previewed:.1f} s, write {written:.1f} s   target write < {FLOWS_TARGET:g} s   {verdict(ok)}"
        )
        print(f"   {summary}\n")
        met.append(ok)
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tradepacts.ops.curation_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--database-url", required=True, help="A PostgreSQL database of the bench's own (emptied).")
    parser.add_argument("--agreements", type=int, default=100_000)
    parser.add_argument("--flows", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["page", "imports", "flows"], default=None)
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        parser.error("the bench runs on PostgreSQL: give a postgres:// URL")
    setup(args.database_url)
    os.environ["IMPORT_JOB_RUNNER"] = "inline"
    print(f"\ncuration bench: {args.database_url.rsplit('/', 1)[1]}, load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs\n")  # fmt: skip
    met = []
    if args.only in (None, "page"):
        met.append(page_figure())
    if args.only in (None, "imports", "flows"):
        from django.conf import settings

        settings.IMPORT_JOB_RUNNER = "inline"
        met += import_figures(args.agreements, args.flows, args.only)
    print(f"{sum(met)} of {len(met)} targets met.")
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())
