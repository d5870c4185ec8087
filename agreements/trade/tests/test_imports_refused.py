"""Importing trade figures and exchange rates: every kind of bad file refused whole, with its
lines and reasons."""

import pytest

from agreements.trade.tests.import_helpers import HEADER, PLAIN, lines, refused

# Imports and admin changes ask for refreshes: record them instead (conftest.refresh).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("refresh")]


# --- bad files: refused whole, with lines and reasons -------------------------------------


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


def test_figures_given_twice_are_found_across_batches_in_line_order(monkeypatch):
    """The figures are staged in the database a batch at a time, not held in memory; a figure
    given again in a later batch is still found, and reported in line order with the rest."""
    monkeypatch.setattr("agreements.trade.imports.staging.BATCH", 2)
    data = lines(
        HEADER,
        "RWA,TZA,2025,exports,1,USD",
        "KEN,RWA,2025,exports,1,USD",
        "KEN,UGA,2025,exports,1,USD",
        "XYZ,RWA,2025,exports,1,USD",
        "RWA,TZA,2025,exports,2,USD",
        "KEN,RWA,2025,exports,3,USD",
    )

    assert refused(data) == [
        "line 5, column reporter: Unknown country code “XYZ”: use ISO 3166 alpha-3 codes, e.g. KEN.",
        "line 6: RWA's exports to TZA in 2025 are given twice, on lines 2 and 6: keep one.",
        "line 7: KEN's exports to RWA in 2025 are given twice, on lines 3 and 7: keep one.",
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
