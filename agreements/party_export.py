"""The agreements CSV in its one-row-per-party shape (``/agreements/export.csv?shape=parties``):
the same filtered, ordered agreements as the agreements shape (the list's FilterSet and
QuerySet, agreements.exports' selection), then each one's parties in their order, with
the party's own dates and their precisions. An agreement without parties has no row.

One query, read a chunk at a time through a server-side cursor: the selection (the
filtered agreements, numbered in the list's order) as a CTE, joined to the parties.
Dates are written as in the agreements shape: the full ISO date, its precision beside it.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet, Window
from django.db.models.functions import RowNumber

from agreements.exports import CHUNK, SELECTION, _query_settings
from agreements.models import Country, Organisation, Party
from agreements.models.parties import PARTY_DATES

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


def party_query(queryset: QuerySet) -> tuple[str, list[Any]]:
    """SQL for (agreement id, slug, title, ISO3, country name, institution, then each party
    date and its precision) of the queryset's agreements' parties: agreements in the
    queryset's order, each one's parties by id (the agreements shape's order)."""
    ordering = list(queryset.query.order_by) or ["id"]
    # Query.order_by holds names and expressions; django-stubs types it as Combinable, which Window does not take.
    selection = queryset.annotate(x_position=Window(RowNumber(), order_by=ordering)).order_by()  # type: ignore[arg-type]
    selection_sql, params = selection.values("id", "slug", "title", "x_position").query.sql_with_params()
    dates = ", ".join(f"p.{name}_on, p.{name}_precision" for name in PARTY_DATE_NAMES)
    sql = (
        f"WITH {SELECTION} AS ({selection_sql})\n"
        f"SELECT s.id, s.slug, s.title, c.iso3, c.name, o.name, {dates}\n"
        f"FROM {SELECTION} s JOIN {Party._meta.db_table} p ON p.agreement_id = s.id\n"
        f"LEFT JOIN {Country._meta.db_table} c ON c.id = p.country_id\n"
        f"LEFT JOIN {Organisation._meta.db_table} o ON o.id = p.institution_id\n"
        "ORDER BY s.x_position, p.id"
    )
    return sql, list(params)


def _date_cells(value: dt.date | str | None, precision: str) -> list[str]:
    """[full ISO date, precision], both '' for an unknown date (SQLite hands dates back as text)."""
    if value is None:
        return ["", ""]
    return [value if isinstance(value, str) else value.isoformat(), precision]


def party_rows(queryset: QuerySet, list_url: str) -> Iterator[list[Any]]:
    """The rows of PARTY_HEADER for a filtered, ordered queryset of agreements (each
    agreement's url is ``list_url`` followed by its slug)."""
    sql, params = party_query(queryset)
    with (
        transaction.atomic(),
        connection.cursor() as setter,
        _query_settings(setter),
        connection.chunked_cursor() as cursor,
    ):
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            for agreement_id, slug, title, iso3, name, institution, *dates in chunk:
                row = [agreement_id, title, f"{list_url}{slug}/", iso3 or "", name or "", institution or ""]
                for n in range(len(PARTY_DATE_NAMES)):
                    row += _date_cells(dates[2 * n], dates[2 * n + 1])
                yield row
