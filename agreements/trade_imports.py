"""Trade figures and exchange rates read from CSV: UN Comtrade downloads, a
plain layout for national sources, and yearly exchange rates.

Validation is whole-file, as in the agreements import (agreements.imports):
every row is read and checked first, and if any is wrong nothing of the file is
written; the caller gets every error, each with its line as a spreadsheet
numbers it (the header is line 1) and its column. Then every row is written in
one transaction, upserted on its natural key, so importing a file again changes
nothing, not even ``updated_at``.

The layout is recognised from the header:

- **UN Comtrade** downloads: the "Final" data of comtradeplus.un.org
  (``reporterCode, reporterISO, partnerCode, partnerISO, refYear`` or
  ``period, flowCode`` or ``flowDesc, primaryValue`` or ``fobvalue/cifvalue``)
  and the legacy layout (``Year, Reporter ISO, Partner ISO, Trade Flow,
  Trade Value (US$)``). Values are US dollars; other columns are ignored.
  Countries by ISO alpha-3 where the file has a known one, else by numeric code
  (Comtrade's own for France 251, India 699, Norway 579, Switzerland 757 and
  the USA 842; a code shared by a historic and a current country means the
  current one). Partner 0, W00, WLD or "World" is the World.
  Rows that are not a country's total goods trade with one partner are skipped
  and counted in the summary, not refused: re-exports, re-imports and the other
  special flows, commodities other than TOTAL, breakdowns by second partner,
  customs procedure or mode of transport, services, and partner areas that are
  not countries (Areas nes, Bunkers, Free zones, Other Asia nes ...), and
  rows reported by a group (the EU). Monthly data is refused: the tables hold
  years.
- **plain**: ``reporter,partner,year,flow,value,currency[,source]``, for
  national sources such as the seeds' figure (partner ISO3, or WLD/World;
  flow exports, imports or total).
- **exchange rates**: ``currency,year,units_per_usd[,source]``.

A ``source`` cell, or the source given for the whole file, is a source's title
or URL: an existing source is found by its URL or its exact title, otherwise one
is created (kind dataset). A row that names none keeps the source of the figure
already stored; Comtrade files default to the UN Comtrade Database.

Files are UTF-8, with or without a byte-order mark; any other encoding is
refused at the line of its first undecodable byte (Excel's plain "CSV" is
Windows-1252: save as "CSV UTF-8"). Cells are separated by commas, semicolons
or tabs, whichever the header uses. Values are rounded to the cent (rates to
six decimals), as the tables store them.

Speed (a million rows in about 30 seconds on PostgreSQL): rows stream through
the csv module, codes resolve through dicts loaded once, each row is kept as a
small tuple, and the writing loads a temporary table (COPY on PostgreSQL), then
runs one UPDATE of the stored rows that differ and one INSERT of the missing
ones, in key order, under a table lock that keeps other writers (not readers)
out until commit. The ORM's ``bulk_create(update_conflicts=True)`` cannot serve:
TradeFlow's unique keys are partial indexes (the World has its own), which ON
CONFLICT must name with their WHERE clause, and it rewrites unchanged rows.

After writing, the pairs whose figures were created or changed (for a rate:
the pairs with figures in its currency and year) are handed to
``agreements.tasks.queue_trade_refresh``, which queues their refresh on commit.
"""

import csv
import io
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Model, Q
from django.utils import timezone

from agreements.imports import ImportFailed, RowError
from agreements.models import Country, ExchangeRate, Source, TradeFlow
from agreements.models.trade import FIRST_YEAR, LAST_YEAR

FLOWS, RATES = "flows", "rates"
COMTRADE, PLAIN, RATE_LAYOUT = "UN Comtrade", "plain", "exchange rates"

BATCH = 10_000
STAGE = "trade_import_stage"  # a temporary table: private to the connection

EXPORTS, IMPORTS, TOTAL = TradeFlow.Flow.EXPORTS.value, TradeFlow.Flow.IMPORTS.value, TradeFlow.Flow.TOTAL.value
FLOW_BITS = {EXPORTS: 0, IMPORTS: 1, TOTAL: 2}

PLAIN_COLUMNS = ["reporter", "partner", "year", "flow", "value", "currency"]
RATE_COLUMNS = ["currency", "year", "units_per_usd"]
OPTIONAL_COLUMNS = ["source"]

