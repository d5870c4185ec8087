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

from tradepacts.charts.drawing import (
    MARKER_REACH,
    NARROW,
    WIDE,
    Chart,
    ChartView,
    Layout,
    Marker,
    Series,
    default_value_format,
    line_chart,
)
from tradepacts.charts.scales import (
    LinearScale,
    Number,
    nice_step,
    nice_ticks,
    segments,
    short_number,
    tick_decimals,
    x_ticks,
)

__all__ = [
    "MARKER_REACH",
    "NARROW",
    "WIDE",
    "Chart",
    "ChartView",
    "Layout",
    "LinearScale",
    "Marker",
    "Number",
    "Series",
    "default_value_format",
    "line_chart",
    "nice_step",
    "nice_ticks",
    "segments",
    "short_number",
    "tick_decimals",
    "x_ticks",
]
