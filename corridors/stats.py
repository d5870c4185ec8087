"""The corridor statistics refresh: figures derived from the indicator
observations, rebuilt by ``refresh_corridor_statistics()``, the one entry point
(the Celery task in corridors.tasks and ``manage.py refresh_corridor_statistics``
call it).

What it derives
---------------
Per observation (``ObservationStatistic``):

- ``growth``: ``value / previous - 1`` on the previous period of the same kind
  (2024 on 2023, 2024-Q3 on 2024-Q2, 2024-07 on 2024-06) of the same corridor,
  indicator and destination; empty when there is no previous figure or it is
  zero. Rounded half away from zero to six places.
- ``share`` (indicators marked ``additive``, figures with a destination): the
  corridor's part of the destination's total for that indicator and period over
  every corridor with a figure for it, e.g. Rwanda's cargo via the Northern
  Corridor in 2025 / Rwanda's cargo via all corridors in 2025. Only when at
  least two corridors have a figure: one corridor alone would show a
  meaningless 100%. Six places.
- ``is_synthetic``: a synthetic figure went into it.

Per published agreement concerning a corridor, with a reference date (entered
into force, else signed), and per series of that corridor (indicator,
destination, period kind) (``AgreementIndicatorChange``): the average value
over the ``WINDOW`` periods just before the periods overlapping the reference
date, and over the ``WINDOW`` periods just after them (a date known only to the
year overlaps all four quarters of that year); only periods with a figure
count. The same for the share, where there is one. A series with no figure in
either window gets no row.

How it runs
-----------
Through agreements.runs, like the trade refresh: recorded as a RefreshRun of
kind "corridor"; single-flight (one lock, "corridors": the shares span every
corridor, so every run is a full one); atomic (one transaction); idempotent
(new figures are compared with the stored ones and only differences written:
a second run writes nothing). The tables are small (corridors × indicators ×
periods), so the work is plain Python over the ORM, the same on every database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, ClassVar

from django.db.models import Model, Q

from agreements.models import DatePrecision, RefreshRun
from agreements.runs import recorded_run
from corridors.models import (
    AgreementIndicatorChange,
    CorridorAgreement,
    Indicator,
    IndicatorObservation,
    ObservationStatistic,
)
from corridors.periods import Period, PeriodKind, add_months
from tradepacts.locking import single_flight

KIND = "corridor"
LOCK = "corridors"
WINDOW = 3

VALUE_PLACES = Decimal("0.0001")
MICRO = Decimal("0.000001")
GROWTH_LIMIT = Decimal(1_000_000)  # ObservationStatistic.growth: 12 digits, 6 decimal places

STAT_FIELDS = ["previous_value", "growth", "share", "corridors_counted", "is_synthetic"]
CHANGE_FIELDS = [
    "reference_date",
    "reference_event",
    "window",
    "average_before",
    "periods_before",
    "average_after",
    "periods_after",
    "share_before",
    "share_after",
    "is_synthetic",
]


def refresh_corridor_statistics() -> RefreshRun:
    """Rebuild every derived corridor figure and return the run (raises what made it fail, after recording it)."""
    return recorded_run(KIND, "all", _refresh)


def _refresh() -> int:
    with single_flight(LOCK):
        observations = [Obs(**row) for row in IndicatorObservation.objects.order_by().values(*Obs.FIELDS)]
        additive = set(Indicator.objects.filter(additive=True).values_list("id", flat=True))
        stats = observation_statistics(observations, additive)
        written = _sync_statistics(stats)
        written += _sync_changes(agreement_changes(observations, stats, _references()))
    return written


# --- the rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Obs:
    """The columns of one observation the refresh reads."""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "id",
        "corridor_id",
        "indicator_id",
        "destination_id",
        "period_kind",
        "period_start",
        "value",
    )
    FIELDS += ("is_synthetic",)

    id: int
    corridor_id: int
    indicator_id: int
    destination_id: int | None
    period_kind: str
    period_start: dt.date
    value: Decimal
    is_synthetic: bool

    @property
    def series(self) -> tuple[int, int, int | None, str]:
        return (self.corridor_id, self.indicator_id, self.destination_id, self.period_kind)


def _divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = 60
        return (Decimal(numerator) / Decimal(denominator)).quantize(MICRO, rounding=ROUND_HALF_UP)


def growth_on(value: Decimal, previous: Decimal | None) -> Decimal | None:
    """``value / previous - 1`` to six places; None when not computable or storable."""
    if previous is None or not previous:
        return None
    result = _divide(value - previous, previous)
    return result if abs(result) < GROWTH_LIMIT else None


def observation_statistics(observations: list[Obs], additive: set[int]) -> dict[int, dict[str, Any]]:
    """Growth and share of each observation, by its id."""
    by_series: dict[tuple, dict[dt.date, Obs]] = defaultdict(dict)
    by_destination_period: dict[tuple, list[Obs]] = defaultdict(list)
    for obs in observations:
        by_series[obs.series][obs.period_start] = obs
        if obs.indicator_id in additive and obs.destination_id is not None:
            key = (obs.indicator_id, obs.destination_id, obs.period_kind, obs.period_start)
            by_destination_period[key].append(obs)

    stats = {}
    for obs in observations:
        previous_start = Period(obs.period_start, obs.period_kind).shifted(-1).start
        previous = by_series[obs.series].get(previous_start)
        row = {
            "previous_value": None if previous is None else previous.value,
            "growth": None if previous is None else growth_on(obs.value, previous.value),
            "share": None,
            "corridors_counted": 0,
            "is_synthetic": obs.is_synthetic or (previous is not None and previous.is_synthetic),
        }
        group = by_destination_period.get((obs.indicator_id, obs.destination_id, obs.period_kind, obs.period_start))
        if group and len(group) >= 2:
            total = sum((o.value for o in group), Decimal(0))
            row["corridors_counted"] = len(group)
            if total:
                row["share"] = _divide(obs.value, total)
                row["is_synthetic"] = row["is_synthetic"] or any(o.is_synthetic for o in group)
        stats[obs.id] = row
    return stats


@dataclass(frozen=True)
class Reference:
    """An agreement concerning a corridor, and the date figures are compared around."""

    agreement_id: int
    corridor_id: int
    date: dt.date
    precision: str
    event: str

    @property
    def span(self) -> tuple[dt.date, dt.date]:
        """[first day, day after) of what the date says: the day, its month or its year."""
        if self.precision == DatePrecision.YEAR:
            start = self.date.replace(month=1, day=1)
            return start, add_months(start, 12)
        if self.precision == DatePrecision.MONTH:
            start = self.date.replace(day=1)
            return start, add_months(start, 1)
        return self.date, self.date + dt.timedelta(days=1)


def containing(day: dt.date, kind: str) -> Period:
    if kind == PeriodKind.YEAR:
        return Period(day.replace(month=1, day=1), kind)
    if kind == PeriodKind.QUARTER:
        return Period(day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1), kind)
    return Period(day.replace(day=1), kind)


def windows(reference: Reference, kind: str) -> tuple[list[dt.date], list[dt.date]]:
    """The starts of the WINDOW periods of ``kind`` before and after the reference's span."""
    start, end = reference.span
    last_before = containing(start, kind).shifted(-1)
    first_after = containing(end - dt.timedelta(days=1), kind).shifted(1)
    return (
        [last_before.shifted(-i).start for i in range(WINDOW)],
        [first_after.shifted(i).start for i in range(WINDOW)],
    )


