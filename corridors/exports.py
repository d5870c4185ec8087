"""A corridor's indicator figures as CSV (/corridors/<slug>/indicators.csv):
the import's columns (corridors.imports), so the file imports back unchanged,
then the derived growth and share. Streamed through tradepacts.csv (UTF-8 with
a BOM, no cell a spreadsheet runs as a formula); numbers stay numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet

from corridors.figures import plain_number
from corridors.models import Corridor, IndicatorObservation

CHUNK = 2000


def _ratio(value: Decimal | None) -> float | str:
    # A float: safe_cell leaves numbers alone, where "-0.25" as text would be taken for a formula.
    return "" if value is None else float(value)


def _statistic(o: IndicatorObservation) -> Any:
    return getattr(o, "statistic", None)


COLUMNS: list[tuple[str, Callable[[IndicatorObservation], Any]]] = [
    ("corridor", lambda o: o.corridor.slug),
    ("indicator", lambda o: o.indicator.slug),
    ("country", lambda o: o.destination.iso3 if o.destination is not None else ""),  # None: no query
    ("period", lambda o: str(o.period)),
    ("value", lambda o: plain_number(o.value)),
    ("unit", lambda o: o.indicator.unit),
    ("source", lambda o: (o.source.url or o.source.title) if o.source is not None else ""),
    ("qualifier", lambda o: o.get_qualifier_display().lower() if o.qualifier else ""),
    ("note", lambda o: o.note),
    ("synthetic", lambda o: "yes" if o.is_synthetic else "no"),
    ("growth", lambda o: _ratio(s.growth) if (s := _statistic(o)) else ""),
    ("share", lambda o: _ratio(s.share) if (s := _statistic(o)) else ""),
]
HEADER = [name for name, _ in COLUMNS]


def indicator_queryset(corridor: Corridor) -> QuerySet[IndicatorObservation]:
    return (
        IndicatorObservation.objects.filter(corridor=corridor)
        .select_related("corridor", "indicator", "destination", "source", "statistic")
        .order_by(
            "indicator__name",
            "indicator_id",
            F("destination__name").asc(nulls_first=True),  # the corridor as a whole first, on every database
            "-period_kind",
            "period_start",
            "id",
        )
    )


def indicator_rows(corridor: Corridor) -> tuple[list[str], Iterator[list[Any]]]:
    def rows() -> Iterator[list[Any]]:
        for observation in indicator_queryset(corridor).iterator(chunk_size=CHUNK):
            yield [accessor(observation) for _, accessor in COLUMNS]

    return HEADER, rows()
