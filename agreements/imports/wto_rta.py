"""The WTO's list of regional trade agreements (RTA database export) into the registry.

One record per row, keyed by its RTA name (the export has no numeric ID; the
two names it repeats, "EU - Morocco" and the like, get their signature date,
or "announced", in brackets). What a row says:

- kind from ``Type`` (``KINDS``), status from ``Status`` (``STATUSES``): an
  inactive RTA ended on its ``Inactive Date``, superseded when its remarks or
  another row's say "<it> has been superseded by the <successor>" and the
  successor is a row of the file (NAFTA by the USMCA), terminated otherwise;
- goods and services dates apart: signed, entered into force (the earlier of
  the two is the agreement's entry into force, services also on their own),
  notification and its legal basis;
- parties: original and current signatories (names through
  agreements.imports.country_names), dated by "Specific Entry/Exit dates":
  ``Burundi(01-Jul-2007 - )`` joined then, ``Tanzania( - 31-Dec-2000)`` left;
- an accession (``Accession? = Yes``) is its own record, out of default lists.

Whole-file validation as every import: any bad row, and nothing is written.
Then agreements.imports.merge matches, claims and resolves.
"""

import datetime as dt
import re
from collections import Counter
from typing import IO, Any

from agreements.imports.country_names import split_members
from agreements.imports.datasets import DatasetImporter
from agreements.imports.merge import Record, relate
from agreements.models import Agreement, AgreementRelation, ExternalIdentifier
from tradepacts.csv import numbered_records
from tradepacts.imports import ImportResult

CREDITS = {
    "title": "WTO Regional Trade Agreements database (RTA list, March 2021)",
    "publisher": "World Trade Organization",
    "url": "https://rtais.wto.org/",
    "version": "2021-03",
    "licence": "WTO data, free reuse with attribution (“Source: WTO RTA database”)",
    "citation": "Source: WTO RTA database, rtais.wto.org, list of all RTAs exported March 2021.",
}
KINDS = {
    "FTA": Agreement.Kind.FTA,
    "CU": Agreement.Kind.CUSTOMS_UNION,
    "EIA": Agreement.Kind.EIA,
    "PSA": Agreement.Kind.PSA,
    "FTA & EIA": Agreement.Kind.FTA_EIA,
    "CU & EIA": Agreement.Kind.CU_EIA,
    "PSA & EIA": Agreement.Kind.PSA_EIA,
    "": Agreement.Kind.UNKNOWN,
}
STATUSES = {
    "In Force": Agreement.Status.IN_FORCE,
    "In force for at least one Party": Agreement.Status.IN_FORCE,
    "Inactive": Agreement.Status.TERMINATED,  # superseded when a successor is named (see above)
    "Early announcement-Under negotiation": Agreement.Status.NEGOTIATING,
    "Early announcement-Signed": Agreement.Status.SIGNED,
}
REQUIRED = [
    "RTA Name", "Type", "Status", "Notification", "Date of Signature (G)", "Date of Signature (S)",
    "Date of Notification (G)", "Date of Notification (S)", "Date of Entry into Force (G)",
    "Date of Entry into Force (S)", "Inactive Date", "Accession?", "RTA Composition",
    "Current signatories", "Original signatories", "Specific Entry/Exit dates", "Remarks",
]  # fmt: skip
DATE_COLUMNS = [name for name in REQUIRED if name.startswith("Date of") or name == "Inactive Date"]
SPECIFIC = re.compile(r"\s*(.+?)\(\s*([0-9A-Za-z-]*)\s*-\s*([0-9A-Za-z-]*)\s*\)\s*$")
SUPERSEDED = re.compile(r"(\w[\w/-]*) has been superseded by the ([\w/-]+)", re.I)


SUPERSEDED_COUNT = "superseded by a successor in the file"


def day(text: str) -> str:
    """ "01-Jul-2007" as "2007-07-01"."""
    return dt.datetime.strptime(text, "%d-%b-%Y").date().isoformat()


def import_wto_rta(
    data: bytes | str | IO, *, filename: str = "the WTO RTA list", user: Any = None, force: bool = False
) -> ImportResult:
    """Import the WTO's RTA list; raises ImportFailed with every error. The result counts the RTAs
    (agreements created and changed), matches by method, the not matched (each a warning) and
    the successions found; ``force`` reads a file imported before again."""
    return WtoImporter(filename=filename, user=user, force=force).run(data)


