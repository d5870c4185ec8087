"""The agreements CSV read back: the export's columns (agreements.exports), in
the export's cell formats, so that exporting, importing into an empty database
and exporting again gives the same file, byte for byte.

Validation is whole-file. Every row is parsed and checked against every model
rule first; any error, and nothing of the file is written: the caller gets all
the errors, each with its line as a spreadsheet numbers it (the header is line
1). Then everything is written in one transaction, in bulk.

How cells are read:

- ``id``: an existing agreement's id updates it (the ``url`` must then end in
  its slug); a free id creates an agreement with that id; blank creates one
  with a new id.
- ``url``: its last path segment is the slug (``…/agreements/<slug>/``); blank,
  a slug is made from the title.
- ``kind``, ``status``, ``scope``: the model's choice values; ``binding``:
  yes/no (true/false, 1/0); dates: YYYY, YYYY-MM or YYYY-MM-DD.
- ``parties``: ISO3 codes. ``party_names`` is derived from them and ignored.
- ``institutions``: ``ISO3: Institution`` for the body acting for that party,
  found by name and country (or by name among bodies without a country),
  created when missing; an entry without ``ISO3:`` is an institution acting
  alone (an intergovernmental body, created without a country when missing).
- ``topics``, ``corridors``: names, created when missing.
- ``signatories``: ``Name[, Honorific] (Position, ISO3)``; the ISO3 must be a party.
- ``sources``: ``Title <url>`` found by URL, or ``Title`` found by title
  among sources without a URL; created (kind "other") when missing. An existing
  source is cited as it is: the file never renames one.
- Optional columns left out of the file (``announced_on``, ``scope``,
  ``binding``, ``summary``) keep an existing agreement's values; a new one
  gets defaults (scope from its parties, binding from its kind).

An update changes only what differs: parties, signatories and citations that
the file repeats keep their rows (and what the file cannot say: per-party
dates, a signatory's role and organisation, a citation's note), and an
agreement the file does not change is not written at all, not even in history.
A value cannot contain the separator ";" (see exports.SEPARATOR).
"""

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from agreements.exports import HEADER, CorridorLink, TopicLink
from agreements.models import Agreement, AgreementSource, Country, Organisation, Party, Signatory, Source, Topic
from agreements.models.dates import parse_partial_date
from agreements.search import reindex
from tradepacts.csv import numbered_records, unsafe_cell
from tradepacts.imports import (
    NOT_UTF8,
    NOT_UTF8_MESSAGE,
    Importer,
    ImportResult,
    RowError,
    decode,
    first_line,
)

# The interface contract's columns (the export's first ones) must all be there.
REQUIRED_COLUMNS = HEADER[: HEADER.index("url") + 1]
# Agreement's corridors come from the corridors app, which agreements never imports.
Corridor = Agreement._meta.get_field("corridors").related_model

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
    corridors: list[Any] = field(default_factory=list)
    sources: list[int | Source] = field(default_factory=list)


def import_agreements(
    data: bytes | str | IO,
    *,
    publish: bool,
    filename: str = "a CSV file",
    user: Any = None,
    can_change: bool = True,
) -> ImportResult:
    """Import a CSV of the export's columns; raises ImportFailed with every error.

    ``publish`` publishes every agreement of the file; otherwise new ones are
    drafts and existing ones keep their state. ``can_change=False`` refuses rows
    that update existing agreements (a curator allowed to add only).
    """
    return AgreementsImporter(publish=publish, filename=filename, user=user, can_change=can_change).run(data)


def pk_of(obj: Any) -> int | None:
    return obj if isinstance(obj, int) or obj is None else obj.pk


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


