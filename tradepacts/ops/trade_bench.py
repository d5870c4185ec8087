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
3. The full refresh, against that reference (target: at most 2x). It reads
   every flow and recomputes the pair-years whose inputs changed (found by
   digest, agreements.trade.sql):
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
import datetime as dt
import logging
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROWS = 1_000_000
YEARS = 30
FIRST_YEAR = 1995
SLUG_PREFIX = "trade-bench-"
REGIONAL_SIZES = [54, 27, 21, 16, 15, 15, 11, 10, 8, 7, 6, 5, 5, 4, 4, 3, 3, 3, 3, 3]
BILATERAL = 300
CURRENCIES = {  # units per USD around 2010; reporters not listed here report in USD
    "EUR": 0.75,
    "GBP": 0.65,
    "JPY": 90.0,
    "CNY": 6.7,
    "INR": 45.0,
    "BRL": 1.8,
    "ZAR": 7.3,
    "KES": 80.0,
    "TZS": 1400.0,
    "UGX": 2000.0,
    "RWF": 590.0,
    "SSP": 3.0,
}
FULL_TARGET, PAIR_TARGET = 2.0, 0.2
IMPORT_TARGET = 60  # seconds for a million rows (issue 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS, help="flow rows (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per timing (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--regenerate", action="store_true", help="write the data again even if present")
    parser.add_argument("--force", action="store_true", help="run on a database whose name lacks 'bench'")
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
    bench.run(regenerate=args.regenerate)
    return 0


def _database_config(url: str) -> dict | None:
    import environ

    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return None
    return environ.Env.db_url_config(url)


def _create_database(config: dict) -> None:
    import psycopg
    from psycopg import sql

    params = {"host": config["HOST"] or None, "port": config["PORT"] or None, "user": config["USER"] or None}
    params = {k: v for k, v in params.items() if v}
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"Created database {config['NAME']}.")


