"""The line chart drawn: its inputs (series, markers), the layouts, and the view the template
includes/line_chart.html renders (axes, paths, points, legend, the text description)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from tradepacts.charts.scales import LinearScale, Number, nice_ticks, segments, short_number, tick_decimals, x_ticks

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
