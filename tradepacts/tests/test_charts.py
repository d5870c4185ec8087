"""The server-side line chart (tradepacts.charts): its geometry, and the SVG the include draws."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string

from tradepacts.charts import (
    MARKER_REACH,
    NARROW,
    WIDE,
    LinearScale,
    Marker,
    Series,
    default_value_format,
    line_chart,
    nice_ticks,
    segments,
    short_number,
    x_ticks,
)

M = Decimal(1_000_000)


def test_linear_scale_maps_the_domain_onto_the_range_either_way_round():
    x = LinearScale(2010, 2020, 50, 650)
    assert (x(2010), x(2015), x(2020)) == (50, 350, 650)
    y = LinearScale(0, 200, 300, 100)  # SVG y grows downwards: bigger values higher up
    assert (y(0), y(50), y(200)) == (300, 250, 100)
    assert y(Decimal("12.5")) == 287.5
    assert LinearScale(2020, 2020, 50, 650)(2020) == 350  # one period: the middle


@pytest.mark.parametrize(
    ("low", "high", "target", "expected"),
    [
        (0, 252 * M, 5, [0, 100 * M, 200 * M, 300 * M]),
        (0, 252 * M, 4, [0, 100 * M, 200 * M, 300 * M]),
        (10 * M, 87 * M, 5, [0, 20 * M, 40 * M, 60 * M, 80 * M, 100 * M]),  # from zero, not from 10 M
        (0, 9, 4, [0, Decimal("2.5"), 5, Decimal("7.5"), 10]),
        (-3, 7, 5, [-4, -2, 0, 2, 4, 6, 8]),
        (0, 0, 5, [0, 1]),  # nothing but zeros still gives an axis
        (0, 1, 5, [0, Decimal("0.2"), Decimal("0.4"), Decimal("0.6"), Decimal("0.8"), 1]),
    ],
)
def test_nice_ticks_are_round_evenly_spaced_and_cover_the_data_from_zero(low, high, target, expected):
    assert nice_ticks(low, high, target) == [Decimal(v) for v in expected]


def test_x_ticks_show_every_year_when_they_fit_and_thin_to_round_years_when_not():
    assert x_ticks(2012, 2025, 14) == list(range(2012, 2026))
    assert x_ticks(2012, 2025, 6) == [2015, 2020, 2025]
    assert x_ticks(2012, 2017, 6) == [2012, 2013, 2014, 2015, 2016, 2017]
    assert x_ticks(2012, 2018, 6) == [2012, 2014, 2016, 2018]
    assert x_ticks(1960, 2025, 6) == [1960, 1980, 2000, 2020]
    assert x_ticks(2025, 2025, 6) == [2025]


def test_segments_break_at_missing_values_and_at_jumps_in_x():
    points = [(2015, 4), (2012, 1), (2013, None), (2014, 3), (2018, 5), (2019, 6)]
    assert segments(points) == [[(2012, 1)], [(2014, 3), (2015, 4)], [(2018, 5), (2019, 6)]]
    assert segments([(2012, 1), (2014, 2)], x_step=2) == [[(2012, 1), (2014, 2)]]
    assert segments([(2012, None)]) == []


@pytest.mark.parametrize(
    ("value", "unit_of", "expected"),
    [
        (0, 300 * M, "0"),
        (50 * M, 150 * M, "50 M"),
        (150 * M, 150 * M, "150 M"),
        (Decimal("250000000"), Decimal("1.5e9"), "0.25 B"),
        (Decimal("1.5e9"), Decimal("1.5e9"), "1.5 B"),
        (2500, 10_000, "2.5 k"),
        (600_000, None, "600 k"),
        (12, None, "12"),
        (-2 * M, 8 * M, "-2 M"),
    ],
)
def test_short_number_writes_a_column_of_ticks_in_one_unit(value, unit_of, expected):
    assert short_number(value, unit_of) == expected


def test_a_points_value_is_written_in_its_own_unit_to_one_decimal():
    assert default_value_format(Decimal("252549019.61")) == "252.5 M"
    assert default_value_format(Decimal("1600000000")) == "1.6 B"
    assert default_value_format(30) == "30"


def trade_chart(**kwargs):
    a_to_b = Series("RWA → TZA", [(2012, 20 * M), (2013, None), (2014, 30 * M), (2015, 40 * M)], synthetic_xs={2012})
    b_to_a = Series("TZA → RWA", [(2012, 100 * M), (2013, 110 * M), (2014, 120 * M), (2015, 130 * M)])
    return line_chart([a_to_b, b_to_a], title="Trade", y_label="US$", chart_id="trade", **kwargs)


def test_the_chart_scales_points_into_the_plot_with_zero_at_the_bottom():
    chart = trade_chart()
    wide = chart.views[0]
    assert wide.layout == WIDE and chart.views[1].layout == NARROW
    assert [t.label for t in wide.y_ticks] == ["0", "50 M", "100 M", "150 M"]
    assert wide.y_ticks[0].position == wide.plot_bottom and wide.y_ticks[-1].position == wide.plot_top
    assert [t.label for t in wide.x_ticks] == ["2012", "2013", "2014", "2015"]
    first, *_, last = wide.x_ticks
    assert wide.plot_left < first.position < last.position < wide.plot_right
    # Tanzania's 2013 exports of 110 M: 110/150 of the way up the plot.
    point = wide.series[1].points[1]
    expected_y = wide.plot_bottom - (wide.plot_bottom - wide.plot_top) * 110 / 150
    assert point.y == pytest.approx(expected_y, abs=0.1)
    assert point.title == "TZA → RWA, 2013: 110 M"
    assert point.x == wide.x_ticks[1].position


def test_a_missing_year_breaks_the_line_and_a_lone_point_keeps_its_marker():
    wide = trade_chart().views[0]
    rwa = wide.series[0]
    # 2012 stands alone (2013 is missing): no line to it, one subpath 2014-2015.
    assert rwa.path.count("M") == 1 and rwa.path.count("L") == 1
    assert len(rwa.points) == 3
    tza = wide.series[1]
    assert tza.path.count("M") == 1 and tza.path.count("L") == 3


def test_synthetic_points_are_hollow_and_explained():
    chart = trade_chart()
    points = chart.views[0].series[0].points
    assert [p.hollow for p in points] == [True, False, False]
    assert points[0].title.endswith("(synthetic)")
    assert chart.has_synthetic
    assert "Hollow points are synthetic" in chart.description


def test_series_differ_by_dash_and_shape_not_only_colour():
    series = [Series(f"S{i}", [(2000, i), (2001, i + 1)]) for i in range(4)]
    chart = line_chart(series, title="T", y_label="t", chart_id="c")
    entries = chart.legend
    assert len({e.dash for e in entries}) == 4
    assert len({e.shape for e in entries}) == 4
    assert len({e.css_class for e in entries}) == 4


def test_markers_near_the_data_widen_the_axis_and_far_ones_are_listed_off_it():
    chart = trade_chart(
        markers=[
            Marker(2015 + MARKER_REACH, "Talks", "/agreements/talks/"),
            Marker(1990, "Old treaty"),
            Marker(2014, "MoU"),
            Marker(2014, "Protocol"),
        ]
    )
    assert [(m.number, m.label) for m in chart.events] == [(1, "Old treaty"), (2, "MoU"), (3, "Protocol"), (4, "Talks")]
    assert [m.number for m in chart.off_axis_markers] == [1]
    wide = chart.views[0]
    assert wide.x_ticks[-1].label == str(2015 + MARKER_REACH)
    mou, protocol, talks = wide.markers
    assert mou.x == protocol.x == wide.x_ticks[2].position  # 2014
    assert protocol.badge_x > mou.badge_x  # side by side, not on top of each other
    assert talks.x == wide.x_ticks[-1].position


def test_many_years_thin_the_ticks_more_on_the_narrow_drawing():
    series = [Series("S", [(year, year - 1990) for year in range(1995, 2026)])]
    chart = line_chart(series, title="T", y_label="t", chart_id="c")
    wide, narrow = chart.views
    assert [t.label for t in wide.x_ticks] == ["1995", "2000", "2005", "2010", "2015", "2020", "2025"]
    assert [t.label for t in narrow.x_ticks] == ["2000", "2010", "2020"]


def test_no_figures_gives_an_empty_chart_that_says_so():
    chart = line_chart([Series("S", [(2020, None)])], title="Trade", y_label="US$", chart_id="c")
    assert chart.empty and not chart.views
    html = render_to_string("includes/line_chart.html", {"chart": chart})
    assert "no figures to chart" in html and "<svg" not in html


class Tags(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_the_include_draws_accessible_svg_without_script_or_inline_style():
    chart = trade_chart(markers=[Marker(2014, "MoU <b>", "/agreements/mou/")])
    html = render_to_string("includes/line_chart.html", {"chart": chart})
    tags = Tags(html).tags
    svgs = [attrs for tag, attrs in tags if tag == "svg" and "chart__svg" in (attrs.get("class") or "")]
    assert len(svgs) == 2
    for attrs in svgs:
        assert attrs["role"] == "img"
        assert attrs["viewbox"].startswith("0 0 ")  # the parser lower-cases attribute names
        title_id, desc_id = attrs["aria-labelledby"], attrs["aria-describedby"]
        assert f'<title id="{title_id}">Trade</title>' in html
        assert f'id="{desc_id}"' in html
    assert not [name for _, attrs in tags for name in attrs if name == "style" or name.startswith("on")]
    assert not {"script", "style", "img"} & {tag for tag, _ in tags}
    # The marker's label is escaped, and linked in the list under the chart.
    assert '<a href="/agreements/mou/">MoU &lt;b&gt;</a>' in html
    assert "Hollow point: synthetic figure" in html
    # Ids are unique on the page.
    ids = [attrs["id"] for _, attrs in tags if "id" in attrs]
    assert len(ids) == len(set(ids))
    # Every coordinate is a plain number (no float noise like 30.200000000000003).
    assert not re.search(r"\d\.\d{4,}", html)
