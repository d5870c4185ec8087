"""Periods of corridor figures: a year, a quarter or a month.

A period is stored as its first day plus its kind, so periods sort and compare
as dates; ``2024``, ``2024-Q3`` and ``2024-07`` are how they are written in
files, URLs and pages.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.db import models


class PeriodKind(models.TextChoices):
    YEAR = "year", "Year"
    QUARTER = "quarter", "Quarter"
    MONTH = "month", "Month"
    # A fiscal year of its own, never folded into a calendar year: July to June (Tanzania's and
    # Kenya's government year, which their port authorities report by), written FY2023/24.
    FISCAL_YEAR = "fiscal", "Fiscal year (July to June)"


MONTHS_IN: dict[str, int] = {
    PeriodKind.YEAR: 12,
    PeriodKind.QUARTER: 3,
    PeriodKind.MONTH: 1,
    PeriodKind.FISCAL_YEAR: 12,
}
FISCAL_START_MONTH = 7
FIRST_YEAR, LAST_YEAR = 1900, 2100

_YEAR = re.compile(r"(\d{4})")
_QUARTER = re.compile(r"(\d{4})-?Q([1-4])", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_FISCAL = re.compile(r"FY ?(\d{4})/(\d{2})", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    """One period: its first day and its kind (ordered by start, then kind)."""

    start: dt.date
    kind: str

    @classmethod
    def parse(cls, text: str) -> "Period":
        """Read ``2024``, ``2024-Q3`` (or ``2024Q3``) or ``2024-07``; ValueError with a curator's message."""
        text = text.strip()
        if m := _YEAR.fullmatch(text):
            year, month, kind = int(m[1]), 1, PeriodKind.YEAR
        elif m := _QUARTER.fullmatch(text):
            year, month, kind = int(m[1]), 3 * int(m[2]) - 2, PeriodKind.QUARTER
        elif (m := _MONTH.fullmatch(text)) and 1 <= int(m[2]) <= 12:
            year, month, kind = int(m[1]), int(m[2]), PeriodKind.MONTH
        elif (m := _FISCAL.fullmatch(text)) and (int(m[1]) + 1) % 100 == int(m[2]):
            year, month, kind = int(m[1]), FISCAL_START_MONTH, PeriodKind.FISCAL_YEAR
        else:
            raise ValueError(
                f"“{text}” is not a period: write a year (2024), a quarter (2024-Q3), a month (2024-07) "
                "or a fiscal year (FY2023/24, July 2023 to June 2024)."
            )
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"{year} is out of range: years {FIRST_YEAR} to {LAST_YEAR}.")
        return cls(dt.date(year, month, 1), kind)

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return add_months(self.start, MONTHS_IN[self.kind])

    def shifted(self, n: int) -> "Period":
        """The period ``n`` periods of the same kind later (earlier if negative)."""
        return Period(add_months(self.start, n * MONTHS_IN[self.kind]), self.kind)

    @property
    def index(self) -> int:
        """Consecutive periods of a kind have consecutive indexes."""
        return (self.start.year * 12 + self.start.month - 1) // MONTHS_IN[self.kind]  # a fiscal year: its first

    def __str__(self) -> str:
        return label(self.start, self.kind)


def add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


def label(start: dt.date, kind: str) -> str:
    """``2024``, ``2024-Q3`` or ``2024-07``: how files and pages write a period."""
    if kind == PeriodKind.YEAR:
        return f"{start.year}"
    if kind == PeriodKind.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if kind == PeriodKind.FISCAL_YEAR:
        return f"FY{start.year}/{(start.year + 1) % 100:02d}"
    return f"{start.year}-{start.month:02d}"


def is_period_start(start: dt.date, kind: str) -> bool:
    if kind == PeriodKind.FISCAL_YEAR:
        return start.day == 1 and start.month == FISCAL_START_MONTH
    return start.day == 1 and (start.month - 1) % MONTHS_IN.get(kind, 1) == 0
