"""The corridor pages an anonymous analyst reads (/corridors/, /corridors/<slug>/),
and the corridors on a country's page. Drafts never show, nor count."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement, Source
from agreements.tests.factories import OrganisationFactory, SourceFactory, bilateral
from agreements.tests.page_helpers import assert_plain_page, section
from corridors import views
from corridors.models import Corridor, CorridorMember, Node
from corridors.stats import refresh_corridor_statistics
from corridors.tests.factories import (
    CorridorAgreementFactory,
    CorridorFactory,
    IndicatorFactory,
    corridor_through,
    figure,
    member,
    node,
)

pytestmark = pytest.mark.django_db

LIST_QUERIES = 2  # corridors with counts and authority, their members
# corridor and authority, members, nodes, sources, agreements, their parties, figures, before/after rows
DETAIL_QUERIES = 8


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def northern_corridor() -> Corridor:
    """Kenya (gateway), Uganda (transit), Rwanda (destination), with three nodes entered out of order."""
    authority = OrganisationFactory(
        intergovernmental=True,
        name="Northern Corridor Transit and Transport Coordination Authority",
        acronym="NCTTCA",
        slug="ncttca",
    )
    corridor = corridor_through(
        "KEN",
        "UGA",
        name="Northern Corridor",
        slug="northern-corridor",
        gateway_port="Mombasa",
        coordinating_authority=authority,
        description="From the Port of Mombasa to inland markets.",
    )
    member(corridor, "RWA", role=CorridorMember.Role.DESTINATION)
    node(corridor, "RWA", name="Kigali Logistics Platform", kind=Node.Kind.LOGISTICS_PLATFORM, position=3)
    node(corridor, "KEN", name="Port of Mombasa", kind=Node.Kind.SEAPORT, position=1)
    node(
        corridor,
        "KEN",
        name="Standard Gauge Railway",
        kind=Node.Kind.RAIL_LINE,
        position=2,
        status=Node.Status.UNDER_CONSTRUCTION,
    )
    return corridor


def concerning(corridor: Corridor, agreement: Agreement) -> Agreement:
    CorridorAgreementFactory(corridor=corridor, agreement=agreement)
    return agreement


# --- /corridors/


def test_list_shows_gateway_members_in_route_order_authority_and_counts(client):
    corridor = northern_corridor()
    concerning(corridor, bilateral("RWA", "KEN", published=True))
    concerning(corridor, bilateral("RWA", "KEN", title="Draft MoU"))

    html = get(client, "/corridors/")

    assert '<a href="/corridors/northern-corridor/">Northern Corridor</a>' in html
    assert "<dt>Gateway port</dt><dd>Mombasa</dd>" in html
    assert html.index(">Kenya</a>") < html.index(">Uganda</a>") < html.index(">Rwanda</a>")
    assert "Northern Corridor Transit and Transport Coordination Authority (NCTTCA)" in html
    assert "3 nodes · 1 published agreement<" in html
    assert "Draft MoU" not in html


def test_list_orders_corridors_by_name(client):
    CorridorFactory(name="Northern Corridor", slug="northern-corridor")
    CorridorFactory(name="Central Corridor", slug="central-corridor")

    html = get(client, "/corridors/")

    assert html.index("Central Corridor") < html.index("Northern Corridor")


def test_list_with_no_corridors(client):
    assert "No corridors have been entered yet." in get(client, "/corridors/")


def test_list_query_count_does_not_grow_with_rows(client):
    corridor = northern_corridor()
    for _ in range(3):
        concerning(corridor, bilateral("RWA", "KEN", published=True))
    with CaptureQueriesContext(connection) as few:
        get(client, "/corridors/")

    for n in range(5):
        other = corridor_through("TZA", "RWA", "BDI", name=f"Corridor {n}", slug=f"corridor-{n}")
        for position in range(1, 4):
            node(other, "TZA", name=f"Depot {position}", position=position)
    for _ in range(27):
        concerning(corridor, bilateral("RWA", "KEN", published=True))
    with CaptureQueriesContext(connection) as many:
        html = get(client, "/corridors/")

    assert len(few) == len(many) == LIST_QUERIES
    assert "30 published agreements" in html


# --- /corridors/<slug>/


def test_detail_shows_members_in_order_with_their_roles(client):
    northern_corridor()

    html = get(client, "/corridors/northern-corridor/")

    members = section(html, "members")
    assert members.index("Kenya") < members.index("Uganda") < members.index("Rwanda")
    kenya = members.split(">Kenya</a>", 1)[1].split("</li>", 1)[0]
    assert "Gateway (seaport country)" in kenya
    assert "Destination" in members.split(">Rwanda</a>", 1)[1]
    assert '<a href="/countries/UGA/">Uganda</a>' in members


def test_detail_shows_the_route_nodes_in_order_with_kind_country_and_status(client):
    northern_corridor()

    response = client.get("/corridors/northern-corridor/")
    html = response.content.decode()

    assert [n.name for n in response.context["nodes"]] == [
        "Port of Mombasa",
        "Standard Gauge Railway",
        "Kigali Logistics Platform",
    ]
    route = section(html, "route")
    table = route.split('<table class="nodes figures--stack">', 1)[1]
    assert table.index("Port of Mombasa") < table.index("Standard Gauge Railway") < table.index("Kigali Logistics")
    railway = table.split('<tr class="nodes__row" id="node-2">', 1)[1].split("</tr>", 1)[0]
    assert "Standard Gauge Railway" in railway and "Rail line" in railway and ">Kenya</a>" in railway
    assert '<span class="status status--under_construction">Under construction</span>' in railway
    # Both drawings, each node with its kind's letter and status; Kenya's band spans its two nodes.
    assert route.count('<svg class="route-map__svg') == 2
    assert route.count('class="route-map__node route-map__node--under_construction"') == 2
    assert "2. Standard Gauge Railway: Rail line, Kenya, Under construction" in route
    wide = route.split("route-map__svg--wide", 1)[1].split("</svg>", 1)[0]
    assert wide.index(">Port of Mombasa<") < wide.index(">Standard Gauge Railway<") < wide.index(">Kigali Logistics")
    assert ">Kenya</text>" in wide and ">Rwanda</text>" in wide
    assert "Also on the corridor, with no node recorded: " in route and ">Uganda</a> (transit)" in route


def test_detail_shows_authority_description_and_sources_with_web_links_only(client):
    corridor = northern_corridor()
    corridor.sources.add(
        SourceFactory(title="KPA press release", publisher="Kenya Ports Authority", url="https://example.org/kpa"),
        SourceFactory(title="Suspicious source", url="javascript:alert(1)", kind=Source.Kind.NEWS_REPORT),
    )

    html = get(client, "/corridors/northern-corridor/")

    assert "<dt>Coordinating authority</dt><dd>Northern Corridor Transit" in html
    assert "From the Port of Mombasa to inland markets." in html
    sources = section(html, "sources")
    assert '<a href="https://example.org/kpa">KPA press release</a>, Kenya Ports Authority' in sources
    assert "Suspicious source" in sources and "javascript:" not in sources


def test_detail_lists_published_agreements_newest_first_and_links_to_the_filtered_list(client):
    corridor = northern_corridor()
    old = concerning(corridor, bilateral("UGA", "KEN", title="Older", published=True, signed_on=dt.date(2015, 1, 1)))
    concerning(corridor, bilateral("RWA", "KEN", title="Newer", published=True, signed_on=dt.date(2026, 1, 22)))
    concerning(corridor, bilateral("RWA", "KEN", title="Draft MoU", signed_on=dt.date(2026, 2, 1)))
    bilateral("RWA", "KEN", title="Not about this corridor", published=True)

    response = client.get("/corridors/northern-corridor/")
    html = response.content.decode()

    agreements = section(html, "agreements")
    assert agreements.index("Newer") < agreements.index("Older")
    assert f'<a href="/agreements/{old.slug}/">Older</a>' in agreements
    assert "Draft MoU" not in html and "Not about this corridor" not in html
    assert "<dt>Published agreements</dt><dd>2 · " in html
    assert '<a href="/agreements/?corridor=northern-corridor">in the agreement list</a>' in html


def test_detail_lists_the_newest_few_and_links_to_the_rest(client, monkeypatch):
    monkeypatch.setattr(views, "MAX_AGREEMENTS", 2)
    corridor = northern_corridor()
    for year in (2021, 2022, 2023):
        concerning(
            corridor, bilateral("RWA", "KEN", title=f"MoU of {year}", published=True, signed_on=dt.date(year, 1, 1))
        )

    html = get(client, "/corridors/northern-corridor/")

    agreements = section(html, "agreements")
    assert "MoU of 2023" in agreements and "MoU of 2022" in agreements and "MoU of 2021" not in agreements
    assert 'The 2 newest of 3; <a href="/agreements/?corridor=northern-corridor">all of them' in agreements
    assert "<dt>Published agreements</dt><dd>3 · " in html


@pytest.mark.parametrize("url", ["/corridors/nope/", "/corridors/%3Cscript%3E/", "/corridors/a%00b/"])
def test_detail_of_an_unknown_or_hostile_slug_is_404(client, url):
    northern_corridor()
    assert client.get(url).status_code == 404


def test_detail_query_count_does_not_grow_with_rows(client):
    corridor = northern_corridor()
    corridor.sources.add(SourceFactory())
    for _ in range(3):
        concerning(corridor, bilateral("RWA", "KEN", published=True))
    with CaptureQueriesContext(connection) as few:
        get(client, "/corridors/northern-corridor/")

    for position in range(4, 31):
        node(corridor, "UGA", name=f"Border post {position}", kind=Node.Kind.BORDER_POST, position=position)
    for _ in range(27):
        concerning(corridor, bilateral("RWA", "UGA", published=True))
    corridor.sources.add(*SourceFactory.create_batch(5))
    hours = IndicatorFactory(slug="transit", unit="hours", additive=False)
    for year in range(2000, 2026):
        figure(corridor, str(year), 1000 + year, source=SourceFactory())
        figure(corridor, str(year), 50, destination="UGA", indicator=hours)
        figure(corridor, f"{year}-Q1", 300 + year)
    refresh_corridor_statistics()
    with CaptureQueriesContext(connection) as many:
        response = client.get("/corridors/northern-corridor/")

    assert len(few) == len(many) == DETAIL_QUERIES
    assert len(response.context["entries"]) == 30 and len(response.context["nodes"]) == 30
    assert len(response.context["sections"]) == 3 and response.context["changes"]


# --- a country's corridors


def test_country_page_lists_the_corridors_it_belongs_to_with_its_role(client):
    northern_corridor()
    corridor_through("TZA", "RWA", name="Central Corridor", slug="central-corridor")

    html = get(client, "/countries/RWA/")

    corridors = section(html, "corridors")
    assert '<a href="/corridors/central-corridor/">Central Corridor</a> <span class="tag">Transit</span>' in corridors
    assert (
        '<a href="/corridors/northern-corridor/">Northern Corridor</a> <span class="tag">Destination</span>'
        in corridors
    )
    assert "Corridor" not in section(get(client, "/countries/ISL/"), "corridors").split("</h2>", 1)[1]


# --- every page


def test_pages_have_one_h1_no_inline_code_and_escape_user_text(client):
    corridor = northern_corridor()
    corridor.description = '<script>alert("x")</script> Route'
    corridor.gateway_port = "<b>Mombasa</b>"
    corridor.save()
    concerning(corridor, bilateral("RWA", "KEN", title="<i>MoU</i>", published=True))

    for url in ["/corridors/", "/corridors/northern-corridor/"]:
        html = get(client, url)
        assert_plain_page(html)
        assert "<b>Mombasa" not in html and "<i>MoU" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Route" in get(client, "/corridors/northern-corridor/")


def test_pages_with_the_demo_data(client):
    call_command("load_demo", stdout=StringIO())

    html = get(client, "/corridors/northern-corridor/")
    route = section(html, "route")
    names = ["Port of Mombasa", "Kipevu Oil Terminal", "Standard Gauge Railway", "Kigali Logistics Platform"]
    assert [route.index(name) for name in names] == sorted(route.index(name) for name in names)
    agreements = section(html, "agreements")
    # The dated MoU first, the undated memorandum of cooperation after it.
    assert agreements.index("Kenya Ports Authority liaison office") < agreements.index("Memorandum of cooperation")

    pair = get(client, "/countries/RWA/KEN/")
    assert 'Signed <time datetime="2026-01-22">22 January 2026</time>' in pair
    assert "Kenya Ports Authority liaison office in Kigali" in pair

    rwanda = get(client, "/countries/RWA/")
    assert 'joined <time datetime="2007-07-01">1 July 2007</time>' in rwanda
    assert '<a href="/countries/RWA/TZA/">Tanzania</a>' in rwanda


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