class AgreementsImporter(Importer):
    """One import: the reference data it looks up, the rows it plans, the errors it found."""

    def __init__(self, *, publish: bool, filename: str, user: Any, can_change: bool) -> None:
        super().__init__()
        self.publish, self.filename, self.user, self.can_change = publish, filename, user, can_change
        self.reason = f"Imported from {filename}"
        self.now = timezone.now()
        self.plans: list[RowPlan] = []

    # --- reading -------------------------------------------------------------

    def read(self, data: bytes | str | IO) -> None:
        text, utf8 = decode(data)
        header = self.read_header(text)
        if self.errors:
            return
        self.load(header, text)
        self.plans = [plan for line, cells in self.records(header, text, utf8) if (plan := self.plan(line, cells))]

    def checked_tables(self) -> list[str]:
        return [m._meta.db_table for m in WRITTEN_MODELS]

    def rows(self, text: str) -> Iterator[tuple[int, list[str]]]:
        return numbered_records(text, lambda line, message: self.error(line, "", message))

    def read_header(self, text: str) -> list[str]:
        first = next(self.rows(text), None)
        if first is None:
            self.error(1, "", "The file is empty: it needs a header row with the export's columns.")
            return []
        header = [name.strip().lower() for name in first[1]]
        if any(NOT_UTF8.search(name) for name in header):
            self.error(1, "", NOT_UTF8_MESSAGE)
            return []
        if duplicates := [name for name, n in Counter(header).items() if n > 1 and name]:
            self.error(1, "", f"Column(s) given twice: {', '.join(duplicates)}.")
        if unknown := [name or "(blank)" for name in header if name not in HEADER]:
            self.error(1, "", f"Unknown column(s): {', '.join(unknown)}. The columns are: {', '.join(HEADER)}.")
        if missing := [name for name in REQUIRED_COLUMNS if name not in header]:
            self.error(1, "", f"Missing column(s): {', '.join(missing)}.")
        return header

    def records(self, header: list[str], text: str, utf8: bool) -> Iterator[tuple[int, dict[str, str]]]:
        """The data rows as {column: text}, neutralised formulas undone; blank lines skipped."""
        rows = self.rows(text)
        next(rows)
        for line, cells in rows:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                self.error(line, "", f"This row has {len(cells)} cells; the header has {len(header)}.")
                continue
            row = dict(zip(header, cells, strict=True))
            if not utf8 and (bad := [name for name, cell in row.items() if NOT_UTF8.search(cell)]):
                for name in bad:
                    self.error(line, name, "Not UTF-8 text: save the file as “CSV UTF-8” and import it again.")
                continue
            yield line, {name: unsafe_cell(cell) for name, cell in row.items()}

    # --- looking up ----------------------------------------------------------

    def load(self, header: list[str], text: str) -> None:
        """Every lookup the rows need, once: reference data, and the agreements the file names."""
        self.columns = set(header)
        self.countries = {c.iso3: c for c in Country.objects.only("id", "iso3", "name")}
        self.iso3_of = {c.pk: c.iso3 for c in self.countries.values()}
        self.topics = dict(Topic.objects.values_list("name", "id"))
        self.topic_slugs = set(Topic.objects.values_list("slug", flat=True))
        self.corridors = dict(Corridor.objects.values_list("name", "id"))
        self.corridor_slugs = set(Corridor.objects.values_list("slug", flat=True))
        self.organisations: dict[tuple[int | None, str], Organisation] = {}
        self.organisations_named: dict[str, list[Organisation]] = defaultdict(list)
        for org in Organisation.objects.only("id", "name", "country_id").order_by("id"):
            self.organisations.setdefault((org.country_id, org.name), org)
            self.organisations_named[org.name].append(org)
        self.organisation_slugs = set(Organisation.objects.values_list("slug", flat=True))
        self.sources_by_url: dict[str, int] = {}
        self.sources_by_title: dict[str, int] = {}
        for pk, title, url in Source.objects.order_by("id").values_list("id", "title", "url"):
            if url:
                self.sources_by_url[url] = pk
            else:
                self.sources_by_title.setdefault(title, pk)
        # Rows to create, shared by every row that names them.
        self.new_topics: dict[str, Topic] = {}
        self.new_corridors: dict[str, Any] = {}
        self.new_organisations: dict[tuple[int | None, str], Organisation] = {}
        self.new_sources: dict[tuple[str, str], Source] = {}
        self.reference_errors: dict[Any, list[str]] = {}
        self.party_checks: dict[tuple[int | None, int | None], list[str]] = {}

        self.slug_owners = dict(Agreement.objects.values_list("slug", "id"))
        ids, self.file_slugs = set(), set()
        try:
            for cells in csv.reader(io.StringIO(text, newline="")):
                row = dict(zip(header, cells, strict=False))
                if (pk := row.get("id", "").strip()).isdigit() and int(pk) <= MAX_ID:
                    ids.add(int(pk))
                if slug := self.slug_from_url(row.get("url", "")):
                    self.file_slugs.add(slug)
        except csv.Error:
            pass  # reported with its line when the rows are read
        self.existing: dict[int, Agreement] = {}
        ids_list = sorted(ids)
        for start in range(0, len(ids_list), BATCH):
            # search_text is derived (reindex rewrites it) and the largest field.
            self.existing |= Agreement.objects.defer("search_text").in_bulk(ids_list[start : start + BATCH])
        self.taken_slugs = set(self.slug_owners) | self.file_slugs
        self.seen_ids: dict[int, int] = {}
        self.seen_slugs: dict[str, int] = {}

    @staticmethod
    def slug_from_url(url: str) -> str:
        path = url.strip().split("?", 1)[0].split("#", 1)[0]
        if "://" in path:
            path = path.split("://", 1)[1].partition("/")[2]
        return path.rstrip("/").rsplit("/", 1)[-1]

    # --- one row -------------------------------------------------------------

    def plan(self, line: int, cells: dict[str, str]) -> RowPlan | None:
        """The row as unsaved rows, every rule checked; None (and errors noted) if it cannot be."""
        errors_before = len(self.errors)
        plan = self.plan_agreement(line, cells)
        if plan is None:
            return None
        self.plan_parties(plan, cells)
        self.plan_signatories(plan, cells)
        plan.topics = self.named_rows(line, "topics", cells["topics"], self.topics, self.new_topics, self.new_topic)
        plan.corridors = self.named_rows(
            line, "corridors", cells["corridors"], self.corridors, self.new_corridors, self.new_corridor
        )
        plan.sources = self.plan_sources(line, cells["sources"])
        return plan if len(self.errors) == errors_before else None

    def plan_agreement(self, line: int, cells: dict[str, str]) -> RowPlan | None:
        failed: set[str] = set()  # columns already reported: no second message from the model

        def fail(column: str, message: str) -> None:
            failed.add(column)
            self.error(line, column, message)

        pk = None
        if raw := cells["id"].strip():
            if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= MAX_ID:
                fail("id", f"“{raw}” is not an agreement id: a whole number, or blank for a new agreement.")
            elif (first := self.seen_ids.setdefault(int(raw), line)) != line:
                fail("id", f"Agreement {raw} is also on line {first}.")
            else:
                pk = int(raw)
        slug = self.slug_from_url(cells["url"])
        if cells["url"].strip() and not slug:
            fail("url", f"“{cells['url'].strip()}” does not end with an agreement's slug (…/agreements/<slug>/).")
        if slug and (first := self.seen_slugs.setdefault(slug, line)) != line:
            fail("url", f"“{slug}” is also on line {first}.")

        agreement, original = self.existing.get(pk) if pk else None, None
        if agreement is not None:
            original = {name: getattr(agreement, name) for name in UPDATE_FIELDS}
            if not self.can_change:
                fail("id", f"Agreement {pk} exists, and you may add agreements but not change them.")
            if slug and slug != agreement.slug:
                fail("url", f"Agreement {pk} is “{agreement.slug}”, not “{slug}”: check the id and the url.")
        else:
            agreement = Agreement(pk=pk)
            owner = self.slug_owners.get(slug)
            if slug and owner is not None:
                fail("url", f"“{slug}” is agreement {owner}: give its id to update it, or change the url.")

        agreement.title = cells["title"].strip()
        for column in ("kind", "status", "scope"):
            if column not in self.columns or not (value := cells[column].strip()):
                if column != "scope":
                    fail(column, f"Required: one of {CHOICE_VALUES[column]}.")
                continue
            if (found := CHOICES[column].get(value.lower())) is None:
                fail(column, f"“{value}” is not a {column}: use one of {CHOICE_VALUES[column]}.")
            else:
                setattr(agreement, column, found)
        if "binding" in self.columns and (value := cells["binding"].strip()):
            if value.lower() not in BOOLEANS:
                fail("binding", f"“{value}” is not yes or no.")
            else:
                agreement.is_binding = BOOLEANS[value.lower()]
        elif original is None:
            agreement.is_binding = agreement.kind not in NOT_BINDING_KINDS
        if "summary" in self.columns:
            agreement.summary = cells["summary"]
        agreement.place = cells["signed_place"].strip()
        for column, name in DATE_COLUMNS.items():
            if column not in self.columns:
                continue
            value, precision = None, getattr(agreement, f"{name}_precision")
            if raw := cells[column].strip():
                try:
                    value, precision = parse_partial_date(raw)
                except ValueError as error:
                    fail(column, str(error))
            setattr(agreement, f"{name}_on", value)
            setattr(agreement, f"{name}_precision", precision)
        if self.publish and not agreement.is_published:
            agreement.is_published, agreement.published_at = True, self.now
        if slug:
            agreement.slug = slug
        elif not agreement.slug:
            base = slugify(agreement.title)[:180] or "agreement"
            if agreement.signed_on:
                base = f"{base}-{agreement.signed_on.year}"
            agreement.slug = numbered_slug(base, self.taken_slugs, 220)

        plan = RowPlan(line, agreement, original)
        # Scope, when the file does not say: from the parties (needed by the party rules).
        if original is None and ("scope" not in self.columns or not cells["scope"].strip()):
            codes = set(split(cells["parties"]))
            agreement.scope = (
                Agreement.Scope.INSTITUTIONAL
                if not codes
                else Agreement.Scope.BILATERAL
                if len(codes) == 2 and not self.alone_institutions(cells)
                else Agreement.Scope.PLURILATERAL
            )
        self.check(line, agreement, failed)
        return plan

    def alone_institutions(self, cells: dict[str, str]) -> list[str]:
        return [e for e in split(cells["institutions"]) if not INSTITUTION_OF_PARTY.fullmatch(e)]

    def check(self, line: int, agreement: Agreement, failed: set[str]) -> None:
        """The model's own rules (clean() and fields), each message put in its column.

        Constraints and uniqueness are not run here: each would cost a query a
        row. clean() holds the same rules as the constraints (a project rule),
        the file's uniqueness is checked across rows, and the database checks
        everything again when the file is written.
        """
        try:
            agreement.full_clean(exclude=["search_text"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages_ in validation_messages(error).items():
                column, label = FIELD_COLUMNS.get(name, name), ""
                if column not in HEADER:  # not a column of the file: say which field
                    column, label = "", "" if name == NON_FIELD_ERRORS else f"{name}: "
                if column in failed:
                    continue
                for message in messages_:
                    self.error(line, column, f"{label}{message}")

    def plan_parties(self, plan: RowPlan, cells: dict[str, str]) -> None:
        line, agreement = plan.line, plan.agreement
        codes = [code.upper() for code in split(cells["parties"])]
        if unknown := [code for code in codes if code not in self.countries]:
            self.error(line, "parties", f"Unknown country code(s): {', '.join(unknown)}.")
            return
        # The institutions column lists, in party order, "ISO3: name" for a
        # country's institution and "name" for an institution acting alone.
        acting: dict[str, str] = {}
        order: list[tuple[str | None, str | None]] = []  # (ISO3, None) or (None, institution)
        for entry in split(cells["institutions"]):
            if match := INSTITUTION_OF_PARTY.fullmatch(entry):
                iso3, name = match.group(1), match.group(2).strip()
                if iso3 not in codes:
                    self.error(line, "institutions", f"“{entry}”: {iso3} is not among the parties.")
                elif iso3 in acting:
                    self.error(line, "institutions", f"“{entry}”: {iso3} already has an institution; a party has one.")
                else:
                    acting[iso3] = name
                    order.append((iso3, None))
            else:
                order.append((None, entry))
        # Interleave: countries in the parties column's order, each institution
        # acting alone where it comes among the countries that have institutions.
        sequence: list[tuple[str | None, str | None]] = []
        position = 0
        for iso3, alone in order:
            if iso3 is None:
                sequence.append((None, alone))
            elif iso3 in codes[position:]:
                until = codes.index(iso3, position) + 1
                sequence += [(code, None) for code in codes[position:until]]
                position = until
        sequence += [(code, None) for code in codes[position:]]

        for iso3, alone in sequence:
            country = self.countries[iso3] if iso3 else None
            name = acting.get(iso3) if iso3 else alone
            institution = self.organisation(line, country, name) if name else None
            if name and institution is None:
                continue  # reported
            for message in self.party_problems(country, institution):
                self.error(line, "institutions", message)
            plan.parties.append((country, institution))
        pairs = [(pk_of(country), pk_of(institution)) for country, institution in plan.parties]
        for message in agreement.party_errors(pairs):
            self.error(line, "parties", message)

    def party_problems(self, country: Country | None, institution: Organisation | None) -> list[str]:
        """Party's own rules (clean() and fields), once per (country, institution)."""
        # A new institution is the party's by construction (same country, or none);
        # Party.clean() cannot see it before it is saved.
        if institution is not None and institution.pk is None:
            return []
        key = (pk_of(country), pk_of(institution))
        if key not in self.party_checks:
            party = Party(country=country, institution=institution)
            self.party_checks[key] = self.problems(party, exclude=["agreement", "country", "institution"])
        return self.party_checks[key]

    def organisation(self, line: int, country: Country | None, name: str) -> Organisation | None:
        """The body of that name (for that country, or without one), or a new one."""
        found = self.organisations.get((country.pk if country else None, name)) or self.organisations.get((None, name))
        if found is None and country is None:
            named = self.organisations_named.get(name, [])
            if len(named) > 1:
                countries = ", ".join(sorted({self.iso3_of.get(org.country_id, "none") for org in named}))
                self.error(
                    line,
                    "institutions",
                    f"“{name}”: several organisations have this name (in countries {countries}): "
                    "give the party's country as “ISO3: name”.",
                )
                return None
            found = named[0] if named else None
        if found is not None:
            return found
        key = (country.pk if country else None, name)
        if key not in self.new_organisations:
            base = slugify(f"{name} {country.iso3}" if country else name) or "organisation"
            org = Organisation(
                name=name,
                country=country,
                kind=Organisation.Kind.AGENCY if country else Organisation.Kind.INTERGOVERNMENTAL,
                slug=numbered_slug(base, self.organisation_slugs, 120),
            )
            self.new_organisations[key] = org
            self.reference_errors[("organisation", key)] = self.problems(org, exclude=["country", "parent"])
        for message in self.reference_errors[("organisation", key)]:
            self.error(line, "institutions", f"“{name}”: {message}")
        return self.new_organisations[key]

    @staticmethod
    def problems(obj: models.Model, exclude: list[str] | None = None) -> list[str]:
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            return [
                f"{name}: {message}" if name != NON_FIELD_ERRORS else message
                for name, messages_ in validation_messages(error).items()
                for message in messages_
            ]
        return []

    def plan_signatories(self, plan: RowPlan, cells: dict[str, str]) -> None:
        parties = {code.upper() for code in split(cells["parties"])}
        for order, entry in enumerate(split(cells["signatories"]), start=1):
            name, honorific, details = parse_signatory(entry)
            position, country = details, None
            match = SIGNATORY_COUNTRY.fullmatch(details)
            if match and match.group(2) in self.countries:
                position, iso3 = (match.group(1) or "").strip(), match.group(2)
                if iso3 not in parties:
                    listed = ", ".join(sorted(parties)) or "none"
                    self.error(plan.line, "signatories", f"“{entry}”: {iso3} is not a party (the parties: {listed}).")
                    continue
                country = self.countries[iso3]
            signatory = Signatory(name=name, honorific=honorific, position=position, country=country, order=order)
            for message in self.problems(signatory, exclude=["agreement", "country", "organisation"]):
                self.error(plan.line, "signatories", f"“{entry}”: {message}")
            plan.signatories.append((name, honorific, position, country))

    def named_rows(self, line: int, column: str, cell: str, existing: dict, new: dict, make) -> list:
        """Topics or corridors by name: existing ids, or shared new rows."""
        rows = []
        for name in dict.fromkeys(split(cell)):
            if name in existing:
                rows.append(existing[name])
                continue
            if name not in new:
                new[name] = make(name)
                self.reference_errors[(column, name)] = self.problems(new[name])
            for message in self.reference_errors[(column, name)]:
                self.error(line, column, f"“{name}”: {message}")
            rows.append(new[name])
        return rows

    def new_topic(self, name: str) -> Topic:
        return Topic(name=name, slug=numbered_slug(slugify(name) or "topic", self.topic_slugs, 60))

    def new_corridor(self, name: str) -> Any:
        return Corridor(name=name, slug=numbered_slug(slugify(name) or "corridor", self.corridor_slugs, 100))

    def plan_sources(self, line: int, cell: str) -> list[int | Source]:
        sources: list[int | Source] = []
        for entry in split(cell):
            match = SOURCE_WITH_URL.fullmatch(entry)
            title, url = (match.group(1).strip(), match.group(2)) if match else (entry, "")
            found = self.sources_by_url.get(url) if url else self.sources_by_title.get(title)
            if found is None:
                key = ("url", url) if url else ("title", title)
                if key not in self.new_sources:
                    self.new_sources[key] = Source(title=title, url=url, kind=Source.Kind.OTHER)
                    self.reference_errors[("source", key)] = self.problems(self.new_sources[key])
                for message in self.reference_errors[("source", key)]:
                    self.error(line, "sources", f"“{entry}”: {message}")
                found = self.new_sources[key]
            if found not in sources:  # unsaved rows are equal only to themselves
                sources.append(found)
        return sources

    # --- writing -------------------------------------------------------------

    def create(self, model: type[models.Model], objs: list) -> None:
        """Bulk insert, with a history row each for the models that keep history."""
        history = hasattr(model._meta, "simple_history_manager_attribute")
        for start in range(0, len(objs), BATCH):  # a slice at a time: so are their history rows
            batch = objs[start : start + BATCH]
            if history:
                bulk_create_with_history(batch, model, default_user=self.user, default_change_reason=self.reason)
            else:
                model.objects.bulk_create(batch)

    def update(self, model: type[models.Model], objs: list, fields: list[str]) -> None:
        if objs:
            bulk_update_with_history(
                objs, model, fields, batch_size=BATCH, default_user=self.user, default_change_reason=self.reason
            )

    @staticmethod
    def delete(model: type[models.Model], pks: list[int]) -> None:
        # A queryset delete still sends each row's signals: history records it.
        for start in range(0, len(pks), BATCH):
            model.objects.filter(pk__in=pks[start : start + BATCH]).delete()

    def write(self) -> ImportResult:
        plans = self.plans
        self.create(Organisation, list(self.new_organisations.values()))
        self.create(Topic, list(self.new_topics.values()))
        self.create(Corridor, list(self.new_corridors.values()))
        self.create(Source, list(self.new_sources.values()))

        new = [plan for plan in plans if plan.original is None]
        # Given ids first, then move the sequence past them, then the rest.
        self.create(Agreement, [plan.agreement for plan in new if plan.agreement.pk])
        if any(plan.agreement.pk for plan in new):
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Agreement]):
                    cursor.execute(sql)
        self.create(Agreement, [plan.agreement for plan in new if not plan.agreement.pk])

        for start in range(0, len(new), CHUNK):
            changes = Changes()
            for plan in new[start : start + CHUNK]:
                changes.add_all(plan)
            changes.apply(self)

        existing = [plan for plan in plans if plan.original is not None]
        updated = []
        for start in range(0, len(existing), CHUNK):
            chunk, changes = existing[start : start + CHUNK], Changes()
            changed = changes.compare(chunk)
            agreements = [plan.agreement for plan in chunk if plan.agreement.pk in changed]
            for agreement in agreements:
                agreement.updated_at = self.now
            self.update(Agreement, agreements, [*UPDATE_FIELDS, "updated_at"])
            changes.apply(self)
            updated += agreements

        reindex([plan.agreement.pk for plan in new] + [agreement.pk for agreement in updated])
        return ImportResult(
            "agreement(s)",
            rows=len(plans),
            created=len(new),
            updated=len(updated),
            ids=[plan.agreement.pk for plan in plans],
        )

    def database_error(self, error: Exception) -> RowError:
        lines = {plan.agreement.pk: plan.line for plan in self.plans}
        match = AGREEMENT_ID.search(str(error))
        line = lines.get(int(match.group(1)), 0) if match else 0
        return RowError(line, "", f"The database refused the file: {first_line(error)}")


