"""DESTA's list of trade agreements (dyadic version) turned into agreements.

DESTA (Design of Trade Agreements; Dür, Baccini and Elsig 2014) lists one row
per pair of countries (dyad) per agreement entry. The entry's number says
what it is: "787" a base treaty, "787+1" an accession to base treaty 787,
"694a" a consolidated version of the base treaty its ``base_treaty`` names.

What the import makes of an entry
- Every entry is one agreement: DESTA's name as its title, signed in ``year``
  and in force from ``entryforceyear`` (both to the year; status "in force"
  when that year is known, else "signed"), binding, published, citing the
  DESTA dataset as its source and carrying its number as its "desta"
  identifier. Its parties are the countries of its dyads.
- The kind is read from the name (``infer_kind``): an agreement among its own
  members named as a customs union is a customs union; one named as a
  community, common market, union or treaty is the treaty establishing it;
  EPAs and frameworks by their names; a "free trade area" or "FTA" a free trade
  agreement, "preferential" a partial scope agreement; anything else "kind not
  known" (never a free trade agreement by default: the WTO's type says it, when
  the WTO record is merged, agreements.imports.wto_rta).
- Accessions and consolidated versions are left out of the default lists
  (``in_default_lists``): an accession shows as its acceding parties' joining
  dates on the base treaty, and as its own record when asked for.
- What each entry says is also recorded as DESTA's claims (agreements.models.datasets),
  with its ``wto_name``, which links it to the WTO's record (agreements.imports.merge).
- The scope from DESTA's membership type: 1 bilateral (if it really has two
  countries), 4 and 6 bloc (region-region, region-country), others plurilateral.
- An accession is its own agreement, of kind "accession" (the instrument DESTA
  numbers, with the countries of its dyads, the acceding ones and those they
  joined), "accession to" its base treaty. Its acceding countries, those of
  its dyads not yet parties of the base (original parties, or acceded in an
  earlier accession), also become parties of the base treaty, joined in the
  accession's year: the EAC (1999) has Burundi and Rwanda, joined in 2007.
- A consolidated version is its own agreement, which "consolidates" its base.
- A base treaty that is neither in the file nor in the database (DESTA 02_01
  has accessions to 672 and consolidated versions of 23, 27, 356 and 694, but
  no such base treaties) leaves its accessions and versions without that
  relation; each is reported as a warning.

Countries are matched on their ISO numeric code, never their name. DESTA gives
every country its current code (900 for Kosovo, XKX): a code held by a current
country is that country, whatever the year (180 is DR Congo even in 1993, not
Zaire: an analyst finds COMESA on DR Congo's page). A code held only by
historic countries is the one that still existed in the entry's year (891 is
Yugoslavia until 2003, then Serbia and Montenegro).

Re-import: an entry is matched on its DESTA number, and only on it. An entry
whose number the database already holds is left exactly as it is (its
fields, parties, relations, publication), whoever wrote it last: only missing
entries are created. Importing twice changes nothing, a curator's
corrections survive a new version of the file, and an agreement without a
DESTA number is never touched, whatever its title. The one thing this forgoes:
a new accession whose base treaty is already in the database does not add its
acceding countries to it; each is reported as a warning, for a curator.

Validation is whole-file, as for the agreements CSV (agreements.imports.agreements):
every row is read and checked first, and any error, reported with its line
as a spreadsheet numbers it (the header is line 1), means nothing of the file
is written. Then everything is written in one transaction, in bulk, with a
history row each, and the new agreements are reindexed for search.
"""

import datetime as dt
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from agreements.imports.merge import dataset, sha256
from agreements.models import (
    Agreement,
    AgreementRelation,
    AgreementSource,
    Claim,
    Country,
    Dataset,
    DatePrecision,
    ExternalIdentifier,
    Party,
    Source,
)
from agreements.search import reindex
from tradepacts.csv import numbered_records
from tradepacts.imports import ImportFailed, RowError

