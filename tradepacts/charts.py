"""Line charts drawn on the server as SVG: no JavaScript, nothing a strict
Content-Security-Policy blocks, readable without colour.

Usage
-----
Build a chart in the view (or a page module), render it with the include::

    from tradepacts.charts import Marker, Series, line_chart

    chart = line_chart(
        [
            Series("Rwanda → Tanzania", [(2012, Decimal("18e6")), (2013, None), (2014, Decimal("21e6"))]),
            Series("Tanzania → Rwanda", [(2012, Decimal("120e6")), ...], synthetic_xs={2012, 2013}),
        ],
        markers=[Marker(2025, "Talks in Dar es Salaam", href="/agreements/talks/")],
        title="Trade between Rwanda and Tanzania",
        y_label="US$",
        chart_id="trade-chart",
    )

    {% include "includes/line_chart.html" with chart=chart %}

The include draws the figure (a wide and a narrow drawing of the same data;
CSS shows the one that fits the screen, so tick labels stay legible on a 375 px
phone), its legend (each series' line and point shape beside its label) and a
numbered list of the markers, linked. Put the table of figures next to it: the
chart is a picture of the table, never the only place a figure is.

API
---
``Series(label, points, synthetic_xs=frozenset())``
    ``points``: ``(x, y)`` pairs, ``x`` an int (a year, or any evenly spaced
    period number), ``y`` a Decimal, int, float, or None for a missing value.
    Points are drawn in x order; a None, or a jump in x larger than the chart's
    ``x_step``, breaks the line (a gap, never a line across missing years). A
    point alone between gaps still shows as its marker. Points whose x is in
    ``synthetic_xs`` are drawn hollow and the legend explains it.
``Marker(x, label, href="")``
    A vertical line at ``x`` for an event (an agreement signed, a port opened),
    numbered at the top of the plot and listed under the chart by number. Markers
    up to ``MARKER_REACH`` periods beyond the data widen the x axis; markers
    further away are listed in ``chart.off_axis_markers`` (the include says
    they fall outside the chart's years) rather than squashing the data.
``line_chart(series, *, markers=(), title, y_label, chart_id, description="",
x_step=1, tick_format=short_number, value_format=None, x_format=str) -> Chart``
    ``title`` goes in the SVG's <title>, ``description`` (default: generated
    from the data: range of x, each series' last value) in its <desc>;
    ``y_label`` is the unit written above the y axis ("US$", "tonnes",
    "hours"). ``tick_format(value, unit_of)`` formats a y tick; the default
    writes every tick in the unit of the largest ("0", "50 M", "100 M").
    ``value_format(value)`` formats a point's tooltip value and the description's
    (default ``default_value_format``: "252.5 M"). ``x_format(x)`` writes an x tick ("2019", or
    "2019 Q3" for quarter numbers). ``chart_id`` must be unique on the page
    (ids of the title, description and legend derive from it).

``Chart`` fields the template uses: ``empty`` (no value to draw: say so instead),
``views`` (the wide and narrow ``ChartView`` drawings), ``legend``
(``LegendEntry``: label, css class, dash pattern, marker shape path),
``events`` (every marker by number, ``on_axis`` False for those outside the
axis), ``has_synthetic``.

The geometry helpers (``LinearScale``, ``nice_ticks``, ``x_ticks``,
``segments``, ``short_number``) are public and unit-tested in
tradepacts/tests/test_charts.py. Series styles (colour classes
``chart-series--1`` .. ``--4`` in static/css/site.css, dash patterns, marker
shapes) repeat after four series; a chart with more lines is unreadable anyway.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

Number = Decimal | int | float

# How many periods beyond the data a marker may widen the x axis.
MARKER_REACH = 3

# Per series: a dash pattern (SVG stroke-dasharray, "" for solid) and a point
# shape drawn around (0, 0) with "radius" 1, scaled by the view.
DASHES = ["", "7 4", "2 3", "9 3 2 3"]
SHAPES = {
    "circle": "M -1 0 A 1 1 0 1 0 1 0 A 1 1 0 1 0 -1 0 Z",
    "square": "M -0.85 -0.85 H 0.85 V 0.85 H -0.85 Z",
    "triangle": "M 0 -1.15 L 1.05 0.75 H -1.05 Z",
    "diamond": "M 0 -1.2 L 1.2 0 L 0 1.2 L -1.2 0 Z",
}
SHAPE_ORDER = ["circle", "square", "triangle", "diamond"]
# Fallback strokes when the stylesheet is missing (the classes in site.css win).
COLOURS = ["#0b5cad", "#b35900", "#2f7d32", "#7b3fa0"]

SUFFIXES = [(Decimal(10) ** 12, " T"), (Decimal(10) ** 9, " B"), (Decimal(10) ** 6, " M"), (Decimal(10) ** 3, " k")]


# --- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[int, Number | None]]
    synthetic_xs: frozenset[int] | set[int] = frozenset()


@dataclass(frozen=True)
class Marker:
    x: int
    label: str
    href: str = ""


# --- geometry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinearScale:
    """Maps [domain_min, domain_max] onto [range_min, range_max] (either may run backwards,
    as the y axis does: bigger values higher up, smaller SVG y)."""

    domain_min: float
    domain_max: float
    range_min: float
    range_max: float

    def __call__(self, value: Number) -> float:
        span = self.domain_max - self.domain_min
        if span == 0:
            return (self.range_min + self.range_max) / 2
        share = (float(value) - self.domain_min) / span
        return round(self.range_min + share * (self.range_max - self.range_min), 1)


def nice_step(span: Decimal, target: int) -> Decimal:
    """The step of 1, 2, 2.5 or 5 times a power of ten giving about ``target`` intervals over ``span``."""
    raw = span / target
    exponent = math.floor(math.log10(raw))
    power = Decimal(10) ** exponent
    for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if factor * power >= raw:
            return factor * power
    return 10 * power  # not reached: 10 * power >= raw always


def nice_ticks(low: Number, high: Number, target: int = 5) -> list[Decimal]:
    """Evenly spaced round values covering [low, high], always including 0 when the
    range crosses or touches it (so bars of trade are measured from nothing)."""
    low, high = Decimal(str(low)), Decimal(str(high))
    low, high = min(low, Decimal(0)), max(high, Decimal(0))
    if low == high:  # only zeros
        return [Decimal(0), Decimal(1)]
    step = nice_step(high - low, target)
    first = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    last = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    count = int((last - first) / step)
    return [first + step * i for i in range(count + 1)]


def x_ticks(first: int, last: int, max_ticks: int) -> list[int]:
    """Tick positions for periods first..last: every period when they fit, else every
    2nd, 5th, 10th ... aligned on multiples of the step (2015, 2020, not 2013, 2018)."""
    if last < first:
        return []
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000):
        start = math.ceil(first / step) * step
        ticks = list(range(start, last + 1, step))
        if len(ticks) <= max_ticks:
            return ticks or [first]
    return [first, last]


def segments(points: Iterable[tuple[int, Number | None]], x_step: int = 1) -> list[list[tuple[int, Number]]]:
    """The runs of consecutive known points: a None or a jump of more than ``x_step`` ends a run."""
    runs: list[list[tuple[int, Number]]] = []
    previous_x: int | None = None
    for x, y in sorted(points, key=lambda point: point[0]):
        if y is None:
            previous_x = None
            continue
        if previous_x is None or x - previous_x > x_step:
            runs.append([])
        runs[-1].append((x, y))
        previous_x = x
    return runs


def short_number(value: Number, unit_of: Number | None = None, decimals: int | None = None) -> str:
    """``value`` with a k/M/B/T suffix chosen by ``unit_of`` (default: the value itself), so a
    column of ticks shares one unit: short_number(50e6, 150e6) == "50 M", short_number(0) == "0".
    Enough decimals to tell 0.25 B from 0.5 B; ``decimals`` forces a number of them."""
    value = Decimal(str(value))
    reference = abs(Decimal(str(unit_of))) if unit_of is not None else abs(value)
    divisor, suffix = next(((d, s) for d, s in SUFFIXES if reference >= d), (Decimal(1), ""))
    scaled = value / divisor
    if value == 0:
        return "0"
    if decimals is None:
        decimals = 0
        while decimals < 3 and scaled != round(scaled, decimals):
            decimals += 1
    text = f"{scaled:,.{decimals}f}"
    return f"{text}{suffix}"


def tick_decimals(ticks: Sequence[Decimal]) -> int:
    """Decimals needed so every tick in the shared unit reads distinctly ("0.25 B" needs 2)."""
    top = max((abs(t) for t in ticks), default=Decimal(0))
    divisor = next((d for d, _ in SUFFIXES if top >= d), Decimal(1))
    decimals = 0
    while decimals < 3 and any((t / divisor) != round(t / divisor, decimals) for t in ticks):
        decimals += 1
    return decimals


# --- output -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """One drawing size. Text is in SVG units, so a narrower viewBox keeps it legible on a phone."""

    name: str
    width: int
    height: int
    font: int
    max_x_ticks: int
    y_ticks: int
    point_radius: float


WIDE = Layout("wide", width=720, height=320, font=13, max_x_ticks=14, y_ticks=5, point_radius=4)
NARROW = Layout("narrow", width=360, height=260, font=12, max_x_ticks=6, y_ticks=4, point_radius=3.5)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str
    hollow: bool


@dataclass(frozen=True)
class DrawnSeries:
    label: str
    css_class: str
    colour: str
    dash: str
    shape: str  # a path around (0, 0), already scaled to the view's point size
    path: str  # "M x y L x y ... M ..." one subpath per run of known points
    points: list[Point]


@dataclass(frozen=True)
class DrawnMarker:
    """A vertical line at ``x`` and, above the plot, a numbered badge (shifted right when
    several markers share a period) matching the numbered list under the chart."""

    number: int
    x: float
    badge_x: float
    badge_y: float
    radius: float
    title: str


@dataclass(frozen=True)
class ChartView:
    layout: Layout
    title_id: str
    desc_id: str
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    series: list[DrawnSeries]
    markers: list[DrawnMarker]
    zero_y: float | None

    @property
    def view_box(self) -> str:
        return f"0 0 {self.layout.width} {self.layout.height}"

    @property
    def label_y(self) -> float:
        """Baseline of the unit label, top left."""
        return self.layout.font + 1

    @property
    def x_label_y(self) -> float:
        return self.plot_bottom + self.layout.font + 8

    @property
    def y_label_x(self) -> float:
        return round(self.plot_left - 8, 1)

    @property
    def x_tick_end(self) -> float:
        return self.plot_bottom + 5


@dataclass(frozen=True)
class LegendEntry:
    label: str
    css_class: str
    colour: str
    dash: str
    shape: str  # scaled for a 36 x 14 sample drawing


@dataclass(frozen=True)
class NumberedMarker:
    number: int
    x: int
    x_text: str
    label: str
    href: str
    on_axis: bool = True


@dataclass
class Chart:
    chart_id: str
    title: str
    description: str
    y_label: str
    empty: bool
    views: list[ChartView] = field(default_factory=list)
    legend: list[LegendEntry] = field(default_factory=list)
    markers: list[NumberedMarker] = field(default_factory=list)
    off_axis_markers: list[NumberedMarker] = field(default_factory=list)
    has_synthetic: bool = False

    @property
    def events(self) -> list[NumberedMarker]:
        """Every marker by number, on the axis or not, for the list under the chart."""
        return sorted([*self.markers, *self.off_axis_markers], key=lambda m: m.number)

    @property
    def legend_id(self) -> str:
        return f"{self.chart_id}-legend"


def scaled_shape(shape: str, radius: float) -> str:
    """A SHAPES path with every coordinate multiplied by ``radius``."""
    parts = []
    for token in shape.split():
        try:
            parts.append(f"{float(token) * radius:g}")
        except ValueError:
            parts.append(token)
    return " ".join(parts)


def _arc_safe(shape_name: str, radius: float) -> str:
    """Scale a shape; for the circle the arc flags (0 1 0) must not be scaled."""
    if shape_name != "circle":
        return scaled_shape(SHAPES[shape_name], radius)
    r = f"{radius:g}"
    return f"M -{r} 0 A {r} {r} 0 1 0 {r} 0 A {r} {r} 0 1 0 -{r} 0 Z"


def _style(index: int) -> tuple[str, str, str, str]:
    """(css class, colour, dash, shape name) of the index-th series."""
    i = index % len(DASHES)
    return f"chart-series--{i + 1}", COLOURS[i], DASHES[i], SHAPE_ORDER[i]


def default_value_format(value: Number) -> str:
    """A point's value in its own unit, to one decimal: "252.5 M", "1.6 B", "30"."""
    text = short_number(value, decimals=1)
    return text.replace(".0 ", " ") if ".0 " in text else text.removesuffix(".0")