class Bench:
    def __init__(self, rows: int, seed: int, rounds: int) -> None:
        from django.db import connection

        self.rows, self.seed, self.rounds = rows, seed, rounds
        self.connection = connection
        self.rng = random.Random(seed)

    # --- measuring ---------------------------------------------------------------------

    def server_cpu(self) -> float | None:
        """CPU seconds used so far by this connection's server process, if visible."""
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def timed(self, action: Callable[[], object], rounds: int, before: Callable[[], None] | None = None):
        """Median wall seconds and median server CPU seconds (or None) of ``rounds`` runs."""
        walls, cpus = [], []
        for _ in range(rounds):
            if before:
                before()
            cpu0 = self.server_cpu()
            start = time.perf_counter()
            action()
            walls.append(time.perf_counter() - start)
            cpu1 = self.server_cpu()
            if cpu0 is not None and cpu1 is not None:
                cpus.append(cpu1 - cpu0)
        return statistics.median(walls), (statistics.median(cpus) if len(cpus) == len(walls) else None)

    # --- the run ---------------------------------------------------------------------

    def run(self, regenerate: bool) -> None:
        from agreements.models import PairYearStatistic, TradeFlow

        load = os.getloadavg()
        print(f"Machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        print(f"Database: {self.connection.settings_dict['NAME']} (PostgreSQL {self._server_version()})")
        started = time.perf_counter()
        if regenerate or not self._data_present():
            self._generate()
            print(f"Data: generated in {time.perf_counter() - started:.1f} s")
        else:
            print("Data: reused (--regenerate writes it again)")
        flows = TradeFlow.objects.count()
        pair_years = self._reference_groups()
        print(
            f"  {flows:,} flow rows (all synthetic), {pair_years:,} pair-years, "
            f"{self._count('agreements_agreement', 'slug LIKE %s', [SLUG_PREFIX + '%'])} agreements in force "
            f"({self._agreement_pairs():,} country pairs in them)"
        )

        print("\nReference: one SQL aggregate, plain pair-year sums over the same rows")
        planned, _ = self.timed(self._reference, self.rounds)
        single, reference_cpu = self.timed(lambda: self._reference(parallel=False), self.rounds)
        reference = min(planned, single)
        print(f"  as the planner likes it (parallel workers allowed): {planned:.2f} s")
        print(f"  in one process, as the refresh runs: {single:.2f} s{self._cpu(reference_cpu)}")
        print(f"  ratios below are to the faster, {reference:.2f} s")

        print("\nFull refresh (target: at most 2x the reference)")
        results = []

        def empty() -> None:
            from agreements.models import AgreementTradeStatistic

            with self.connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {PairYearStatistic._meta.db_table}, {AgreementTradeStatistic._meta.db_table}")

        cold, cold_cpu, cold_rows = self._refresh_timed(rounds=1, before=empty)
        assert PairYearStatistic.objects.count() == pair_years, "one row per pair-year"
        results.append(("a. cold (every row inserted)", cold, cold_cpu, cold_rows))
        revised, revised_cpu, revised_rows = self._refresh_timed(self.rounds, before=self._revise_one_percent)
        results.append(("b. after 1% of flows revised", revised, revised_cpu, revised_rows))
        same, same_cpu, same_rows = self._refresh_timed(self.rounds)
        results.append(("c. nothing changed", same, same_cpu, same_rows))
        rebuilt, rebuilt_cpu, rebuilt_rows = self._refresh_timed(self.rounds, rebuild=True)
        results.append(("d. every row recomputed", rebuilt, rebuilt_cpu, rebuilt_rows))
        for label, seconds, cpu, rows in results:
            ratio = seconds / reference
            cpu_ratio = f"; server CPU {cpu:.2f} s = {cpu / reference_cpu:.1f}x" if cpu and reference_cpu else ""
            verdict = "MET" if ratio <= FULL_TARGET else "NOT MET"
            print(
                f"  {label:32s} {seconds:7.2f} s = {ratio:5.1f}x the reference{cpu_ratio}; {rows:,} rows written: {verdict}"
            )

        print("\nFloors: what recomputing every row (a, d) cannot do without, timed alone")
        figures, _ = self.timed(self._figures_floor, self.rounds)
        writing = statistics.median(self._write_floor() for _ in range(self.rounds))
        print(
            f"  each role's flow id and US dollars per pair-year, one aggregate: {figures:.2f} s = {figures / reference:.1f}x"
        )
        print(
            f"  writing every row (the finished rows into the emptied table):   {writing:.2f} s = {writing / reference:.1f}x"
        )
        print(
            f"  so d (computing every row) takes more than {figures / reference:.1f}x, "
            f"and a (computing and writing every row) more than {(figures + writing) / reference:.1f}x"
        )

        print(f"\nImport of the {flows:,} flows as one plain-layout CSV (target: under {IMPORT_TARGET} s)")
        created, unchanged = self._import_timed()
        for label, (seconds, result) in (("into an empty table", created), ("again (nothing changes)", unchanged)):
            print(f"  {label:26s} {seconds:6.1f} s: {'MET' if seconds < IMPORT_TARGET else 'NOT MET'} ({result})")
        imported = "MET" if max(created[0], unchanged[0]) < IMPORT_TARGET else "NOT MET"

        print("\nOne pair after one changed row (target: under 0.2 s)")
        pair_seconds, pair_cpu, pair_reference = self._pair_refresh()
        verdict = "MET" if pair_seconds < PAIR_TARGET else "NOT MET"
        print(
            f"  refresh of the pair: {pair_seconds * 1000:.0f} ms{self._cpu(pair_cpu, ms=True)} "
            f"= {pair_seconds / PAIR_TARGET:.2f}x the 0.2 s target: {verdict}"
        )
        print(f"  (reference: the plain aggregate over that pair's rows alone takes {pair_reference * 1000:.1f} ms)")

        verdicts = ", ".join(
            f"{label.split(' (')[0]} {'MET' if seconds / reference <= FULL_TARGET else 'NOT MET'}"
            for label, seconds, _, _ in results
        )
        print(
            f"\nTargets: full refresh <= 2x: {verdicts}; import < {IMPORT_TARGET} s: {imported}; one pair < 0.2 s: {verdict}. "
            f"Total {time.perf_counter() - started:.0f} s."
        )

    def _cpu(self, seconds: float | None, ms: bool = False) -> str:
        if seconds is None:
            return ""
        return f" (server CPU {seconds * 1000:.0f} ms)" if ms else f" (server CPU {seconds:.2f} s)"

    def _server_version(self) -> str:
        with self.connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]

    def _count(self, table: str, where: str = "true", params: list | None = None) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table} WHERE {where}", params or [])
            return cursor.fetchone()[0]

    def _agreement_pairs(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM agreements_party p1 JOIN agreements_party p2"
                " ON p2.agreement_id = p1.agreement_id AND p2.country_id > p1.country_id"
            )
            return cursor.fetchone()[0]

    REFERENCE_SQL = """
        SELECT count(*), sum(total) FROM (
            SELECT LEAST(reporter_id, partner_id) AS a, GREATEST(reporter_id, partner_id) AS b, year,
                   SUM(value) AS total
            FROM agreements_tradeflow WHERE partner_id IS NOT NULL
            GROUP BY 1, 2, 3
        ) pair_years
    """

    def _reference(self, parallel: bool = True) -> tuple:
        from django.db import transaction

        from agreements.trade.sql import FULL_REFRESH_WORK_MEM

        with transaction.atomic(), self.connection.cursor() as cursor:
            # The memory the refresh gets, so neither spills to disk.
            cursor.execute("SELECT set_config('work_mem', %s, true)", [FULL_REFRESH_WORK_MEM])
            if not parallel:  # a statement that writes (the refresh) never gets parallel workers
                cursor.execute("SELECT set_config('max_parallel_workers_per_gather', '0', true)")
            cursor.execute(self.REFERENCE_SQL)
            return cursor.fetchone()

    def _figures_floor(self) -> tuple:
        """The least of a refresh's computing, as one aggregate: under the mirror rule's six roles,
        each pair-year's flow ids and values in US dollars (agreements.trade.sql's expressions).
        Nothing chosen, no growth or agreements, nothing compared or written."""
        from django.db import transaction

        from agreements.trade.sql import FULL_REFRESH_WORK_MEM, RATES, ROLE, USD

        roles = ", ".join(
            f"max(id) FILTER (WHERE role = {r}) AS id{r}, max(usd) FILTER (WHERE role = {r}) AS usd{r}"
            for r in range(6)
        )
        consumed = ", ".join(f"sum(id{r}), sum(usd{r})" for r in range(6))  # every output used: none is dropped
        with transaction.atomic(), self.connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [FULL_REFRESH_WORK_MEM])
            cursor.execute("SELECT set_config('max_parallel_workers_per_gather', '0', true)")
            cursor.execute(
                f"""WITH rates AS ({RATES})
                SELECT count(*), {consumed} FROM (
                    SELECT a, b, year, {roles} FROM (
                        SELECT LEAST(f.reporter_id, f.partner_id) AS a, GREATEST(f.reporter_id, f.partner_id) AS b,
                            f.year, f.id, {ROLE} AS role, {USD} AS usd
                        FROM agreements_tradeflow f
                        LEFT JOIN rates r ON r.currency = f.currency AND r.year = f.year
                        WHERE f.partner_id IS NOT NULL OFFSET 0
                    ) flows GROUP BY a, b, year
                ) pair_years"""
            )
            return cursor.fetchone()

    def _write_floor(self) -> float:
        """Seconds to write the derived rows as they stand into the emptied table (rolled back):
        the least a cold refresh writes, with the table's indexes and write-ahead log."""
        from django.db import transaction

        with transaction.atomic(), self.connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_rows ON COMMIT DROP AS SELECT * FROM agreements_pairyearstatistic"
            )
            cursor.execute("TRUNCATE agreements_pairyearstatistic")
            start = time.perf_counter()
            cursor.execute("INSERT INTO agreements_pairyearstatistic SELECT * FROM bench_rows")
            seconds = time.perf_counter() - start
            transaction.set_rollback(True)
        return seconds

    def _import_timed(self) -> tuple[tuple[float, object], tuple[float, object]]:
        """(seconds, result) of importing every flow as a CSV into the emptied table, then of
        importing the same file again, each with the checks its commit would run. Rolled back: the
        bench's flows and ids stay as they were, and the refresh the import queues on commit is never sent."""
        import tempfile

        from django.db import transaction

        from agreements.trade.imports import import_trade_flows

        with tempfile.TemporaryFile() as file:
            with (
                self.connection.cursor() as cursor,
                cursor.connection.cursor().copy(
                    "COPY (SELECT r.iso3 AS reporter, p.iso3 AS partner, f.year, f.flow, f.value, f.currency"
                    " FROM agreements_tradeflow f JOIN agreements_country r ON r.id = f.reporter_id"
                    " JOIN agreements_country p ON p.id = f.partner_id ORDER BY f.id) TO STDOUT WITH (FORMAT csv, HEADER)"
                ) as copy,
            ):
                for block in copy:
                    file.write(block)
            timings = []
            with transaction.atomic():
                with self.connection.cursor() as cursor:
                    cursor.execute("TRUNCATE agreements_tradeflow")
                for _ in range(2):
                    file.seek(0)
                    start = time.perf_counter()
                    result = import_trade_flows(file, filename="bench.csv")
                    with self.connection.cursor() as cursor:
                        # The foreign keys are checked at commit, which never comes here: check them now.
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                    timings.append((time.perf_counter() - start, result))
                transaction.set_rollback(True)
        return timings[0], timings[1]

    def _reference_groups(self) -> int:
        return self._reference()[0]

    def _refresh_timed(self, rounds: int, before: Callable[[], None] | None = None, rebuild: bool = False):
        from agreements.models import RefreshRun
        from agreements.trade.refresh import refresh_trade_statistics

        runs: list[RefreshRun] = []
        seconds, cpu = self.timed(lambda: runs.append(refresh_trade_statistics(rebuild=rebuild)), rounds, before)
        assert all(run.status == RefreshRun.Status.SUCCEEDED for run in runs)
        return seconds, cpu, int(statistics.median(run.rows_written for run in runs))

    def _revise_one_percent(self) -> None:
        """A new release of the data: 1% of the figures revised."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "UPDATE agreements_tradeflow SET value = round(value * 1.01, 2), updated_at = now()"
                " WHERE id %% 100 = %s",
                [self.rng.randrange(100)],
            )

    def _pair_refresh(self) -> tuple[float, float | None, float]:
        from agreements.models import PairYearStatistic, TradeFlow
        from agreements.trade.refresh import refresh_trade_statistics

        # Flows that a figure uses and converts, so that changing one changes a figure.
        used = PairYearStatistic.objects.filter(a_to_b_usd__isnull=False, a_to_b_flow__isnull=False)
        last = used.order_by("-id").values_list("id", flat=True).first()
        picks = []
        while len(picks) < 7:
            picks.append(
                used.filter(id__gte=self.rng.randint(1, last))
                .order_by("id")
                .values_list("a_to_b_flow_id", flat=True)
                .first()
            )
        walls, cpus, references = [], [], []
        for flow_id in picks:
            flow = TradeFlow.objects.get(pk=flow_id)
            pair = (min(flow.reporter_id, flow.partner_id), max(flow.reporter_id, flow.partner_id))
            flow.value = flow.value + Decimal(1000)
            flow.save(update_fields=["value", "updated_at"])
            cpu0 = self.server_cpu()
            start = time.perf_counter()
            run = refresh_trade_statistics([pair])
            walls.append(time.perf_counter() - start)
            cpu1 = self.server_cpu()
            if cpu0 is not None and cpu1 is not None:
                cpus.append(cpu1 - cpu0)
            assert run.status == "succeeded" and run.rows_written >= 1, "the changed figure was rewritten"
            start = time.perf_counter()
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT year, SUM(value) FROM agreements_tradeflow"
                    " WHERE (reporter_id, partner_id) IN ((%s, %s), (%s, %s)) GROUP BY year",
                    [pair[0], pair[1], pair[1], pair[0]],
                )
                cursor.fetchall()
            references.append(time.perf_counter() - start)
        return (
            statistics.median(walls),
            statistics.median(cpus) if len(cpus) == len(walls) else None,
            statistics.median(references),
        )

    # --- the data --------------------------------------------------------------------

    def _data_present(self) -> bool:
        from agreements.models import Agreement, TradeFlow

        return (
            TradeFlow.objects.count() == self.rows
            and not TradeFlow.objects.filter(is_synthetic=False).exists()
            and Agreement.objects.filter(slug__startswith=SLUG_PREFIX).count() == BILATERAL + len(REGIONAL_SIZES)
        )

    def _generate(self) -> None:
        from django.db import transaction

        from agreements.models import Country

        rng = random.Random(self.seed)
        countries = list(Country.objects.filter(is_historic=False).order_by("iso3").values_list("id", flat=True))
        years = list(range(FIRST_YEAR, FIRST_YEAR + YEARS))
        currency = {c: (rng.choice(list(CURRENCIES)) if rng.random() < 0.4 else "USD") for c in countries}
        rates = {}
        for code, base in CURRENCIES.items():
            for year in years:
                if code == "SSP" and year < 2011:  # South Sudan's pound: none before 2011
                    continue
                rates[(code, year)] = round(base * (1 + 0.03 * (year - 2010)) * rng.uniform(0.95, 1.05), 6)
        pairs = [(a, b) for i, a in enumerate(countries) for b in countries[i + 1 :]]
        rng.shuffle(pairs)
        now = dt.datetime.now(dt.UTC)

        with transaction.atomic(), self.connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE agreements_pairyearstatistic, agreements_agreementtradestatistic,"
                " agreements_tradeflow, agreements_exchangerate"
            )
            raw = cursor.connection  # psycopg's own connection: COPY
            with raw.cursor().copy(
                "COPY agreements_exchangerate (created_at, updated_at, currency, year, units_per_usd) FROM STDIN"
            ) as copy:
                for (code, year), units in rates.items():
                    copy.write_row((now, now, code, year, f"{units:.6f}"))
            written = 0
            columns = "created_at, updated_at, reporter_id, partner_id, year, flow, value, currency, is_synthetic"
            with raw.cursor().copy(f"COPY agreements_tradeflow ({columns}) FROM STDIN") as copy:
                for a, b in pairs:
                    size = math.exp(rng.gauss(15, 2.2))  # a pair's trade in USD: lognormal
                    for year in years:
                        rows = []
                        for reporter, partner in ((a, b), (b, a)):
                            for kind in ("exports", "imports"):
                                if rng.random() < 0.85:
                                    rows.append((reporter, partner, kind))
                            if rng.random() < 0.01:
                                rows.append((reporter, partner, "total"))
                        for reporter, partner, kind in rows:
                            code = currency[reporter]
                            usd = size * rng.uniform(0.6, 1.4) * (2 if kind == "total" else 1)
                            value = usd if code == "USD" else usd * rates.get((code, year), CURRENCIES[code])
                            copy.write_row((now, now, reporter, partner, year, kind, f"{value:.2f}", code, True))
                            written += 1
                            if written == self.rows:
                                break
                        if written == self.rows:
                            break
                    if written == self.rows:
                        break
            if written < self.rows:
                raise RuntimeError(f"only {written} rows: too few pairs for {self.rows}")
            self._agreements(rng, countries)
        with self.connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE agreements_tradeflow")
            cursor.execute("VACUUM ANALYZE agreements_exchangerate")

    def _agreements(self, rng: random.Random, countries: list[int]) -> None:
        """Published agreements in force: bilateral ones and regional ones of realistic sizes."""
        from django.utils import timezone

        from agreements.models import Agreement, Party

        Agreement.objects.filter(slug__startswith=SLUG_PREFIX).delete()
        planned = [2] * BILATERAL + REGIONAL_SIZES
        agreements = []
        for n, size in enumerate(planned):
            signed = dt.date(rng.randint(1990, 2020), rng.randint(1, 12), 1)
            agreements.append(
                Agreement(
                    title=f"Synthetic trade benchmark agreement {n}",
                    slug=f"{SLUG_PREFIX}{n}",
                    kind=Agreement.Kind.FTA,
                    scope=Agreement.Scope.BILATERAL if size == 2 else Agreement.Scope.PLURILATERAL,
                    status=Agreement.Status.IN_FORCE,
                    signed_on=signed,
                    in_force_on=signed + dt.timedelta(days=rng.randint(30, 700)),
                    is_published=True,
                    published_at=timezone.now(),
                    summary="Synthetic: generated by tradepacts.ops.trade_bench.",
                )
            )
        Agreement.objects.bulk_create(agreements)
        parties = []
        for agreement, size in zip(agreements, planned, strict=True):
            for country_id in rng.sample(countries, size):
                parties.append(Party(agreement=agreement, country_id=country_id))
        Party.objects.bulk_create(parties)


if __name__ == "__main__":
    sys.exit(main())
