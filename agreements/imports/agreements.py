"""The agreements CSV read back: the export's columns (agreements.exports), in
the export's cell formats, so that exporting, importing into an empty database
and exporting again gives the same file, byte for byte.

Validation is whole-file. Every row is parsed and checked against every model
rule first; any error, and nothing of the file is written: the caller gets all
the errors, each with its line as a spreadsheet numbers it (the header is line
1). Then everything is written in one transaction, in bulk. The file is streamed
in passes, a chunk of rows at a time, and never held whole (see ``read``).

How cells are read:

- ``id``: an existing agreement's id updates it (the ``url`` must then end in
  its slug); a free id creates an agreement with that id; blank creates one
  with a new id.
- ``url``: its last path segment is the slug (``…/agreements/<slug>/``); blank,
  a slug is made from the title.
- ``kind``, ``status``, ``scope``: the model's choice values; ``binding``:
  yes/no (true/false, 1/0); dates: YYYY-MM-DD with the precision in the date's
  ``*_precision`` column (``2021-01-01`` and ``year``: the year 2021), or, without
  one, YYYY, YYYY-MM or YYYY-MM-DD.
- ``parties``: ISO3 codes. ``party_names`` is derived from them and ignored.
- ``institutions``: ``ISO3: Institution`` for the body acting for that party,
  found by name and country (or by name among bodies without a country),
  created when missing; an entry without ``ISO3:`` is an institution acting
  alone (an intergovernmental body, created without a country when missing).
- ``topics``: names; a name the database does not have is refused (a typo is
  not a new topic) unless the import is asked to create new topics.
- ``corridors``: names, created when missing (corridors are another app's
  records: agreements.extensions).
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
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.text import slugify

from agreements.exports import HEADER, LINKED_COLUMN
from agreements.extensions import linked_by_column
from agreements.imports.agreement_relations import RelationPlanner
from agreements.imports.agreement_rows import (
    BOOLEANS,
    CHOICE_VALUES,
    CHOICES,
    CHUNK,
    DATE_COLUMNS,
    FIELD_COLUMNS,
    INSTITUTION_OF_PARTY,
    MAX_ID,
    NOT_BINDING_KINDS,
    REQUIRED_COLUMNS,
    UPDATE_FIELDS,
    PrecisionError,
    RowPlan,
    numbered_slug,
    read_date,
    split,
    validation_messages,
)
from agreements.imports.agreement_writes import AgreementWriter, written_models
from agreements.models import Agreement, Country, Organisation, Source, Topic
from tradepacts.csv import TextSource, numbered_records, unsafe_cell
from tradepacts.imports import NOT_UTF8, NOT_UTF8_MESSAGE, ImportResult


def import_agreements(
    data: bytes | str | IO,
    *,
    publish: bool,
    filename: str = "a CSV file",
    user: Any = None,
    can_change: bool = True,
    create_topics: bool = True,
) -> ImportResult:
    """Import a CSV of the export's columns; raises ImportFailed with every error.

    ``publish`` publishes every agreement of the file; otherwise new ones are
    drafts and existing ones keep their state. ``can_change=False`` refuses rows
    that update existing agreements (a curator allowed to add only). With
    ``create_topics=False`` (the admin's and the command's default), a topic the
    database does not have is refused: a typo is not a new topic.
    """
    return AgreementsImporter(
        publish=publish, filename=filename, user=user, can_change=can_change, create_topics=create_topics
    ).run(data)


class AgreementsImporter(RelationPlanner, AgreementWriter):
    """One import: the reference data it looks up, the rows it plans, the errors it found."""

    def __init__(
        self, *, publish: bool, filename: str, user: Any, can_change: bool, create_topics: bool = True
    ) -> None:
        super().__init__()
        self.publish, self.filename, self.user, self.can_change = publish, filename, user, can_change
        self.create_topics = create_topics
        self.reason = f"Imported from {filename}"
        self.now = timezone.now()
        self.checking = True

    # --- reading -------------------------------------------------------------
    #
    # The file is streamed, never held whole (memory grows with its ids and slugs,
    # not its rows): a first pass notes the ids and slugs it names, the checking
    # pass plans every row a chunk at a time and keeps none, and ``write`` plans
    # them again, a chunk at a time, and writes each chunk (agreement_writes).
    # A job's confirmed preview (``prechecked``) skips the checking pass.

    def read(self, data: bytes | str | IO) -> None:
        self.source = TextSource(data)
        header = self.read_header()
        if self.errors:
            return
        self.load(header)
        if self.prechecked:
            return
        self.start_pass(checking=True)
        for _plans in self.planned_chunks("checking"):
            pass  # each chunk's plans are checked, then dropped

    def checked_tables(self) -> list[str]:
        return [m._meta.db_table for m in written_models(self.linked_records)]

    def rows(self, phase: str = "checking") -> Iterator[tuple[int, list[str]]]:
        report = lambda line, message: self.error(line, "", message)  # noqa: E731
        return numbered_records(self.source.lines(), report, total=self.total_lines, phase=phase)

    def read_header(self) -> list[str]:
        self.total_lines = 0
        first = next(self.rows(), None)
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

    def records(self, phase: str) -> Iterator[tuple[int, dict[str, str]]]:
        """The data rows as {column: text}, neutralised formulas undone; blank lines skipped."""
        header = self.header
        rows = self.rows(phase)
        next(rows)
        for line, cells in rows:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                self.error(line, "", f"This row has {len(cells)} cells; the header has {len(header)}.")
                continue
            row = dict(zip(header, cells, strict=True))
            if NOT_UTF8.search("".join(cells)):
                for name in [name for name, cell in row.items() if NOT_UTF8.search(cell)]:
                    self.error(line, name, "Not UTF-8 text: save the file as “CSV UTF-8” and import it again.")
                continue
            yield line, {name: unsafe_cell(cell) for name, cell in row.items()}

    def planned_chunks(self, phase: str) -> Iterator[list[RowPlan]]:
        """The rows planned CHUNK at a time, with the existing agreements they name (one query a chunk)."""
        records = self.records(phase)
        while chunk := list(itertools.islice(records, CHUNK)):
            ids = [int(cell) for _, cells in chunk if (cell := cells["id"].strip()).isdigit() and int(cell) <= MAX_ID]
            # search_text is derived (reindex rewrites it) and the largest field.
            self.existing: dict[int, Agreement] = Agreement.objects.defer("search_text").in_bulk(ids) if ids else {}
            yield [plan for line, cells in chunk if (plan := self.plan(line, cells))]

    def start_pass(self, *, checking: bool) -> None:
        """Each pass over the rows starts from the same state: same slugs made, same duplicates found."""
        self.checking = checking
        self.taken_slugs = set(self.slug_owners) | self.file_slugs
        self.seen_ids: dict[int, int] = {}
        self.seen_slugs: dict[str, int] = {}

    # --- looking up ----------------------------------------------------------

    def load(self, header: list[str]) -> None:
        """Every lookup the rows need, once: reference data, and the ids and slugs the file names."""
        self.header = header
        self.columns = set(header)
        self.countries = {c.iso3: c for c in Country.objects.only("id", "iso3", "name", "official_name")}
        self.iso3_of = {c.pk: c.iso3 for c in self.countries.values()}
        self.topics = dict(Topic.objects.values_list("name", "id"))
        self.topic_slugs = set(Topic.objects.values_list("slug", flat=True))
        self.linked_records = records = linked_by_column(LINKED_COLUMN)
        linked_model = records.model._default_manager if records else None
        self.linked_names = dict(linked_model.values_list("name", "id")) if linked_model else {}
        self.linked_slugs = set(linked_model.values_list("slug", flat=True)) if linked_model else set()
        self.organisations: dict[tuple[int | None, str], Organisation] = {}
        self.organisations_named: dict[str, list[Organisation]] = defaultdict(list)
        for org in Organisation.objects.only("id", "name", "acronym", "country_id").order_by("id"):
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
        self.new_linked: dict[str, Any] = {}
        self.new_organisations: dict[tuple[int | None, str], Organisation] = {}
        self.new_sources: dict[tuple[str, str], Source] = {}
        self.reference_errors: dict[Any, list[str]] = {}
        self.party_checks: dict[tuple[int | None, int | None], list[str]] = {}

        self.slug_owners = dict(Agreement.objects.values_list("slug", "id"))
        # One streamed pass for the ids and slugs the file names: a made slug must
        # not take one a later row gives, and a given id must not meet a drawn one.
        self.highest_id, self.file_slugs, lines = 0, set(), 0
        try:
            for cells in csv.reader(self.source.lines()):
                lines += 1
                row = dict(zip(header, cells, strict=False))
                if (cell := row.get("id", "").strip()).isdigit() and int(cell) <= MAX_ID:
                    self.highest_id = max(self.highest_id, int(cell))
                if slug := self.slug_from_url(row.get("url", "")):
                    self.file_slugs.add(slug)
        except csv.Error:
            pass  # reported with its line when the rows are read
        self.total_lines = lines

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
        if self.linked_records is None and split(cells[LINKED_COLUMN]):
            self.error(line, LINKED_COLUMN, "No app records these here: leave the column empty.")
        else:
            plan.linked = self.named_rows(
                line, LINKED_COLUMN, cells[LINKED_COLUMN], self.linked_names, self.new_linked, self.new_linked_record
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
            day: date | None = None
            precision = getattr(agreement, f"{name}_precision")
            if raw := cells[column].strip():
                try:
                    day, precision = read_date(raw, cells.get(f"{name}_precision", ""))
                except PrecisionError as error:
                    fail(f"{name}_precision", str(error))
                except ValueError as error:
                    fail(column, str(error))
            setattr(agreement, f"{name}_on", day)
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
        if self.checking:  # the writing pass of a checked file skips the model's rules
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
