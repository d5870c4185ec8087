"""The World Bank's Global Preferential Trade Agreements Database (GPTAD) into the registry.

One record per ``Common.Name`` (rows repeating a name are one record: the
first row's values are its claims, a differing repeat is reported). GPTAD
never creates an agreement: a record that matches none (by identifier, or by
the same countries signed the same year, agreements.imports.merge) is listed in
the report as not matched, because GPTAD's 2009 list is covered by DESTA,
which names agreements differently: creating them would make duplicates.

What a record says: the kind from ``Type`` (``KINDS``), the status from
``In.force.status`` (``STATUSES``; "expired" with no end date in the file is a
claim the page shows, not a status the agreement can take without an end
date), signature and entry into force (MM/DD/YYYY, "n/a" unknown) and the
parties from ``Membership`` (names through agreements.imports.country_names).
"""

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from agreements.imports.country_names import split_members
from agreements.imports.merge import Merger, MergeReport, Record, dataset, lock, sha256
from agreements.models import Agreement
from tradepacts.csv import numbered_records
from tradepacts.imports import ImportFailed, RowError

CREDITS = {
    "title": "Global Preferential Trade Agreements Database (GPTAD)",
    "publisher": "World Bank",
    "url": "https://wits.worldbank.org/gptad/library.aspx",
    "version": "2009",
    "licence": "CC BY 4.0, World Bank",
    "citation": "World Bank, Global Preferential Trade Agreements Database (GPTAD), CC BY 4.0.",
}
KINDS = {
    "Bilateral Free Trade Agreement": Agreement.Kind.FTA,
    "Association Free Trade Agreement": Agreement.Kind.FTA,
    "Regional/Plurilateral Free Trade Agreement": Agreement.Kind.FTA,
    "Customs Union Primary Agreement": Agreement.Kind.CUSTOMS_UNION,
    "Customs Union Accession Agreement": Agreement.Kind.ACCESSION,
    "Framework Agreement": Agreement.Kind.FRAMEWORK,
    "": Agreement.Kind.UNKNOWN,
}
STATUSES = {
    "in force": Agreement.Status.IN_FORCE,
    "expired": Agreement.Status.EXPIRED,
    "signed - not yet in force": Agreement.Status.SIGNED,
    "unknown": "",
    "": "",
}
REQUIRED = ["Common.Name", "Membership", "Type", "Date.of.Signature", "Date.of.Entry.into.Force", "In.force.status"]
UNKNOWN_DATES = {"", "n/a", "na"}
LOCK_KEY = 0x47505441  # "GPTA"


@dataclass
class GptadResult:
    rows: int = 0
    records: int = 0
    report: MergeReport = field(default_factory=MergeReport)
    repeats: list[RowError] = field(default_factory=list)
    seconds: float = 0.0
    skipped: bool = False

    def __str__(self) -> str:
        if self.skipped:
            return "the same file was imported before: nothing to do."
        return f"{self.records} GPTAD records: " + "; ".join(line.strip() for line in self.report.lines())


def import_gptad(
    data: bytes | str | IO, *, filename: str = "GPTAD", user: Any = None, force: bool = False
) -> GptadResult:
    return GptadImporter(filename, user).run(data, force=force)


def us_date(text: str) -> str:
    return dt.datetime.strptime(text, "%m/%d/%Y").date().isoformat()


