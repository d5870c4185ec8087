"""The one formula rule of every CSV (tradepacts.csv): a cell a spreadsheet would run
gets a leading apostrophe, after leading whitespace and separators too; every text cell
is quoted so a separator inside it cannot start a new cell; numbers stay numbers; and
the import reads back exactly what was written."""

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradepacts.csv import BOM, complete_rows, csv_lines, is_formula, numbered_records, safe_cell, unsafe_cell

DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]
LEADING = ["", " ", "   ", "\u00a0", "\n", " \t", ";", ",", "|", " ;", "; ", ",,", "'"]


@pytest.mark.parametrize("start", DANGEROUS)
@pytest.mark.parametrize("lead", LEADING)
def test_every_dangerous_start_is_neutralised_after_whitespace_and_separators(start, lead):
    text = f'{lead}{start}HYPERLINK("http://evil.example")'
    assert safe_cell(text) == "'" + text
    assert unsafe_cell(safe_cell(text)) == text


@pytest.mark.parametrize(
    "text",
    ["Kigali", "KEN: Kenya Ports Authority", "a;=b", "trade = growth", "e-commerce", "x@y.org", "", " ", "2026-01"],
)
def test_text_that_cannot_start_a_formula_is_left_alone(text):
    assert safe_cell(text) == text
    assert unsafe_cell(text) == text


def test_numbers_stay_numbers_and_unquoted():
    assert safe_cell(-5) == -5 and safe_cell(-0.25) == -0.25 and safe_cell(Decimal("-1.5")) == Decimal("-1.5")
    assert safe_cell(True) == "yes" and safe_cell(None) == ""
    body = b"".join(csv_lines(["n", "x", "d"], [[-5, "-5", Decimal("2.50")]]))
    assert body.decode().splitlines()[1] == '-5,"\'-5",2.50'


def test_a_separator_inside_a_cell_is_quoted_so_no_locale_splits_it():
    body = b"".join(csv_lines(["a", "b"], [["Rwanda;=cmd|calc", "plain"]]))
    line = body.decode().splitlines()[1]
    assert line == '"Rwanda;=cmd|calc","plain"'
    # Read with a semicolon as the separator, the quotes keep "=cmd" inside the first cell.
    cells = next(csv.reader(io.StringIO(line), delimiter=";"))
    assert cells[0].startswith("Rwanda;=cmd")


@given(st.text(max_size=30))
def test_what_is_written_reads_back_the_same(text):
    assert unsafe_cell(safe_cell(text)) == text
    assert not is_formula(safe_cell(text)) or safe_cell(text).startswith("'")


def test_the_trailer_is_written_last_and_the_reader_stops_there():
    body = b"".join(csv_lines(["a"], [["x"], ["y"]]))
    assert body.startswith(BOM.encode()) and body.endswith(b"# complete: 2 rows\r\n")
    assert complete_rows(body) == 2
    records = list(numbered_records(body.decode()[1:], lambda line, message: None))
    assert [cells for _, cells in records] == [["a"], ["x"], ["y"]]