def _average(values: list[Decimal], places: Decimal) -> Decimal | None:
    if not values:
        return None
    with localcontext() as context:
        context.prec = 60
        return (sum(values, Decimal(0)) / len(values)).quantize(places, rounding=ROUND_HALF_UP)


def agreement_changes(
    observations: list[Obs], stats: dict[int, dict[str, Any]], references: list[Reference]
) -> dict[tuple, dict[str, Any]]:
    """Rows by (agreement, corridor, indicator, destination, period kind)."""
    series_of_corridor: dict[int, dict[tuple, dict[dt.date, Obs]]] = defaultdict(lambda: defaultdict(dict))
    for obs in observations:
        series_of_corridor[obs.corridor_id][obs.series][obs.period_start] = obs
    rows = {}
    for ref in references:
        for (corridor_id, indicator_id, destination_id, kind), figures in series_of_corridor[ref.corridor_id].items():
            before_starts, after_starts = windows(ref, kind)
            before = [figures[s] for s in before_starts if s in figures]
            after = [figures[s] for s in after_starts if s in figures]
            if not before and not after:
                continue
            shares_before = [stats[o.id]["share"] for o in before if stats[o.id]["share"] is not None]
            shares_after = [stats[o.id]["share"] for o in after if stats[o.id]["share"] is not None]
            rows[(ref.agreement_id, corridor_id, indicator_id, destination_id, kind)] = {
                "reference_date": ref.date,
                "reference_event": ref.event,
                "window": WINDOW,
                "average_before": _average([o.value for o in before], VALUE_PLACES),
                "periods_before": len(before),
                "average_after": _average([o.value for o in after], VALUE_PLACES),
                "periods_after": len(after),
                "share_before": _average(shares_before, MICRO),
                "share_after": _average(shares_after, MICRO),
                "is_synthetic": any(stats[o.id]["is_synthetic"] for o in [*before, *after]),
            }
    return rows