BASE, ACCESSION, CONSOLIDATED = "base_treaty", "accession", "consolidated"
ENTRY_TYPES = (BASE, ACCESSION, CONSOLIDATED)
LABELS = {BASE: "a base treaty", ACCESSION: "an accession", CONSOLIDATED: "a consolidated version"}
REQUIRED_COLUMNS = ["iso1", "iso2", "number", "base_treaty", "name", "entry_type", "year", "entryforceyear", "typememb"]
# Compared between the rows of one entry: they describe the entry, not the dyad.
ENTRY_COLUMNS = ["name", "entry_type", "base_treaty", "year", "entryforceyear", "typememb"]
# "787" a base treaty, "787+1" an accession to it, "694a" a consolidated version.
NUMBER = re.compile(r"([0-9]+)(?:\+([0-9]+)|([a-z]))?")
YEAR = re.compile(r"[0-9]{4}")
DIGITS = re.compile(r"[0-9]+")
MEMBERSHIP = {
    1: "bilateral",
    2: "plurilateral",
    3: "plurilateral and third country",
    4: "region-region",
    5: "accession",
    6: "region-country",
}

SOURCE_TITLE = "DESTA: Design of Trade Agreements, list of treaties (dyadic, version 02_01)"
SOURCE_URL = "https://www.designoftradeagreements.org/"
SOURCE_PUBLISHER = "Design of Trade Agreements (DESTA) project"
SOURCE_CITATION = (
    "Dür, Andreas, Leonardo Baccini and Manfred Elsig (2014). “The Design of International Trade Agreements: "
    "Introducing a New Dataset”. The Review of International Organizations 9(3): 353-375. "
    "Dataset: designoftradeagreements.org (version 02_01)."
)

CREDITS = {
    "title": SOURCE_TITLE,
    "publisher": SOURCE_PUBLISHER,
    "url": SOURCE_URL,
    "version": "02_01",
    "licence": "Free for research with citation of Dür, Baccini and Elsig (2014)",
    "citation": SOURCE_CITATION,
}

BATCH = 1000
TITLE_LENGTH = Agreement._meta.get_field("title").max_length
SLUG_LENGTH = Agreement._meta.get_field("slug").max_length
AGREEMENT_ID = re.compile(r"agreement (\d+)")
# Two imports at once would both create the same missing entries: the second waits.
LOCK_KEY = 0x44455354  # "DEST"

# --- kinds ---------------------------------------------------------------------

EPA_NAME = re.compile(r"\bEPA\b|\bEconomic Partnership\b", re.I)
FRAMEWORK_NAME = re.compile(r"\bFramework\b", re.I)
FREE_TRADE_NAME = re.compile(r"\bFree Trade (?:Area|Agreement|Zone|Association)\b|\bFTA\b", re.I)
PREFERENTIAL_NAME = re.compile(r"\bPreferential\b|\bPartial Scope\b|\bPr[eé]f[eé]rences?\b", re.I)
CUSTOMS_UNION_NAME = re.compile(r"\bCustoms (?:and Economic )?Union\b", re.I)
INSTITUTION_NAME = re.compile(r"\b(?:Treaty|Community|Common Market|Union)\b", re.I)
NAME_TRAILER = re.compile(r"\s+(?:\(consolidated\)|revised)\s*$", re.I)