def line_chart(
    series: Sequence[Series],
    *,
    markers: Sequence[Marker] = (),
    title: str,
    y_label: str,
    chart_id: str,
    description: str = "",
    x_step: int = 1,
    tick_format: Callable[[Decimal, Decimal], str] | None = None,
    value_format: Callable[[Number], str] | None = None,
    x_format: Callable[[int], str] = str,
) -> Chart:
    """Lay out ``series`` (and event ``markers``) as a wide and a narrow SVG drawing."""
    known = [(x, Decimal(str(y))) for s in series for x, y in s.points if y is not None]
    if not known:
        return Chart(chart_id, title, description or f"{title}: no figures to chart.", y_label, empty=True)

    data_first = min(x for x, _ in known)
    data_last = max(x for x, _ in known)
    first = min([data_first] + [m.x for m in markers if data_first - MARKER_REACH <= m.x < data_first])
    last = max([data_last] + [m.x for m in markers if data_last < m.x <= data_last + MARKER_REACH])
    numbered = [
        NumberedMarker(n, m.x, x_format(m.x), m.label, m.href, on_axis=first <= m.x <= last)
        for n, m in enumerate(sorted(markers, key=lambda m: (m.x, m.label)), start=1)
    ]
    on_axis = [m for m in numbered if m.on_axis]
    off_axis = [m for m in numbered if not m.on_axis]

    low = min(y for _, y in known)
    high = max(y for _, y in known)
    fmt_value = value_format or default_value_format

    views = []
    for layout in (WIDE, NARROW):
        ticks = nice_ticks(low, high, layout.y_ticks)
        tick_unit = max(abs(ticks[0]), abs(ticks[-1]))
        if tick_format is None:
            decimals = tick_decimals(ticks)
            labels = [short_number(t, tick_unit, decimals) for t in ticks]
        else:
            labels = [tick_format(t, tick_unit) for t in ticks]
        views.append(
            _draw(
                layout,
                chart_id,
                series,
                on_axis,
                first,
                last,
                ticks,
                labels,
                x_step,
                fmt_value,
                x_format,
            )
        )

    legend = []
    for index, s in enumerate(series):
        css, colour, dash, shape = _style(index)
        legend.append(LegendEntry(s.label, css, colour, dash, _arc_safe(shape, 4)))
    has_synthetic = any(x in s.synthetic_xs for s in series for x, y in s.points if y is not None)
    if not description:
        description = _describe(title, series, first, last, on_axis, y_label, fmt_value, x_format, has_synthetic)
    return Chart(chart_id, title, description, y_label, False, views, legend, on_axis, off_axis, has_synthetic)


