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
import gc
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

PAGE_TARGET, AGREEMENTS_TARGET, FLOWS_TARGET = 1.0, 120.0, 60.0
# Resident memory an import may add, whatever the file's size: the file is streamed and
# its rows planned and written a chunk at a time. What grows with the rows is their keys
# (agreements: each id, slug and line, ~0.2 KB a row; trade: see README).
AGREEMENTS_MEMORY, FLOWS_MEMORY = 100_000_000, 150_000_000
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


class Measured:
    """One step's wall-clock and CPU seconds (this process; the database server's are not
    in it) and the growth of this process's resident memory at its peak over what it held
    before (sampled every 20 ms by a thread: no tracing slows the step down)."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0
        self.peak_growth = 0

    def __enter__(self) -> Measured:
        self.before = self.peak = rss()
        self.running = True
        self.sampler = threading.Thread(target=self.sample, daemon=True)
        self.sampler.start()
        self.started, self.cpu_started = time.monotonic(), time.process_time()
        return self

    def sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss())
            time.sleep(0.02)

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.monotonic() - self.started, time.process_time() - self.cpu_started
        self.running = False
        self.sampler.join()
        self.peak_growth = max(self.peak, rss()) - self.before

    def __str__(self) -> str:
        return f"{self.wall:.1f} s ({self.cpu:.1f} s CPU), memory +{self.peak_growth / 1e6:.0f} MB"


def rss() -> int:
    """This process's resident memory now, in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def run_job(upload_key: str, model: str, path: Path, form_data: dict) -> tuple[Measured, Measured, str, bool]:
    """Preview then write the file as the admin's job does (a confirmed preview: the file
    not changed, nothing written meanwhile); each step measured, the result, and whether
    the confirmation checked the file again."""
    from django.contrib.auth.models import User

    from tradepacts import import_jobs
    from tradepacts.models import ImportJob

    job = ImportJob.objects.create(
        upload=upload_key, model=model, filename=path.name, path=str(path), size=path.stat().st_size,
        digest=import_jobs.file_digest(str(path)), form_data=form_data, user=User.objects.get_or_create(username="bench", defaults={"is_superuser": True, "is_staff": True})[0],
    )  # fmt: skip
    gc.collect()
    with Measured() as previewed:
        import_jobs.run_job(job.pk)
    job.refresh_from_db()
    if job.state != ImportJob.State.PREVIEWED:
        return previewed, Measured(), f"{job.state}: {job.errors[:3]}", True
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.WRITING)  # import_jobs.confirm, untimed
    gc.collect()
    with Measured() as written:
        import_jobs.run_job(job.pk)
    job.refresh_from_db()
    result = job.result or {}
    return previewed, written, result.get("summary", f"{job.state}: {job.errors[:3]}"), result.get("rechecked", True)


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
            met += report(
                f"b. {count:,} agreements from one CSV", path.stat().st_size, AGREEMENTS_TARGET, AGREEMENTS_MEMORY,
                run_job("import-agreements-from-csv", "agreements.agreement", path, {}),
            )  # fmt: skip

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
        met += report(
            f"c. {flows:,} trade figures from one CSV", path.stat().st_size, FLOWS_TARGET, FLOWS_MEMORY,
            run_job("import-trade-figures-from-csv", "agreements.tradeflow", path, {"source": ["Bench"]}),
        )  # fmt: skip
    return met


def report(what: str, size: int, target: float, memory: int, measured: tuple) -> list[bool]:
    """Print one import's lines; whether its time and memory targets were met."""
    previewed, written, summary, rechecked = measured
    ok = 0 < written.wall < target
    small = max(previewed.peak_growth, written.peak_growth) < memory
    again = "checked again" if rechecked else "not checked again: unchanged since the preview"
    print(f"{what} ({size / 1e6:.1f} MB) through the import job")
    print(f"   preview {previewed}")
    print(f"   write   {written}, {again}   target write < {target:g} s   {verdict(ok)}")
    print(f"   memory: target growth < {memory / 1e6:.0f} MB at either step   {verdict(small)}")
    print(f"   {summary}\n")
    return [ok, small]


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
