"""The agreements CSV of the interface contract: columns declared once, rows
read as plain values (no model instances) by one set-based query, streamed
from a server-side cursor, so exporting 100,000 agreements takes one query and
bounded memory.

The query (``export_query``): the filtered, ordered agreements (the list's own
FilterSet and QuerySet) as a CTE, each child table (parties, topics, linked
records, signatories, sources) restricted to that selection and aggregated
once into one JSON array per agreement, joined back, in the list's order. No
literal id lists, no per-row subquery.

Dates: each date column holds a full ISO date (``2021-01-01``), the first day of its
period when only the month or the year is known, so pandas and R read the column as dates;
its precision (``day``, ``month``, ``year``; empty when the date is unknown) is a column of
its own after the contract's (``signed_precision``). A year-only date stays readable as
such: ``2021-01-01`` with ``year``. Files with partial dates (``2021``, ``2021-05``), as
earlier exports wrote them, still import.

The import (agreements.imports.agreements) reads the same columns back.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import F, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber

from agreements.extensions import linked
from agreements.models import Agreement, AgreementSource, ExternalIdentifier, Party, Signatory
from tradepacts.csv import Copied
from tradepacts.db import transaction_settings

SEPARATOR = "; "
# The contract's column of another app's records linked to agreements: its values come
# from the app that registers them (agreements.extensions).
LINKED_COLUMN = "corridors"
CHUNK = 2000
# For the one export query, in its own transaction (PostgreSQL): JIT compiling costs more
# than it saves on a query read once, and the hash aggregates and the final sort (about 1 kB
# a row) fit in memory.
# No parallel workers: the export's string_aggs take their rows in the order given (see PG_CHILDREN).
QUERY_SETTINGS = {"jit": "off", "work_mem": "128MB", "max_parallel_workers_per_gather": "0"}

TopicLink = Agreement.topics.through
# An agreement's identifier in each source (the first recorded, if several), as columns of their own.
IDENTIFIER_COLUMNS = {"desta_number": "desta", "wto_rta_name": "wto_rta", "gptad_name": "gptad"}
# Each date's precision column (``signed_precision``), last, in the order of the date columns.
PRECISION_DATES = ["signed", "in_force", "ended", "announced"]

AGREEMENT_VALUES = [
    "id",
    "slug",
    "title",
    "kind",
    "status",
    "scope",
    "is_binding",
    "summary",
    "place",
    *(f"{name}_{part}" for name in ("announced", "signed", "in_force", "ended") for part in ("on", "precision")),
]


@dataclass
class ExportRow:
    """One agreement as plain values, with its relations in their display order."""

    values: dict[str, Any]
    # (ISO3, country name, institution name); an institution acting alone has no country.
    parties: list[tuple[str | None, str | None, str | None]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    # Other apps' records linked to it (agreements.extensions), by column: {"corridors": [...]}.
    linked: dict[str, list[str]] = field(default_factory=dict)
    signatories: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    identifiers: dict[str, str] = field(default_factory=dict)  # by scheme: the first recorded

    def date(self, name: str) -> str:
        """The full ISO date (the first day of a month or a year known alone), or ''."""
        value = self.values[f"{name}_on"]
        return value.isoformat() if value else ""

    def precision(self, name: str) -> str:
        """'day', 'month' or 'year'; '' for an unknown date."""
        return self.values[f"{name}_precision"] if self.values[f"{name}_on"] else ""


def signatory_text(name: str, honorific: str, position: str, country: str | None) -> str:
    """'Mohamed Daghar, CBS (Principal Secretary, KEN)': what agreements.imports.agreements parses back."""
    text = f"{name}, {honorific}" if honorific else name
    details = ", ".join(part for part in (position, country) if part)
    return f"{text} ({details})" if details else text


def source_text(title: str, url: str) -> str:
    """'Title <https://...>', or the title alone."""
    return f"{title} <{url}>" if url else title


def party_text(iso3: str | None, institution: str | None) -> str:
    """'KEN: Kenya Ports Authority'; an institution acting alone is named alone."""
    if iso3 and institution:
        return f"{iso3}: {institution}"
    return institution or ""


def joined(values: Iterable[str | None]) -> str:
    return SEPARATOR.join(filter(None, values))


# (header, value) pairs: the contract's columns first, in their order, then extras.
COLUMNS: list[tuple[str, Callable[[ExportRow, str], Any]]] = [
    ("id", lambda r, url: r.values["id"]),
    ("title", lambda r, url: r.values["title"]),
    ("kind", lambda r, url: r.values["kind"]),
    ("status", lambda r, url: r.values["status"]),
    ("parties", lambda r, url: joined(iso3 for iso3, _, _ in r.parties)),
    ("party_names", lambda r, url: joined(name for _, name, _ in r.parties)),
    ("institutions", lambda r, url: joined(party_text(iso3, inst) for iso3, _, inst in r.parties)),
    ("signed_on", lambda r, url: r.date("signed")),
    ("signed_place", lambda r, url: r.values["place"]),
    ("in_force_on", lambda r, url: r.date("in_force")),
    ("ended_on", lambda r, url: r.date("ended")),
    ("topics", lambda r, url: joined(r.topics)),
    (LINKED_COLUMN, lambda r, url: joined(r.linked.get(LINKED_COLUMN, []))),
    ("signatories", lambda r, url: joined(r.signatories)),
    ("sources", lambda r, url: joined(r.sources)),
    ("url", lambda r, url: url),
    ("announced_on", lambda r, url: r.date("announced")),
    ("scope", lambda r, url: r.values["scope"]),
    ("binding", lambda r, url: r.values["is_binding"]),
    ("summary", lambda r, url: r.values["summary"]),
    *(
        (column, lambda r, url, scheme=scheme: r.identifiers.get(scheme, ""))
        for column, scheme in IDENTIFIER_COLUMNS.items()
    ),
    *((f"{name}_precision", lambda r, url, name=name: r.precision(name)) for name in PRECISION_DATES),
]
HEADER = [header for header, _ in COLUMNS]


@dataclass(frozen=True)
class Child:
    """A child table as the export reads it: ``rows()`` its rows (a queryset of a model
    with an ``agreement`` foreign key), ``order`` the fields that order one agreement's
    rows, ``values`` what each row contributes (a list, in this order), and ``put(row,
    lists)`` what an ExportRow keeps of an agreement's lists."""

    rows: Callable[[], QuerySet]
    order: list[str]
    values: list[str]
    put: Callable[[ExportRow, list[list[Any]]], None]