def _draw(
    layout: Layout,
    chart_id: str,
    series: Sequence[Series],
    markers: Sequence[NumberedMarker],
    first: int,
    last: int,
    ticks: list[Decimal],
    labels: list[str],
    x_step: int,
    fmt_value: Callable[[Number], str],
    x_format: Callable[[int], str],
) -> ChartView:
    font = layout.font
    # Room for the widest tick label (about 0.62 em per character) and the gap to the axis.
    left = max(len(label) for label in labels) * font * 0.62 + 14
    left = max(left, len(x_format(first)) * font * 0.31 + 4)
    right = max(len(x_format(last)) * font * 0.31 + 4, layout.point_radius + 8)
    top = font * 2 + 12  # the unit label, then the marker badges
    bottom = layout.height - font - 14
    plot_left, plot_right = round(left, 1), round(layout.width - right, 1)
    pad = layout.point_radius + 4 if first != last else 0
    x_scale = LinearScale(first, last, plot_left + pad, plot_right - pad)
    y_scale = LinearScale(float(ticks[0]), float(ticks[-1]), bottom, top)

    drawn = []
    for index, s in enumerate(series):
        css, colour, dash, shape = _style(index)
        # A point alone between gaps has no line, only its marker.
        path = " ".join(
            " ".join(f"{'M' if i == 0 else 'L'} {x_scale(x):g} {y_scale(y):g}" for i, (x, y) in enumerate(run))
            for run in segments(s.points, x_step)
            if len(run) > 1
        )
        points = [
            Point(
                x_scale(x),
                y_scale(y),
                f"{s.label}, {x_format(x)}: {fmt_value(y)}{' (synthetic)' if x in s.synthetic_xs else ''}",
                x in s.synthetic_xs,
            )
            for x, y in sorted(s.points, key=lambda p: p[0])
            if y is not None
        ]
        drawn.append(DrawnSeries(s.label, css, colour, dash, _arc_safe(shape, layout.point_radius), path, points))

    drawn_markers = []
    stacked: dict[int, int] = {}
    radius = round(font * 0.62, 1)
    for m in markers:
        level = stacked.get(m.x, 0)
        stacked[m.x] = level + 1
        x = x_scale(m.x)
        drawn_markers.append(
            DrawnMarker(
                m.number,
                x,
                round(x + level * radius * 2.2, 1),
                round(top - radius - 3, 1),
                radius,
                f"{m.number}. {m.x_text}: {m.label}",
            )
        )

    zero = Decimal(0)
    return ChartView(
        layout=layout,
        title_id=f"{chart_id}-{layout.name}-title",
        desc_id=f"{chart_id}-{layout.name}-desc",
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=top,
        plot_bottom=bottom,
        y_ticks=[Tick(y_scale(t), label) for t, label in zip(ticks, labels, strict=True)],
        x_ticks=[Tick(x_scale(x), x_format(x)) for x in x_ticks(first, last, layout.max_x_ticks)],
        series=drawn,
        markers=drawn_markers,
        zero_y=y_scale(zero) if ticks[0] < zero < ticks[-1] else None,
    )


def _describe(
    title: str,
    series: Sequence[Series],
    first: int,
    last: int,
    markers: Sequence[NumberedMarker],
    y_label: str,
    fmt_value: Callable[[Number], str],
    x_format: Callable[[int], str],
    has_synthetic: bool,
) -> str:
    parts = [f"{title}, {x_format(first)} to {x_format(last)}, in {y_label}."]
    for s in series:
        known = [(x, y) for x, y in sorted(s.points, key=lambda p: p[0]) if y is not None]
        if known:
            x, y = known[-1]
            parts.append(f"{s.label}: {len(known)} figures, the latest {fmt_value(y)} in {x_format(x)}.")
        else:
            parts.append(f"{s.label}: no figures.")
    if markers:
        parts.append(f"Vertical lines mark {len(markers)} event{'s' if len(markers) != 1 else ''}, listed below.")
    if has_synthetic:
        parts.append("Hollow points are synthetic figures, not observed.")
    return " ".join(parts)
