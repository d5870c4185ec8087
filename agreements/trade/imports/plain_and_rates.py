"""The plain layout of trade figures and the layout of exchange rates: their columns and rows.

- **plain**: ``reporter,partner,year,flow,value,currency[,source]``, for
  national sources such as the seeds' figure (partner ISO3, or WLD/World;
  flow exports, imports or total).
- **exchange rates**: ``currency,year,units_per_usd[,source]``.
"""

from collections.abc import Iterator
from decimal import Decimal

from agreements.trade.imports.comtrade import WORLD
from agreements.trade.imports.reading import (
    EXPORTS,
    IMPORTS,
    RATE_DIGITS,
    RATE_PLACES,
    TOTAL,
    VALUE_DIGITS,
    VALUE_PATTERN,
    VALUE_PLACES,
    normalise,
)
from agreements.trade.imports.state import RowsMixinBase

PLAIN_COLUMNS = ["reporter", "partner", "year", "flow", "value", "currency"]
RATE_COLUMNS = ["currency", "year", "units_per_usd"]
OPTIONAL_COLUMNS = ["source"]
# Codes that name no country, skipped (and counted) rather than refused: the WTO's EUN is the
# European Union as one economy, whose members' own figures are elsewhere.
NOT_COUNTRIES = {"EUN": "rows with EUN (the European Union as one economy, not a country)"}
PLAIN_FLOWS = {
    "exports": EXPORTS,
    "export": EXPORTS,
    "imports": IMPORTS,
    "import": IMPORTS,
    "total": TOTAL,
    "total trade": TOTAL,
}


class PlainRowsMixin(RowsMixinBase):
    """TradeImporter's reading of a plain file's rows."""

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
        assert self.stage is not None
        number, keep, width = VALUE_PATTERN.fullmatch, self.stage.add, self.width
        data_rows = 0
        for line, cells in records:
            if len(cells) == width:
                reporter, partner = by_iso3.get(cells[ir]), by_iso3.get(cells[ip])
                year, flow, currency = years.get(cells[iy]), flows.get(cells[iflow]), currencies.get(cells[icurrency])
                value = cells[ivalue]
                source = (
                    default_source if isource is None or not cells[isource] else source_index.get(cells[isource], -1)
                )
                if (
                    reporter
                    and partner
                    and year
                    and flow
                    and currency
                    and source != -1
                    and reporter != partner
                    and number(value)
                ):
                    data_rows += 1
                    keep((reporter, partner, year, flow, value, currency, source, line))  # duplicates: checked after
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
        if reason := next(
            (NOT_COUNTRIES[v] for v in (cells[c["reporter"]], cells[c["partner"]]) if v in NOT_COUNTRIES), None
        ):
            self.skipped[reason] += 1
            return
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
        # Every None but the World's partner comes with an error; the checks after the first narrow the types.
        if (
            len(self.errors) == before
            and reporter is not None
            and year is not None
            and flow is not None
            and value is not None
            and currency is not None
        ):
            self.add_flow(line, reporter, partner, year, flow, value, currency, source)


class RateRowsMixin(RowsMixinBase):
    """TradeImporter's reading of an exchange-rate file's rows."""

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
        # Every None comes with an error; the checks after the first narrow the types.
        if len(self.errors) != before or currency is None or year is None or rate is None:
            return
        first = self.seen.setdefault((currency, year), line)
        if first != line:
            self.error(
                line, "", f"The {currency} rate of {year} is given twice, on lines {first} and {line}: keep one."
            )
            return
        self.rate_rows.append((currency, year, rate, source))