def infer_kind(name: str, entry_type: str, typememb: int) -> str:
    """The agreement's kind, from DESTA's name and membership type.

    "Customs Union" or "Community" in a name mean the agreement establishes
    one only when it is among its own members (membership 1 or 2) and names
    that one body alone: "Southern Africa Customs Union (SACU)" is a customs
    union, "EFTA Southern African Customs Union (SACU)" (region-region) and
    "Caribbean Community (CARICOM) Colombia" are free trade agreements, and so
    is the Tripartite, which names COMESA, the EAC and SADC.
    """
    if entry_type == ACCESSION:
        return Agreement.Kind.ACCESSION
    if EPA_NAME.search(name):
        return Agreement.Kind.EPA
    if FRAMEWORK_NAME.search(name):
        return Agreement.Kind.FRAMEWORK
    core = name.strip()
    while NAME_TRAILER.search(core):
        core = NAME_TRAILER.sub("", core)
    one_body = typememb in (1, 2) and not core.partition(")")[2].strip()
    if one_body and CUSTOMS_UNION_NAME.search(core):
        return Agreement.Kind.CUSTOMS_UNION
    if one_body and INSTITUTION_NAME.search(core):
        return Agreement.Kind.TREATY
    if FREE_TRADE_NAME.search(core):
        return Agreement.Kind.FTA
    if PREFERENTIAL_NAME.search(core):
        return Agreement.Kind.PSA
    # DESTA says nothing of the kind: never guessed (the WTO's type, if merged, says it).
    return Agreement.Kind.UNKNOWN


def infer_scope(typememb: int, countries: int) -> str:
    """Bilateral only with exactly two countries (PostgreSQL checks it at commit)."""
    if typememb == 1 and countries == 2:
        return Agreement.Scope.BILATERAL
    if typememb in (4, 6):
        return Agreement.Scope.BLOC
    return Agreement.Scope.PLURILATERAL


# --- countries -----------------------------------------------------------------


class CountryCodes:
    """ISO 3166-1 numeric codes to countries, current ones first (see the module's docstring)."""

    def __init__(self) -> None:
        self.current: dict[str, Country] = {}
        self.historic: dict[str, list[Country]] = defaultdict(list)
        fields = ["id", "iso3", "numeric", "name", "is_historic", "withdrawn_on"]
        for country in Country.objects.only(*fields).order_by("id"):
            if not country.numeric:
                continue
            if country.is_historic:
                self.historic[country.numeric].append(country)
            else:
                self.current.setdefault(country.numeric, country)

    def resolve(self, code: str, year: int) -> Country | None:
        key = code.strip().zfill(3)
        if key in self.current:
            return self.current[key]
        held = self.historic.get(key)
        if not held:
            return None
        never = dt.date.max
        existing = [c for c in held if (c.withdrawn_on or never).year >= year]
        if existing:  # the first to be withdrawn after the year held the code then
            return min(existing, key=lambda c: c.withdrawn_on or never)
        return max(held, key=lambda c: c.withdrawn_on or never)


# --- reading -------------------------------------------------------------------


@dataclass
class Entry:
    """One DESTA number: what its rows say, and its countries in the file's order."""

    line: int
    number: str
    entry_type: str
    base: str  # the base treaty's number
    name: str
    year: int
    in_force_year: int | None
    typememb: int
    region: str
    wto_name: str
    suffix: int  # an accession's "+n", for ordering
    countries: dict[int, Country] = field(default_factory=dict)  # an ordered set by id

    @property
    def slug_part(self) -> str:
        return self.number.replace("+", "-")


@dataclass
class DestaResult:
    """What an import created (or, with ``dry_run``, would have)."""

    created: Counter = field(default_factory=Counter)  # by entry type
    existing: int = 0  # entries whose number the database holds: left as they are
    parties: int = 0
    joined: int = 0  # of which acceding countries, joined later
    identifiers: int = 0
    relations: int = 0
    citations: int = 0
    rows: int = 0
    warnings: list[RowError] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)  # the agreements created
    seconds: float = 0.0

    @property
    def agreements(self) -> int:
        return sum(self.created.values())

    def __str__(self) -> str:
        return (
            f"{self.agreements} agreement(s) created ({self.created[BASE]} base treaties, "
            f"{self.created[ACCESSION]} accessions, {self.created[CONSOLIDATED]} consolidated versions), "
            f"{self.existing} already there and left as they are; {self.parties} parties "
            f"({self.joined} joined later by accession), {self.identifiers} identifiers, "
            f"{self.relations} relations."
        )