def _put_parties(row: ExportRow, items: list[list[Any]]) -> None:
    row.parties = [(iso3, name, institution) for iso3, name, institution in items]


def _put_topics(row: ExportRow, items: list[list[Any]]) -> None:
    row.topics = [name for (name,) in items]


def _put_linked(column: str) -> Callable[[ExportRow, list[list[Any]]], None]:
    def put(row: ExportRow, items: list[list[Any]]) -> None:
        row.linked[column] = [name for (name,) in items]

    return put


def _put_signatories(row: ExportRow, items: list[list[Any]]) -> None:
    row.signatories = [signatory_text(*item) for item in items]


def _put_sources(row: ExportRow, items: list[list[Any]]) -> None:
    row.sources = [source_text(*item) for item in items]


def _put_identifiers(row: ExportRow, items: list[list[Any]]) -> None:
    for scheme, value in items:
        row.identifiers.setdefault(scheme, value)


def children() -> list[Child]:
    """Every child table of the export, other apps' linked records included."""
    return [
        Child(Party.objects.all, ["id"], ["country__iso3", "country__name", "institution__name"], _put_parties),
        Child(TopicLink.objects.all, ["topic__name"], ["topic__name"], _put_topics),
        *(
            Child(
                records.links,
                [f"{records.link_field}__name"],
                [f"{records.link_field}__name"],
                _put_linked(records.column),
            )
            for records in linked()
        ),
        Child(
            Signatory.objects.all, ["order", "id"], ["name", "honorific", "position", "country__iso3"], _put_signatories
        ),
        Child(AgreementSource.objects.all, ["id"], ["source__title", "source__url"], _put_sources),
        Child(ExternalIdentifier.objects.all, ["id"], ["scheme", "value"], _put_identifiers),
    ]


SELECTION = "export_selection"
ORDERED_AGGREGATES = {"postgresql"}  # the others' rows are sorted here, by the same keys


def _aggregate(child: Child) -> tuple[str, list[Any]]:
    """SQL for (agreement id, JSON array of the child's value lists) of the selected agreements."""
    order = {f"x_o{i}": F(name) for i, name in enumerate(child.order)}
    values = {f"x_v{i}": F(name) for i, name in enumerate(child.values)}
    rows = (
        child.rows()
        .filter(agreement_id__in=RawSQL(f"SELECT id FROM {SELECTION}", []))
        .order_by()
        .values(x_agreement=F("agreement_id"), **order, **values)
    )
    if connection.vendor in ORDERED_AGGREGATES:
        # Rows sorted once, then aggregated in that order: PostgreSQL does not pull a sorted
        # subquery up, and json_agg (no partial aggregation) takes its rows as they come.
        # Cheaper than json_agg(... ORDER BY ...), which sorts each agreement's rows apart.
        sql, params = rows.order_by("x_agreement", *order).query.sql_with_params()
        aggregate = f"json_agg(json_build_array({', '.join(f'c.{name}' for name in values)}))"
    else:
        sql, params = rows.query.sql_with_params()
        aggregate = f"json_group_array(json_array({', '.join(f'c.{name}' for name in [*order, *values])}))"
    return f"SELECT c.x_agreement, {aggregate} AS items FROM ({sql}) c GROUP BY c.x_agreement", list(params)


