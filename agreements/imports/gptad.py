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
from typing import IO, Any

from agreements.imports.country_names import split_members
from agreements.imports.datasets import DatasetImporter
from agreements.imports.merge import Record
from agreements.models import Agreement
from tradepacts.csv import numbered_records
from tradepacts.imports import ImportResult, RowError

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


FILE_ROWS = "rows in the file"


def import_gptad(
    data: bytes | str | IO, *, filename: str = "GPTAD", user: Any = None, force: bool = False
) -> ImportResult:
    """Import GPTAD's list; raises ImportFailed with every error. The result counts the records
    (one per name), matches by method and the not matched (each a warning with its line: GPTAD
    never creates an agreement); ``force`` reads a file imported before again."""
    return GptadImporter(filename=filename, user=user, force=force).run(data)


def us_date(text: str) -> str:
    return dt.datetime.strptime(text, "%m/%d/%Y").date().isoformat()


class GptadImporter(DatasetImporter):
    slug, credits, what, label = "gptad", CREDITS, "GPTAD records", "GPTAD"
    may_create = False

    def read_records(self, text: str) -> list[Record]:
        records, self.file_rows = self.parse(text)
        return records

    def after_merge(self, result: ImportResult) -> None:
        result.details[FILE_ROWS] = self.file_rows

    def parse(self, text: str) -> tuple[list[Record], int]:
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
                used = first_record.line
                self.notes.append(
                    RowError(line, "", f"“{record.key}” repeats line {used} with other values: line {used}'s are used.")
                )
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
        dates: dict[str, str] = {}
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