class GptadImporter:
    def __init__(self, filename: str, user: Any) -> None:
        self.filename, self.user = filename, user
        self.errors: list[RowError] = []
        self.repeats: list[RowError] = []

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append(RowError(line, column, message))

    def run(self, data: bytes | str | IO, *, force: bool = False) -> GptadResult:
        started = time.monotonic()
        if hasattr(data, "read"):
            data = data.read()
        raw = data.encode() if isinstance(data, str) else bytes(data)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFailed([RowError(raw.count(b"\n", 0, error.start) + 1, "", "Not UTF-8 text.")]) from None
        records, rows = self.read(text)
        if self.errors:
            raise ImportFailed(self.errors)
        result = GptadResult(rows=rows, records=len(records), repeats=self.repeats)
        digest = sha256(raw)
        with transaction.atomic():
            lock(LOCK_KEY)
            gptad = dataset("gptad", CREDITS)
            if gptad.sha256 == digest and not force:
                result.skipped = True
                return result
            merger = Merger(gptad, user=self.user, reason=f"Imported from GPTAD ({self.filename})", may_create=False)
            result.report = merger.run(records)
            __import__("agreements.tasks").tasks.queue_trade_refresh()  # issue 14: every pair, on commit
            gptad.sha256, gptad.filename, gptad.records, gptad.imported_at = digest, self.filename, rows, timezone.now()
            gptad.save()
        result.seconds = time.monotonic() - started
        return result

    def read(self, text: str) -> tuple[list[Record], int]:
        rows = numbered_records(text, lambda line, message: self.error(line, "", message))
        first = next(rows, None)
        if first is None:
            self.error(1, "", "The file is empty: it needs GPTAD's header row.")
            return [], 0
        header = [name.strip() for name in first[1]]
        if missing := [name for name in REQUIRED if name not in header]:
            self.error(1, "", f"Missing column(s): {', '.join(missing)}. Is this GPTAD's list?")
            return [], 0
        records: dict[str, Record] = {}
        count = 0
        for line, cells in rows:
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if len(cells) != len(header):
                self.error(line, "", f"This row has {len(cells)} cells; the header has {len(header)}.")
                continue
            row = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
            record = self.record(line, row)
            if record is None:
                continue
            if (first_record := records.get(record.key)) is None:
                records[record.key] = record
            elif (first_record.values, first_record.countries) != (record.values, record.countries):
                self.repeats.append(
                    RowError(line, "", f"“{record.key}” repeats line {first_record.line} with other values: "
                                       "line {first_record.line}'s are used.".replace("{first_record.line}", str(first_record.line)))
                )  # fmt: skip
        return list(records.values()), count

    def record(self, line: int, row: dict[str, str]) -> Record | None:
        before = len(self.errors)
        name = row["Common.Name"]
        if not name:
            self.error(line, "Common.Name", "The agreement has no name.")
        if row["Type"] not in KINDS:
            self.error(
                line, "Type", f"“{row['Type']}” is not one of GPTAD's types: {', '.join(k for k in KINDS if k)}."
            )
        if row["In.force.status"] not in STATUSES:
            self.error(
                line,
                "In.force.status",
                f"“{row['In.force.status']}” is not one of {', '.join(s for s in STATUSES if s)}.",
            )
        dates = {}
        for column in ("Date.of.Signature", "Date.of.Entry.into.Force"):
            value = row[column]
            if value.lower() in UNKNOWN_DATES:
                dates[column] = ""
                continue
            try:
                dates[column] = us_date(value)
            except ValueError:
                self.error(line, column, f"“{value}” is not a date (MM/DD/YYYY), nor N/A.")
        found, unknown = split_members(row["Membership"])
        for piece in unknown:
            self.error(line, "Membership", f"“{piece}” is no country or bloc this import knows: add it to "
                                           "agreements/imports/country_names.py, on purpose.")  # fmt: skip
        if len(self.errors) > before:
            return None
        signed = dates["Date.of.Signature"]
        values = {
            "title": name,
            "kind": KINDS[row["Type"]],
            "status": STATUSES[row["In.force.status"]],
            "signed_on": signed,
            "in_force_on": dates["Date.of.Entry.into.Force"],
        }
        return Record(
            key=name,
            line=line,
            title=name,
            values=values,
            countries=[(code, "", "") for kind, code in found if kind == "country"],
            blocs=[code for kind, code in found if kind == "bloc"],
            signed_year=int(signed[:4]) if signed else None,
            accession=row["Type"] == "Customs Union Accession Agreement",
        )