class WtoImporter(DatasetImporter):
    slug, credits, what, label = "wto_rta", CREDITS, "WTO RTAs", "the WTO RTA list"
    may_create = True

    def __init__(self, *, filename: str, user: Any = None, force: bool = False) -> None:
        super().__init__(filename=filename, user=user, force=force)
        self.successions: list[tuple[str, str]] = []

    def read_records(self, text: str) -> list[Record]:
        records, self.successions = self.parse(text)
        return records

    def after_merge(self, result: ImportResult) -> None:
        ids = dict(ExternalIdentifier.objects.filter(scheme="wto_rta").values_list("value", "agreement_id"))
        pairs = [(ids[new], AgreementRelation.Kind.SUPERSEDES, ids[old]) for old, new in self.successions
                 if old in ids and new in ids]  # fmt: skip
        result.details[SUPERSEDED_COUNT] = relate(pairs)

    def parse(self, text: str) -> tuple[list[Record], list[tuple[str, str]]]:
        rows = numbered_records(text, lambda line, message: self.error(line, "", message))
        first = next(rows, None)
        if first is None:
            self.error(1, "", "The file is empty: it needs the WTO list's header row.")
            return [], []
        header = [name.strip() for name in first[1]]
        if missing := [name for name in REQUIRED if name not in header]:
            self.error(1, "", f"Missing column(s): {', '.join(missing)}. Is this the WTO's RTA list export?")
            return [], []
        parsed: list[tuple[Record, dict[str, str]]] = []
        for line, cells in rows:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                self.error(line, "", f"This row has {len(cells)} cells; the header has {len(header)}.")
                continue
            row = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
            if (record := self.record(line, row)) is not None:
                parsed.append((record, row))
        names = Counter(record.key for record, _ in parsed)
        for record, row in parsed:
            if names[record.key] > 1:
                record.key = (
                    f"{record.key} ({row['Date of Signature (G)'] or row['Date of Signature (S)'] or 'announced'})"
                )
        if dupes := [k for k, n in Counter(r.key for r, _ in parsed).items() if n > 1]:
            self.error(0, "RTA Name", f"Listed twice with the same dates: {', '.join(dupes)}.")
        successors = self.successors(parsed)
        for record, _ in parsed:
            if record.values.get("status") == Agreement.Status.TERMINATED and record.key in dict(successors):
                record.values["status"] = Agreement.Status.SUPERSEDED
                record.values["superseded_by"] = dict(successors)[record.key]
        return [record for record, _ in parsed], successors

    def successors(self, parsed: list[tuple[Record, dict[str, str]]]) -> list[tuple[str, str]]:
        """(superseded RTA, its successor) where the remarks say so and both are rows of the file."""
        found: set[tuple[str, str]] = set()
        for _, row in parsed:
            for old, new in SUPERSEDED.findall(row["Remarks"]):
                olds = [r.key for r, _ in parsed if old in re.findall(r"[\w/-]+", r.key)]
                news = [r.key for r, _ in parsed if new.split("/")[0] in re.findall(r"[\w-]+", r.key)]
                if len(olds) == 1 and len(news) == 1 and olds != news:
                    found.add((olds[0], news[0]))
        return sorted(found)

    def record(self, line: int, row: dict[str, str]) -> Record | None:
        before = len(self.errors)
        name = row["RTA Name"]
        if not name:
            self.error(line, "RTA Name", "The RTA has no name.")
        if row["Type"] not in KINDS:
            self.error(
                line, "Type", f"“{row['Type']}” is not one of the WTO's types: {', '.join(k for k in KINDS if k)}."
            )
        if row["Status"] not in STATUSES:
            self.error(line, "Status", f"“{row['Status']}” is not one of {', '.join(STATUSES)}.")
        if row["Accession?"] not in ("Yes", "No", ""):
            self.error(line, "Accession?", f"“{row['Accession?']}” is neither Yes nor No.")
        dates = {}
        for column in DATE_COLUMNS:
            try:
                dates[column] = dt.date.fromisoformat(row[column]).isoformat() if row[column] else ""
            except ValueError:
                self.error(line, column, f"“{row[column]}” is not a date (YYYY-MM-DD).")
        specific = {}
        for part in filter(None, (p.strip() for p in row["Specific Entry/Exit dates"].split(";"))):
            match = SPECIFIC.fullmatch(part)
            try:
                assert match
                specific[match.group(1).strip()] = (
                    match.group(2) and day(match.group(2)),
                    match.group(3) and day(match.group(3)),
                )
            except (AssertionError, ValueError):
                self.error(line, "Specific Entry/Exit dates", f"“{part}” is not “Country(DD-Mon-YYYY - DD-Mon-YYYY)”.")
        parties: dict[str, tuple[str, str]] = {}
        blocs: list[str] = []
        for column in ("Original signatories", "Current signatories", "Specific Entry/Exit dates"):
            names = row[column] if column != "Specific Entry/Exit dates" else "; ".join(specific)
            found, unknown = split_members(names, ";")
            for piece in unknown:
                self.error(line, column, f"“{piece}” is no country or bloc this import knows: add it to "
                                         "agreements/imports/country_names.py, on purpose.")  # fmt: skip
            for kind, code in found:
                if kind == "bloc":
                    blocs.append(code)
                else:
                    parties.setdefault(code, ("", ""))
        for country_name, when in specific.items():
            found, _ = split_members(country_name, ";")
            for kind, code in found:
                if kind == "country":
                    parties[code] = when
        if len(self.errors) > before:
            return None
        signed = min(filter(None, [dates["Date of Signature (G)"], dates["Date of Signature (S)"]]), default="")
        goods, services = dates["Date of Entry into Force (G)"], dates["Date of Entry into Force (S)"]
        status = STATUSES[row["Status"]]
        values = {
            "title": name,
            "kind": KINDS[row["Type"]] if row["Accession?"] != "Yes" else Agreement.Kind.ACCESSION,
            "status": status,
            "signed_on": signed,
            "in_force_on": min(filter(None, [goods, services]), default=""),
            "services_in_force_on": services,
            "ended_on": dates["Inactive Date"] if status == Agreement.Status.TERMINATED else "",
            "notified_on": min(filter(None, [dates["Date of Notification (G)"], dates["Date of Notification (S)"]]), default=""),
            "wto_notification": row["Notification"],
        }  # fmt: skip
        composition = row["RTA Composition"]
        countries = len(parties)
        scope = (
            Agreement.Scope.BLOC if blocs else
            Agreement.Scope.BILATERAL if composition.startswith("Bilateral") and countries == 2 else
            Agreement.Scope.REGIONAL if composition == "Plurilateral" and row.get("Cross-regional") == "No" else
            Agreement.Scope.PLURILATERAL
        )  # fmt: skip
        return Record(
            key=name,
            line=line,
            title=name,
            values=values,
            countries=[(code, joined, left) for code, (joined, left) in parties.items()],
            blocs=list(dict.fromkeys(blocs)),
            signed_year=int(signed[:4]) if signed else None,
            accession=row["Accession?"] == "Yes",
            scope=scope,
        )
