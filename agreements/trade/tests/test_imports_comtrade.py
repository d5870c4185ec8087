"""Importing trade figures and exchange rates: what each layout creates, that a
second import changes nothing, every kind of bad file refused whole with its
lines and reasons, and the commands' output and exit status."""

import csv
import os
import re
import subprocess
import sys
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.imports.agreements import ImportFailed
from agreements.models import Country, ExchangeRate, Source, TradeFlow
from agreements.tests.factories import SourceFactory, country
from agreements.trade.imports import COMTRADE_URL, import_exchange_rates, import_trade_flows

# Imports and admin changes ask for refreshes: record them instead (conftest.refresh).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("refresh")]


def lines(*rows: str, bom: bool = False) -> bytes:
    """A CSV file as spreadsheets and Comtrade write it: CRLF line ends."""
    return (("\ufeff" if bom else "") + "".join(f"{row}\r\n" for row in rows)).encode()


def figures() -> list[tuple]:
    """Every stored figure, readable: (reporter, partner or WLD, year, flow, value, currency, source title)."""
    return sorted(
        (f.reporter.iso3, f.partner.iso3 if f.partner else "WLD", f.year, f.flow, f.value, f.currency)
        + ((f.source.title,) if f.source else (None,))
        for f in TradeFlow.objects.select_related("reporter", "partner", "source")
    )