def import_desta(
    data: bytes | str | IO, *, filename: str = "the DESTA file", user: Any = None, dry_run: bool = False
) -> DestaResult:
    """Import DESTA's dyadic list of treaties; raises ImportFailed with every error.

    ``dry_run`` checks and plans everything, writes it, then rolls it back.
    """
    return DestaImporter(filename=filename, user=user).run(data, dry_run=dry_run)


class DryRun(Exception):
    """Raised to roll back a dry run's writes."""


class DestaImporter:
    def __init__(self, *, filename: str, user: Any) -> None:
        self.filename, self.user = filename, user
        self.reason = f"Imported from DESTA ({filename})"
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []
        self.rows_read = 0
        self.existing: dict[str, int] = {}  # DESTA number -> agreement id, before the import
        self.lines: dict[int, int] = {}  # new agreement id -> its entry's first line

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append(RowError(line, column, message))

    def run(self, data: bytes | str | IO, *, dry_run: bool = False) -> DestaResult:
        started = time.monotonic()
        if hasattr(data, "read"):
            data = data.read()
        data_bytes = data.encode() if isinstance(data, str) else bytes(data)
        text = self.decode(data)
        entries = self.read(text) if not self.errors else {}
        if self.errors:
            raise ImportFailed(self.errors)
        result = DestaResult(rows=self.rows_read)
        try:
            with transaction.atomic():
                self.lock()
                plans = self.plan(entries, result)
                if self.errors:
                    raise ImportFailed(self.errors)
                self.write(plans, result)
                __import__("agreements.tasks").tasks.queue_trade_refresh()  # issue 14: every pair, on commit
                if not dry_run:
                    self.remember(data_bytes)
                # PostgreSQL checks a bilateral agreement's two countries at commit:
                # check here, inside the block, so a violation is reported and rolled back.
                connection.check_constraints(table_names=[Agreement._meta.db_table, Party._meta.db_table])
                if dry_run:
                    raise DryRun
        except DryRun:
            pass
        except (IntegrityError, DataError) as error:
            raise ImportFailed([self.database_error(error)]) from error
        result.warnings = self.warnings
        result.seconds = time.monotonic() - started
        return result

    def remember(self, data: bytes) -> None:
        desta = dataset("desta", CREDITS)
        desta.sha256, desta.filename, desta.imported_at = sha256(data), self.filename, timezone.now()
        desta.records = self.rows_read
        desta.save()

    def decode(self, data: bytes | str | IO) -> str:
        """DESTA's files are Windows-1252; a file saved again as UTF-8 is read as such."""
        if hasattr(data, "read"):
            data = data.read()
        if isinstance(data, str):
            return data.removeprefix("\ufeff")
        data = bytes(data)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            byte = data[error.start]
            self.error(line, "", f"Byte 0x{byte:02X} is neither Windows-1252 (cp1252) nor UTF-8 text.")
            return ""

    def records(self, text: str) -> Iterator[tuple[int, list[str]]]:
        return numbered_records(text, lambda line, message: self.error(line, "", message))

    def read(self, text: str) -> dict[str, Entry]:
        """Every row checked; the entries by number, in the file's order."""
        rows = self.records(text)
        first = next(rows, None)
        if first is None:
            self.error(1, "", "The file is empty: it needs DESTA's header row.")
            return {}
        header = [name.strip().lower() for name in first[1]]
        if missing := [name for name in REQUIRED_COLUMNS if name not in header]:
            self.error(
                1,
                "",
                f"Missing column(s): {', '.join(missing)}. Is this DESTA's dyadic list of treaties? "
                f"It has the columns {', '.join(REQUIRED_COLUMNS)} and more.",
            )
            return {}
        if duplicates := [name for name, n in Counter(header).items() if n > 1 and name in REQUIRED_COLUMNS]:
            self.error(1, "", f"Column(s) given twice: {', '.join(duplicates)}.")
            return {}

        codes = CountryCodes()
        entries: dict[str, Entry] = {}
        first_rows: dict[str, tuple[int, dict[str, str]]] = {}
        for line, cells in rows:
            if not any(cell.strip() for cell in cells):
                continue
            self.rows_read += 1
            if len(cells) != len(header):
                self.error(line, "", f"This row has {len(cells)} cells; the header has {len(header)}.")
                continue
            row = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
            number = row["number"]
            if number in first_rows:
                entry = entries.get(number)
                first_line, first_row = first_rows[number]
                for column in ENTRY_COLUMNS:
                    if row[column] != first_row[column]:
                        self.error(
                            line,
                            column,
                            f"DESTA {number} has “{row[column]}” here but “{first_row[column]}” on line "
                            f"{first_line}: every row of an entry gives the same {column}.",
                        )
            else:
                first_rows[number] = (line, row)
                entry = self.entry(line, row)
                if entry:
                    entries[number] = entry
            if entry:
                self.add_dyad(line, row, entry, codes)
        return entries

    def entry(self, line: int, row: dict[str, str]) -> Entry | None:
        """The entry a number's first row describes; None (and errors) if it cannot be read."""
        failed = False

        def fail(column: str, message: str) -> None:
            nonlocal failed
            failed = True
            self.error(line, column, message)

        number, entry_type = row["number"], row["entry_type"]
        match = NUMBER.fullmatch(number)
        expected = None
        if not match:
            fail("number", f"“{number}” is not a DESTA number: 787 (a base treaty), 787+1 or 694a.")
        else:
            expected = ACCESSION if match.group(2) else CONSOLIDATED if match.group(3) else BASE
        if entry_type not in ENTRY_TYPES:
            fail("entry_type", f"“{entry_type}” is not one of {', '.join(ENTRY_TYPES)}.")
        elif expected and entry_type != expected:
            fail("entry_type", f"“{number}” is the number of {LABELS[expected]}, but the entry type says {entry_type}.")
        base = row["base_treaty"]
        if not DIGITS.fullmatch(base):
            fail("base_treaty", f"“{base}” is not the number of a base treaty.")
        elif match and expected in (BASE, ACCESSION) and str(int(base)) != str(int(match.group(1))):
            fail("base_treaty", f"DESTA {number} belongs to base treaty {match.group(1)}, not {base}.")
        name = row["name"]
        if not name:
            fail("name", "The agreement has no name.")
        elif len(name) > TITLE_LENGTH:
            fail("name", f"The name has {len(name)} characters; a title has at most {TITLE_LENGTH}.")
        year = in_force = None
        if not YEAR.fullmatch(row["year"]):
            fail("year", f"“{row['year']}” is not a year of signature (four digits).")
        else:
            year = int(row["year"])
        if row["entryforceyear"] and not YEAR.fullmatch(row["entryforceyear"]):
            fail("entryforceyear", f"“{row['entryforceyear']}” is not a year (four digits), nor blank.")
        elif row["entryforceyear"]:
            in_force = int(row["entryforceyear"])
        typememb = row["typememb"]
        if typememb not in {str(n) for n in MEMBERSHIP}:
            fail("typememb", f"“{typememb}” is not a membership type (1 to 6).")
        if failed:
            return None
        assert match is not None and year is not None
        return Entry(
            line=line,
            number=number,
            entry_type=entry_type,
            base=str(int(base)),
            name=name,
            year=year,
            in_force_year=in_force,
            typememb=int(typememb),
            region=row.get("regioncon", ""),
            wto_name=row.get("wto_name", "") if row.get("wto_listed") == "1" else "",
            suffix=int(match.group(2) or 0),
        )

    def add_dyad(self, line: int, row: dict[str, str], entry: Entry, codes: CountryCodes) -> None:
        pair = []
        for side in ("1", "2"):
            code, name = row[f"iso{side}"], row.get(f"country{side}", "")
            named = f"“{name}”" if name else "The country"
            if not DIGITS.fullmatch(code):
                self.error(line, f"iso{side}", f"{named} has the code “{code}”, not an ISO 3166-1 numeric code.")
                continue
            country = codes.resolve(code, entry.year)
            if country is None:
                self.error(
                    line,
                    f"iso{side}",
                    f"{named} has the code {code}, which is no country's: neither an ISO 3166-1 numeric code, "
                    "current or historic, nor Kosovo's 900.",
                )
                continue
            pair.append(country)
        if len(pair) == 2 and pair[0].pk == pair[1].pk:
            self.error(line, "iso2", f"A country cannot be paired with itself ({pair[0].iso3}).")
            return
        for country in pair:
            entry.countries.setdefault(country.pk, country)

    # --- planning --------------------------------------------------------------

    def lock(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])

    def warn(self, entry: Entry, message: str) -> None:
        self.warnings.append(RowError(entry.line, "", f"DESTA {entry.number}: {message}"))

    def plan(self, entries: dict[str, Entry], result: DestaResult) -> list[tuple[Entry, Agreement, list[Party]]]:
        """The agreements to create, with their parties, as unsaved rows."""
        existing = dict(
            ExternalIdentifier.objects.filter(scheme=ExternalIdentifier.Scheme.DESTA).values_list(
                "value", "agreement_id"
            )
        )
        self.existing = existing
        bases = {number: e for number, e in entries.items() if e.entry_type == BASE}
        accessions: dict[str, list[Entry]] = defaultdict(list)
        for entry in entries.values():
            if entry.entry_type == ACCESSION:
                accessions[entry.base].append(entry)

        # The parties of base treaties already in the database, to tell which
        # acceding countries a new accession cannot add (they are never changed).
        held = [existing[base] for base in accessions if base in existing]
        db_parties: dict[int, set[int]] = defaultdict(set)
        for start in range(0, len(held), BATCH):
            for agreement_id, country_id in Party.objects.filter(
                agreement_id__in=held[start : start + BATCH], country__isnull=False
            ).values_list("agreement_id", "country_id"):
                db_parties[agreement_id].add(country_id)

        # Acceding countries, accession by accession in the order they were signed.
        acceding: dict[str, dict[int, Entry]] = defaultdict(dict)  # base number -> country id -> accession
        for base, group in accessions.items():
            if base in bases:
                known = set(bases[base].countries)
            elif base in existing:
                known = set(db_parties[existing[base]])
            else:
                continue
            for accession in sorted(group, key=lambda e: (e.year, e.suffix)):
                for country_id in accession.countries:
                    if country_id not in known:
                        acceding[base][country_id] = accession
                        known.add(country_id)

        now = timezone.now()
        plans = []
        for number, entry in entries.items():
            if number in existing:
                result.existing += 1
                continue
            parties = [Party(country_id=pk) for pk in entry.countries]
            if entry.entry_type == BASE:
                parties += [
                    Party(country_id=pk, joined_on=dt.date(a.year, 1, 1), joined_precision=DatePrecision.YEAR)
                    for pk, a in acceding[number].items()
                ]
            else:
                self.check_base(entry, bases, existing, acceding, db_parties)
            plans.append((entry, self.agreement(entry, len(parties), now), parties))
        self.assign_slugs(plans)
        return plans

    def check_base(
        self,
        entry: Entry,
        bases: dict[str, Entry],
        existing: dict[str, int],
        acceding: dict[str, dict[int, Entry]],
        db_parties: dict[int, set[int]],
    ) -> None:
        """Warnings for what an accession or a consolidated version cannot do to its base."""
        if entry.base not in bases and entry.base not in existing:
            self.warn(
                entry,
                f"its base treaty {entry.base} is neither in the file nor in the database: "
                "imported without its relation to it.",
            )
        elif entry.entry_type == ACCESSION and entry.base in existing:
            missing = [
                entry.countries[pk].iso3
                for pk, accession in acceding[entry.base].items()
                if accession is entry and pk not in db_parties[existing[entry.base]]
            ]
            if missing:
                self.warn(
                    entry,
                    f"base treaty {entry.base} is already in the database and is left as it is: add "
                    f"{', '.join(missing)} to its parties by hand (joined {entry.year}).",
                )

    def agreement(self, entry: Entry, countries: int, now: dt.datetime) -> Agreement:
        signed = dt.date(entry.year, 1, 1)
        in_force = None
        notes = []
        if entry.in_force_year is not None:
            if entry.in_force_year < entry.year:
                # E.g. Australia UK, signed 1957 with effect from 1956: the
                # database keeps entry into force on or after signature.
                self.warn(
                    entry,
                    f"DESTA gives entry into force in {entry.in_force_year}, before its signature in "
                    f"{entry.year}: recorded as in force from {entry.year}.",
                )
                notes.append(
                    f"DESTA gives entry into force in {entry.in_force_year}, before signature; recorded here "
                    f"as in force from {entry.year}."
                )
            in_force = dt.date(max(entry.in_force_year, entry.year), 1, 1)
        described = [entry.entry_type.replace("_", " ")]
        if entry.typememb != 5:  # 5 is "accession", said already
            described.append(f"{MEMBERSHIP[entry.typememb]} membership")
        if entry.region:
            described.append(f"region {entry.region}")
        summary = f"From the DESTA list of treaties (version 02_01), number {entry.number}: {', '.join(described)}."
        if entry.wto_name:
            summary += f" In the WTO's RTA database as “{entry.wto_name}”."
        agreement = Agreement(
            title=entry.name,
            kind=infer_kind(entry.name, entry.entry_type, entry.typememb),
            scope=infer_scope(entry.typememb, countries),
            status=Agreement.Status.IN_FORCE if in_force else Agreement.Status.SIGNED,
            is_binding=True,
            summary=" ".join([summary, *notes]),
            signed_on=signed,
            signed_precision=DatePrecision.YEAR,
            in_force_on=in_force,
            in_force_precision=DatePrecision.YEAR if in_force else DatePrecision.DAY,
            is_published=True,
            published_at=now,
            in_default_lists=entry.entry_type == BASE,
        )
        try:
            agreement.clean()  # the model's own rules, with their messages
        except ValidationError as error:
            for column, messages in error.message_dict.items():
                for message in messages:
                    self.error(entry.line, column, f"DESTA {entry.number}: {message}")
        return agreement

    def assign_slugs(self, plans: list[tuple[Entry, Agreement, list[Party]]]) -> None:
        """The title and year; "-desta-<number>" added when another agreement has that slug too.

        Decided from the file and the database alone, so a fresh import always
        gives an entry the same slug, whatever the order of the rows.
        """
        plain = {entry.number: f"{slugify(entry.name)[:180] or 'agreement'}-{entry.year}" for entry, _, _ in plans}
        suffixed = {entry.number: f"{plain[entry.number]}-desta-{entry.slug_part}" for entry, _, _ in plans}
        wanted = Counter(plain.values())
        candidates = list({*plain.values(), *suffixed.values()})
        taken: set[str] = set()
        for start in range(0, len(candidates), BATCH):
            chunk = candidates[start : start + BATCH]
            taken |= set(Agreement.objects.filter(slug__in=chunk).values_list("slug", flat=True))
        for entry, agreement, _ in plans:
            slug = plain[entry.number]
            if wanted[slug] > 1 or slug in taken:
                slug = suffixed[entry.number]
            candidate, n = slug, 1
            while candidate in taken:  # only when "…-desta-<number>" was taken by hand
                n += 1
                candidate = f"{slug}-{n}"
                if Agreement.objects.filter(slug=candidate).exists():
                    taken.add(candidate)
            taken.add(candidate)
            agreement.slug = candidate[:SLUG_LENGTH]

    # --- writing ---------------------------------------------------------------

    def create(self, model: type[models.Model], objs: list) -> None:
        if objs:
            bulk_create_with_history(
                objs, model, batch_size=BATCH, default_user=self.user, default_change_reason=self.reason
            )

    def source(self) -> Source:
        """DESTA as a source: the one with its URL, else one with its title, else a new one."""
        found = Source.objects.filter(url=SOURCE_URL).first()
        found = found or Source.objects.filter(title=SOURCE_TITLE).order_by("id").first()
        if found:
            return found
        source = Source(
            title=SOURCE_TITLE,
            publisher=SOURCE_PUBLISHER,
            url=SOURCE_URL,
            kind=Source.Kind.DATASET,
            citation=SOURCE_CITATION,
        )
        self.create(Source, [source])
        return source

    def write(self, plans: list[tuple[Entry, Agreement, list[Party]]], result: DestaResult) -> None:
        if not plans:
            return
        self.create(Agreement, [agreement for _, agreement, _ in plans])
        created = {entry.number: agreement.pk for entry, agreement, _ in plans}
        source = self.source()

        parties, identifiers, citations, relations = [], [], [], []
        for entry, agreement, entry_parties in plans:
            self.lines[agreement.pk] = entry.line
            for party in entry_parties:
                party.agreement_id = agreement.pk
            parties += entry_parties
            identifiers.append(
                ExternalIdentifier(
                    agreement_id=agreement.pk,
                    scheme=ExternalIdentifier.Scheme.DESTA,
                    value=entry.number,
                    matched_by=ExternalIdentifier.Method.CREATED,
                )
            )
            citations.append(
                AgreementSource(agreement_id=agreement.pk, source_id=source.pk, note=f"DESTA {entry.number}")
            )
            if entry.entry_type != BASE:
                target = created.get(entry.base) or self.existing.get(entry.base)
                if target:
                    kind = (
                        AgreementRelation.Kind.ACCESSION_TO
                        if entry.entry_type == ACCESSION
                        else AgreementRelation.Kind.CONSOLIDATES
                    )
                    relations.append(
                        AgreementRelation(from_agreement_id=agreement.pk, kind=kind, to_agreement_id=target)
                    )
            result.created[entry.entry_type] += 1
        for model, objs in (
            (Party, parties),
            (ExternalIdentifier, identifiers),
            (AgreementSource, citations),
            (AgreementRelation, relations),
        ):
            self.create(model, objs)
        Claim.objects.bulk_create(self.claims(plans, dataset("desta", CREDITS)), batch_size=BATCH)
        result.ids = list(created.values())
        result.parties = len(parties)
        result.joined = sum(1 for party in parties if party.joined_on)
        result.identifiers, result.citations, result.relations = len(identifiers), len(citations), len(relations)
        reindex(result.ids)

    def claims(self, plans: list[tuple[Entry, Agreement, list[Party]]], desta: Dataset) -> list[Claim]:
        """What DESTA says of each new entry, as its claims (the agreement's fields were set from them)."""
        claims = []
        for entry, agreement, parties in plans:

            def claim(name: str, value: str, country_id: int | None = None, entry=entry, agreement=agreement) -> None:
                claims.append(
                    Claim(
                        agreement_id=agreement.pk,
                        dataset=desta,
                        record=entry.number,
                        line=entry.line,
                        field=name,
                        value=value,
                        country_id=country_id,
                    )
                )

            claim(Claim.Field.TITLE, entry.name)
            if agreement.kind != Agreement.Kind.UNKNOWN:
                claim(Claim.Field.KIND, agreement.kind)
            claim(Claim.Field.SIGNED_ON, str(entry.year))
            if entry.in_force_year:
                claim(Claim.Field.IN_FORCE_ON, str(entry.in_force_year))
            if entry.wto_name:
                claim(Claim.Field.WTO_NAME, entry.wto_name)
            for party in parties:
                claim(Claim.Field.PARTY, f"joined {party.joined_on.year}" if party.joined_on else "", party.country_id)
        return claims

    def database_error(self, error: Exception) -> RowError:
        match = AGREEMENT_ID.search(str(error))
        line = self.lines.get(int(match.group(1)), 0) if match else 0
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return RowError(line, "", f"The database refused the file: {first}")
