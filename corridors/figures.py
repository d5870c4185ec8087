"""Indicator figures as pages show them: one section per indicator on a
corridor's page (a chart, and the table it pictures, with growth, shares and
sources), and a destination country's split of cargo between corridors.

Each builder takes rows already loaded (one query each, see
``observations_for_corridor`` and ``observations_for_destination``) and does
the rest in Python, so the pages' query counts do not grow with figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, QuerySet

from corridors.models import AgreementIndicatorChange, IndicatorObservation
from corridors.periods import MONTHS_IN, Period, PeriodKind
from tradepacts.charts import Chart, Marker, Number, Series, line_chart, short_number

KIND_ORDER: dict[str, int] = {PeriodKind.YEAR: 0, PeriodKind.FISCAL_YEAR: 1, PeriodKind.QUARTER: 2, PeriodKind.MONTH: 3}
MAX_SERIES = 4  # lines one chart stays readable with; the table has them all


def observations_for_corridor(corridor_id: int) -> QuerySet[IndicatorObservation]:
    """Every figure of a corridor with what its row shows. One query."""
    return (
        IndicatorObservation.objects.filter(corridor_id=corridor_id)
        .select_related("indicator", "destination", "source", "statistic")
        .order_by(
            "indicator__name",
            "indicator_id",
            "period_kind",
            F("destination__name").asc(nulls_first=True),
            "period_start",
        )
    )


def observations_for_destination(country_id: int) -> QuerySet[IndicatorObservation]:
    """Every figure about cargo bound for a country, on any corridor. One query."""
    return (
        IndicatorObservation.objects.filter(destination_id=country_id)
        .select_related("indicator", "corridor", "source", "statistic")
        .order_by("indicator__name", "indicator_id", "period_kind", "period_start", "corridor__name")
    )


def x_of(period: Period) -> int:
    """The chart's x: the year, or a running number of quarters or months."""
    return period.start.year if period.kind == PeriodKind.YEAR else period.index


