"""The agreements CSV of the interface contract: columns declared once, rows
read in chunks of plain values (no model instances), so exporting 100,000
agreements takes a bounded number of queries per chunk and bounded memory.

The import (agreements.imports.agreements) reads the same columns back.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from agreements.extensions import linked
from agreements.models import Agreement, AgreementSource, ExternalIdentifier, Party, Signatory
from agreements.models.dates import iso_partial_date

SEPARATOR = "; "
# The contract's column of another app's records linked to agreements: its values come
# from the app that registers them (agreements.extensions).
LINKED_COLUMN = "corridors"
CHUNK = 2000

TopicLink = Agreement.topics.through

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


# Each in the same query as the agreement's values: the export's query count stays fixed.
IDENTIFIER_COLUMNS = {"desta_number": "desta", "wto_rta_name": "wto_rta", "gptad_name": "gptad"}


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

    def date(self, name: str) -> str:
        return iso_partial_date(self.values[f"{name}_on"], self.values[f"{name}_precision"])


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
    return SEPARATOR.join(value for value in values if value)


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
    # Identifiers in the source datasets (agreements.imports.merge), after the contract's columns.
    ("desta_number", lambda r, url: r.values["desta_number"] or ""),
    ("wto_rta_name", lambda r, url: r.values["wto_rta_name"] or ""),
    ("gptad_name", lambda r, url: r.values["gptad_name"] or ""),
]
HEADER = [header for header, _ in COLUMNS]


def export_rows(ids: list[int]) -> list[ExportRow]:
    """The rows of these agreements, in this order, in six queries."""
    identifiers = {
        f"{column}": Subquery(
            ExternalIdentifier.objects.filter(agreement=OuterRef("pk"), scheme=scheme).values("value")[:1]
        )
        for column, scheme in IDENTIFIER_COLUMNS.items()
    }
    agreements = Agreement.objects.filter(pk__in=ids).annotate(**identifiers)
    rows = {v["id"]: ExportRow(v) for v in agreements.values(*AGREEMENT_VALUES, *IDENTIFIER_COLUMNS)}
    parties = Party.objects.filter(agreement_id__in=ids).order_by("id")
    for agreement_id, iso3, name, institution in parties.values_list(
        "agreement_id", "country__iso3", "country__name", "institution__name"
    ):
        rows[agreement_id].parties.append((iso3, name, institution))
    topics = TopicLink.objects.filter(agreement_id__in=ids).order_by("topic__name")
    for agreement_id, name in topics.values_list("agreement_id", "topic__name"):
        rows[agreement_id].topics.append(name)
    for records in linked():
        names = f"{records.link_field}__name"
        links = records.links().filter(agreement_id__in=ids).order_by(names)
        for agreement_id, name in links.values_list("agreement_id", names):
            rows[agreement_id].linked.setdefault(records.column, []).append(name)
    signatories = Signatory.objects.filter(agreement_id__in=ids).order_by("order", "id")
    for agreement_id, *details in signatories.values_list(
        "agreement_id", "name", "honorific", "position", "country__iso3"
    ):
        rows[agreement_id].signatories.append(signatory_text(*details))
    sources = AgreementSource.objects.filter(agreement_id__in=ids).order_by("id")
    for agreement_id, title, url in sources.values_list("agreement_id", "source__title", "source__url"):
        rows[agreement_id].sources.append(source_text(title, url))
    return [rows[pk] for pk in ids if pk in rows]


def batched(iterable: Iterable[int], size: int) -> Iterator[list[int]]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def export_table(queryset: QuerySet, detail_url: Callable[[str], str]) -> Iterator[list[Any]]:
    """The CSV's rows for a filtered, ordered queryset, one chunk at a time."""
    ids = queryset.values_list("pk", flat=True).iterator(chunk_size=CHUNK)
    for chunk in batched(ids, CHUNK):
        for row in export_rows(chunk):
            url = detail_url(row.values["slug"])
            yield [value(row, url) for _, value in COLUMNS]
