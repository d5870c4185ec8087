"""A corridor's indicator figures where an analyst reads them: the corridor page's sections,
the CSV export, and a country's split between corridors."""

import datetime as dt

import pytest

from agreements.tests.factories import SourceFactory, bilateral
from agreements.tests.page_helpers import section
from corridors.models import Corridor
from corridors.stats import refresh_corridor_statistics
from corridors.tests.factories import IndicatorFactory, corridor_through, figure
from corridors.tests.page_helpers import concerning, get, northern_corridor

pytestmark = pytest.mark.django_db


# --- indicators, their export, a destination's split


def with_figures() -> tuple[Corridor, Corridor]:
    northern = northern_corridor()
    central = corridor_through("TZA", "RWA", name="Central Corridor", slug="central-corridor")
    report = SourceFactory(title="KPA cargo report", url="https://example.org/kpa")
    figure(northern, "2024", 600000, source=report, qualifier="about", note="“approximately 600,000 t”")
    figure(northern, "2025", 800000, source=report, qualifier="more_than")
    figure(central, "2024", 1400000, is_synthetic=True)
    figure(central, "2025", 1200000, is_synthetic=True)
    figure(northern, "2025", 5000000, destination=None)
    return northern, central


def test_detail_shows_indicator_sections_with_chart_table_growth_share_and_sources(client):
    with_figures()
    refresh_corridor_statistics()

    html = get(client, "/corridors/northern-corridor/")

    indicators = section(html, "indicators")
    assert '<h3 id="indicator-cargo-year">Cargo throughput <span class="indicator__unit">t, by year</span></h3>' in (
        indicators
    )
    assert 'class="chart__svg chart__svg--wide"' in indicators
    rows = indicators.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("</tr>")
    rwanda_2025 = next(r for r in rows if ">Rwanda</a>" in r and ">2025<" in r)
    assert '<span class="qualifier">more than</span> 800,000' in rwanda_2025
    assert '<span class="change change--up">+33.3%</span>' in rwanda_2025  # 800,000 / 600,000 - 1
    assert ">40.0%<" in rwanda_2025  # 800,000 / (800,000 + 1,200,000)
    assert "Growth or share from synthetic" in rwanda_2025, "the Central Corridor's figures are synthetic"
    assert "KPA cargo report" in rwanda_2025
    whole = next(r for r in rows if "All destinations" in r)
    assert "5,000,000" in whole
    assert 'href="/corridors/northern-corridor/indicators.csv"' in indicators
    assert "Synthetic figures." not in indicators, "none of this corridor's own figures is synthetic"
    assert "Synthetic figures." in get(client, "/corridors/central-corridor/")


def test_detail_shows_the_indicators_around_the_agreements(client):
    northern, _ = with_figures()
    concerning(northern, bilateral("RWA", "KEN", published=True, title="KPA MoU", signed_on=dt.date(2025, 1, 22)))
    refresh_corridor_statistics()

    around = section(get(client, "/corridors/northern-corridor/"), "around-agreements")

    assert ">KPA MoU</a>" in around and "(signed 2025)" in around
    assert "600,000" in around and "none yet" in around


def test_export_header_and_rows(client):
    with_figures()
    refresh_corridor_statistics()

    response = client.get("/corridors/northern-corridor/indicators.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="northern-corridor-indicators.csv"'
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    assert body[1:].split("\r\n") == [
        "corridor,indicator,country,period,value,unit,source,qualifier,note,synthetic,growth,share",
        "northern-corridor,cargo,,2025,5000000,t,,,,no,,",
        'northern-corridor,cargo,RWA,2024,600000,t,https://example.org/kpa,about,"“approximately 600,000 t”",no,,0.3',
        "northern-corridor,cargo,RWA,2025,800000,t,https://example.org/kpa,more than,,no,0.333333,0.4",
        "",
    ]


def test_export_neutralises_formulas_and_keeps_negative_growth_numeric(client):
    northern = northern_corridor()
    figure(northern, "2024", 10, note='=HYPERLINK("http://evil")')
    figure(northern, "2025", 5)
    refresh_corridor_statistics()

    body = b"".join(client.get("/corridors/northern-corridor/indicators.csv").streaming_content).decode()

    assert ',"\'=HYPERLINK(""http://evil"")",no,,' in body
    assert ",no,-0.5," in body


def test_export_of_an_unknown_corridor_is_404(client):
    assert client.get("/corridors/nope/indicators.csv").status_code == 404


def test_export_query_count_is_fixed(client, django_assert_num_queries):
    northern, _ = with_figures()
    for year in range(1990, 2020):
        figure(northern, str(year), year)
    with django_assert_num_queries(2):  # the corridor, its figures
        b"".join(client.get("/corridors/northern-corridor/indicators.csv").streaming_content)


def test_country_page_shows_the_split_between_corridors_and_around_agreements(client):
    northern, central = with_figures()
    concerning(northern, bilateral("RWA", "KEN", published=True, title="KPA MoU", signed_on=dt.date(2025, 2, 1)))
    for period, n, c in [("2024-Q3", 100, 300), ("2024-Q4", 150, 350), ("2025-Q2", 200, 200), ("2025-Q3", 250, 250)]:
        figure(northern, period, n)
        figure(central, period, c)
    share = IndicatorFactory(slug="trade-share", name="Share of trade through the gateway", unit="%", additive=False)
    figure(central, "2026", 70, indicator=share, qualifier="about", source=SourceFactory(title="Seed 000"))
    refresh_corridor_statistics()

    html = get(client, "/countries/RWA/")

    split = section(html, "corridor-split")
    assert "Cargo throughput bound for Rwanda, by year" in split
    year_table = split.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert '<span class="split__value">about 600,000</span> <span class="share">30.0%</span>' in year_table
    assert '<span class="split__value">1,400,000</span> <span class="share">70.0%</span>' in year_table
    around = split.split('id="split-agreements"', 1)[1]
    # Before: 2024-Q3, Q4: 100/400, 150/500 -> 27.5%; after: 2025-Q2, Q3: 50%, 50%
    assert ">KPA MoU</a>" in around and ">27.5%<" in around and ">50.0%<" in around and "+22.5 points" in around
    assert "<strong>about 70%</strong>" in split and "Seed 000" in split
    assert 'href="/static/css/corridors.css"' in html or "corridors" in html


def test_country_page_without_figures_says_so(client):
    northern_corridor()
    split = section(get(client, "/countries/RWA/"), "corridor-split")
    assert "No corridor figures about cargo bound for Rwanda yet." in split


def test_country_page_with_fiscal_year_figures_shows_them(client):
    """A port authority's fiscal-year figures (FY2023/24) on a destination's split: once a 500."""
    _northern, central = with_figures()
    figure(central, "FY2023/24", 900000)
    figure(central, "FY2024/25", 950000)
    refresh_corridor_statistics()

    response = client.get("/countries/RWA/")

    assert response.status_code == 200
    split = section(response.content.decode(), "corridor-split")
    assert "Cargo throughput bound for Rwanda, by year" in split