def export_query(queryset: QuerySet) -> tuple[str, list[Any]]:
    """One query for the CSV's rows: the agreement's values (AGREEMENT_VALUES), then one
    JSON array holding, per child in ``children()``'s order, the array of its rows' values
    (or null); rows in the queryset's order."""
    ordering = list(queryset.query.order_by) or ["id"]
    # Query.order_by holds names and expressions; django-stubs types it as Combinable, which Window does not take.
    selection = queryset.annotate(x_position=Window(RowNumber(), order_by=ordering)).order_by()  # type: ignore[arg-type]
    selection_sql, params = selection.values(*AGREEMENT_VALUES, "x_position").query.sql_with_params()
    params = list(params)
    joins, items = [], []
    for n, child in enumerate(children()):
        sql, child_params = _aggregate(child)
        joins.append(f"LEFT JOIN ({sql}) j{n} ON j{n}.x_agreement = s.id")
        items.append(f"j{n}.items")
        params += child_params
    if connection.vendor == "postgresql":
        children_json = f"json_build_array({', '.join(items)})::text"
    else:  # json(): SQLite's JSON text would otherwise be nested as a string
        children_json = f"json_array({', '.join(f'json({item})' for item in items)})"
    own = ", ".join(f"s.{connection.ops.quote_name(name)}" for name in AGREEMENT_VALUES)
    sql = (
        f"WITH {SELECTION} AS ({selection_sql})\n"
        f"SELECT {own}, {children_json}\nFROM {SELECTION} s\n" + "\n".join(joins) + "\nORDER BY s.x_position"
    )
    return sql, params


def _plain(name: str, value: Any) -> Any:
    """SQLite hands back what a CTE loses the type of: dates as text, booleans as 0/1."""
    if name.endswith("_on") and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if name == "is_binding":
        return bool(value)
    return value


def _query_settings(cursor: Any) -> AbstractContextManager[None]:
    return transaction_settings(cursor, QUERY_SETTINGS) if connection.vendor == "postgresql" else nullcontext()


@contextmanager
def export_cursor() -> Iterator[Any]:
    """A server-side cursor, in a transaction of its own with the export's settings."""
    with (
        transaction.atomic(),
        connection.cursor() as setter,
        _query_settings(setter),
        connection.chunked_cursor() as cursor,
    ):
        yield cursor


def copied(sql: str, params: list[Any]) -> Copied:
    """``COPY (...) TO STDOUT`` (PostgreSQL), streamed as it comes in a transaction of its own,
    and the rows it wrote once it has finished."""
    written = {"rows": 0}

    def chunks() -> Iterator[bytes]:
        with transaction.atomic(), connection.cursor() as cursor, _query_settings(cursor):
            raw = cursor.cursor  # psycopg's own cursor: Django's has no copy()
            with raw.copy(sql, params) as copy:
                for data in copy:
                    yield bytes(data)
            written["rows"] = raw.rowcount

    return Copied(chunks(), lambda: written["rows"])


def export_rows(queryset: QuerySet) -> Iterator[ExportRow]:
    """The agreements of this filtered, ordered queryset as ExportRows, from one query
    read a chunk at a time through a server-side cursor (in a transaction of its own)."""
    kids = [(child.put, len(child.order)) for child in children()]
    sql, params = export_query(queryset)
    own = len(AGREEMENT_VALUES)
    # PostgreSQL hands back dates and booleans, and orders each agreement's child rows
    # itself; elsewhere they are converted and sorted here, by the same keys.
    native = connection.vendor in ORDERED_AGGREGATES
    with export_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            for record in chunk:
                values = dict(zip(AGREEMENT_VALUES, record[:own], strict=True))
                if not native:
                    values = {name: _plain(name, value) for name, value in values.items()}
                row = ExportRow(values)
                for (put, keys), items in zip(kids, json.loads(record[own]), strict=True):
                    if items:
                        if not native:
                            items.sort(key=lambda item, keys=keys: item[:keys])
                            items = [item[keys:] for item in items]
                        put(row, items)
                yield row


def export_table(queryset: QuerySet, list_url: str) -> Iterator[list[Any]] | Copied:
    """The CSV's rows for a filtered, ordered queryset (each row's url is ``list_url``
    followed by its slug): written by PostgreSQL itself where it can
    (agreements.exports_copy), else built here, row by row."""
    from agreements.exports_copy import copied_export  # it builds on this module

    return copied_export(queryset, list_url) or python_rows(queryset, list_url)


def python_rows(queryset: QuerySet, list_url: str) -> Iterator[list[Any]]:
    for row in export_rows(queryset):
        url = f"{list_url}{row.values['slug']}/"
        yield [value(row, url) for _, value in COLUMNS]
