"""The trade refresh benchmark's measurements: the reference aggregate, the refresh runs, the floors,
the import and one pair end to end, each against its target (see ``__main__`` for the whole run)."""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from tradepacts.ops.trade_bench.data import SLUG_PREFIX, TradeData

FULL_TARGET, PAIR_TARGET = 2.0, 0.2
# The runs the 2x target applies to (issue 14): the first fill and a rebuild are reported against the floors.
NIGHTLY = ("b. after 1% of flows revised", "c. nothing changed")
IMPORT_TARGET = 60  # seconds for a million rows (issue 4)


class Bench(TradeData):
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

    def timed(
        self, action: Callable[[], object], rounds: int, before: Callable[[], None] | None = None
    ) -> tuple[float, float | None]:
        """Median wall seconds and median server CPU seconds (or None) of ``rounds`` runs."""
        walls: list[float] = []
        cpus: list[float] = []
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

    def run(self, regenerate: bool, nightly_only: bool = False) -> bool:
        """Print every figure; True when the targets are met (the nightly's 2x, the import, one pair)."""
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

        print(
            "\nFull refresh (target for the nightly runs b and c: at most 2x the reference; a and d against the floors)"
        )
        results = []

        def empty() -> None:
            from agreements.models import AgreementTradeStatistic

            with self.connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {PairYearStatistic._meta.db_table}, {AgreementTradeStatistic._meta.db_table}")

        if nightly_only:  # b and c alone, from the rows as they are (filled first when there are none)
            self._refresh_timed(rounds=1)
        else:
            cold, cold_cpu, cold_rows = self._refresh_timed(rounds=1, before=empty)
            assert PairYearStatistic.objects.count() == pair_years, "one row per pair-year"
            results.append(("a. cold (every row inserted)", cold, cold_cpu, cold_rows))
        revised, revised_cpu, revised_rows = self._refresh_timed(self.rounds, before=self._revise_one_percent)
        results.append(("b. after 1% of flows revised", revised, revised_cpu, revised_rows))
        same, same_cpu, same_rows = self._refresh_timed(self.rounds)
        results.append(("c. nothing changed", same, same_cpu, same_rows))
        if not nightly_only:
            rebuilt, rebuilt_cpu, rebuilt_rows = self._refresh_timed(self.rounds, rebuild=True)
            results.append(("d. every row recomputed", rebuilt, rebuilt_cpu, rebuilt_rows))
        for label, seconds, cpu, rows in results:
            ratio = seconds / reference
            cpu_ratio = f"; server CPU {cpu:.2f} s = {cpu / reference_cpu:.1f}x" if cpu and reference_cpu else ""
            verdict = ("MET" if ratio <= FULL_TARGET else "NOT MET") if label in NIGHTLY else "see the floors"
            print(
                f"  {label:32s} {seconds:7.2f} s = {ratio:5.1f}x the reference{cpu_ratio}; {rows:,} rows written: {verdict}"
            )

        nightly_met = all(seconds / reference <= FULL_TARGET for label, seconds, _, _ in results if label in NIGHTLY)
        if nightly_only:
            return nightly_met

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
            if label in NIGHTLY
        )
        print(
            f"\nTargets: nightly refresh <= 2x: {verdicts}; import < {IMPORT_TARGET} s: {imported}; one pair < 0.2 s: {verdict}. "
            f"Total {time.perf_counter() - started:.0f} s."
        )
        return nightly_met and imported == "MET" and verdict == "MET"

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

        from agreements.trade.sql import FULL_REFRESH_WORK_MEM
        from agreements.trade.statements import RATES, ROLE, USD

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

    def _refresh_timed(
        self, rounds: int, before: Callable[[], None] | None = None, rebuild: bool = False
    ) -> tuple[float, float | None, int]:
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
        if last is None:
            raise RuntimeError("No figure converts a flow: load the benchmark data first.")
        picks: list[int] = []
        while len(picks) < 7:
            pick = (
                used.filter(id__gte=self.rng.randint(1, last))
                .order_by("id")
                .values_list("a_to_b_flow_id", flat=True)
                .first()
            )
            if pick is not None:  # always: the figure with id ``last`` qualifies
                picks.append(pick)
        walls, cpus, references = [], [], []
        for flow_id in picks:
            flow = TradeFlow.objects.get(pk=flow_id)
            partner_id = flow.partner_id
            if partner_id is None:
                raise RuntimeError(f"Flow {flow.pk} is with the World: a figure's flow has a partner.")
            pair = (min(flow.reporter_id, partner_id), max(flow.reporter_id, partner_id))
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
