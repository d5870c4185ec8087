"""The agreements CSV in its one-row-per-party shape (``/agreements/export.csv?shape=parties``):
the same filtered, ordered agreements as the agreements shape (the list's FilterSet and
QuerySet, agreements.exports' selection), then each one's parties in their order, with
the party's own dates and their precisions. An agreement without parties has no row.

One query: the selection (the filtered agreements, numbered in the list's order) as a CTE,
joined to the parties. PostgreSQL writes the file itself (``COPY ... TO STDOUT WITH CSV``,
the cells made safe in SQL as tradepacts.csv.sql_safe_cell does); elsewhere the rows are
read a chunk at a time through a server-side cursor and written here. Dates are written
as in the agreements shape: the full ISO date, its precision beside it.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import QuerySet, Window
from django.db.models.functions import RowNumber

from agreements.exports import CHUNK, SELECTION, copied, export_cursor
from agreements.models import Country, Organisation, Party
from agreements.models.parties import PARTY_DATES
from tradepacts.csv import Copied, sql_safe_cell

PARTY_DATE_NAMES = [field.removesuffix("_on") for field in PARTY_DATES]  # signed, ratified, joined, withdrew
PARTY_HEADER = [
    "agreement_id",
    "agreement_title",
    "agreement_url",
    "party",
    "party_name",
    "institution",
    *(f"{name}_{part}" for name in PARTY_DATE_NAMES for part in ("on", "precision")),
]


def _selection(queryset: QuerySet) -> tuple[str, list[Any]]:
    """The queryset's agreements (id, slug, title) numbered in its order (x_position)."""
    ordering = list(queryset.query.order_by) or ["id"]
    # Query.order_by holds names and expressions; django-stubs types it as Combinable, which Window does not take.
    selection = queryset.annotate(x_position=Window(RowNumber(), order_by=ordering)).order_by()  # type: ignore[arg-type]
    sql, params = selection.values("id", "slug", "title", "x_position").query.sql_with_params()
    return sql, list(params)


PARTY_JOINS = (
    f"FROM {SELECTION} s JOIN {Party._meta.db_table} p ON p.agreement_id = s.id\n"
    f"LEFT JOIN {Country._meta.db_table} c ON c.id = p.country_id\n"
    f"LEFT JOIN {Organisation._meta.db_table} o ON o.id = p.institution_id\n"
)


def party_query(queryset: QuerySet) -> tuple[str, list[Any]]:
    """SQL for (agreement id, slug, title, ISO3, country name, institution, then each party
    date and its precision) of the queryset's agreements' parties: agreements in the
    queryset's order, each one's parties by id (the agreements shape's order)."""
    selection_sql, params = _selection(queryset)
    dates = ", ".join(f"p.{name}_on, p.{name}_precision" for name in PARTY_DATE_NAMES)
    sql = (
        f"WITH {SELECTION} AS ({selection_sql})\n"
        f"SELECT s.id, s.slug, s.title, c.iso3, c.name, o.name, {dates}\n"
        f"{PARTY_JOINS}ORDER BY s.x_position, p.id"
    )
    return sql, params


def copy_party_query(queryset: QuerySet, list_url: str) -> tuple[str, list[Any]]:
    """``COPY (the rows of PARTY_HEADER, cells as party_rows writes them) TO STDOUT WITH CSV``."""
    selection_sql, params = _selection(queryset)
    cells = {
        "agreement_id": "s.id",
        "agreement_title": "s.title",
        "agreement_url": "%s || s.slug || '/'",
        "party": "c.iso3",
        "party_name": "c.name",
        "institution": "o.name",
    }
    for name in PARTY_DATE_NAMES:
        cells[f"{name}_on"] = f"to_char(p.{name}_on, 'YYYY-MM-DD')"
        cells[f"{name}_precision"] = f"CASE WHEN p.{name}_on IS NOT NULL THEN p.{name}_precision END"
    outer, outer_params = [], []
    for header in PARTY_HEADER:
        if header == "agreement_id":  # a number: neither quoted nor touched
            outer.append(f'r."{header}"')
            continue
        cell, cell_params = sql_safe_cell(f'r."{header}"')
        outer.append(f'{cell} AS "{header}"')
        outer_params += cell_params
    inner = ", ".join(f'{sql} AS "{header}"' for header, sql in cells.items())
    text_cells = ", ".join(f'"{header}"' for header in PARTY_HEADER if header != "agreement_id")
    # OFFSET 0 keeps PostgreSQL from inlining the subquery, which would compute each cell twice.
    sql = (
        f"COPY (WITH {SELECTION} AS ({selection_sql})\n"
        f"SELECT {', '.join(outer)} FROM (SELECT s.x_position, p.id AS x_party, {inner}\n"
        f"{PARTY_JOINS}ORDER BY s.x_position, p.id OFFSET 0) r ORDER BY r.x_position, r.x_party)\n"
        f"TO STDOUT WITH (FORMAT csv, FORCE_QUOTE ({text_cells}))"
    )
    return sql, [*params, *outer_params, list_url]


def party_table(queryset: QuerySet, list_url: str) -> Iterator[list[Any]] | Copied:
    """The rows of PARTY_HEADER: written by PostgreSQL where it can, else here."""
    if connection.vendor == "postgresql":
        return copied(*copy_party_query(queryset, list_url))
    return party_rows(queryset, list_url)


def _date_cells(value: dt.date | str | None, precision: str) -> list[str]:
    """[full ISO date, precision], both '' for an unknown date (SQLite hands dates back as text)."""
    if value is None:
        return ["", ""]
    return [value if isinstance(value, str) else value.isoformat(), precision]


def party_rows(queryset: QuerySet, list_url: str) -> Iterator[list[Any]]:
    """The rows of PARTY_HEADER for a filtered, ordered queryset of agreements (each
    agreement's url is ``list_url`` followed by its slug)."""
    sql, params = party_query(queryset)
    with export_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            for agreement_id, slug, title, iso3, name, institution, *dates in chunk:
                row = [agreement_id, title, f"{list_url}{slug}/", iso3 or "", name or "", institution or ""]
                for n in range(len(PARTY_DATE_NAMES)):
                    row += _date_cells(dates[2 * n], dates[2 * n + 1])
                yield row