# Comtrade's column names (lower case, spaces collapsed) to ours. First match wins.
COMTRADE_COLUMNS = {
    "reportercode": "reporter_code",
    "reporter code": "reporter_code",
    "reporteriso": "reporter_iso",
    "reporter iso": "reporter_iso",
    "reportercodeisoalpha3": "reporter_iso",
    "partnercode": "partner_code",
    "partner code": "partner_code",
    "partneriso": "partner_iso",
    "partner iso": "partner_iso",
    "partnercodeisoalpha3": "partner_iso",
    "partnerdesc": "partner_desc",
    "reporterdesc": "reporter_desc",
    "partner": "partner_desc",
    "refyear": "year",
    "year": "year",
    "period": "period",
    "freqcode": "frequency",
    "flowcode": "flow_code",
    "trade flow code": "flow_code",
    "flowdesc": "flow_desc",
    "trade flow": "flow_desc",
    "primaryvalue": "value",
    "tradevalue": "value",
    "trade value (us$)": "value",
    "fobvalue": "fob_value",
    "fob trade value (us$)": "fob_value",
    "cifvalue": "cif_value",
    "cif trade value (us$)": "cif_value",
    "typecode": "type",
    "cmdcode": "commodity",
    "commodity code": "commodity",
    "partner2code": "partner2",
    "2nd partner code": "partner2",
    "customscode": "customs",
    "motcode": "transport",
}
# Each is needed, in one of its forms.
COMTRADE_NEEDS = [
    ("reporter_code", "reporter_iso"),
    ("partner_code", "partner_iso"),
    ("year", "period"),
    ("flow_code", "flow_desc"),
    ("value", "fob_value", "cif_value"),
]
COMTRADE_NEEDS_HELP = (
    "reporterCode or reporterISO, partnerCode or partnerISO, refYear or period, flowCode or flowDesc, "
    "primaryValue (or fobvalue/cifvalue)"
)
# Rows whose column holds another value are not a country's total goods trade
# with one partner: skipped, with the reason counted.
COMTRADE_FILTERS = [
    ("type", {"C"}, "row(s) of trade in services"),
    ("commodity", {"TOTAL"}, "row(s) for a commodity other than TOTAL"),
    ("partner2", {"0", "000"}, "row(s) broken down by second partner"),
    ("customs", {"C00"}, "row(s) broken down by customs procedure"),
    ("transport", {"0", "00"}, "row(s) broken down by mode of transport"),
]
COMTRADE_FLOWS = {
    "x": EXPORTS,
    "m": IMPORTS,
    "export": EXPORTS,
    "exports": EXPORTS,
    "import": IMPORTS,
    "imports": IMPORTS,
    "2": EXPORTS,  # the legacy "Trade Flow Code"
    "1": IMPORTS,
}
COMTRADE_OTHER_FLOWS = {
    *("rx", "rm", "dx", "fm", "mip", "xip", "mop", "xop", "mif", "xif", "3", "4"),
    *("re-export", "re-import", "re-exports", "re-imports", "domestic export", "foreign import"),
}
OTHER_FLOWS_SKIPPED = "row(s) of re-exports, re-imports or other special flows"
# Where Comtrade's numeric codes are not ISO 3166's.
COMTRADE_NUMERIC = {"251": "FRA", "579": "NOR", "699": "IND", "757": "CHE", "842": "USA"}
# Comtrade areas and groups that are no country, with a code ISO 3166 could have
# (the others' codes, such as _X or S19, cannot be a country's).
COMTRADE_AREAS = {
    "97": "European Union",
    "490": "Other Asia, nes",
    "837": "Bunkers",
    "838": "Free Zones",
    "839": "Special Categories",
}
COMTRADE_GROUP_ISO = {"EUR", "EUU"}
COMTRADE_URL = "https://comtradeplus.un.org/"
COMTRADE_SOURCE = {
    "title": "UN Comtrade Database",
    "publisher": "United Nations Statistics Division",
    "url": COMTRADE_URL,
    "kind": Source.Kind.DATASET,
}

WORLD = {"WLD", "W00", "WORLD", "0", "000"}
PLAIN_FLOWS = {
    "exports": EXPORTS,
    "export": EXPORTS,
    "imports": IMPORTS,
    "import": IMPORTS,
    "total": TOTAL,
    "total trade": TOTAL,
}

VALUE_PLACES, VALUE_DIGITS = 2, TradeFlow._meta.get_field("value").max_digits
RATE_PLACES, RATE_DIGITS = 6, ExchangeRate._meta.get_field("units_per_usd").max_digits
# Numbers that need no rounding nor checking (the database reads them as they are).
VALUE_PATTERN = re.compile(rf"[0-9]{{1,{VALUE_DIGITS - VALUE_PLACES}}}(?:\.[0-9]{{1,{VALUE_PLACES}}})?")
SOURCE_TITLE_LENGTH = Source._meta.get_field("title").max_length
SOURCE_URL_LENGTH = Source._meta.get_field("url").max_length

