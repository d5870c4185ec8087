"""The benchmark's references for the CSV export, both measured in the same run:

- ``reference_sql``: the same rows and columns written as the fastest SQL we know
  for PostgreSQL (its tables analyzed first), read with ``COPY ... TO STDOUT WITH CSV``:
  each child table aggregated once (one GROUP BY per child, hash-joined), no per-row
  subquery, JIT off, work_mem for the hashes and the sort; the same multi-value cells,
  date texts and neutralised formula-like cells;
- Datasette streaming the same rows and cells (``/db/agreements.csv?_stream=on``) from an
  SQLite file built from that COPY in the same run (``sqlite_copy``);

and a cell-by-cell comparison of two files, so each reference is known to be equivalent.
"""

import csv
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

# For the reference query's own session (the export sets the same for its query).
SESSION = ["SET jit = off", "SET work_mem = '128MB'", "SET max_parallel_workers_per_gather = 0"]


def reference_sql(base_url: str) -> sql.Composed:
    """The export's rows and columns (published agreements, newest first) in one query."""
    from agreements.exports import HEADER, IDENTIFIER_COLUMNS, PRECISION_DATES, SEPARATOR
    from tradepacts.csv import sql_safe_cell

    def date(name: str) -> str:
        return f"to_char(a.{name}_on, 'YYYY-MM-DD')"

    def precision(name: str) -> str:
        return f"CASE WHEN a.{name}_on IS NOT NULL THEN a.{name}_precision END"

    columns = {
        "id": "a.id",
        "title": "a.title",
        "kind": "a.kind",
        "status": "a.status",
        "parties": "p.parties",
        "party_names": "p.party_names",
        "institutions": "p.institutions",
        "signed_on": date("signed"),
        "signed_place": "a.place",
        "in_force_on": date("in_force"),
        "ended_on": date("ended"),
        "topics": "t.topics",
        "corridors": "k.corridors",
        "signatories": "s.signatories",
        "sources": "src.sources",
        "url": "{base} || a.slug || '/'",
        "announced_on": date("announced"),
        "scope": "a.scope",
        "binding": "CASE WHEN a.is_binding THEN 'yes' ELSE 'no' END",
        "summary": "a.summary",
        **{column: f"COALESCE(i.{column}, '')" for column in IDENTIFIER_COLUMNS},
        **{f"{name}_precision": precision(name) for name in PRECISION_DATES},
    }
    if list(columns) != HEADER:
        raise RuntimeError(f"the reference query's columns {list(columns)} are not the export's {HEADER}")
    # Each child's rows sorted once and aggregated in that order (as the export does: see
    # agreements.exports.PG_CHILDREN), over the whole table: every agreement is exported.
    children = (
        """
LEFT JOIN (SELECT q.agreement_id, string_agg(q.iso3, {sep}) AS parties,
    string_agg(q.name, {sep}) AS party_names, string_agg(q.institution, {sep}) AS institutions
  FROM (SELECT p.agreement_id, c.iso3, c.name,
      CASE WHEN c.iso3 IS NOT NULL THEN c.iso3 || ': ' || o.name ELSE o.name END AS institution
    FROM agreements_party p LEFT JOIN agreements_country c ON c.id = p.country_id
    LEFT JOIN agreements_organisation o ON o.id = p.institution_id ORDER BY p.agreement_id, p.id) q
  GROUP BY q.agreement_id) p ON p.agreement_id = a.id
LEFT JOIN (SELECT q.agreement_id, string_agg(q.name, {sep}) AS topics
  FROM (SELECT x.agreement_id, t.name FROM agreements_agreement_topics x JOIN agreements_topic t ON t.id = x.topic_id
    ORDER BY x.agreement_id, t.name) q GROUP BY q.agreement_id) t ON t.agreement_id = a.id
LEFT JOIN (SELECT q.agreement_id, string_agg(q.name, {sep}) AS corridors
  FROM (SELECT x.agreement_id, k.name FROM corridors_corridoragreement x JOIN corridors_corridor k ON k.id = x.corridor_id
    ORDER BY x.agreement_id, k.name) q GROUP BY q.agreement_id) k ON k.agreement_id = a.id
LEFT JOIN (SELECT q.agreement_id, string_agg(q.text, {sep}) AS signatories
  FROM (SELECT s.agreement_id, s.name || CASE WHEN s.honorific <> '' THEN ', ' || s.honorific ELSE '' END
      || COALESCE(' (' || NULLIF(concat_ws(', ', NULLIF(s.position, ''), c.iso3), '') || ')', '') AS text
    FROM agreements_signatory s LEFT JOIN agreements_country c ON c.id = s.country_id
    ORDER BY s.agreement_id, s."order", s.id) q GROUP BY q.agreement_id) s ON s.agreement_id = a.id
LEFT JOIN (SELECT q.agreement_id, string_agg(q.text, {sep}) AS sources
  FROM (SELECT x.agreement_id, src.title || CASE WHEN src.url <> '' THEN ' <' || src.url || '>' ELSE '' END AS text
    FROM agreements_agreementsource x JOIN agreements_source src ON src.id = x.source_id
    ORDER BY x.agreement_id, x.id) q GROUP BY q.agreement_id) src ON src.agreement_id = a.id
LEFT JOIN (SELECT x.agreement_id, """
        + ", ".join(
            # Each source's first recorded identifier (lowest id), as the export keeps.
            f"(array_agg(x.value ORDER BY x.id) FILTER (WHERE x.scheme = '{scheme}'))[1] AS {column}"
            for column, scheme in IDENTIFIER_COLUMNS.items()
        )
        + """
  FROM agreements_externalidentifier x GROUP BY x.agreement_id) i ON i.agreement_id = a.id"""
    )

    def safe(name: str) -> str:  # tradepacts.csv.sql_safe_cell, its parameters inlined
        cell, (suspect, pattern) = sql_safe_cell(f"r.{name}")
        return cell.replace("%s", sql.quote(suspect), 1).replace("%s", sql.quote(pattern), 1)

    inner = ",\n  ".join(f"{expression} AS {name}" for name, expression in columns.items())
    outer = ", ".join("r.id" if name == "id" else f"{safe(name)} AS {name}" for name in columns)
    order = (
        "a.signed_on DESC NULLS LAST, COALESCE(a.signed_on, a.announced_on, a.in_force_on) DESC NULLS LAST, a.id DESC"
    )
    # OFFSET 0 keeps PostgreSQL from inlining the subquery, which would compute each cell twice.
    text = (
        f"SELECT {outer} FROM (SELECT\n  {inner}\nFROM agreements_agreement a{children}\n"
        f"WHERE a.is_published ORDER BY {order} OFFSET 0) r"
    )
    return sql.SQL(text).format(sep=sql.Literal(SEPARATOR), base=sql.Literal(base_url))


