"""One trade import, from the header to the writing: the ``TradeImporter``
behind ``import_trade_flows`` and ``import_exchange_rates``.

A ``source`` cell, or the source given for the whole file, is a source's title
or URL: an existing source is found by its URL or its exact title, otherwise one
is created (kind dataset). A row that names none keeps the source of the figure
already stored; Comtrade files default to the UN Comtrade Database.
"""

import csv
import itertools
from collections import Counter
from collections.abc import Iterator
from typing import Any

from agreements.models import Country, Origin, Source
from agreements.trade.imports.comtrade import (
    COMTRADE_COLUMNS,
    COMTRADE_NEEDS,
    COMTRADE_NEEDS_HELP,
    COMTRADE_NUMERIC,
    COMTRADE_SOURCE,
    COMTRADE_URL,
    WORLD,
    ComtradeRowsMixin,
)
from agreements.trade.imports.plain_and_rates import (
    OPTIONAL_COLUMNS,
    PLAIN_COLUMNS,
    RATE_COLUMNS,
    PlainRowsMixin,
    RateRowsMixin,
)
from agreements.trade.imports.reading import (
    EXPORTS,
    IMPORTS,
    NOT_UTF8,
    SOURCE_TITLE_LENGTH,
    TOTAL,
    NotUtf8,
    check_source_text,
    normalise,
    parse_amount,
    text_lines,
)
from agreements.trade.imports.result import COMTRADE, FLOWS, PLAIN, RATE_LAYOUT, RATES
from agreements.trade.imports.staging import FlowStage
from agreements.trade.imports.state import RateRow
from agreements.trade.imports.upserts import merge_flows, pairs_for_rates, queue_refresh, write_rates
from agreements.trade.models import FIRST_YEAR, LAST_YEAR
from tradepacts.imports import Importer, ImportResult

MAX_DUPLICATES_REPORTED = 1000