NOT_UTF8 = (
    "The file is not UTF-8 text (the first byte that is not is on this line): save it as “CSV UTF-8” in Excel, "
    "or convert it (iconv -f cp1252 -t utf-8), and import it again."
)


class NotUtf8(Exception):
    """A line of the file could not be decoded."""


@dataclass
class TradeImportResult:
    """What an import wrote: ``rows`` figures, of which some were new or changed."""

    kind: str
    layout: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: Counter = field(default_factory=Counter)
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (lower id, higher id) with changed figures

    @property
    def unchanged(self) -> int:
        return self.rows - self.created - self.updated

    def __str__(self) -> str:
        what = "trade figure(s)" if self.kind == FLOWS else "exchange rate(s)"
        text = (
            f"{self.rows:,} {what} ({self.layout} layout): {self.created:,} created, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged."
        )
        if self.skipped:
            text += " Skipped " + "; ".join(f"{n:,} {reason}" for reason, n in self.skipped.most_common()) + "."
        return text


def import_trade_flows(
    data: Any, *, source: str = "", filename: str = "a CSV file", can_change: bool = True
) -> TradeImportResult:
    """Import trade figures (Comtrade or plain layout); raises ImportFailed with every error.

    ``can_change=False`` refuses a file that would change figures already stored
    (a curator allowed to add only); figures it repeats unchanged are fine.
    """
    return TradeImporter(FLOWS, source=source, filename=filename, can_change=can_change).run(data)


def import_exchange_rates(
    data: Any, *, source: str = "", filename: str = "a CSV file", can_change: bool = True
) -> TradeImportResult:
    """Import exchange rates (currency, year, units_per_usd); raises ImportFailed with every error."""
    return TradeImporter(RATES, source=source, filename=filename, can_change=can_change).run(data)


# --- reading ---------------------------------------------------------------------


def text_lines(data: Any) -> Iterator[str]:
    """The file's lines as text, a byte-order mark dropped; NotUtf8(line) at the first bad one.

    ``data``: bytes, text, or a file (binary or text, e.g. an upload) read line by line.
    """
    if isinstance(data, str):
        data = io.StringIO(data, newline="")
    elif isinstance(data, bytes | bytearray | memoryview):
        data = io.BytesIO(data)
    for number, raw in enumerate(data, start=1):
        if isinstance(raw, str):
            text = raw
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise NotUtf8(number) from None
        yield text.removeprefix("\ufeff") if number == 1 else text


def normalise(name: str) -> str:
    return " ".join(name.strip().lower().split())


def check_source_text(text: str) -> str:
    """A source given by title or URL, stripped; ValueError saying what is wrong with it."""
    text = text.strip()
    if text.lower().startswith(("http://", "https://")):
        if len(text) > SOURCE_URL_LENGTH:
            raise ValueError(f"a URL has at most {SOURCE_URL_LENGTH} characters.")
        try:
            URLValidator()(text)
        except ValidationError:
            raise ValueError(f"“{text}” is not a valid URL.") from None
    elif len(text) > SOURCE_TITLE_LENGTH:
        raise ValueError(f"a source title has at most {SOURCE_TITLE_LENGTH} characters.")
    return text


def parse_amount(text: str, places: int, digits: int) -> str:
    """A non-negative number rounded to ``places`` decimals, as text; ValueError saying why not."""
    text = text.strip()
    if not text:
        raise ValueError("Required: a number.")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(
            f"“{text}” is not a number: digits with a point for decimals, no thousands separators."
        ) from None
    if not number.is_finite():
        raise ValueError(f"“{text}” is not a number.")
    if number < 0:
        raise ValueError(f"{text} is negative: a value is never below zero.")
    if number.adjusted() >= digits - places:
        raise ValueError(f"{text} is too large: at most {digits - places} digits before the point.")
    rounded = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP) + 0  # + 0: no "-0.00"
    if rounded.adjusted() >= digits - places:  # 99.999 rounded up to 100.00
        raise ValueError(f"{text} is too large: at most {digits - places} digits before the point.")
    return str(rounded)


