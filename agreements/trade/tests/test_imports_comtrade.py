"""Importing UN Comtrade downloads: what each of its layouts creates, what is skipped, and
errors named by the file's own columns."""

import csv
from decimal import Decimal

import pytest

from agreements.models import Country, Source, TradeFlow
from agreements.trade.imports import COMTRADE_URL, import_trade_flows
from agreements.trade.tests.import_helpers import (
    COMTRADE_FINAL,
    COMTRADE_LEGACY,
    COMTRADE_NUMERIC,
    COMTRADE_TRIMMED,
    figures,
    lines,
    pair,
    refused,
)

# Imports and admin changes ask for refreshes: record them instead (conftest.refresh).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("refresh")]


# --- UN Comtrade downloads ---------------------------------------------------------


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