class TradeImporter(ComtradeRowsMixin, PlainRowsMixin, RateRowsMixin, Importer):
    """One import: the reference data it looks up, the rows it keeps, the errors it found."""

    def __init__(
        self,
        kind: str,
        *,
        source: str = "",
        filename: str = "a CSV file",
        can_change: bool = True,
        origin: int = Origin.NATIONAL,
    ) -> None:
        super().__init__()
        self.kind, self.filename, self.can_change, self.origin = kind, filename, can_change, origin
        self.layout = ""
        self.skipped: Counter[str] = Counter()
        self.stage: FlowStage | None = None  # trade figures: in the database as they are read (staging)
        self.rate_rows: list[RateRow] = []  # exchange rates (a few hundred a file), kept by rate_row
        self.seen: dict[int | tuple[str, int], int] = {}  # a rate's key to its first line
        self.source_option = source
        self.monthly: list[int] = []

    @property
    def kept(self) -> int:
        """How many rows were kept: the trade figures staged or the exchange rates, as ``kind`` says."""
        return self.stage.count if self.stage else len(self.rate_rows)

    def read(self, data: Any) -> None:
        records = self.records(data)
        first = next(records, None)
        if first is None:
            if not self.errors:
                self.error(1, "", "The file is empty: it needs a header row.")
            return
        self.layout = layout = self.read_header(first[1])
        if self.errors:
            return
        self.load(layout)
        if self.kind == FLOWS:
            self.stage = FlowStage(self.origin)
        if layout == PLAIN:
            data_rows = self.plain_rows(records)
        else:
            parse = self.comtrade_row if layout == COMTRADE else self.rate_row
            data_rows = 0
            for line, cells in records:
                if not "".join(cells).strip():
                    continue  # a blank line, or a row of empty cells
                data_rows += 1
                parse(line, cells)
        self.report_monthly()
        if self.stage:
            self.stage.finish()
            if not self.prechecked:  # the job's preview found none in this very file
                self.report_duplicates(self.stage)
        if not self.errors and not self.kept:
            if data_rows:
                self.error(
                    0, "", f"No row of this file can be imported: all {data_rows:,} were skipped ({self.skip_text()})."
                )
            else:
                self.error(0, "", "The file has a header but no rows.")
        if self.errors and self.stage:
            self.stage.drop()  # refused: nothing of it is kept, not even staged

    def records(self, data: Any) -> Iterator[tuple[int, list[str]]]:
        """(line, cells) of every record, the header first; reading errors noted and the rest dropped."""
        lines = text_lines(data)
        try:
            first = next(lines)
        except StopIteration:
            return
        except NotUtf8:
            self.error(1, "", NOT_UTF8)
            return
        delimiter = max((",", ";", "\t"), key=first.count)
        reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
        line = 0
        while True:
            line += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except NotUtf8:
                self.error(line, "", NOT_UTF8)
                return
            except csv.Error as error:
                self.error(line, "", f"The file cannot be read as CSV from here on ({error}).")
                return
            yield line, cells

    # --- the header -------------------------------------------------------------

    def read_header(self, cells: list[str]) -> str:
        """The layout, its columns' positions noted; errors at line 1 if neither."""
        names = [normalise(cell) for cell in cells]
        self.width = len(names)
        self.header = [cell.strip() for cell in cells]
        comtrade: dict[str, int] = {}
        for i, name in enumerate(names):
            if name in COMTRADE_COLUMNS:
                comtrade.setdefault(COMTRADE_COLUMNS[name], i)
        if "units_per_usd" in names:
            layout, required = RATE_LAYOUT, RATE_COLUMNS
        elif any(name in comtrade for names_ in COMTRADE_NEEDS[:2] for name in names_):
            layout, required = COMTRADE, []
        elif {"reporter", "flow", "value"} & set(names):
            layout, required = PLAIN, PLAIN_COLUMNS
        else:
            self.error(
                1,
                "",
                "The columns are not one of the layouts this import reads: a UN Comtrade download "
                f"({COMTRADE_NEEDS_HELP}); reporter, partner, year, flow, value, currency[, source]; "
                "or, for exchange rates, currency, year, units_per_usd[, source].",
            )
            return ""

        if layout == COMTRADE:
            if missing := [" or ".join(need) for need in COMTRADE_NEEDS if not any(n in comtrade for n in need)]:
                self.error(
                    1, "", f"A UN Comtrade file needs the columns {COMTRADE_NEEDS_HELP}; missing: {'; '.join(missing)}."
                )
            self.columns = comtrade
            self.needed_width = max(comtrade.values()) + 1
        else:
            if duplicates := [name for name, n in Counter(names).items() if n > 1 and name]:
                self.error(1, "", f"Column(s) given twice: {', '.join(duplicates)}.")
            known = required + OPTIONAL_COLUMNS
            if unknown := [name or "(blank)" for name in names if name not in known]:
                self.error(1, "", f"Unknown column(s): {', '.join(unknown)}. The columns are: {', '.join(known)}.")
            if missing := [name for name in required if name not in names]:
                self.error(1, "", f"Missing column(s): {', '.join(missing)}.")
            self.columns = {name: i for i, name in enumerate(names)}
            self.header = names

        if self.kind == FLOWS and layout == RATE_LAYOUT:
            self.error(
                1,
                "",
                "This file has the exchange-rate columns (currency, year, units_per_usd): import it as exchange "
                "rates, not as trade figures.",
            )
        elif self.kind == RATES and layout != RATE_LAYOUT:
            self.error(
                1,
                "",
                f"This file has the columns of trade figures ({layout} layout): import it as trade figures. "
                "Exchange rates have the columns currency, year, units_per_usd[, source].",
            )
        return layout

    def name(self, column: str) -> str:
        """How the file calls one of our columns (its own header, e.g. primaryValue)."""
        return self.header[self.columns[column]]

    # --- looking up -------------------------------------------------------------

    def load(self, layout: str) -> None:
        """Every lookup the rows need, once."""
        self.layout = layout
        self.by_iso3: dict[str, int] = {}
        self.by_numeric: dict[str, int] = {}
        self.iso3_of: dict[int, str] = {}
        # Historic countries first, so a current one with the same numeric code replaces them.
        for pk, iso3, numeric in Country.objects.order_by("-is_historic", "pk").values_list("pk", "iso3", "numeric"):
            self.by_iso3[iso3] = pk
            self.iso3_of[pk] = iso3
            if numeric:
                self.by_numeric[numeric] = pk
        for code, iso3 in COMTRADE_NUMERIC.items():
            if iso3 in self.by_iso3:
                self.by_numeric.setdefault(code, self.by_iso3[iso3])
        self.currencies: dict[str, str] = {}  # cells seen to codes
        self.years = {str(year): year for year in range(FIRST_YEAR, LAST_YEAR + 1)}

        self.sources: list[int | Source] = []  # what rows point at: ids, or sources to create
        self.source_index: dict[str, int] = {}
        self.sources_by_url: dict[str, int] = {}
        self.sources_by_title: dict[str, int] = {}
        for pk, title, url in Source.objects.order_by("-id").values_list("id", "title", "url"):
            if url:
                self.sources_by_url[url] = pk
            self.sources_by_title[title] = pk  # the oldest of a title wins
        self.default_source: int | None = None
        if self.source_option.strip():
            try:
                self.default_source = self.source_ref(check_source_text(self.source_option))
            except ValueError as error:
                self.error(0, "", f"The source given for the whole file: {error}")
        elif layout == COMTRADE:
            comtrade = self.sources_by_url.get(COMTRADE_URL)
            self.sources.append(comtrade if comtrade else Source(**COMTRADE_SOURCE))
            self.default_source = len(self.sources) - 1

    def source_ref(self, text: str) -> int:
        """The position in ``self.sources`` of the source named by ``text`` (checked)."""
        if text not in self.source_index:
            if text.lower().startswith(("http://", "https://")):
                found: int | Source | None = self.sources_by_url.get(text)
                new = Source(title=text[:SOURCE_TITLE_LENGTH], url=text, kind=Source.Kind.DATASET)
            else:
                found = self.sources_by_title.get(text)
                new = Source(title=text, kind=Source.Kind.DATASET)
            self.sources.append(found if found else new)
            self.source_index[text] = len(self.sources) - 1
        return self.source_index[text]

    def source_cell(self, line: int, cell: str) -> int | None:
        text = cell.strip()
        if not text:
            return self.default_source
        if text in self.source_index:
            return self.source_index[text]
        try:
            return self.source_ref(check_source_text(text))
        except ValueError as error:
            message = str(error)
            self.error(line, "source", message[:1].upper() + message[1:])
            return None

    def country(self, line: int, column: str, cell: str) -> int | None:
        code = cell.strip().upper()
        if (pk := self.by_iso3.get(code)) is not None:
            return pk
        if not code:
            self.error(line, column, "Required: an ISO 3166 alpha-3 country code, e.g. KEN.")
        elif code in WORLD and column == "reporter":
            self.error(line, column, "The reporter is a country, not the World.")
        else:
            self.error(line, column, f"Unknown country code “{cell.strip()}”: use ISO 3166 alpha-3 codes, e.g. KEN.")
        return None

    def year(self, line: int, column: str, cell: str) -> int | None:
        text = cell.strip()
        if text in self.years:
            return self.years[text]
        if text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR:
            return int(text)
        self.error(line, column, f"“{text}” is not a year: four digits, {FIRST_YEAR} to {LAST_YEAR}.")
        return None

    def amount(self, line: int, column: str, cell: str, places: int, digits: int) -> str | None:
        try:
            return parse_amount(cell, places, digits)
        except ValueError as error:
            self.error(line, column, str(error))
            return None

    def currency(self, line: int, column: str, cell: str) -> str | None:
        code = cell.strip().upper()
        if len(code) == 3 and code.isascii() and code.isalpha():
            code = self.currencies.setdefault(code, code)  # one string object per code, shared by the rows
            self.currencies[cell] = code
            return code
        self.error(line, column, f"“{cell.strip()}” is not a currency: an ISO 4217 code of three letters, e.g. TZS.")
        return None

    # --- one row ----------------------------------------------------------------

    # (The rows of each layout: ComtradeRowsMixin, PlainRowsMixin and RateRowsMixin.)

    def wrong_width(self, line: int, cells: list[str], needed: int) -> bool:
        if len(cells) < needed or (self.layout != COMTRADE and len(cells) != self.width):
            self.error(line, "", f"This row has {len(cells)} cells; the header has {self.width}.")
            return True
        return False

    def not_itself(self, line: int, column: str, reporter: int | None, partner: int | None) -> None:
        if reporter is not None and partner == reporter:
            self.error(line, column, f"A country does not trade with itself: {self.iso3_of[reporter]} is both.")

    def add_flow(
        self,
        line: int,
        reporter: int,
        partner: int | None,
        year: int,
        flow: str,
        value: str,
        currency: str,
        source: int | None,
    ) -> None:
        # Staged, not kept: figures given twice are found once the file is read (report_duplicates).
        assert self.stage is not None
        self.stage.add((reporter, partner, year, flow, value, currency, source, line))

    def report_duplicates(self, stage: FlowStage) -> None:
        """Figures given twice, found in the staged rows once the file is read; in line order with the rest."""
        found = stage.duplicates(MAX_DUPLICATES_REPORTED)
        for line, first, reporter, partner, year, flow in found:
            what = {EXPORTS: "exports to", IMPORTS: "imports from", TOTAL: "total trade with"}[flow]
            partner_name = self.iso3_of[partner] if partner else "the World"
            self.error(
                line,
                "",
                f"{self.iso3_of[reporter]}'s {what} {partner_name} in {year} are given twice, on lines {first} "
                f"and {line}: keep one.",
            )
        if found:
            self.errors.sort(key=lambda error: error.line)

    def skip_text(self) -> str:
        return "; ".join(f"{n:,} {reason}" for reason, n in self.skipped.most_common())

    # --- writing ----------------------------------------------------------------

    def write(self) -> ImportResult:
        what = "trade figure(s)" if self.kind == FLOWS else "exchange rate(s)"
        result = ImportResult(what, layout=self.layout, rows=self.kept, skipped=self.skipped)
        used: set[int | None] = set(self.stage.used_sources()) if self.stage else {row[-1] for row in self.rate_rows}
        source_ids = self.save_sources(used)
        if self.stage:
            self.stage.set_sources(source_ids)
            result.created, result.updated, result.pairs = merge_flows()
        else:
            rates = ((c, y, r, source_ids[s] if s is not None else None) for c, y, r, s in self.rate_rows)
            result.created, result.updated, changed = write_rates(rates)
            result.pairs = pairs_for_rates(changed)
        if result.updated and not self.can_change:
            what = "figure(s)" if self.kind == FLOWS else "rate(s)"
            self.error(
                0,
                "",
                f"{result.updated:,} {what} of this file would change {what} already stored, and you "
                "may add them but not change them.",
            )
        elif result.pairs:
            queue_refresh(result.pairs)
        return result

    def save_sources(self, used: set[int | None]) -> list[int | None]:
        """Create the sources the file names (``used``: their positions) that do not exist yet; every one's id."""
        ids: list[int | None] = []
        for position, ref in enumerate(self.sources):
            if isinstance(ref, Source):
                if position not in used:
                    ids.append(None)
                    continue
                ref._change_reason = f"Named by the import of {self.filename}"  # type: ignore[attr-defined]
                ref.save()
                ref = ref.pk
            ids.append(ref)
        return ids
