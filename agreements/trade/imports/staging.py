"""A trade import's figures kept in the database as they are read, not in memory.

``TradeImporter`` reads the file once, checking each row; a good row goes into
a temporary table (``upserts.STAGE``, private to the connection) BATCH rows at
a time (COPY on PostgreSQL). Memory therefore stays that of one batch whatever
the file's size: a million figures no longer mean a million tuples and a
million keys held by Python. Figures given twice (the same reporter, partner,
year and flow) are found by one query over the table once the file is read,
and ``upserts.merge_flows`` writes the table into TradeFlow.

Each staged row keeps its line (for the error naming both lines) and the
position of its source in the importer's ``sources`` (a source the file names
is created only when the file is written, then its id filled in).
"""

from typing import Any

from django.db import connection

from agreements.trade.imports.reading import BATCH
from agreements.trade.imports.upserts import FLOW_STAGE, STAGE

# Read from the file: the rest of FLOW_STAGE's columns take their defaults or are filled in at writing.
STAGED = ["reporter_id", "partner_id", "year", "flow", "value", "currency", "source_pos", "line"]


class FlowStage:
    """The checked figures of one file, in the temporary table STAGE."""

    def __init__(self, origin: int) -> None:
        self.count = 0
        self.buffer: list[tuple] = []
        types = dict(FLOW_STAGE)
        columns = [f"{name} {types[name]}" for name in STAGED if name in types]
        columns += ["source_pos integer", "line integer", "source_id bigint"]
        columns += ["is_synthetic boolean NOT NULL DEFAULT false", f"origin smallint NOT NULL DEFAULT {int(origin)}"]
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({', '.join(columns)})")

    def add(self, row: tuple) -> None:
        """One figure: (reporter, partner or None, year, flow, value, currency, source position or None, line)."""
        self.buffer.append(row)
        self.count += 1
        if len(self.buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        names = ", ".join(STAGED)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with connection.wrap_database_errors, cursor.copy(f"COPY {STAGE} ({names}) FROM STDIN") as copy:
                    for row in self.buffer:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {STAGE} ({names}) VALUES ({', '.join(['%s'] * len(STAGED))})", self.buffer
                )
        self.buffer = []

    def finish(self) -> None:
        """The file read: the last batch in, and the planner told how many rows there are."""
        self.flush()
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {STAGE}")

    def duplicates(self, limit: int) -> list[tuple[int, int, int, int | None, int, str]]:
        """(line, first line, reporter, partner, year, flow) of every figure given again, by line."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT line, first, reporter_id, partner_id, year, flow FROM ("
                "SELECT line, reporter_id, partner_id, year, flow, "
                f"min(line) OVER (PARTITION BY reporter_id, partner_id, year, flow) AS first FROM {STAGE}"
                ") AS keyed WHERE line <> first ORDER BY line LIMIT %s",
                [limit],
            )
            return cursor.fetchall()

    def used_sources(self) -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT source_pos FROM {STAGE} WHERE source_pos IS NOT NULL")
            return {position for (position,) in cursor.fetchall()}

    def set_sources(self, ids: list[Any]) -> None:
        """Each staged row's source id, from its source's position (a few sources a file)."""
        with connection.cursor() as cursor:
            for position in sorted(self.used_sources()):
                cursor.execute(f"UPDATE {STAGE} SET source_id = %s WHERE source_pos = %s", [ids[position], position])

    @staticmethod
    def drop() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
