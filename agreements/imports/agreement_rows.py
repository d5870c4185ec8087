"""The agreements CSV's row format: its columns, how its cells read, and the
plan one row makes (agreements.imports.agreements reads a file into plans,
agreements.imports.agreement_writes writes them)."""

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from agreements.exports import HEADER
from agreements.extensions import LinkedRecords
from agreements.models import Agreement, Country, Organisation, Source, Topic
from agreements.models.dates import DatePrecision, parse_partial_date
from tradepacts.imports import Importer

# The interface contract's columns (the export's first ones) must all be there.
REQUIRED_COLUMNS = HEADER[: HEADER.index("url") + 1]

BATCH = 1000
CHUNK = 2000  # agreements whose relation rows are built and written together
MAX_ID = 2**63 - 1
DATE_COLUMNS = {"announced_on": "announced", "signed_on": "signed", "in_force_on": "in_force", "ended_on": "ended"}
# Which column a model field's error belongs to.
FIELD_COLUMNS = {
    "slug": "url",
    "place": "signed_place",
    "is_binding": "binding",
    **{f"{name}_precision": column for column, name in DATE_COLUMNS.items()},
}
UPDATE_FIELDS = [
    "title",
    "kind",
    "status",
    "scope",
    "is_binding",
    "summary",
    "place",
    *(f"{name}_{part}" for name in DATE_COLUMNS.values() for part in ("on", "precision")),
    "is_published",
    "published_at",
]
BOOLEANS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}
NOT_BINDING_KINDS = {Agreement.Kind.MOU, Agreement.Kind.MOC, Agreement.Kind.COMMUNIQUE}
# Choice values by value or (lower-case) label, per column.
CHOICES = {
    column: {key.lower(): value for value, label in choices.choices for key in (value, label)}
    for column, choices in (("kind", Agreement.Kind), ("status", Agreement.Status), ("scope", Agreement.Scope))
}
CHOICE_VALUES = {column: ", ".join(dict.fromkeys(values.values())) for column, values in CHOICES.items()}
INSTITUTION_OF_PARTY = re.compile(r"([A-Z]{3}):\s*(.*)", re.S)
SIGNATORY_COUNTRY = re.compile(r"(?:(.*?),\s*)?([A-Z]{3})", re.S)
SOURCE_WITH_URL = re.compile(r"(.*?)\s*<([A-Za-z][A-Za-z0-9+.-]*://[^<>\s]*)>", re.S)
AGREEMENT_ID = re.compile(r"agreement (\d+)")


@dataclass
class RowPlan:
    """What one row will write: the agreement, and its relations as plain values
    (their model rows are built at write time, a chunk at a time, to bound memory)."""

    line: int
    agreement: Agreement
    # The field values before the file's, for an existing agreement; None for a new one.
    original: dict[str, Any] | None
    # (country, institution), in the order of the parties.
    parties: list[tuple[Country | None, Organisation | None]] = field(default_factory=list)
    # (name, honorific, position, country), in order.
    signatories: list[tuple[str, str, str, Country | None]] = field(default_factory=list)
    # Existing rows as ids, rows to create as unsaved instances (shared between rows).
    topics: list[int | Topic] = field(default_factory=list)
    linked: list[Any] = field(default_factory=list)  # records of LINKED_COLUMN, as topics
    sources: list[int | Source] = field(default_factory=list)


# From the finest to the coarsest: a date's text may not be coarser than its precision cell.
PRECISIONS: list[str] = [DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR]


class PrecisionError(ValueError):
    """A precision cell (``signed_precision``) that cannot be read: reported in that column."""


def read_date(text: str, precision_text: str) -> tuple[dt.date, str]:
    """A date cell and its precision cell to (date, precision). The export writes the full
    date with its precision (``2021-01-01``, ``year``); earlier exports wrote the partial
    date alone (``2021``), read as before. Raises ValueError for the date cell,
    PrecisionError for the precision cell. A full date that is not the first day of its
    month or year is the model's to refuse (precision_errors)."""
    day, precision = parse_partial_date(text)
    if not (given := precision_text.strip().lower()):
        return day, precision
    if given not in PRECISIONS:
        raise PrecisionError(f"“{precision_text.strip()}” is not a precision: use day, month or year.")
    if PRECISIONS.index(given) < PRECISIONS.index(precision):
        raise PrecisionError(f"“{text.strip()}” gives no {given}: write the full date, or the precision {precision}.")
    return day, given


def pk_of(obj: Any) -> int | None:
    return obj if isinstance(obj, int) or obj is None else obj.pk


def id_of(obj: int | models.Model) -> int:
    """An existing row's id, or a new one's once written."""
    return obj if isinstance(obj, int) else obj.pk


def split(cell: str) -> list[str]:
    return [value.strip() for value in cell.split(";") if value.strip()]


def numbered_slug(base: str, taken: set[str], max_length: int) -> str:
    """``base``, or ``base-2``, ``base-3`` ... whichever is free; marks it taken."""
    candidate, n = base[:max_length], 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


def validation_messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}


def parse_signatory(entry: str) -> tuple[str, str, str]:
    """'Name, Honorific (Position, ISO3)' to (name, honorific, details in brackets)."""
    text, details = entry, ""
    if entry.endswith(")"):
        depth = 0
        for i in range(len(entry) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(entry[i], 0)
            if depth == 0:
                text, details = entry[:i].strip(), entry[i + 1 : -1].strip()
                break
    name, _, honorific = text.partition(",")
    return name.strip(), honorific.strip(), details


class ImportState(Importer):
    """What one agreements import knows while it reads and writes: the reference
    data it looked up (AgreementsImporter.load) and the rows it will create. The
    planning (agreement_relations) and writing (agreement_writes) mixins share it."""

    filename: str
    user: Any
    reason: str
    now: dt.datetime
    checking: bool  # False in the writing pass: the rows were checked already
    highest_id: int
    topics: dict[str, int]
    linked_names: dict[str, int]
    countries: dict[str, Country]
    iso3_of: dict[int | None, str]
    topic_slugs: set[str]
    linked_records: LinkedRecords | None
    linked_slugs: set[str]
    organisations: dict[tuple[int | None, str], Organisation]
    organisations_named: dict[str, list[Organisation]]
    organisation_slugs: set[str]
    sources_by_url: dict[str, int]
    sources_by_title: dict[str, int]
    new_topics: dict[str, Topic]
    new_linked: dict[str, Any]
    new_organisations: dict[tuple[int | None, str], Organisation]
    new_sources: dict[tuple[str, str], Source]
    reference_errors: dict[Any, list[str]]
    party_checks: dict[tuple[int | None, int | None], list[str]]

    def start_pass(self, *, checking: bool) -> None:
        """Reset what a pass over the rows learns (AgreementsImporter)."""
        raise NotImplementedError

    def planned_chunks(self, phase: str) -> Iterator[list[RowPlan]]:
        """The file's rows planned, a chunk at a time (AgreementsImporter)."""
        raise NotImplementedError