def chunks(rows: Iterable[tuple], size: int = BATCH) -> Iterator[list[tuple]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class TradeImporter:
    """One import: the reference data it looks up, the rows it keeps, the errors it found."""

    def __init__(self, kind: str, *, source: str = "", filename: str = "a CSV file", can_change: bool = True) -> None:
        self.kind, self.filename, self.can_change = kind, filename, can_change
        self.errors: list[RowError] = []
        self.skipped: Counter = Counter()
        self.rows: list[tuple] = []
        self.seen: dict[Any, int] = {}  # natural key to its first line
        self.source_option = source
        self.monthly: list[int] = []

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append(RowError(line, column, message))

    def run(self, data: Any) -> TradeImportResult:
        records = self.records(data)
        first = next(records, None)
        if first is None:
            if not self.errors:
                self.error(1, "", "The file is empty: it needs a header row.")
            raise ImportFailed(self.errors)
        layout = self.read_header(first[1])
        if self.errors:
            raise ImportFailed(self.errors)
        self.load(layout)
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
        if not self.errors and not self.rows:
            if data_rows:
                self.error(
                    0, "", f"No row of this file can be imported: all {data_rows:,} were skipped ({self.skip_text()})."
                )
            else:
                self.error(0, "", "The file has a header but no rows.")
        if self.errors:
            raise ImportFailed(self.errors)
        return self.write(layout)

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
        self.source_index: dict[str, int | None] = {}
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
            pk = self.sources_by_url.get(COMTRADE_URL)
            self.sources.append(pk if pk else Source(**COMTRADE_SOURCE))
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
        return self.source_index[text]  # type: ignore[return-value]

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

    def wrong_width(self, line: int, cells: list[str], needed: int) -> bool:
        if len(cells) < needed or (self.layout != COMTRADE and len(cells) != self.width):
            self.error(line, "", f"This row has {len(cells)} cells; the header has {self.width}.")
            return True
        return False

    def plain_rows(self, records: Iterator[tuple[int, list[str]]]) -> int:
        """Read the plain layout's rows; returns how many there were.

        The common row (known codes, a plain number, a source already seen)
        is taken here with a dict lookup per cell and one regex, in local
        variables: a million rows in seconds. Any other goes to ``plain_row``,
        which accepts the same rows and explains the others.
        """
        c = self.columns
        ir, ip, iy, iflow, ivalue, icurrency = (c[name] for name in PLAIN_COLUMNS)
        isource = c.get("source")
        by_iso3, years, flows, currencies = self.by_iso3, self.years, PLAIN_FLOWS, self.currencies
        source_index, default_source = self.source_index, self.default_source
        number, seen, keep, width = VALUE_PATTERN.fullmatch, self.seen, self.rows.append, self.width
        data_rows = 0
        for line, cells in records:
            if len(cells) == width:
                reporter, partner = by_iso3.get(cells[ir]), by_iso3.get(cells[ip])
                year, flow, currency = years.get(cells[iy]), flows.get(cells[iflow]), currencies.get(cells[icurrency])
                value = cells[ivalue]
                source = (
                    default_source if isource is None or not cells[isource] else source_index.get(cells[isource], -1)
                )
                known = reporter and partner and year and flow and currency and source != -1
                if known and reporter != partner and number(value):
                    data_rows += 1
                    key = (((reporter << 32) | partner) << 16 | year) << 2 | FLOW_BITS[flow]
                    if seen.setdefault(key, line) == line:
                        keep((reporter, partner, year, flow, value, currency, source))
                    else:
                        self.plain_row(line, cells)  # says which line it repeats
                    continue
            if not "".join(cells).strip():
                continue  # a blank line, or a row of empty cells
            data_rows += 1
            self.plain_row(line, cells)
        return data_rows

    def plain_row(self, line: int, cells: list[str]) -> None:
        # The common case first (a known code, a plain number ...): a dict lookup
        # or a regex each; the checks that explain a problem only when it fails.
        if len(cells) != self.width:
            self.wrong_width(line, cells, self.width)
            return
        c, before = self.columns, len(self.errors)
        cell = cells[c["reporter"]]
        reporter = self.by_iso3.get(cell) or self.country(line, "reporter", cell)
        cell = cells[c["partner"]]
        partner = self.by_iso3.get(cell)
        if partner is None and cell.strip().upper() not in WORLD:
            partner = self.country(line, "partner", cell)
        self.not_itself(line, "partner", reporter, partner)
        cell = cells[c["year"]]
        year = self.years.get(cell) or self.year(line, "year", cell)
        cell = cells[c["flow"]]
        flow = PLAIN_FLOWS.get(cell) or PLAIN_FLOWS.get(normalise(cell))
        if flow is None:
            self.error(line, "flow", f"Unknown flow “{cell.strip()}”: use exports, imports or total.")
        cell = cells[c["value"]]
        value = cell if VALUE_PATTERN.fullmatch(cell) else self.amount(line, "value", cell, VALUE_PLACES, VALUE_DIGITS)
        cell = cells[c["currency"]]
        currency = self.currencies.get(cell) or self.currency(line, "currency", cell)
        source = self.source_cell(line, cells[c["source"]]) if "source" in c else self.default_source
        if len(self.errors) == before:
            self.add_flow(line, reporter, partner, year, flow, value, currency, source)  # type: ignore[arg-type]

    def comtrade_row(self, line: int, cells: list[str]) -> None:
        if self.wrong_width(line, cells, self.needed_width):
            return
        c = self.columns
        if "frequency" in c and cells[c["frequency"]].strip().upper() not in ("", "A"):
            self.monthly.append(line)
            return
        for column, wanted, reason in COMTRADE_FILTERS:
            if column in c and (value := cells[c[column]].strip().upper()) and value not in wanted:
                self.skipped[reason] += 1
                return
        has_code = "flow_code" in c and cells[c["flow_code"]].strip()
        flow_column = "flow_code" if has_code or "flow_desc" not in c else "flow_desc"
        flow_cell = cells[c[flow_column]].strip()
        flow_text = normalise(flow_cell)
        flow = COMTRADE_FLOWS.get(flow_text)
        if flow is None and flow_text in COMTRADE_OTHER_FLOWS:
            self.skipped[OTHER_FLOWS_SKIPPED] += 1
            return

        before = len(self.errors)
        partner = self.comtrade_partner(line, cells)
        reporter = self.comtrade_reporter(line, cells)
        if partner is False or reporter is False:
            del self.errors[before:]  # skipped: whatever else is wrong with the row does not matter
            return
        if flow is None:
            self.error(
                line,
                self.name(flow_column),
                f"Unknown flow “{flow_cell}”: X or Export, M or Import (re-exports and re-imports are skipped).",
            )
        partner_column = self.name("partner_iso" if "partner_iso" in c else "partner_code")
        self.not_itself(line, partner_column, reporter, partner)
        year = self.comtrade_year(line, cells)
        value = self.comtrade_value(line, cells, flow)
        if len(self.errors) == before:
            self.add_flow(line, reporter, partner, year, flow, value, "USD", self.default_source)  # type: ignore[arg-type]

    def codes(self, cells: list[str], who: str) -> tuple[str, str]:
        c = self.columns
        iso = cells[c[f"{who}_iso"]].strip().upper() if f"{who}_iso" in c else ""
        code = cells[c[f"{who}_code"]].strip() if f"{who}_code" in c else ""
        return iso, code

    def by_codes(self, iso: str, code: str) -> int | None:
        if (pk := self.by_iso3.get(iso)) is not None:
            return pk
        if code.isascii() and code.isdigit():
            return self.by_numeric.get(code.zfill(3))
        return None

    def area(self, iso: str, code: str, desc: str) -> str:
        """The name of a Comtrade area or group that is no country ("" if it is none of them)."""
        if (iso and not (len(iso) == 3 and iso.isalpha())) or iso in COMTRADE_GROUP_ISO:
            return desc or iso
        if name := COMTRADE_AREAS.get(code.lstrip("0")):
            return desc or name
        return desc if desc.lower().endswith((" nes", ", nes")) else ""

    def comtrade_partner(self, line: int, cells: list[str]) -> int | bool | None:
        """The partner's id; None for the World; False for an area that is no country (counted)."""
        iso, code = self.codes(cells, "partner")
        desc = cells[self.columns["partner_desc"]].strip() if "partner_desc" in self.columns else ""
        if iso in WORLD or (code.isdigit() and int(code) == 0) or desc.lower() == "world":
            return None
        if (pk := self.by_codes(iso, code)) is not None:
            return pk
        if area := self.area(iso, code, desc):
            self.skipped[f"row(s) with partner “{area}”, an area that is not a country"] += 1
            return False
        column = self.name("partner_iso" if iso or "partner_code" not in self.columns else "partner_code")
        self.error(line, column, f"Unknown country code “{iso or code}”.")
        return None

    def comtrade_reporter(self, line: int, cells: list[str]) -> int | bool | None:
        """The reporter's id; False for a group of countries (the EU: counted)."""
        iso, code = self.codes(cells, "reporter")
        if (pk := self.by_codes(iso, code)) is not None:
            return pk
        desc = cells[self.columns["reporter_desc"]].strip() if "reporter_desc" in self.columns else ""
        column = self.name("reporter_iso" if iso or "reporter_code" not in self.columns else "reporter_code")
        if iso in WORLD or (code.isdigit() and int(code) == 0):
            self.error(line, column, "The reporter is a country, not the World.")
        elif area := self.area(iso, code, desc):
            self.skipped[f"row(s) reported by “{area}”, not a country"] += 1
            return False
        else:
            self.error(line, column, f"Unknown country code “{iso or code}”.")
        return None

    def comtrade_year(self, line: int, cells: list[str]) -> int | None:
        c = self.columns
        column = "year" if "year" in c and cells[c["year"]].strip() else "period"
        if column not in c:
            column = "year"
        text = cells[c[column]].strip()
        if column == "period" and len(text) == 6 and text.isdigit():
            self.monthly.append(line)  # YYYYMM
            return None
        return self.year(line, self.name(column), text)

    def comtrade_value(self, line: int, cells: list[str], flow: str | None) -> str | None:
        c = self.columns
        # The primary value; else the FOB value of exports, the CIF value of imports.
        order = ["value", "fob_value" if flow == EXPORTS else "cif_value"]
        column = next((k for k in order if k in c and cells[c[k]].strip()), None)
        if column is None:
            shown = self.name(next(k for k in ("value", "fob_value", "cif_value") if k in c))
            self.error(line, shown, "No trade value.")
            return None
        return self.amount(line, self.name(column), cells[c[column]], VALUE_PLACES, VALUE_DIGITS)

    def report_monthly(self) -> None:
        if self.monthly:
            more = f" (and {len(self.monthly) - 1:,} more monthly row(s))" if len(self.monthly) > 1 else ""
            self.error(
                self.monthly[0],
                "",
                f"Monthly figures{more}: the statistics are yearly. Download annual data (frequency A) and import it.",
            )

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
        # The natural key as one int (ids below 2**32): a million of them fit in memory.
        key = (((reporter << 32) | (partner or 0)) << 16 | year) << 2 | FLOW_BITS[flow]
        first = self.seen.setdefault(key, line)
        if first != line:
            what = {EXPORTS: "exports to", IMPORTS: "imports from", TOTAL: "total trade with"}[flow]
            partner_name = self.iso3_of[partner] if partner else "the World"
            self.error(
                line,
                "",
                f"{self.iso3_of[reporter]}'s {what} {partner_name} in {year} are given twice, on lines {first} "
                f"and {line}: keep one.",
            )
            return
        self.rows.append((reporter, partner, year, flow, value, currency, source))

    def rate_row(self, line: int, cells: list[str]) -> None:
        if self.wrong_width(line, cells, self.width):
            return
        c, before = self.columns, len(self.errors)
        currency = self.currency(line, "currency", cells[c["currency"]])
        year = self.year(line, "year", cells[c["year"]])
        rate = self.amount(line, "units_per_usd", cells[c["units_per_usd"]], RATE_PLACES, RATE_DIGITS)
        if rate is not None and Decimal(rate) == 0:
            self.error(line, "units_per_usd", "A rate is above zero.")
        elif currency == "USD" and rate is not None and Decimal(rate) != 1:
            self.error(line, "units_per_usd", "One US dollar is 1 US dollar: the USD rate can only be 1.")
        source = self.source_cell(line, cells[c["source"]]) if "source" in c else self.default_source
        if len(self.errors) != before:
            return
        first = self.seen.setdefault((currency, year), line)
        if first != line:
            self.error(
                line, "", f"The {currency} rate of {year} is given twice, on lines {first} and {line}: keep one."
            )
            return
        self.rows.append((currency, year, rate, source))

    def skip_text(self) -> str:
        return "; ".join(f"{n:,} {reason}" for reason, n in self.skipped.most_common())

    # --- writing ----------------------------------------------------------------

    def write(self, layout: str) -> TradeImportResult:
        result = TradeImportResult(kind=self.kind, layout=layout, rows=len(self.rows), skipped=self.skipped)
        try:
            with transaction.atomic():
                source_ids = self.save_sources()
                if self.kind == FLOWS:
                    rows = (
                        (r, p, y, f, v, c, source_ids[s] if s is not None else None, False)
                        for r, p, y, f, v, c, s in self.rows
                    )
                    result.created, result.updated, result.pairs = write_flows(rows)
                else:
                    rates = ((c, y, r, source_ids[s] if s is not None else None) for c, y, r, s in self.rows)
                    result.created, result.updated, changed = write_rates(rates)
                    result.pairs = pairs_for_rates(changed)
                if result.updated and not self.can_change:
                    what = "figure(s)" if self.kind == FLOWS else "rate(s)"
                    raise ImportFailed(  # rolled back with the transaction
                        [
                            RowError(
                                0,
                                "",
                                f"{result.updated:,} {what} of this file would change {what} already stored, and you "
                                "may add them but not change them.",
                            )
                        ]
                    )
                if result.pairs:
                    queue_refresh(result.pairs)
        except (IntegrityError, DataError) as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise ImportFailed([RowError(0, "", f"The database refused the file: {first}")]) from error
        return result

    def save_sources(self) -> list[int | None]:
        """Create the sources the file names that do not exist yet; every one's id, by position."""
        used = {row[-1] for row in self.rows}
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


def queue_refresh(pairs: list[tuple[int, int]]) -> None:
    """Have the derived statistics of these pairs refreshed once the transaction commits."""
    from agreements.tasks import queue_trade_refresh  # the refresh builds on this app's models

    queue_trade_refresh(pairs)


# --- the upserts (also used by the demo data) ------------------------------------------

FLOW_STAGE = [
    ("reporter_id", "bigint"),
    ("partner_id", "bigint"),
    ("year", "smallint"),
    ("flow", "varchar(7)"),
    ("value", "numeric(22, 2)"),
    ("currency", "varchar(3)"),
    ("source_id", "bigint"),
    ("is_synthetic", "boolean"),
]
RATE_STAGE = [
    ("currency", "varchar(3)"),
    ("year", "smallint"),
    ("units_per_usd", "numeric(20, 6)"),
    ("source_id", "bigint"),
]


def column(model: type[Model], name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def stage(cursor: Any, columns: list[tuple[str, str]], rows: Iterable[tuple]) -> None:
    """Load ``rows`` into the temporary table STAGE (COPY on PostgreSQL)."""
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({', '.join(f'{n} {t}' for n, t in columns)})")
    names = ", ".join(name for name, _ in columns)
    if connection.vendor == "postgresql":
        with connection.wrap_database_errors, cursor.copy(f"COPY {STAGE} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        sql = f"INSERT INTO {STAGE} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        for chunk in chunks(rows):
            cursor.executemany(sql, chunk)
    cursor.execute(f"ANALYZE {STAGE}")  # the planner's row counts: a hash join for a million rows


def merge_sql(
    model: type[Model], fields: list[str], keys: list[str], compare: list[str], returning: list[str], scope: str
) -> tuple[str, str]:
    """(UPDATE, INSERT) from STAGE into ``model``'s table, for the staged rows matching ``scope``.

    The UPDATE changes only rows whose values differ (a staged NULL source
    keeps the stored one); the INSERT adds the rows whose key is missing, in
    key order (index pages are then filled in turn). The timestamps come as
    parameters: one for the UPDATE, two for the INSERT. Both return
    ``returning`` of the rows they wrote.

    Two statements rather than INSERT ... ON CONFLICT: PostgreSQL's
    speculative insertion costs about twice a plain insert, and the table is
    locked against concurrent writers anyway (see ``lock``).
    """
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    table = connection.ops.quote_name(model._meta.db_table)
    col = {name: column(model, name) for name in {*fields, "source", "created_at", "updated_at"}}
    match = " AND ".join(f"t.{col[key]} = s.{col[key]}" for key in keys)
    if "partner" in fields and "partner" not in keys:  # the World: NULL partners match each other
        match += f" AND t.{col['partner']} IS NULL"
    sets = [f"{col[name]} = s.{col[name]}" for name in compare]
    sets += [f"{col['source']} = COALESCE(s.{col['source']}, t.{col['source']})", f"{col['updated_at']} = %s"]
    differs = [f"t.{col[name]} {distinct} s.{col[name]}" for name in compare]
    differs.append(f"(s.{col['source']} IS NOT NULL AND t.{col['source']} {distinct} s.{col['source']})")
    # SQLite's RETURNING names the target table's columns only, unqualified.
    qualify = "t." if connection.vendor == "postgresql" else ""
    back = ", ".join(f"{qualify}{col[name]}" for name in returning)
    update = (
        f"UPDATE {table} AS t SET {', '.join(sets)} FROM {STAGE} AS s "
        f"WHERE {scope} AND {match} AND ({' OR '.join(differs)}) RETURNING {back}"
    )
    staged = ", ".join(col[name] for name in fields)
    insert = (
        f"INSERT INTO {table} ({staged}, {col['created_at']}, {col['updated_at']}) "
        f"SELECT {', '.join(f's.{col[name]}' for name in fields)}, %s, %s FROM {STAGE} AS s "
        f"WHERE {scope} AND NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {match}) "
        f"ORDER BY {', '.join(f's.{col[key]}' for key in keys)} "
        f"RETURNING {', '.join(col[name] for name in returning)}"
    )
    return update, insert


def lock(cursor: Any, model: type[Model]) -> None:
    """One writer at a time on PostgreSQL, until the transaction ends (readers go on).

    SHARE ROW EXCLUSIVE conflicts with itself and with row changes: a second
    import, or an admin save, waits for this one, so the INSERT's "key is
    missing" stays true until commit. SQLite has a single writer anyway.
    """
    if connection.vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE")


def _now() -> Any:
    return connection.ops.adapt_datetimefield_value(timezone.now())


FLOW_FIELDS = ["reporter", "partner", "year", "flow", "value", "currency", "source", "is_synthetic"]
RATE_FIELDS = ["currency", "year", "units_per_usd", "source"]


def _pairs(cursor: Any, sql: str, params: list) -> tuple[int, set[tuple[int, int]]]:
    """Run a statement returning (reporter, partner); how many rows, and their pairs (lower id first)."""
    if connection.vendor == "postgresql":
        # Counted and grouped in the database: a million rows never travel back.
        cursor.execute(
            f"WITH written (a, b) AS ({sql}) "
            "SELECT LEAST(a, b), CASE WHEN b IS NOT NULL THEN GREATEST(a, b) END, count(*) FROM written GROUP BY 1, 2",
            params,
        )
        rows = cursor.fetchall()
        return sum(n for _, _, n in rows), {(a, b) for a, b, _ in rows if b is not None}
    cursor.execute(sql, params)
    written = cursor.fetchall()
    return len(written), {(min(a, b), max(a, b)) for a, b in written if b is not None}


def write_flows(rows: Iterable[tuple]) -> tuple[int, int, list[tuple[int, int]]]:
    """Upsert trade figures: (reporter_id, partner_id or None, year, flow, value, currency, source_id, is_synthetic).

    Keys must be distinct. Returns (created, updated, the pairs with a created or
    changed figure as (lower id, higher id)); unchanged rows are not written.
    Call it inside a transaction.
    """
    now = _now()
    created = updated = 0
    pairs: set[tuple[int, int]] = set()
    partner = column(TradeFlow, "partner")
    with connection.cursor() as cursor:
        lock(cursor, TradeFlow)
        stage(cursor, FLOW_STAGE, rows)
        for scope, keys in (
            (f"s.{partner} IS NOT NULL", ["reporter", "partner", "year", "flow"]),
            (f"s.{partner} IS NULL", ["reporter", "year", "flow"]),
        ):
            update, insert = merge_sql(
                TradeFlow, FLOW_FIELDS, keys, ["value", "currency", "is_synthetic"], ["reporter", "partner"], scope
            )
            n, changed = _pairs(cursor, update, [now])
            updated, pairs = updated + n, pairs | changed
            n, changed = _pairs(cursor, insert, [now, now])
            created, pairs = created + n, pairs | changed
        cursor.execute(f"DROP TABLE {STAGE}")
    return created, updated, sorted(pairs)


def write_rates(rows: Iterable[tuple]) -> tuple[int, int, list[tuple[str, int]]]:
    """Upsert exchange rates: (currency, year, units_per_usd, source_id). Returns
    (created, updated, the (currency, year) created or changed)."""
    now = _now()
    with connection.cursor() as cursor:
        lock(cursor, ExchangeRate)
        stage(cursor, RATE_STAGE, rows)
        update, insert = merge_sql(
            ExchangeRate, RATE_FIELDS, ["currency", "year"], ["units_per_usd"], ["currency", "year"], "1 = 1"
        )
        cursor.execute(update, [now])
        updated = cursor.fetchall()
        cursor.execute(insert, [now, now])
        created = cursor.fetchall()
        cursor.execute(f"DROP TABLE {STAGE}")
    return len(created), len(updated), sorted({(currency, year) for currency, year in [*created, *updated]})


def pairs_for_rates(rates: Iterable[tuple[str, int]]) -> list[tuple[int, int]]:
    """The pairs with a figure in one of these currencies and years: their USD values depend on the rate."""
    years: dict[str, set[int]] = defaultdict(set)
    for currency, year in rates:
        years[currency].add(year)
    if not years:
        return []
    condition = reduce(or_, (Q(currency=c, year__in=sorted(ys)) for c, ys in years.items()))
    found = (
        TradeFlow.objects.filter(condition, partner__isnull=False)
        .values_list("reporter_id", "partner_id")
        .distinct()
        .order_by()
    )
    return sorted({(min(a, b), max(a, b)) for a, b in found})
