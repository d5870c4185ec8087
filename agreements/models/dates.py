"""Dates that may be known only to the month or the year.

DESTA gives years, press releases give days. A partial date is stored as the
first day of its period plus a precision, so it still sorts and compares as a
date; the precision says how much of it to show and to trust.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


def partial_date(verbose_name: str, help_text: str = "") -> tuple[models.DateField, models.CharField]:
    """A date field and its precision field, declared together in a model body."""
    return (
        models.DateField(verbose_name, null=True, blank=True, help_text=help_text),
        models.CharField(
            "precision",
            max_length=5,
            choices=DatePrecision.choices,
            default=DatePrecision.DAY,
        ),
    )


def precision_constraint(field: str) -> models.CheckConstraint:
    """A month-precise date falls on the 1st; a year-precise one on 1 January."""
    precision = field.removesuffix("_on") + "_precision"
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{precision: DatePrecision.DAY})
        | (Q(**{f"{field}__day": 1}) & (Q(**{precision: DatePrecision.MONTH}) | Q(**{f"{field}__month": 1}))),
        name=f"%(app_label)s_%(class)s_{field}_matches_precision",
        violation_error_message=f"A {field} date known only to the month or year must be its first day.",
    )


def order_constraint(earlier: str, later: str) -> models.CheckConstraint:
    """``earlier`` is on or before ``later`` whenever both are known."""
    return models.CheckConstraint(
        condition=Q(**{f"{earlier}__isnull": True})
        | Q(**{f"{later}__isnull": True})
        | Q(**{f"{earlier}__lte": models.F(later)}),
        name=f"%(app_label)s_%(class)s_{earlier}_not_after_{later}",
    )


def truncate(value: dt.date, precision: str) -> dt.date:
    """The stored form of a date known to ``precision``."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    return value


def format_partial_date(value: dt.date | None, precision: str) -> str:
    """'2026', 'January 2026' or '22 January 2026'; '' when unknown."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def precision_errors(instance: models.Model, fields: list[str]) -> dict[str, str]:
    """Messages for dates whose day or month contradicts their precision."""
    errors = {}
    for field in fields:
        value = getattr(instance, field)
        precision = getattr(instance, field.removesuffix("_on") + "_precision")
        if value is not None and truncate(value, precision) != value:
            unit = "month" if precision == DatePrecision.MONTH else "year"
            errors[field] = (
                f"A date known only to the {unit} is entered as its first day ({truncate(value, precision):%Y-%m-%d})."
            )
    return errors


def order_errors(instance: models.Model, pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Messages on the later field of each pair of known dates in the wrong order."""
    errors: dict[str, str] = {}
    for earlier, later in pairs:
        first, second = getattr(instance, earlier), getattr(instance, later)
        if first is not None and second is not None and first > second and later not in errors:
            field = instance._meta.get_field(earlier)
            first_label = field.verbose_name if isinstance(field, models.Field) else earlier
            errors[later] = f"Must not be before the {first_label} ({first:%Y-%m-%d})."
    return errors


def parse_partial_date(text: str) -> tuple[dt.date, str]:
    """Read 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' into a date and its precision.

    Raises ValueError with a message fit for a curator or an import report.
    """
    text = text.strip()
    parts = text.split("-")
    if not (
        len(parts) <= 3
        and len(parts[0]) == 4
        and all(p.isdigit() for p in parts)
        and all(len(p) == 2 for p in parts[1:])
    ):
        raise ValueError(f"“{text}” is not a date: write a year (2026), a month (2026-01) or a day (2026-01-22).")
    numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
    try:
        value = dt.date(*numbers)
    except ValueError:
        raise ValueError(f"“{text}” is not a real date.") from None
    precision = {1: DatePrecision.YEAR, 2: DatePrecision.MONTH, 3: DatePrecision.DAY}[len(parts)]
    return value, precision


def iso_partial_date(value: dt.date | None, precision: str) -> str:
    """The ISO 8601 text for a partial date: '2026', '2026-01' or '2026-01-22'."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{value:%Y-%m}"
    return value.isoformat()


@dataclass(frozen=True)
class ShownDate:
    """A partial date as a page shows it ('January 2026'), as ISO 8601 for
    machines and <time datetime> ('2026-01'), and what it is ('Signed').

    The one way every page shows a date with its precision.
    """

    text: str
    iso: str
    label: str = ""

    @classmethod
    def of(cls, value: dt.date | None, precision: str, label: str = "") -> "ShownDate | None":
        if value is None:
            return None
        return cls(format_partial_date(value, precision), iso_partial_date(value, precision), label)

    @classmethod
    def of_field(cls, obj: Any, field: str, label: str = "") -> "ShownDate | None":
        """``obj.<field>`` (``signed_on``) with its precision (``signed_precision``)."""
        return cls.of(getattr(obj, field), getattr(obj, field.removesuffix("_on") + "_precision"), label)
