"""Reading DESTA's file (see agreements.imports.desta): every row checked, into one ``Entry`` per number."""

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from agreements.models import Agreement, Country
from tradepacts.csv import numbered_records
from tradepacts.imports import Importer

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
TITLE_LENGTH: int = Agreement._meta.get_field("title").max_length or 500
SLUG_LENGTH: int = Agreement._meta.get_field("slug").max_length or 220
AGREEMENT_ID = re.compile(r"agreement (\d+)")
# Two imports at once would both create the same missing entries: the second waits.


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
    # Set by agreements.imports.desta.kinds.successions: the entry that superseded this one, and when.
    successor: str = ""
    ended_year: int | None = None
    succession_note: str = ""

    @property
    def slug_part(self) -> str:
        return self.number.replace("+", "-")


class DestaReader(Importer):
    """The reading half of the DESTA import (agreements.imports.desta.importer)."""

    rows_read: int

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

    def read_entries(self, text: str) -> dict[str, Entry]:
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