def x_formatter(kind: str) -> Callable[[int], str]:
    months = MONTHS_IN[kind]
    if kind == PeriodKind.YEAR:
        return str

    def fmt(x: int) -> str:
        total = x * months
        return str(Period(dt.date(total // 12, total % 12 + 1, 1), kind)).replace("-", " ")

    return fmt


def with_unit(unit: str) -> Callable[[Number], str]:
    """A chart's tooltip value: "405 k tonnes"."""
    return lambda value: f"{short_number(value)} {unit}"


def plain_number(value: Decimal | None) -> str:
    """600000, 12.5: no trailing zeros, no exponent (the CSV's cells)."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


@dataclass
class FigureRow:
    observation: IndicatorObservation
    period: str
    value: str
    growth: Decimal | None
    share: Decimal | None
    corridors_counted: int

    @property
    def is_synthetic(self) -> bool:
        return self.observation.is_synthetic

    @property
    def derived_from_synthetic(self) -> bool:
        """An observed figure whose growth or share used a synthetic one."""
        statistic = getattr(self.observation, "statistic", None)
        return not self.observation.is_synthetic and bool(statistic and statistic.is_synthetic)


@dataclass
class Section:
    """One indicator and one period kind: a chart and its table."""

    indicator: object
    kind: str
    anchor: str
    chart: Chart
    rows: list[FigureRow] = field(default_factory=list)
    has_share: bool = False
    has_synthetic: bool = False
    sources: list = field(default_factory=list)


def _row(observation: IndicatorObservation) -> FigureRow:
    statistic = getattr(observation, "statistic", None)
    return FigureRow(
        observation,
        str(observation.period),
        _value_text(observation),
        statistic.growth if statistic else None,
        statistic.share if statistic else None,
        statistic.corridors_counted if statistic else 0,
    )


def markers_for(references: list[tuple[dt.date, str, str]], kind: str) -> list[Marker]:
    """Agreements as chart markers at the period holding their date: (date, label, url)."""
    return [Marker(x_of(_containing(date, kind)), label, href=url) for date, label, url in references]


def _containing(day: dt.date, kind: str) -> Period:
    months = MONTHS_IN[kind]
    return Period(day.replace(month=(day.month - 1) // months * months + 1, day=1), kind)


def corridor_sections(
    observations: list[IndicatorObservation],
    references: list[tuple[dt.date, str, str]],
    chart_prefix: str = "indicator",
) -> list[Section]:
    """One section per (indicator, period kind), series by destination."""
    grouped: dict[tuple, list[IndicatorObservation]] = defaultdict(list)
    for observation in observations:
        grouped[(observation.indicator_id, observation.period_kind)].append(observation)
    sections = []
    for (_indicator_id, kind), group in sorted(
        grouped.items(), key=lambda item: (item[1][0].indicator.name, KIND_ORDER[item[0][1]])
    ):
        indicator = group[0].indicator
        by_destination: dict[str, list[IndicatorObservation]] = defaultdict(list)
        for observation in group:
            destination = observation.destination  # None without a query when there is none
            name = destination.name if destination is not None else "All destinations"
            by_destination[name].append(observation)
        series = [
            Series(
                f"Bound for {name}" if name != "All destinations" else name,
                [(x_of(o.period), o.value) for o in figures],
                synthetic_xs=frozenset(x_of(o.period) for o in figures if o.is_synthetic),
            )
            for name, figures in list(by_destination.items())[:MAX_SERIES]
        ]
        anchor = f"{chart_prefix}-{indicator.slug}-{kind}"
        chart = line_chart(
            series,
            markers=markers_for(references, kind),
            title=f"{indicator.name} ({indicator.unit}), by {PeriodKind(kind).label.lower()}",
            y_label=indicator.unit,
            chart_id=f"{anchor}-chart",
            x_format=x_formatter(kind),
            value_format=with_unit(indicator.unit),
        )
        rows = [_row(o) for o in group]
        sources = list({o.source_id: o.source for o in group if o.source_id}.values())
        sections.append(
            Section(
                indicator,
                kind,
                anchor,
                chart,
                rows,
                has_share=any(r.share is not None for r in rows),
                has_synthetic=any(o.is_synthetic for o in group),
                sources=sources,
            )
        )
    return sections


# --- a destination's split between corridors -------------------------------------------


@dataclass(frozen=True)
class SplitCell:
    corridor: object  # its label when the table stacks on a phone
    value: str  # "" when the corridor has no figure for the period
    share: Decimal | None
    synthetic: bool  # the figure itself
    derived_from_synthetic: bool  # its share (or growth) used another corridor's synthetic figure


@dataclass
class SplitRow:
    period: str
    cells: list[SplitCell]  # one per corridor


@dataclass
class Split:
    """One additive indicator, one period kind: each corridor's share of the destination's total."""

    indicator: object
    kind: str
    corridors: list
    chart: Chart
    rows: list[SplitRow]
    has_synthetic: bool


def destination_splits(
    observations: list[IndicatorObservation], references: list[tuple[dt.date, str, str]], iso3: str
) -> list[Split]:
    grouped: dict[tuple, list[IndicatorObservation]] = defaultdict(list)
    for observation in observations:
        if observation.indicator.additive:
            grouped[(observation.indicator_id, observation.period_kind)].append(observation)
    splits = []
    for (_indicator_id, kind), group in sorted(
        grouped.items(), key=lambda item: (item[1][0].indicator.name, KIND_ORDER[item[0][1]])
    ):
        indicator = group[0].indicator
        corridors = list({o.corridor_id: o.corridor for o in group}.values())
        corridors.sort(key=lambda c: c.name)
        if len(corridors) < 2:
            continue  # one corridor alone has no split to show
        periods = sorted({o.period for o in group})
        cell = {(o.corridor_id, o.period): o for o in group}
        rows = []
        for period in periods:
            cells = []
            for corridor in corridors:
                o = cell.get((corridor.pk, period))
                statistic = getattr(o, "statistic", None) if o else None
                cells.append(
                    SplitCell(
                        corridor,
                        "" if o is None else _qualified(o),
                        statistic.share if statistic else None,
                        bool(o and o.is_synthetic),
                        bool(o and not o.is_synthetic and statistic and statistic.is_synthetic),
                    )
                )
            rows.append(SplitRow(str(period), cells))
        series = []
        for i, corridor in enumerate(corridors[:MAX_SERIES]):
            points = []
            synthetic = set()
            for period, row in zip(periods, rows, strict=True):
                share = row.cells[i].share
                points.append((x_of(period), None if share is None else share * 100))
                if row.cells[i].synthetic or row.cells[i].derived_from_synthetic:
                    synthetic.add(x_of(period))
            series.append(Series(f"Via the {corridor.name}", points, synthetic_xs=frozenset(synthetic)))
        chart = line_chart(
            series,
            markers=markers_for(references, kind),
            title=f"Share of {indicator.name.lower()} bound for {iso3} by corridor, by {PeriodKind(kind).label.lower()}",
            y_label="% of the total",
            chart_id=f"split-{indicator.slug}-{kind}-chart",
            x_format=x_formatter(kind),
            value_format=lambda v: f"{v:.1f}%",
        )
        splits.append(Split(indicator, kind, corridors, chart, rows, any(o.is_synthetic for o in group)))
    return splits


def _qualified(observation: IndicatorObservation) -> str:
    """ "about 600,000": the figure as its source hedges it."""
    qualifier = observation.get_qualifier_display().lower() + " " if observation.qualifier else ""
    return qualifier + _value_text(observation)


def _value_text(observation: IndicatorObservation) -> str:
    """600,000 or 12.5: thousands separated, no trailing zeros."""
    return f"{observation.value.normalize():,f}"


def changes_for_corridor(corridor_id: int) -> QuerySet[AgreementIndicatorChange]:
    """The before/after rows of a corridor, newest agreement first. One query."""
    return (
        AgreementIndicatorChange.objects.filter(corridor_id=corridor_id, agreement__is_published=True)
        .select_related("agreement", "indicator", "destination")
        .order_by("-reference_date", "agreement_id", "indicator__name", "destination__name", "period_kind")
    )


def changes_for_destination(country_id: int) -> QuerySet[AgreementIndicatorChange]:
    """The before/after shares of a destination, on additive indicators. One query."""
    return (
        AgreementIndicatorChange.objects.filter(
            destination_id=country_id, indicator__additive=True, agreement__is_published=True
        )
        .select_related("agreement", "indicator", "corridor")
        .order_by("-reference_date", "agreement_id", "corridor__name", "indicator__name", "period_kind")
    )
