"""The benchmark's reference for the CSV export: the same rows and columns from PostgreSQL's own
``COPY ... TO STDOUT WITH CSV``, and a cell-by-cell comparison of the two files."""

import csv
import time
from pathlib import Path

import psycopg
from psycopg import sql


def reference_sql(base_url: str) -> sql.Composed:
    """The export's rows and columns in one SQL query: published agreements, newest
    first, the same multi-value cells (string_agg in correlated subqueries), the same
    date texts and the same neutralised formula-like cells."""
    from agreements.exports import HEADER, SEPARATOR
    from tradepacts.csv import FORMULA_STARTS

    sep = sql.Literal(SEPARATOR)

    def date(name: str) -> str:
        return (
            f"CASE a.{name}_precision WHEN 'year' THEN to_char(a.{name}_on, 'YYYY') "
            f"WHEN 'month' THEN to_char(a.{name}_on, 'YYYY-MM') ELSE to_char(a.{name}_on, 'YYYY-MM-DD') END"
        )

    columns = {
        "id": "a.id",
        "title": "a.title",
        "kind": "a.kind",
        "status": "a.status",
        "parties": "(SELECT string_agg(c.iso3, {sep} ORDER BY p.id) FROM agreements_party p "
        "JOIN agreements_country c ON c.id = p.country_id WHERE p.agreement_id = a.id)",
        "party_names": "(SELECT string_agg(c.name, {sep} ORDER BY p.id) FROM agreements_party p "
        "JOIN agreements_country c ON c.id = p.country_id WHERE p.agreement_id = a.id)",
        "institutions": "(SELECT string_agg(CASE WHEN c.iso3 IS NULL THEN o.name ELSE c.iso3 || ': ' || o.name END, "
        "{sep} ORDER BY p.id) FROM agreements_party p JOIN agreements_organisation o ON o.id = p.institution_id "
        "LEFT JOIN agreements_country c ON c.id = p.country_id WHERE p.agreement_id = a.id)",
        "signed_on": date("signed"),
        "signed_place": "a.place",
        "in_force_on": date("in_force"),
        "ended_on": date("ended"),
        "topics": "(SELECT string_agg(t.name, {sep} ORDER BY t.name) FROM agreements_agreement_topics x "
        "JOIN agreements_topic t ON t.id = x.topic_id WHERE x.agreement_id = a.id)",
        "corridors": "(SELECT string_agg(k.name, {sep} ORDER BY k.name) FROM corridors_corridoragreement x "
        "JOIN corridors_corridor k ON k.id = x.corridor_id WHERE x.agreement_id = a.id)",
        "signatories": "(SELECT string_agg(s.name || CASE WHEN s.honorific <> '' THEN ', ' || s.honorific ELSE '' END"
        " || COALESCE(' (' || NULLIF(concat_ws(', ', NULLIF(s.position, ''), c.iso3), '') || ')', ''), {sep} "
        'ORDER BY s."order", s.id) FROM agreements_signatory s LEFT JOIN agreements_country c ON c.id = s.country_id '
        "WHERE s.agreement_id = a.id)",
        "sources": "(SELECT string_agg(src.title || CASE WHEN src.url <> '' THEN ' <' || src.url || '>' ELSE '' END, "
        "{sep} ORDER BY x.id) FROM agreements_agreementsource x JOIN agreements_source src ON src.id = x.source_id "
        "WHERE x.agreement_id = a.id)",
        "url": "{base} || a.slug || '/'",
        "announced_on": date("announced"),
        "scope": "a.scope",
        "binding": "CASE WHEN a.is_binding THEN 'yes' ELSE 'no' END",
        "summary": "a.summary",
    }
    if list(columns) != HEADER:
        raise RuntimeError(f"the reference query's columns {list(columns)} are not the export's {HEADER}")
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTS)

    def safe(name: str) -> str:  # tradepacts.csv.safe_cell
        return f"CASE WHEN left(r.{name}, 1) IN ({starts}) THEN '''' || r.{name} ELSE r.{name} END AS {name}"

    inner = ",\n  ".join(f"{expression} AS {name}" for name, expression in columns.items())
    outer = ", ".join("r.id" if name == "id" else safe(name) for name in columns)
    # OFFSET 0 keeps PostgreSQL from inlining the subquery, which would run each
    # string_agg twice (once for the test, once for the value).
    text = (
        f"SELECT {outer} FROM (SELECT\n  {inner},\n  a.signed_on AS sort_signed_on\n"
        "FROM agreements_agreement a WHERE a.is_published\n"
        "ORDER BY a.signed_on DESC NULLS LAST, a.id DESC OFFSET 0) r "
        "ORDER BY r.sort_signed_on DESC NULLS LAST, r.id DESC"
    )
    return sql.SQL(text).format(sep=sep, base=sql.Literal(base_url))


def copy_export(database_url: str, query: sql.Composed, sink: Path) -> tuple[int, float]:
    """``COPY (query) TO STDOUT WITH CSV HEADER`` read to the last byte: (bytes, seconds)."""
    with psycopg.connect(database_url) as conn, conn.cursor() as cursor, sink.open("wb") as out:
        started = time.perf_counter()
        size = 0
        with cursor.copy(sql.SQL("COPY ({}) TO STDOUT WITH CSV HEADER").format(query)) as copy:
            for data in copy:
                size += len(data)
                out.write(data)
        return size, time.perf_counter() - started


def compare_csv(exported: Path, reference: Path) -> tuple[int, int, str]:
    """(rows in the export, rows in the reference, the first difference or '')."""
    with exported.open(encoding="utf-8-sig", newline="") as a, reference.open(encoding="utf-8", newline="") as b:
        rows_a, rows_b = csv.reader(a), csv.reader(b)
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
