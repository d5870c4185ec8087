"""The UN Comtrade layout of trade figures: its columns, codes and rows.

**UN Comtrade** downloads: the "Final" data of comtradeplus.un.org
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
"""

from typing import Literal

from agreements.models import Source
from agreements.trade.imports.reading import EXPORTS, IMPORTS, VALUE_DIGITS, VALUE_PLACES, normalise
from agreements.trade.imports.state import RowsMixinBase

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


class ComtradeRowsMixin(RowsMixinBase):
    """TradeImporter's reading of a UN Comtrade file's rows."""

    def comtrade_row(self, line: int, cells: list[str]) -> None:
        if self.wrong_width(line, cells, self.needed_width):
            return
        c = self.columns
        if "frequency" in c and cells[c["frequency"]].strip().upper() not in ("", "A"):
            self.monthly.append(line)
            return
        for column, wanted, reason in COMTRADE_FILTERS:
            if column in c and (code := cells[c[column]].strip().upper()) and code not in wanted:
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
        # Every None comes with an error; the checks after the first only narrow the types.
        if (
            len(self.errors) == before
            and reporter is not None
            and year is not None
            and flow is not None
            and value is not None
        ):
            self.add_flow(line, reporter, partner, year, flow, value, "USD", self.default_source)

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

    def comtrade_partner(self, line: int, cells: list[str]) -> int | Literal[False] | None:
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

    def comtrade_reporter(self, line: int, cells: list[str]) -> int | Literal[False] | None:
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
