"""Importing DESTA's list: errors with their line and column, and nothing written."""

import pytest

from agreements.imports.desta import import_desta
from agreements.models import Agreement
from agreements.tests.desta_helpers import (
    ACCENTS,
    ACCESSION,
    EAC,
    HEADER,
    KOSOVO,
    by_desta,
    counts,
    desta_file,
    refused,
)
from tradepacts.imports import RowError

pytestmark = pytest.mark.django_db


# --- errors ----------------------------------------------------------------------


def test_a_code_that_is_no_country_is_an_error_with_its_line_and_nothing_is_written():
    before = counts()
    bad = KOSOVO[0].replace(",8,900,", ",8,999,")

    errors = refused(desta_file(*EAC, *ACCESSION, bad, *ACCENTS))

    assert [str(e) for e in errors] == [
        "line 12, column iso2: “Kosovo” has the code 999, which is no country's: neither an ISO 3166-1 "
        "numeric code, current or historic, nor Kosovo's 900."
    ]
    assert counts() == before


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (EAC[0].replace('"787",787', '"78x7",787'), "number", "“78x7” is not a DESTA number"),
        (
            EAC[0].replace('"base_treaty",0', '"accession",0'),
            "entry_type",
            "“787” is the number of a base treaty, but the entry type says accession",
        ),
        (EAC[0].replace(",1999,2000,", ",19x9,2000,"), "year", "is not a year of signature"),
        (EAC[0].replace(",1999,2000,", ",1999,20,"), "entryforceyear", "is not a year"),
        (EAC[0].replace('"English",2,', '"English",7,'), "typememb", "is not a membership type"),
        (EAC[0].replace("404,834", "404,404"), "iso2", "A country cannot be paired with itself (KEN)"),
        (EAC[0].replace("404,834", "404,KE"), "iso2", "not an ISO 3166-1 numeric code"),
    ],
)
def test_bad_rows_are_reported_with_line_and_column(row, column, message):
    errors = refused(desta_file(KOSOVO[0], row))

    assert any(e.line == 3 and e.column == column and message in e.message for e in errors), errors
    assert not Agreement.objects.exists()


def test_rows_of_one_entry_must_agree():
    errors = refused(desta_file(EAC[0], EAC[1].replace(",1999,2000,", ",1999,2001,")))

    assert [(e.line, e.column) for e in errors] == [(3, "entryforceyear")]
    assert "on line 2" in errors[0].message


def test_missing_columns_and_bytes_outside_cp1252_are_errors():
    assert "Missing column(s): iso1, iso2" in str(refused(b"country1,country2\r\nKenya,Uganda\r\n")[0])
    errors = refused(desta_file(*EAC) + b'"Kenya","Uganda",404,800,"\x81"\r\n')
    assert errors == [RowError(5, "", "Byte 0x81 is neither Windows-1252 (cp1252) nor UTF-8 text.")]
    assert not Agreement.objects.exists()


def test_a_file_saved_again_as_utf8_reads_the_same():
    import_desta("\n".join([HEADER, *ACCENTS]).encode("utf-8-sig"))

    assert by_desta("5000").title == "Côte d’Ivoire DR Congo Préférences"
