"""The agreements CSV written by PostgreSQL itself (COPY ... TO STDOUT WITH CSV): the
same cells as agreements.exports.COLUMNS, written as SQL, so the database formats and
quotes every row and the web process only passes the bytes on: about the cost of the
query alone (make bench). test_export_reference checks, column by column, that these
cells are COLUMNS' on the same fixture. A column with no SQL here (one just added to
COLUMNS) sends the export down the Python path: slower, never wrong."""

import re
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber

from agreements.exports import (
    AGREEMENT_VALUES,
    HEADER,
    IDENTIFIER_COLUMNS,
    PRECISION_DATES,
    SELECTION,
    SEPARATOR,
    copied,
)
from agreements.extensions import linked
from tradepacts.csv import Copied, sql_safe_cell


def _date_sql(name: str) -> str:
    """ExportRow.date in SQL: the full ISO date (NULL, an empty cell, when unknown)."""
    return f"to_char(s.{name}_on, 'YYYY-MM-DD')"


def _precision_sql(name: str) -> str:
    """ExportRow.precision in SQL: the date's precision, NULL when the date is unknown."""
    return f"CASE WHEN s.{name}_on IS NOT NULL THEN s.{name}_precision END"


# header -> the cell's SQL over the selection ``s`` and the children's aggregates.
PG_CELLS: dict[str, str] = {
    "id": "s.id",
    "title": "s.title",
    "kind": "s.kind",
    "status": "s.status",
    "parties": "xp.parties",
    "party_names": "xp.party_names",
    "institutions": "xp.institutions",
    "signed_on": _date_sql("signed"),
    "signed_place": "s.place",
    "in_force_on": _date_sql("in_force"),
    "ended_on": _date_sql("ended"),
    "topics": "xt.topics",
    "signatories": "xs.signatories",
    "sources": "xr.sources",
    "url": "%(base)s || s.slug || '/'",
    "announced_on": _date_sql("announced"),
    "scope": "s.scope",
    "binding": "CASE WHEN s.is_binding THEN 'yes' ELSE 'no' END",
    "summary": "s.summary",
    **{column: f"COALESCE(xi.{column}, '')" for column in IDENTIFIER_COLUMNS},
    **{f"{name}_precision": _precision_sql(name) for name in PRECISION_DATES},
}
NUMERIC_CELLS = {"id"}
# A join, not IN (...): PostgreSQL does not know the selection's ids are unique, and would
# first make them so, once per child.
TO_SELECTION = f"JOIN {SELECTION} e ON e.id ="
# Each child table aggregated once, for the selected agreements only; the texts are
# party_text, signatory_text and source_text's. Each child's rows are sorted once (by
# agreement, then in the cell's order) and aggregated in that order: PostgreSQL does not
# pull a sorted subquery up, and with no parallel aggregation (QUERY_SETTINGS) each
# string_agg takes its rows as they come. Cheaper than string_agg(... ORDER BY ...),
# which sorts every agreement's rows apart.
PG_CHILDREN = [
    f"""LEFT JOIN (SELECT q.agreement_id, string_agg(q.iso3, %(sep)s) AS parties,
    string_agg(q.name, %(sep)s) AS party_names, string_agg(q.institution, %(sep)s) AS institutions
  FROM (SELECT p.agreement_id, c.iso3, c.name,
      CASE WHEN c.iso3 IS NOT NULL THEN c.iso3 || ': ' || o.name ELSE o.name END AS institution
    FROM agreements_party p LEFT JOIN agreements_country c ON c.id = p.country_id
    LEFT JOIN agreements_organisation o ON o.id = p.institution_id
    {TO_SELECTION} p.agreement_id ORDER BY p.agreement_id, p.id) q
  GROUP BY q.agreement_id) xp ON xp.agreement_id = s.id""",
    f"""LEFT JOIN (SELECT q.agreement_id, string_agg(q.name, %(sep)s) AS topics
  FROM (SELECT x.agreement_id, t.name FROM agreements_agreement_topics x JOIN agreements_topic t ON t.id = x.topic_id
    {TO_SELECTION} x.agreement_id ORDER BY x.agreement_id, t.name) q
  GROUP BY q.agreement_id) xt ON xt.agreement_id = s.id""",
    f"""LEFT JOIN (SELECT q.agreement_id, string_agg(q.text, %(sep)s) AS signatories
  FROM (SELECT g.agreement_id, g.name || CASE WHEN g.honorific <> '' THEN ', ' || g.honorific ELSE '' END
      || COALESCE(' (' || NULLIF(concat_ws(', ', NULLIF(g.position, ''), c.iso3), '') || ')', '') AS text
    FROM agreements_signatory g LEFT JOIN agreements_country c ON c.id = g.country_id
    {TO_SELECTION} g.agreement_id ORDER BY g.agreement_id, g."order", g.id) q
  GROUP BY q.agreement_id) xs ON xs.agreement_id = s.id""",
    f"""LEFT JOIN (SELECT q.agreement_id, string_agg(q.text, %(sep)s) AS sources
  FROM (SELECT x.agreement_id, r.title || CASE WHEN r.url <> '' THEN ' <' || r.url || '>' ELSE '' END AS text
    FROM agreements_agreementsource x JOIN agreements_source r ON r.id = x.source_id
    {TO_SELECTION} x.agreement_id ORDER BY x.agreement_id, x.id) q
  GROUP BY q.agreement_id) xr ON xr.agreement_id = s.id""",
    # Each source's identifier: the first recorded (lowest id), as ExportRow.identifiers keeps.
    "LEFT JOIN (SELECT x.agreement_id, "
    + ", ".join(
        f"(array_agg(x.value ORDER BY x.id) FILTER (WHERE x.scheme = '{scheme}'))[1] AS {column}"
        for column, scheme in IDENTIFIER_COLUMNS.items()
    )
    + f"""
  FROM agreements_externalidentifier x {TO_SELECTION} x.agreement_id
  GROUP BY x.agreement_id) xi ON xi.agreement_id = s.id""",
]