WRITTEN_MODELS = (
    Organisation,
    Topic,
    Corridor,
    Source,
    Agreement,
    Party,
    Signatory,
    AgreementSource,
    TopicLink,
    CorridorLink,
)


class Changes:
    """The relation rows to create, update and delete, gathered over every row."""

    def __init__(self) -> None:
        self.create: dict[type[models.Model], list] = defaultdict(list)
        self.update: dict[tuple[type[models.Model], str], list] = defaultdict(list)
        self.delete: dict[type[models.Model], list[int]] = defaultdict(list)

    @staticmethod
    def party(plan: RowPlan, country: Country | None, institution: Organisation | None) -> Party:
        return Party(agreement=plan.agreement, country=country, institution_id=pk_of(institution))

    @staticmethod
    def signatory(plan: RowPlan, order: int, name: str, honorific: str, position: str, country) -> Signatory:
        return Signatory(
            agreement=plan.agreement, name=name, honorific=honorific, position=position, country=country, order=order
        )

    def add_all(self, plan: RowPlan) -> None:
        """A new agreement: every relation row is new."""
        pk = plan.agreement.pk
        self.create[Party] += [self.party(plan, *party) for party in plan.parties]
        self.create[Signatory] += [self.signatory(plan, n, *s) for n, s in enumerate(plan.signatories, start=1)]
        self.create[AgreementSource] += [AgreementSource(agreement_id=pk, source_id=pk_of(s)) for s in plan.sources]
        self.create[TopicLink] += [TopicLink(agreement_id=pk, topic_id=pk_of(t)) for t in plan.topics]
        self.create[CorridorLink] += [CorridorLink(agreement_id=pk, corridor_id=pk_of(c)) for c in plan.corridors]

    def compare(self, plans: list[RowPlan]) -> set[int]:
        """Plan the differences for existing agreements; returns the ids of those that change."""
        ids = [plan.agreement.pk for plan in plans]
        parties, signatories, citations = defaultdict(list), defaultdict(list), defaultdict(list)
        for party in Party.objects.filter(agreement_id__in=ids).order_by("id"):
            parties[party.agreement_id].append(party)
        for signatory in Signatory.objects.filter(agreement_id__in=ids).order_by("order", "id"):
            signatories[signatory.agreement_id].append(signatory)
        for citation in AgreementSource.objects.filter(agreement_id__in=ids).order_by("id"):
            citations[citation.agreement_id].append(citation)
        links = {}
        for model, target in ((TopicLink, "topic_id"), (CorridorLink, "corridor_id")):
            links[model] = defaultdict(dict)
            for link_pk, agreement_id, target_pk in model.objects.filter(agreement_id__in=ids).values_list(
                "id", "agreement_id", target
            ):
                links[model][agreement_id][target_pk] = link_pk

        changed = set()
        for plan in plans:
            agreement = plan.agreement
            differs = any(getattr(agreement, name) != value for name, value in (plan.original or {}).items())
            differs |= self.compare_parties(plan, parties[agreement.pk])
            differs |= self.compare_signatories(plan, signatories[agreement.pk])
            differs |= self.compare_citations(agreement.pk, [pk_of(s) for s in plan.sources], citations[agreement.pk])
            for model, target, wanted in (
                (TopicLink, "topic_id", plan.topics),
                (CorridorLink, "corridor_id", plan.corridors),
            ):
                have, want = links[model][agreement.pk], [pk_of(obj) for obj in wanted]
                added = [pk for pk in want if pk not in have]
                removed = [link for target_pk, link in have.items() if target_pk not in want]
                self.create[model] += [model(agreement_id=agreement.pk, **{target: pk}) for pk in added]
                self.delete[model] += removed
                differs |= bool(added or removed)
            if differs:
                changed.add(agreement.pk)
        return changed

    def compare_parties(self, plan: RowPlan, have: list[Party]) -> bool:
        """Keep the rows of parties still there (their dates too); add and remove the rest."""
        by_country = {party.country_id: party for party in have if party.country_id}
        alone = [party for party in have if not party.country_id]
        differs = False
        for country, org in plan.parties:
            institution = pk_of(org)
            if country is not None:
                match = by_country.pop(country.pk, None)
            else:
                match = next((p for p in alone if p.institution_id == institution), None)
                if match:
                    alone.remove(match)
            if match is None:
                self.create[Party].append(self.party(plan, country, org))
                differs = True
            elif match.institution_id != institution:
                match.institution_id = institution
                self.update[(Party, "institution")].append(match)
                differs = True
        gone = [*by_country.values(), *alone]
        self.delete[Party] += [party.pk for party in gone]
        return differs or bool(gone)

    def compare_signatories(self, plan: RowPlan, have: list[Signatory]) -> bool:
        """Keep the rows of signatories still there (role and organisation too), in the file's order."""
        wanted = [
            (name, honorific, position, pk_of(country)) for name, honorific, position, country in plan.signatories
        ]
        keys = [(s.name, s.honorific, s.position, s.country_id) for s in have]
        if keys == wanted:
            return False  # the same people in the same order, whatever the order numbers
        unmatched = dict(enumerate(keys))
        differs = False
        for order, (key, values) in enumerate(zip(wanted, plan.signatories, strict=True), start=1):
            index = next((i for i, k in unmatched.items() if k == key), None)
            if index is None:
                self.create[Signatory].append(self.signatory(plan, order, *values))
                differs = True
                continue
            del unmatched[index]
            match = have[index]
            if match.order != order:
                match.order = order
                self.update[(Signatory, "order")].append(match)
                differs = True
        self.delete[Signatory] += [have[i].pk for i in unmatched]
        return differs or bool(unmatched)

    def compare_citations(self, agreement_pk: int, wanted: list[int | None], have: list[AgreementSource]) -> bool:
        cited = {citation.source_id: citation for citation in have}
        added = [pk for pk in wanted if pk not in cited]
        removed = [citation.pk for source_pk, citation in cited.items() if source_pk not in wanted]
        self.create[AgreementSource] += [AgreementSource(agreement_id=agreement_pk, source_id=pk) for pk in added]
        self.delete[AgreementSource] += removed
        return bool(added or removed)

    def apply(self, importer: Importer) -> None:
        # Signatories before parties (a signatory's country must be a party's).
        for model in (Signatory, Party, AgreementSource, TopicLink, CorridorLink):
            importer.delete(model, self.delete[model])
        for (model, name), objs in self.update.items():
            importer.update(model, objs, [name])
        for model in (Party, Signatory, AgreementSource, TopicLink, CorridorLink):
            importer.create(model, self.create[model])
