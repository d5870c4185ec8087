"""Corridor indicator figures read from CSV:
``corridor,indicator,country,period,value,unit,source``, and optionally
``qualifier``, ``note`` and ``synthetic`` (the columns of the corridor export,
corridors.exports, which also has the derived ``growth`` and ``share``: read
and ignored, so an exported file imports back unchanged).

Validation is whole-file, as in the other imports (agreements.imports.agreements,
agreements.trade.imports): every row is read and checked first, and if any is
wrong nothing of the file is written; the caller gets every error with its line
as a spreadsheet numbers it (the header is line 1) and its column. Then every
row is written in one transaction, upserted on its natural key (corridor,
indicator, country, period), so importing a file again changes nothing, not
even ``updated_at``. A change queues the corridor statistics refresh on commit.

Cells:

- ``corridor``: a corridor's slug or exact name; ``indicator`` likewise.
- ``country``: the destination's ISO alpha-3 code, a member of the corridor;
  blank for a figure of the corridor as a whole.
- ``period``: a year (2024), a quarter (2024-Q3) or a month (2024-07).
- ``value``: a number not below zero, a point for decimals, no separators;
  rounded to four decimals.
- ``unit``: the indicator's unit (as a check: figures are never converted);
  blank takes it as given.
- ``source``: a title or URL: an existing source found by URL or exact title,
  else one is created (kind dataset). Blank keeps an existing figure's source.
- ``qualifier``: blank, ``about``, ``more than`` or ``less than`` (as the
  source hedges the figure); ``synthetic``: yes/no; ``note``: free text.
- ``reported_value``, ``reported_unit``: the figure as its source gave it, when
  it was converted to the indicator's unit before import (by an exact factor
  only: corridors.reported); shown beside the figure.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from agreements.models import Country, Source
from agreements.trade.imports import check_source_text, parse_amount
from corridors.models import Corridor, CorridorMember, Indicator, IndicatorObservation
from corridors.periods import Period
from corridors.tasks import queue_corridor_refresh
from tradepacts.csv import numbered_records, unsafe_cell
from tradepacts.imports import NOT_UTF8_MESSAGE, Importer, ImportResult, decode

REQUIRED_COLUMNS = ["corridor", "indicator", "country", "period", "value", "unit", "source"]
OPTIONAL_COLUMNS = ["qualifier", "note", "synthetic", "reported_value", "reported_unit"]
IGNORED_COLUMNS = ["growth", "share"]  # derived: in the export, never imported
COLUMNS = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *IGNORED_COLUMNS]

VALUE_PLACES = 4
VALUE_DIGITS = IndicatorObservation._meta.get_field("value").max_digits
QUALIFIERS = {
    "": "",
    "as given": "",
    "about": "about",
    "approximately": "about",
    "~": "about",
    "more than": "more_than",
    "more_than": "more_than",
    ">": "more_than",
    "less than": "less_than",
    "less_than": "less_than",
    "<": "less_than",
}
BOOLEANS = {"": False, "no": False, "false": False, "0": False, "yes": True, "true": True, "1": True}


@dataclass
class Row:
    line: int
    key: tuple[int, int, int | None, str, dt.date]  # corridor, indicator, country, period kind and start
    values: dict[str, Any]
    source_text: str


def import_corridor_indicators(
    data: bytes | str | IO, *, filename: str = "a CSV file", can_change: bool = True
) -> ImportResult:
    """Import indicator figures; raises ImportFailed with every error, having written nothing.

    ``can_change=False`` refuses a file that would change figures already stored.
    """
    return IndicatorImporter(filename=filename, can_change=can_change).run(data)


class IndicatorImporter(Importer):
    def __init__(self, *, filename: str, can_change: bool) -> None:
        super().__init__()
        self.filename, self.can_change = filename, can_change
        self.rows: list[Row] = []

    def read(self, data: bytes | str | IO) -> None:
        text, utf8 = decode(data)
        if not utf8:
            self.error(0, "", NOT_UTF8_MESSAGE)
            return
        records = numbered_records(text, lambda line, message: self.error(line, "", message))
        first = next(records, None)
        if first is None:
            if not self.errors:
                self.error(1, "", "The file is empty: it needs a header row.")
            return
        header = self.read_header(first[1])
        if self.errors:
            return
        self.load()
        rows = self.rows
        seen: dict[tuple, int] = {}
        for line, cells in records:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                self.error(line, "", f"This row has {len(cells)} cells; the header has {len(header)}.")
                continue
            row = self.row(line, {name: unsafe_cell(cell) for name, cell in zip(header, cells, strict=True)})
            if row is None:
                continue
            if row.key in seen:
                self.error(
                    line, "period", f"The same figure (corridor, indicator, country, period) as line {seen[row.key]}."
                )
                continue
            seen[row.key] = line
            rows.append(row)
        if not self.errors and not rows:
            self.error(0, "", "The file has a header but no rows.")

    def read_header(self, cells: list[str]) -> list[str]:
        header = [cell.strip().lower() for cell in cells]
        if duplicates := [name for name, n in Counter(header).items() if n > 1 and name]:
            self.error(1, "", f"Column(s) given twice: {', '.join(duplicates)}.")
        if unknown := [name or "(blank)" for name in header if name not in COLUMNS]:
            self.error(1, "", f"Unknown column(s): {', '.join(unknown)}. The columns are: {', '.join(COLUMNS)}.")
        if missing := [name for name in REQUIRED_COLUMNS if name not in header]:
            self.error(1, "", f"Missing column(s): {', '.join(missing)}.")
        return header

    def load(self) -> None:
        self.corridors: dict[str, int] = {}
        for pk, slug, name in Corridor.objects.values_list("id", "slug", "name"):
            self.corridors[slug] = self.corridors[name.lower()] = pk
        self.indicators: dict[str, tuple[int, str]] = {}
        for pk, slug, name, unit in Indicator.objects.values_list("id", "slug", "name", "unit"):
            self.indicators[slug] = self.indicators[name.lower()] = (pk, unit)
        self.countries = dict(Country.objects.values_list("iso3", "id"))
        self.members = set(CorridorMember.objects.values_list("corridor_id", "country_id"))
        self.sources_by_url: dict[str, int] = {}
        self.sources_by_title: dict[str, int] = {}
        for pk, title, url in Source.objects.order_by("-id").values_list("id", "title", "url"):
            if url:
                self.sources_by_url[url] = pk
            self.sources_by_title[title] = pk  # the oldest of a title wins

    def row(self, line: int, cells: dict[str, str]) -> Row | None:
        errors = len(self.errors)
        corridor = self.corridors.get(cells["corridor"].strip()) or self.corridors.get(
            cells["corridor"].strip().lower()
        )
        if corridor is None:
            self.error(line, "corridor", f"Unknown corridor “{cells['corridor'].strip()}”: give its slug or name.")
        indicator = self.indicators.get(cells["indicator"].strip()) or self.indicators.get(
            cells["indicator"].strip().lower()
        )
        if indicator is None:
            self.error(line, "indicator", f"Unknown indicator “{cells['indicator'].strip()}”: give its slug or name.")
        code = cells["country"].strip().upper()
        country = None
        if code:
            country = self.countries.get(code)
            if country is None:
                self.error(line, "country", f"Unknown country code “{code}”: use ISO 3166 alpha-3 codes, e.g. RWA.")
            elif corridor is not None and (corridor, country) not in self.members:
                self.error(
                    line, "country", f"{code} is not a member country of corridor “{cells['corridor'].strip()}”."
                )
        try:
            period = Period.parse(cells["period"])
        except ValueError as error:
            self.error(line, "period", str(error))
            period = None
        try:
            value = Decimal(parse_amount(cells["value"], VALUE_PLACES, VALUE_DIGITS))
        except ValueError as error:
            self.error(line, "value", str(error))
            value = None
        unit = cells["unit"].strip()
        if indicator is not None and unit and unit.lower() != indicator[1].lower():
            self.error(
                line,
                "unit",
                f"“{unit}” is not this indicator's unit ({indicator[1]}): figures are never converted; give them in "
                f"{indicator[1]}.",
            )
        source_text = cells["source"].strip()
        if source_text:
            try:
                check_source_text(source_text)
            except ValueError as error:
                message = str(error)
                self.error(line, "source", message[:1].upper() + message[1:])
        qualifier = QUALIFIERS.get(cells.get("qualifier", "").strip().lower())
        if qualifier is None:
            self.error(line, "qualifier", "Blank, about, more than or less than.")
        synthetic = BOOLEANS.get(cells.get("synthetic", "").strip().lower())
        if synthetic is None:
            self.error(line, "synthetic", "yes or no.")
        reported_value = None
        if cells.get("reported_value", "").strip():
            try:
                reported_value = Decimal(parse_amount(cells["reported_value"], VALUE_PLACES, VALUE_DIGITS))
            except ValueError as error:
                self.error(line, "reported_value", str(error))
        # Each None below comes with an error: the checks only narrow the types.
        if len(self.errors) > errors or corridor is None or indicator is None or period is None:
            return None
        return Row(
            line,
            (corridor, indicator[0], country, period.kind, period.start),
            {
                "value": value,
                "qualifier": qualifier,
                "note": cells.get("note", "").strip(),
                "is_synthetic": synthetic,
                "reported_value": reported_value,
                "reported_unit": cells.get("reported_unit", "").strip() if reported_value is not None else "",
            },
            source_text,
        )

    def existing_source(self, text: str) -> int | None:
        """The id of the source ``text`` names, if it exists already."""
        if text.lower().startswith(("http://", "https://")) and text in self.sources_by_url:
            return self.sources_by_url[text]
        return self.sources_by_title.get(text)

    def source_id(self, text: str) -> int:
        """An existing source's id, or a new one's (created inside the import's transaction)."""
        found = self.existing_source(text)
        if found is None:
            is_url = text.lower().startswith(("http://", "https://"))
            source = Source.objects.create(
                title=text[: Source._meta.get_field("title").max_length],
                url=text if is_url else "",
                kind=Source.Kind.DATASET,
            )
            found = source.pk
            (self.sources_by_url if is_url else self.sources_by_title)[text] = found
        return found

    def write(self) -> ImportResult:
        """Create the new figures and update those that differ; the rest is not touched."""
        rows = self.rows
        result = ImportResult("indicator figure(s)", rows=len(rows))
        existing: dict[tuple, IndicatorObservation] = {
            (o.corridor_id, o.indicator_id, o.destination_id, o.period_kind, o.period_start): o
            for o in IndicatorObservation.objects.filter(corridor_id__in={r.key[0] for r in rows})
        }
        changes: list[tuple[Row, IndicatorObservation | None]] = []
        for row in rows:
            old = existing.get(row.key)
            if old is None:
                changes.append((row, None))
                continue
            source = self.existing_source(row.source_text) if row.source_text else old.source_id
            if source != old.source_id or any(getattr(old, name) != value for name, value in row.values.items()):
                changes.append((row, old))
        if not self.can_change and (lines := [str(row.line) for row, old in changes if old is not None]):
            message = f"This file changes figures already stored (lines {', '.join(lines)}), which you may not change."
            self.error(0, "", message)
            return result
        reason = f"Imported from {self.filename}"
        for row, old in changes:
            source_id = self.source_id(row.source_text) if row.source_text else (old.source_id if old else None)
            if old is None:
                corridor, indicator, country, kind, start = row.key
                obj = IndicatorObservation(
                    corridor_id=corridor,
                    indicator_id=indicator,
                    destination_id=country,
                    period_kind=kind,
                    period_start=start,
                    source_id=source_id,
                    **row.values,
                )
                obj._change_reason = reason  # type: ignore[attr-defined]  # read by simple-history's signal
                obj.save()
                result.created += 1
            else:
                for name, value in {**row.values, "source_id": source_id}.items():
                    setattr(old, name, value)
                old._change_reason = reason  # type: ignore[attr-defined]  # read by simple-history's signal
                old.save()
                result.updated += 1
        if changes:
            queue_corridor_refresh()
        return result
