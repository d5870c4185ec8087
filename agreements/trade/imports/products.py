"""The WTO's imports by HS chapter (its "HS2 detail"), for what two countries trade:
``ReportingEconomyCode, ReportingEconomy, PartnerEconomyCode, PartnerEconomy, Year,
ProductOrSectorCode, Value`` (UN M49 numeric codes, 000 the World; values in US dollars).

Through the one import framework (tradepacts.imports): every row is checked
first, nothing is written if one is wrong. The file is a snapshot of one
publication: its rows replace those of the same source (a figure the new file no
longer has goes), in one transaction. No derived statistic reads these rows, so
nothing is refreshed after them.

Codes decided on purpose: the WTO's 736 (Sudan before South Sudan's secession),
892 (Serbia) and 893 (Montenegro) are not the ISO numbers of today and map to
SDN, SRB and MNE; 228 ("European Union, n.e.s.", not a country) is skipped and
counted.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import IO, Any

from agreements.models import Country, ProductTrade, Source
from agreements.trade.imports.comtrade import WORLD
from agreements.trade.imports.reading import VALUE_DIGITS, VALUE_PLACES, parse_amount
from tradepacts.csv import numbered_records
from tradepacts.imports import NOT_UTF8_MESSAGE, Importer, ImportResult, decode

COLUMNS = ["ReportingEconomyCode", "PartnerEconomyCode", "Year", "ProductOrSectorCode", "Value"]
WTO_CODES = {"736": "SDN", "892": "SRB", "893": "MNE"}
NOT_COUNTRIES = {"228": "rows with “European Union, n.e.s.” (not a country)"}


def import_product_trade(
    data: bytes | str | IO, *, source: Source | None, filename: str = "a CSV file"
) -> ImportResult:
    """Import the WTO's HS2 detail; raises ImportFailed with every error, having written nothing."""
    return ProductImporter(source=source, filename=filename).run(data)


class ProductImporter(Importer):
    def __init__(self, *, source: Source | None, filename: str) -> None:
        super().__init__()
        self.source, self.filename = source, filename
        self.rows: list[ProductTrade] = []
        self.skipped: Counter[str] = Counter()

    def read(self, data: Any) -> None:
        text, utf8 = decode(data)
        if not utf8:
            self.error(0, "", NOT_UTF8_MESSAGE)
            return
        records = numbered_records(text, lambda line, message: self.error(line, "", message))
        first = next(records, None)
        if first is None:
            self.error(1, "", "The file is empty: it needs a header row.")
            return
        header = [cell.strip() for cell in first[1]]
        if missing := [name for name in COLUMNS if name not in header]:
            self.error(1, "", f"Missing column(s): {', '.join(missing)}.")
            return
        at = {name: header.index(name) for name in COLUMNS}
        by_numeric = dict(Country.objects.filter(is_historic=False).exclude(numeric="").values_list("numeric", "pk"))
        by_iso3 = dict(Country.objects.values_list("iso3", "pk"))
        for code, iso3 in WTO_CODES.items():
            by_numeric.setdefault(code, by_iso3[iso3])
        seen: dict[tuple, int] = {}
        for line, cells in records:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                self.error(line, "", f"This row has {len(cells)} cells; the header has {len(header)}.")
                continue
            codes = [cells[at["ReportingEconomyCode"]].strip(), cells[at["PartnerEconomyCode"]].strip()]
            if reason := next((NOT_COUNTRIES[code] for code in codes if code in NOT_COUNTRIES), None):
                self.skipped[reason] += 1
                continue
            reporter = by_numeric.get(codes[0])
            if reporter is None:
                self.error(line, "ReportingEconomyCode", f"Unknown economy code “{codes[0]}”.")
            partner = None if codes[1] in WORLD else by_numeric.get(codes[1])
            if partner is None and codes[1] not in WORLD:
                self.error(line, "PartnerEconomyCode", f"Unknown economy code “{codes[1]}”.")
            year_text, chapter = cells[at["Year"]].strip(), cells[at["ProductOrSectorCode"]].strip()
            if not (year_text.isdigit() and len(year_text) == 4):
                self.error(line, "Year", f"“{year_text}” is not a year.")
            if not (chapter.isdigit() and len(chapter) == 2):
                self.error(line, "ProductOrSectorCode", f"“{chapter}” is not an HS chapter (two digits).")
            try:
                value = Decimal(parse_amount(cells[at["Value"]], VALUE_PLACES, VALUE_DIGITS))
            except ValueError as error:
                self.error(line, "Value", str(error))
                continue
            if self.errors or reporter is None:  # a missing reporter came with an error
                continue
            key = (reporter, partner, int(year_text), chapter)
            if (first_line := seen.setdefault(key, line)) != line:
                self.error(line, "", f"The same figure as on line {first_line}: keep one.")
                continue
            self.rows.append(
                ProductTrade(
                    reporter_id=reporter,
                    partner_id=partner,
                    year=int(year_text),
                    chapter=chapter,
                    value_usd=value,
                    source=self.source,
                )
            )
        if not self.errors and not self.rows:
            self.error(0, "", "The file has no rows.")

    def write(self) -> ImportResult:
        stored = ProductTrade.objects.filter(source=self.source)
        replaced = stored.count()
        stored.delete()
        ProductTrade.objects.bulk_create(self.rows, batch_size=5000)
        # Created: the file's rows; "updated" counts the previous file's rows they replaced.
        return ImportResult(
            "product figure(s)", rows=len(self.rows), created=len(self.rows) - min(replaced, len(self.rows)),
            updated=min(replaced, len(self.rows)), skipped=self.skipped,
        )  # fmt: skip
