"""Periods as files and pages write them: 2024, 2024-Q3, 2024-07."""

import datetime as dt

import pytest

from corridors.periods import Period, label


@pytest.mark.parametrize(
    ("text", "start", "kind", "end"),
    [
        ("2024", dt.date(2024, 1, 1), "year", dt.date(2025, 1, 1)),
        ("2024-Q3", dt.date(2024, 7, 1), "quarter", dt.date(2024, 10, 1)),
        ("2024q4", dt.date(2024, 10, 1), "quarter", dt.date(2025, 1, 1)),
        (" 2024-07 ", dt.date(2024, 7, 1), "month", dt.date(2024, 8, 1)),
        ("2024-12", dt.date(2024, 12, 1), "month", dt.date(2025, 1, 1)),
    ],
)
def test_parse(text, start, kind, end):
    period = Period.parse(text)
    assert (period.start, period.kind, period.end) == (start, kind, end)


@pytest.mark.parametrize("text", ["", "24", "2024-Q5", "2024-Q0", "2024-13", "2024-7", "2024-07-01", "Q3 2024", "1899"])
def test_parse_refuses(text):
    with pytest.raises(ValueError, match=r"not a period|out of range"):
        Period.parse(text)


def test_labels_round_trip():
    for text in ["2024", "2024-Q1", "2024-Q4", "2024-01", "2024-11"]:
        period = Period.parse(text)
        assert str(period) == label(period.start, period.kind) == text


def test_shifted_crosses_years():
    assert str(Period.parse("2024-Q1").shifted(-1)) == "2023-Q4"
    assert str(Period.parse("2024-12").shifted(1)) == "2025-01"
    assert str(Period.parse("2024").shifted(-3)) == "2021"
    assert Period.parse("2024-Q1").index - Period.parse("2023-Q4").index == 1