def vacuum_analyze(database_url: str) -> None:
    """The database as autovacuum keeps it: the last writes' dead rows cleared and the
    visibility map set (so a count can read an index alone), and fresh planner statistics.
    Right after a migration rewrote every agreement, counts read the doubled table."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def copy_export(database_url: str, query: sql.Composed, sink: Path) -> tuple[int, float]:
    """``COPY (query) TO STDOUT WITH CSV HEADER`` read to the last byte: (bytes, seconds)."""
    with psycopg.connect(database_url) as conn, conn.cursor() as cursor, sink.open("wb") as out:
        for statement in SESSION:
            cursor.execute(statement)
        started = time.perf_counter()
        size = 0
        with cursor.copy(sql.SQL("COPY ({}) TO STDOUT WITH CSV HEADER").format(query)) as copy:
            for data in copy:
                size += len(data)
                out.write(data)
        return size, time.perf_counter() - started


def sqlite_copy(reference: Path, database: Path) -> int:
    """An SQLite file with one table, ``agreements``, holding the reference file's rows in
    its order (rowid) and its columns as text: what Datasette serves. Returns the rows."""
    database.unlink(missing_ok=True)
    with reference.open(encoding="utf-8", newline="") as f, sqlite3.connect(database) as db:
        rows = csv.reader(f)
        header = next(rows)
        columns = ", ".join(f'"{name}" TEXT' for name in header)
        db.execute(f"CREATE TABLE agreements ({columns})")
        marks = ", ".join("?" * len(header))
        db.executemany(f"INSERT INTO agreements VALUES ({marks})", rows)
        count = db.execute("SELECT count(*) FROM agreements").fetchone()[0]
    return count


@contextmanager
def datasette(database: Path, port: int, log: Path) -> Iterator[str]:
    """Datasette serving ``database`` on ``port``, set to stream a CSV of any size."""
    command = [str(Path(sys.executable).with_name("datasette")), "serve", str(database), "--port", str(port)]
    command += ["--setting", "max_csv_mb", "0", "--setting", "sql_time_limit_ms", "60000"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"datasette did not start:\n{log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield f"{base}/{database.stem}/agreements.csv?_stream=on&_size=max"
    finally:
        process.terminate()
        process.wait(30)


def download(url: str, sink: Path) -> tuple[int, float]:
    started = time.perf_counter()
    size = 0
    with urllib.request.urlopen(url, timeout=600) as response, sink.open("wb") as out:
        while chunk := response.read(1 << 16):
            size += len(chunk)
            out.write(chunk)
    return size, time.perf_counter() - started


def _records(path: Path, drop_first: bool) -> Iterator[list[str]]:
    """The file's records: without a BOM, the completion trailer, or Datasette's rowid column."""
    from tradepacts.csv import is_trailer

    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.reader(f):
            if is_trailer(row):
                return
            yield row[1:] if drop_first else row


def compare_csv(exported: Path, reference: Path, reference_has_rowid: bool = False) -> tuple[int, int, str]:
    """(rows in the export, rows in the reference, the first difference or '')."""
    rows_a, rows_b = _records(exported, False), _records(reference, reference_has_rowid)
    count_a = count_b = 0
    first = ""
    for line, (row_a, row_b) in enumerate(zip(rows_a, rows_b, strict=False), start=1):
        count_a, count_b = count_a + 1, count_b + 1
        if row_a != row_b and not first:
            diff = [(i, x, y) for i, (x, y) in enumerate(zip(row_a, row_b, strict=False)) if x != y][:2]
            first = f"line {line}: {diff or (len(row_a), len(row_b))}"
    count_a += sum(1 for _ in rows_a)
    count_b += sum(1 for _ in rows_b)
    return count_a - 1, count_b - 1, first  # without the header rows