def _references() -> list[Reference]:
    links = CorridorAgreement.objects.filter(
        Q(agreement__in_force_on__isnull=False) | Q(agreement__signed_on__isnull=False),
        agreement__is_published=True,
    ).values_list(
        "agreement_id",
        "corridor_id",
        "agreement__in_force_on",
        "agreement__in_force_precision",
        "agreement__signed_on",
        "agreement__signed_precision",
    )
    references = []
    for agreement_id, corridor_id, in_force_on, in_force_precision, signed_on, signed_precision in links:
        if in_force_on is not None:
            references.append(Reference(agreement_id, corridor_id, in_force_on, in_force_precision, "in_force"))
        else:
            references.append(Reference(agreement_id, corridor_id, signed_on, signed_precision, "signed"))
    return references


# --- writing only the differences -------------------------------------------------------------


def _differs(old: dict[str, Any], new: dict[str, Any], fields: list[str]) -> bool:
    return any(old[name] != new[name] for name in fields)


def _sync_statistics(new: dict[int, dict[str, Any]]) -> int:
    old = {
        row.pop("observation_id"): row
        for row in ObservationStatistic.objects.order_by().values("id", "observation_id", *STAT_FIELDS)
    }
    gone = [row["id"] for pk, row in old.items() if pk not in new]
    create = [ObservationStatistic(observation_id=pk, **v) for pk, v in new.items() if pk not in old]
    update = [
        ObservationStatistic(id=old[pk]["id"], observation_id=pk, **v)
        for pk, v in new.items()
        if pk in old and _differs(old[pk], v, STAT_FIELDS)
    ]
    return _write(ObservationStatistic, gone, create, update, STAT_FIELDS)


def _sync_changes(new: dict[tuple, dict[str, Any]]) -> int:
    key_fields = ["agreement_id", "corridor_id", "indicator_id", "destination_id", "period_kind"]
    old = {}
    for row in AgreementIndicatorChange.objects.order_by().values("id", *key_fields, *CHANGE_FIELDS):
        old[tuple(row.pop(name) for name in key_fields)] = row
    gone = [row["id"] for key, row in old.items() if key not in new]
    create, update = [], []
    for key, values in new.items():
        keys = dict(zip(key_fields, key, strict=True))
        if key not in old:
            create.append(AgreementIndicatorChange(**keys, **values))
        elif _differs(old[key], values, CHANGE_FIELDS):
            update.append(AgreementIndicatorChange(id=old[key]["id"], **keys, **values))
    return _write(AgreementIndicatorChange, gone, create, update, CHANGE_FIELDS)


def _write(model: type[Model], gone: list[int], create: list, update: list, fields: list[str]) -> int:
    for start in range(0, len(gone), 500):
        model._default_manager.filter(id__in=gone[start : start + 500]).delete()
    model._default_manager.bulk_update(update, fields, batch_size=500)
    model._default_manager.bulk_create(create, batch_size=500)
    return len(gone) + len(create) + len(update)


def published_agreement_ids_with_corridors(agreement_ids: set[int]) -> bool:
    """Whether any of these agreements concerns a corridor (a change to it moves corridor figures)."""
    return CorridorAgreement.objects.filter(agreement_id__in=agreement_ids).exists() if agreement_ids else False