def stored() -> dict[str, list[tuple]]:
    """Every column of every row an import may write."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for model in (TradeFlow, ExchangeRate, Source)
    }


def pair(a: str, b: str) -> tuple[int, int]:
    ids = sorted([country(a).pk, country(b).pk])
    return ids[0], ids[1]


def refused(data: bytes, rates: bool = False, **kwargs) -> list[str]:
    """The errors of a refused file, as the command prints them; checks nothing was written."""
    before = stored()
    with pytest.raises(ImportFailed) as failure:
        (import_exchange_rates if rates else import_trade_flows)(data, filename="bad.csv", **kwargs)
    assert stored() == before, "nothing of a refused file is written"
    return [str(error) for error in failure.value.errors]


# --- UN Comtrade downloads ---------------------------------------------------------

# Comtrade Plus "Final" data, annual, HS, as its CSV download writes it (all 47
# columns). Rwanda's 2023 trade with Tanzania and the World, plus rows that are
# not a total with one country: a re-export, one commodity, an area "nes".
COMTRADE_HEADER = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,flowCode,flowDesc,"
    "partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,classificationCode,"
    "classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,customsDesc,"
    "mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,qty,isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty,"
    "isAltQtyEstimated,netWgt,isNetWgtEstimated,grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,"
    "legacyEstimationFlag,isReported,isAggregate"
)
COMTRADE_FINAL = lines(
    COMTRADE_HEADER,
    "C,A,20230101,2023,52,2023,646,RWA,Rwanda,X,Export,834,TZA,United Rep. of Tanzania,0,W00,World,H6,HS,True,"
    "TOTAL,All Commodities,0,False,C00,TOTAL CPC,0,0,TOTAL MOT,-1,N/A,0,False,-1,N/A,0,False,0,False,0,False,"
    ",41234567.891,41234567.891,0,True,True",
    "C,A,20230101,2023,52,2023,646,RWA,Rwanda,M,Import,834,TZA,United Rep. of Tanzania,0,W00,World,H6,HS,True,"
    "TOTAL,All Commodities,0,False,C00,TOTAL CPC,0,0,TOTAL MOT,-1,N/A,0,False,-1,N/A,0,False,0,False,0,False,"
    "398765432.1,,398765432.1,0,True,True",
    "C,A,20230101,2023,52,2023,646,RWA,Rwanda,X,Export,0,W00,World,0,W00,World,H6,HS,True,"
    "TOTAL,All Commodities,0,False,C00,TOTAL CPC,0,0,TOTAL MOT,-1,N/A,0,False,-1,N/A,0,False,0,False,0,False,"
    ",3182736450.5,3182736450.5,0,True,True",
    "C,A,20230101,2023,52,2023,646,RWA,Rwanda,RX,Re-export,834,TZA,United Rep. of Tanzania,0,W00,World,H6,HS,True,"
    "TOTAL,All Commodities,0,False,C00,TOTAL CPC,0,0,TOTAL MOT,-1,N/A,0,False,-1,N/A,0,False,0,False,0,False,"
    ",5123456.7,5123456.7,0,True,True",
    "C,A,20230101,2023,52,2023,646,RWA,Rwanda,X,Export,834,TZA,United Rep. of Tanzania,0,W00,World,H6,HS,True,"
    '09,"Coffee, tea, mate and spices",2,False,C00,TOTAL CPC,0,0,TOTAL MOT,8,kg,1200000,False,-1,N/A,0,False,'
    "1200000,False,0,False,,9876543.2,9876543.2,0,True,False",
    'C,A,20230101,2023,52,2023,646,RWA,Rwanda,X,Export,899,_X,"Areas, nes",0,W00,World,H6,HS,True,'
    "TOTAL,All Commodities,0,False,C00,TOTAL CPC,0,0,TOTAL MOT,-1,N/A,0,False,-1,N/A,0,False,0,False,0,False,"
    ",123456.0,123456.0,0,True,True",
)

# A download with numeric codes only: Comtrade's own 842 for the USA (ISO's is
# 840), and 180, the code of both DR Congo and historic Zaire.
COMTRADE_NUMERIC = lines(
    "refYear,reporterCode,reporterDesc,flowCode,partnerCode,partnerDesc,primaryValue",
    "2021,842,USA,X,404,Kenya,560123456.78",
    "2021,404,Kenya,M,842,USA,612345678.9",
    "2021,180,Dem. Rep. of the Congo,M,646,Rwanda,45000000",
)

# The legacy Comtrade API's CSV (comtrade.un.org/api/get ... fmt=csv).
COMTRADE_LEGACY = lines(
    "Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,Reporter Code,"
    "Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,2nd Partner Code,2nd Partner,2nd Partner ISO,"
    "Customs Proc. Code,Customs,Mode of Transport Code,Mode of Transport,Commodity Code,Commodity,Qty Unit Code,"
    "Qty Unit,Qty,Alt Qty Unit Code,Alt Qty Unit,Alt Qty,Netweight (kg),Gross weight (kg),Trade Value (US$),"
    "CIF Trade Value (US$),FOB Trade Value (US$),Flag",
    "H4,2015,2015,2015,0,0,2,Export,404,Kenya,KEN,800,Uganda,UGA,,,,,,,,TOTAL,All Commodities,1,No Quantity,,,,,,,"
    "620987654,,,0",
    "H4,2015,2015,2015,0,0,1,Import,404,Kenya,KEN,800,Uganda,UGA,,,,,,,,TOTAL,All Commodities,1,No Quantity,,,,,,,"
    "48765432,,,0",
    "H4,2015,2015,2015,0,0,1,Import,404,Kenya,KEN,0,World,WLD,,,,,,,,TOTAL,All Commodities,1,No Quantity,,,,,,,"
    "16097000000,,,0",
    "H4,2015,2015,2015,0,0,3,Re-Export,404,Kenya,KEN,800,Uganda,UGA,,,,,,,,TOTAL,All Commodities,1,No Quantity,,,,,,,"
    "12345678,,,0",
)

# A trimmed download saved from Excel as "CSV UTF-8" (a BOM), with flow
# descriptions and the FOB/CIF values only.
COMTRADE_TRIMMED = lines(
    "refYear,reporterISO,reporterDesc,flowDesc,partnerISO,partnerDesc,cifvalue,fobvalue",
    "2022,UGA,Uganda,Import,RWA,Rwanda,5100000.5,",
    "2022,UGA,Uganda,Export,RWA,Rwanda,,180000000",
    "",
    bom=True,
)


def test_every_comtrade_fixture_row_has_the_header_s_width():
    for data in (COMTRADE_FINAL, COMTRADE_NUMERIC, COMTRADE_LEGACY, COMTRADE_TRIMMED):
        rows = [row for row in csv.reader(data.decode("utf-8-sig").splitlines()) if row]
        assert {len(row) for row in rows} == {len(rows[0])}


def test_a_comtrade_final_download_creates_its_figures_in_us_dollars(refresh):
    result = import_trade_flows(COMTRADE_FINAL, filename="comtrade.csv")

    comtrade = "UN Comtrade Database"
    assert figures() == [
        ("RWA", "TZA", 2023, "exports", Decimal("41234567.89"), "USD", comtrade),
        ("RWA", "TZA", 2023, "imports", Decimal("398765432.10"), "USD", comtrade),
        ("RWA", "WLD", 2023, "exports", Decimal("3182736450.50"), "USD", comtrade),
    ]
    assert str(result) == (
        "3 trade figure(s) (UN Comtrade layout): 3 created, 0 updated, 0 unchanged. Skipped "
        "1 row(s) of re-exports, re-imports or other special flows; 1 row(s) for a commodity other than TOTAL; "
        "1 row(s) with partner “Areas, nes”, an area that is not a country."
    )
    source = Source.objects.get(url=COMTRADE_URL)
    assert (source.kind, source.publisher) == ("dataset", "United Nations Statistics Division")
    assert not TradeFlow.objects.filter(is_synthetic=True).exists()
    assert refresh == [[pair("RWA", "TZA")]], "the World is no pair"


def test_comtrade_numeric_codes_mean_current_countries_and_comtrade_s_own_codes():
    assert Country.objects.filter(numeric="180").count() == 2, "DR Congo and historic Zaire share 180"

    import_trade_flows(COMTRADE_NUMERIC)

    assert [row[:5] for row in figures()] == [
        ("COD", "RWA", 2021, "imports", Decimal("45000000.00")),
        ("KEN", "USA", 2021, "imports", Decimal("612345678.90")),
        ("USA", "KEN", 2021, "exports", Decimal("560123456.78")),
    ]


def test_the_legacy_comtrade_layout_is_read_too():
    result = import_trade_flows(COMTRADE_LEGACY)

    assert [row[:5] for row in figures()] == [
        ("KEN", "UGA", 2015, "exports", Decimal("620987654.00")),
        ("KEN", "UGA", 2015, "imports", Decimal("48765432.00")),
        ("KEN", "WLD", 2015, "imports", Decimal("16097000000.00")),
    ]
    assert result.skipped == {"row(s) of re-exports, re-imports or other special flows": 1}


def test_fob_and_cif_values_stand_in_for_the_primary_value_and_a_bom_is_no_problem():
    import_trade_flows(COMTRADE_TRIMMED)

    assert [row[:5] for row in figures()] == [
        ("UGA", "RWA", 2022, "exports", Decimal("180000000.00")),
        ("UGA", "RWA", 2022, "imports", Decimal("5100000.50")),
    ]


def test_a_source_given_for_the_file_replaces_comtrade_s():
    import_trade_flows(COMTRADE_TRIMMED, source="https://comtradeplus.un.org/TradeFlow?Reporters=800")

    assert {row[-1] for row in figures()} == {"https://comtradeplus.un.org/TradeFlow?Reporters=800"}
    assert not Source.objects.filter(url=COMTRADE_URL).exists()


def test_groups_of_countries_are_skipped_like_areas():
    data = lines(
        "refYear,reporterCode,reporterISO,reporterDesc,partnerCode,partnerISO,partnerDesc,flowCode,primaryValue",
        "2023,97,EUR,European Union,646,RWA,Rwanda,X,1000",
        '2023,646,RWA,Rwanda,490,S19,"Other Asia, nes",M,2000',
        "2023,646,RWA,Rwanda,404,KEN,Kenya,M,3000",
    )

    result = import_trade_flows(data)

    assert [row[:4] for row in figures()] == [("RWA", "KEN", 2023, "imports")]
    assert result.skipped == {
        "row(s) reported by “European Union”, not a country": 1,
        "row(s) with partner “Other Asia, nes”, an area that is not a country": 1,
    }


def test_monthly_comtrade_data_is_refused_once_with_a_count():
    data = lines(
        "freqCode,refYear,period,reporterISO,partnerISO,flowCode,primaryValue",
        "M,2023,202301,RWA,TZA,X,100",
        "M,2023,202302,RWA,TZA,X,100",
        "M,2023,202303,RWA,TZA,X,100",
    )

    assert refused(data) == [
        "line 2: Monthly figures (and 2 more monthly row(s)): the statistics are yearly. "
        "Download annual data (frequency A) and import it."
    ]


def test_a_comtrade_file_of_skipped_rows_only_is_refused_with_the_reason():
    data = lines("refYear,reporterISO,partnerISO,flowCode,cmdCode,primaryValue", "2023,RWA,TZA,X,09,100")

    assert refused(data) == [
        "file: No row of this file can be imported: all 1 were skipped (1 row(s) for a commodity other than TOTAL)."
    ]


def test_comtrade_errors_name_the_file_s_own_columns():
    data = lines(
        "refYear,reporterISO,partnerCode,partnerISO,flowCode,primaryValue",
        "2023,RWA,999,QQQ,X,100",
        "2023,W00,834,TZA,X,100",
        "2023,RWA,646,RWA,X,100",
        "1899,RWA,834,TZA,Q,",
    )

    assert refused(data) == [
        "line 2, column partnerISO: Unknown country code “QQQ”.",
        "line 3, column reporterISO: The reporter is a country, not the World.",
        "line 4, column partnerISO: A country does not trade with itself: RWA is both.",
        "line 5, column flowCode: Unknown flow “Q”: X or Export, M or Import (re-exports and re-imports are skipped).",
        "line 5, column refYear: “1899” is not a year: four digits, 1900 to 2100.",
        "line 5, column primaryValue: No trade value.",
    ]


def test_a_comtrade_header_without_values_says_what_is_missing():
    assert refused(lines("refYear,reporterISO,partnerISO,flowCode", "2023,RWA,TZA,X")) == [
        "line 1: A UN Comtrade file needs the columns reporterCode or reporterISO, partnerCode or partnerISO, "
        "refYear or period, flowCode or flowDesc, primaryValue (or fobvalue/cifvalue); missing: "
        "value or fob_value or cif_value."
    ]


# --- the plain layout ---------------------------------------------------------------

PLAIN = lines(
    "reporter,partner,year,flow,value,currency,source",
    "TZA,RWA,2025,total,644000000000,TZS,Rwanda and Tanzania agree to deepen cooperation",
    "RWA,WLD,2024,exports,3100000000,usd,",
    "KEN,World,2024,imports,22000000000.5,USD,https://www.knbs.or.ke/economic-survey-2025/",
)


def test_the_plain_layout_creates_the_seed_s_figure_with_its_source(refresh):
    seed = SourceFactory(title="Rwanda and Tanzania agree to deepen cooperation", url="")

    result = import_trade_flows(PLAIN, filename="national.csv")

    assert figures() == [
        (
            "KEN",
            "WLD",
            2024,
            "imports",
            Decimal("22000000000.50"),
            "USD",
            "https://www.knbs.or.ke/economic-survey-2025/",
        ),
        ("RWA", "WLD", 2024, "exports", Decimal("3100000000.00"), "USD", None),
        ("TZA", "RWA", 2025, "total", Decimal("644000000000.00"), "TZS", seed.title),
    ]
    assert str(result) == "3 trade figure(s) (plain layout): 3 created, 0 updated, 0 unchanged."
    new = Source.objects.get(url="https://www.knbs.or.ke/economic-survey-2025/")
    assert new.kind == "dataset"
    assert refresh == [[pair("RWA", "TZA")]]


def test_a_second_import_changes_nothing(refresh):
    for data in (PLAIN, COMTRADE_FINAL, COMTRADE_LEGACY):
        import_trade_flows(data)
    before = stored()

    results = [import_trade_flows(data) for data in (PLAIN, COMTRADE_FINAL, COMTRADE_LEGACY)]

    assert stored() == before, "not even updated_at moves"
    assert [(r.created, r.updated, r.unchanged) for r in results] == [(0, 0, 3), (0, 0, 3), (0, 0, 3)]
    assert len(refresh) == 3, "only the first imports asked for a refresh"


def test_a_changed_figure_is_updated_and_its_pair_refreshed(refresh):
    import_trade_flows(PLAIN)
    refresh.clear()
    first = TradeFlow.objects.get(flow="total")

    result = import_trade_flows(
        lines(
            "reporter,partner,year,flow,value,currency",
            "TZA,RWA,2025,total,650000000000,TZS",
            "RWA,WLD,2024,exports,3100000000,USD",
        )
    )

    flow = TradeFlow.objects.get(flow="total")
    assert (flow.pk, flow.value, flow.created_at) == (first.pk, Decimal("650000000000.00"), first.created_at)
    assert flow.updated_at > first.updated_at
    assert flow.source_id == first.source_id, "a row that names no source keeps the stored one"
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert refresh == [[pair("RWA", "TZA")]]


def test_pairs_are_refreshed_once_each_lower_id_first(refresh):
    import_trade_flows(
        lines(
            "reporter,partner,year,flow,value,currency",
            "KEN,UGA,2020,exports,1,USD",
            "UGA,KEN,2020,imports,1,USD",
            "UGA,KEN,2021,exports,1,USD",
            "RWA,TZA,2020,exports,1,USD",
        )
    )

    assert refresh == [sorted([pair("KEN", "UGA"), pair("RWA", "TZA")])]
    assert all(a < b for a, b in refresh[0])


def test_an_imported_figure_replaces_a_synthetic_one():
    TradeFlow.objects.create(
        reporter=country("RWA"), partner=country("TZA"), year=2020, flow="exports", value=1, is_synthetic=True
    )

    import_trade_flows(lines("reporter,partner,year,flow,value,currency", "RWA,TZA,2020,exports,2,USD"))

    assert TradeFlow.objects.get().is_synthetic is False


def test_semicolons_and_tabs_separate_cells_too():
    import_trade_flows(lines("reporter;partner;year;flow;value;currency", "RWA;TZA;2020;exports;1.5;USD"))
    import_trade_flows(lines("reporter\tpartner\tyear\tflow\tvalue\tcurrency", "RWA\tTZA\t2021\texports\t2\tUSD"))

    assert [row[2:5] for row in figures()] == [(2020, "exports", Decimal("1.50")), (2021, "exports", Decimal("2.00"))]


def test_queries_do_not_grow_with_rows():
    def queries(n: int) -> int:
        data = lines(
            "reporter,partner,year,flow,value,currency",
            *(f"RWA,TZA,{1901 + i // 2},{('exports', 'imports')[i % 2]},{i},USD" for i in range(n)),
        )
        with CaptureQueriesContext(connection) as captured:
            import_trade_flows(data)
        return len(captured)

    assert queries(4) == queries(400)


# --- exchange rates --------------------------------------------------------------


def test_exchange_rates_are_imported_and_re_imported_without_change(refresh):
    TradeFlow.objects.create(
        reporter=country("TZA"), partner=country("RWA"), year=2025, flow="total", value=1, currency="TZS"
    )
    data = lines(
        "currency,year,units_per_usd,source",
        "TZS,2025,2550,https://www.bot.go.tz/ExchangeRate/",
        "KES,2025,129.2345678,",
        "USD,2025,1,",
    )

    result = import_exchange_rates(data, source="Central bank annual averages")
    before = stored()
    again = import_exchange_rates(data, source="Central bank annual averages")

    assert list(ExchangeRate.objects.values_list("currency", "year", "units_per_usd", "source__title")) == [
        ("KES", 2025, Decimal("129.234568"), "Central bank annual averages"),
        ("TZS", 2025, Decimal("2550.000000"), "https://www.bot.go.tz/ExchangeRate/"),
        ("USD", 2025, Decimal("1.000000"), "Central bank annual averages"),
    ]
    assert (result.created, again.created, again.updated, again.unchanged) == (3, 0, 0, 3)
    assert stored() == before
    assert refresh == [[pair("RWA", "TZA")]], "the rate converts the TZS figure of that pair"


def test_a_changed_rate_refreshes_the_pairs_with_figures_in_that_currency_and_year(refresh):
    import_exchange_rates(lines("currency,year,units_per_usd", "TZS,2025,2550", "TZS,2024,2600"))
    TradeFlow.objects.create(
        reporter=country("TZA"), partner=country("KEN"), year=2024, flow="exports", value=1, currency="TZS"
    )
    TradeFlow.objects.create(
        reporter=country("TZA"), partner=country("RWA"), year=2025, flow="exports", value=1, currency="TZS"
    )

    result = import_exchange_rates(lines("currency,year,units_per_usd", "TZS,2025,2500", "TZS,2024,2600"))

    assert (result.updated, result.unchanged) == (1, 1)
    assert refresh[-1] == [pair("RWA", "TZA")]


# --- bad files: refused whole, with lines and reasons -------------------------------------

HEADER = "reporter,partner,year,flow,value,currency"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "XYZ,RWA,2025,exports,1,USD",
            "line 3, column reporter: Unknown country code “XYZ”: use ISO 3166 alpha-3 codes, e.g. KEN.",
        ),
        (
            "KEN,Kenya,2025,exports,1,USD",
            "line 3, column partner: Unknown country code “Kenya”: use ISO 3166 alpha-3 codes, e.g. KEN.",
        ),
        ("WLD,KEN,2025,exports,1,USD", "line 3, column reporter: The reporter is a country, not the World."),
        (",KEN,2025,exports,1,USD", "line 3, column reporter: Required: an ISO 3166 alpha-3 country code, e.g. KEN."),
        ("KEN,RWA,25,exports,1,USD", "line 3, column year: “25” is not a year: four digits, 1900 to 2100."),
        ("KEN,RWA,2101,exports,1,USD", "line 3, column year: “2101” is not a year: four digits, 1900 to 2100."),
        ("KEN,RWA,2025,exports,-5,USD", "line 3, column value: -5 is negative: a value is never below zero."),
        (
            'KEN,RWA,2025,exports,"1,000",USD',
            "line 3, column value: “1,000” is not a number: digits with a point for decimals, no thousands separators.",
        ),
        ("KEN,RWA,2025,exports,NaN,USD", "line 3, column value: “NaN” is not a number."),
        ("KEN,RWA,2025,exports,,USD", "line 3, column value: Required: a number."),
        (
            "KEN,RWA,2025,exports,1e30,USD",
            "line 3, column value: 1e30 is too large: at most 20 digits before the point.",
        ),
        (
            "KEN,RWA,2025,re-exports,1,USD",
            "line 3, column flow: Unknown flow “re-exports”: use exports, imports or total.",
        ),
        (
            "KEN,RWA,2025,exports,1,KSH1",
            "line 3, column currency: “KSH1” is not a currency: an ISO 4217 code of three letters, e.g. TZS.",
        ),
        (
            "KEN,RWA,2025,exports,1,$",
            "line 3, column currency: “$” is not a currency: an ISO 4217 code of three letters, e.g. TZS.",
        ),
        ("KEN,KEN,2025,exports,1,USD", "line 3, column partner: A country does not trade with itself: KEN is both."),
        ("KEN,RWA,2025,exports,1", "line 3: This row has 5 cells; the header has 6."),
        (
            "RWA,TZA,2025,exports,2,USD",
            "line 3: RWA's exports to TZA in 2025 are given twice, on lines 2 and 3: keep one.",
        ),
    ],
)
def test_a_bad_row_refuses_the_whole_file(row, expected):
    # Line 2 is good: it is not written either.
    assert refused(lines(HEADER, "RWA,TZA,2025,exports,1,USD", row)) == [expected]


def test_every_bad_row_is_reported_not_just_the_first():
    data = lines(HEADER, "XYZ,RWA,2025,exports,1,USD", "KEN,RWA,2025,exports,1,USD", "KEN,RWA,20x5,sold,-1,USD")

    assert refused(data) == [
        "line 2, column reporter: Unknown country code “XYZ”: use ISO 3166 alpha-3 codes, e.g. KEN.",
        "line 4, column year: “20x5” is not a year: four digits, 1900 to 2100.",
        "line 4, column flow: Unknown flow “sold”: use exports, imports or total.",
        "line 4, column value: -1 is negative: a value is never below zero.",
    ]


def test_world_figures_have_their_own_duplicates():
    data = lines(HEADER, "KEN,WLD,2025,exports,1,USD", "KEN,World,2025,exports,2,USD")

    assert refused(data) == ["line 3: KEN's exports to the World in 2025 are given twice, on lines 2 and 3: keep one."]


def test_a_windows_1252_file_is_refused_at_its_first_undecodable_line():
    data = (HEADER + ",source\r\nRWA,TZA,2025,exports,1,USD,Minist\u00e8re du Commerce\r\n").encode("cp1252")

    assert refused(data) == [
        "line 2: The file is not UTF-8 text (the first byte that is not is on this line): save it as “CSV UTF-8” "
        "in Excel, or convert it (iconv -f cp1252 -t utf-8), and import it again."
    ]


def test_a_utf16_file_is_refused_as_not_utf8():
    errors = refused(lines(HEADER, "RWA,TZA,2025,exports,1,USD").decode().encode("utf-16"))

    assert errors[0].startswith("line 1: The file is not UTF-8 text")


def test_a_bad_source_cell_is_reported():
    data = lines(
        HEADER + ",source",
        "RWA,TZA,2025,exports,1,USD,https://exa mple.org/",
        f"RWA,TZA,2024,exports,1,USD,{'x' * 501}",
    )

    assert refused(data) == [
        "line 2, column source: “https://exa mple.org/” is not a valid URL.",
        "line 3, column source: A source title has at most 500 characters.",
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "line 1: The file is empty: it needs a header row."),
        (lines(HEADER), "file: The file has a header but no rows."),
        (
            lines("country,year,amount", "KEN,2020,1"),
            "line 1: The columns are not one of the layouts this import reads: a UN Comtrade download "
            "(reporterCode or reporterISO, partnerCode or partnerISO, refYear or period, flowCode or flowDesc, "
            "primaryValue (or fobvalue/cifvalue)); reporter, partner, year, flow, value, currency[, source]; "
            "or, for exchange rates, currency, year, units_per_usd[, source].",
        ),
        (
            lines("reporter,partner,year,flow,value", "KEN,RWA,2020,exports,1"),
            "line 1: Missing column(s): currency.",
        ),
        (
            lines(HEADER + ",notes", "KEN,RWA,2020,exports,1,USD,x"),
            "line 1: Unknown column(s): notes. The columns are: reporter, partner, year, flow, value, currency, source.",
        ),
        (
            lines("currency,year,units_per_usd", "TZS,2025,2550"),
            "line 1: This file has the exchange-rate columns (currency, year, units_per_usd): import it as exchange "
            "rates, not as trade figures.",
        ),
        (
            lines(HEADER, "KEN,RWA,2020,exports,1,USD", f"KEN,RWA,2021,exports,1,{'U' * 200_000}"),
            "line 3: The file cannot be read as CSV from here on (field larger than field limit (131072)).",
        ),
    ],
)
def test_a_bad_file_is_refused_with_the_reason(data, expected):
    assert refused(data) == [expected]


def test_bad_rates_are_refused_whole():
    data = lines(
        "currency,year,units_per_usd",
        "TZS,2025,2550",
        "TZS,2025,2551",
        "KES,2025,0",
        "USD,2025,2",
        "TZSH,1850,-3",
    )

    assert refused(data, rates=True) == [
        "line 3: The TZS rate of 2025 is given twice, on lines 2 and 3: keep one.",
        "line 4, column units_per_usd: A rate is above zero.",
        "line 5, column units_per_usd: One US dollar is 1 US dollar: the USD rate can only be 1.",
        "line 6, column currency: “TZSH” is not a currency: an ISO 4217 code of three letters, e.g. TZS.",
        "line 6, column year: “1850” is not a year: four digits, 1900 to 2100.",
        "line 6, column units_per_usd: -3 is negative: a value is never below zero.",
    ]


def test_trade_figures_are_not_exchange_rates():
    assert refused(PLAIN, rates=True) == [
        "line 1: This file has the columns of trade figures (plain layout): import it as trade figures. "
        "Exchange rates have the columns currency, year, units_per_usd[, source]."
    ]


def test_a_bad_source_for_the_whole_file_is_reported():
    assert refused(PLAIN, source="https://exa mple.org") == [
        "file: The source given for the whole file: “https://exa mple.org” is not a valid URL."
    ]


# --- the commands ----------------------------------------------------------------------


def test_the_command_imports_and_says_what_it_did(tmp_path, refresh):
    path = tmp_path / "national.csv"
    path.write_bytes(PLAIN)
    out = StringIO()

    call_command("import_trade_flows", str(path), "--source", "Tanzania National Bureau of Statistics", stdout=out)

    assert (
        out.getvalue()
        == "Imported national.csv: 3 trade figure(s) (plain layout): 3 created, 0 updated, 0 unchanged.\n"
    )
    assert TradeFlow.objects.get(reporter__iso3="RWA").source.title == "Tanzania National Bureau of Statistics"
    assert TradeFlow.objects.get(reporter__iso3="TZA").source.title == "Rwanda and Tanzania agree to deepen cooperation"


def test_the_rates_command_imports_rates(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_bytes(lines("currency,year,units_per_usd", "TZS,2025,2550"))
    out = StringIO()

    call_command("import_exchange_rates", str(path), "--source", "https://www.bot.go.tz/", stdout=out)

    assert "1 exchange rate(s) (exchange rates layout): 1 created" in out.getvalue()
    assert ExchangeRate.objects.get().source.url == "https://www.bot.go.tz/"


def test_the_command_prints_every_error_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        lines(HEADER, "RWA,TZA,2025,exports,1,USD", "XYZ,RWA,2025,exports,1,USD", "KEN,RWA,2025,exports,-1,USD")
    )
    before = stored()
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError) as failure:
        call_command("import_trade_flows", str(path), stdout=out, stderr=err)

    assert failure.value.returncode == 1
    assert str(failure.value) == "2 error(s) in bad.csv: nothing was imported."
    assert err.getvalue().splitlines() == [
        "line 3, column reporter: Unknown country code “XYZ”: use ISO 3166 alpha-3 codes, e.g. KEN.",
        "line 4, column value: -1 is negative: a value is never below zero.",
    ]
    assert out.getvalue() == ""
    assert stored() == before


def test_the_command_refuses_a_missing_file_and_a_bad_source(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*nowhere.csv: No such file or directory\."):
        call_command("import_trade_flows", str(tmp_path / "nowhere.csv"))
    with pytest.raises(CommandError, match=re.escape("--source: “https://exa mple.org” is not a valid URL.")):
        call_command("import_trade_flows", str(tmp_path / "nowhere.csv"), "--source", "https://exa mple.org")


def test_the_command_exits_with_status_1(tmp_path):
    """Through manage.py, as a script would run it (a header error needs no database)."""
    path = tmp_path / "rates.csv"
    path.write_bytes(lines("currency,year,units_per_usd", "TZS,2025,2550"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}

    run = subprocess.run(
        [sys.executable, "manage.py", "import_trade_flows", str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.splitlines()[0].startswith("line 1: This file has the exchange-rate columns")
    assert "CommandError: 1 error(s) in rates.csv: nothing was imported." in run.stderr