def _linked_sql(n: int, records: Any) -> tuple[str, str, list[Any]]:
    """(join, cell, params) of another app's linked records: names joined, by name."""
    name = f"{records.link_field}__name"
    rows = (
        records.links()
        .filter(agreement_id__in=RawSQL(f"SELECT id FROM {SELECTION}", []))
        .values(x_agreement=F("agreement_id"), x_name=F(name))
        .order_by("x_agreement", "x_name")
    )
    sql, params = rows.query.sql_with_params()
    join = (
        f"LEFT JOIN (SELECT c.x_agreement, string_agg(c.x_name, %s) AS names "
        f"FROM ({sql}) c GROUP BY c.x_agreement) xl{n} ON xl{n}.x_agreement = s.id"
    )
    return join, f"xl{n}.names", [SEPARATOR, *params]


def copy_query(queryset: QuerySet, list_url: str) -> tuple[str, list[Any]] | None:
    """``COPY (the export's rows, cells as COLUMNS writes them) TO STDOUT WITH CSV``, or None
    when a column has no SQL cell (PG_CELLS) yet."""
    cells = dict(PG_CELLS)
    joins, join_params = [], []
    for n, records in enumerate(linked()):
        join, cell, params = _linked_sql(n, records)
        cells[records.column] = cell
        joins.append(join)
        join_params += params
    if set(cells) != set(HEADER):
        return None
    ordering: list[Any] = list(queryset.query.order_by) or ["id"]
    selection = queryset.annotate(x_position=Window(RowNumber(), order_by=ordering)).order_by()
    selection_sql, selection_params = selection.values(*AGREEMENT_VALUES, "x_position").query.sql_with_params()
    named = {"sep": SEPARATOR, "base": list_url}

    def bind(text: str) -> tuple[str, list[Any]]:
        """%(sep)s and %(base)s as positional %s with their values, in order of appearance."""
        values = [named[match] for match in re.findall(r"%\((\w+)\)s", text)]
        return re.sub(r"%\(\w+\)s", "%s", text), values

    inner_cells, inner_params = bind(",\n  ".join(f'{cells[h]} AS "{h}"' for h in HEADER))
    children, children_params = bind("\n".join(PG_CHILDREN))
    text_cells = [h for h in HEADER if h not in NUMERIC_CELLS]
    outer_cells, outer_params = [], []
    for h in HEADER:
        if h in NUMERIC_CELLS:
            outer_cells.append(f'r."{h}"')
        else:
            cell, cell_params = sql_safe_cell(f'r."{h}"')
            outer_cells.append(f'{cell} AS "{h}"')
            outer_params += cell_params
    outer = ", ".join(outer_cells)
    quoted = ", ".join(f'"{h}"' for h in text_cells)
    query = (
        f"COPY (WITH {SELECTION} AS ({selection_sql})\n"
        f"SELECT {outer} FROM (SELECT s.x_position,\n  {inner_cells}\nFROM {SELECTION} s\n{children}\n"
        + "\n".join(joins)
        + f"\nORDER BY s.x_position OFFSET 0) r ORDER BY r.x_position)\n"
        f"TO STDOUT WITH (FORMAT csv, FORCE_QUOTE ({quoted}))"
    )
    params = [
        *selection_params,
        *outer_params,
        *inner_params,
        *children_params,
        *join_params,
    ]
    return query, params


def copied_export(queryset: QuerySet, list_url: str) -> Copied | None:
    """The export written by PostgreSQL, streamed as it comes (in a transaction of its own),
    or None when the database is not PostgreSQL or a column has no SQL cell yet."""
    if connection.vendor != "postgresql" or (query := copy_query(queryset, list_url)) is None:
        return None
    return copied(*query)
