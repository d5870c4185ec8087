"""The corridor pages an anonymous analyst reads (/corridors/, /corridors/<slug>/),
and the corridors on a country's page. Drafts never show, nor count. (Their indicator
figures: test_indicator_pages.py.)"""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Source
from agreements.tests.factories import SourceFactory, bilateral
from agreements.tests.page_helpers import DETAIL_QUERIES as COUNTRY_QUERIES
from agreements.tests.page_helpers import assert_plain_page, section, warm
from corridors import views
from corridors.models import Node
from corridors.stats import refresh_corridor_statistics
from corridors.tests.factories import CorridorFactory, IndicatorFactory, corridor_through, figure, node
from corridors.tests.page_helpers import DETAIL_QUERIES, LIST_QUERIES, concerning, get, northern_corridor

pytestmark = pytest.mark.django_db


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


def test_country_page_summary_names_its_corridors(client):
    northern_corridor()
    corridor_through("TZA", "RWA", name="Central Corridor", slug="central-corridor")

    summary = section(get(client, "/countries/RWA/"), "summary")

    assert (
        '<dt>Corridors</dt><dd><ul class="summary__inline">'
        '<li><a href="/corridors/central-corridor/">Central Corridor</a> <span class="muted">(transit)</span></li>'
        '<li><a href="/corridors/northern-corridor/">Northern Corridor</a> <span class="muted">(destination)</span></li>'
    ) in summary
    assert "<dt>Corridors</dt>" not in section(get(client, "/countries/ISL/"), "summary")


def test_the_page_of_a_country_on_no_corridor_reads_nothing_of_this_app(client):
    """The countries it has records about are read once until the data changes: another one's page
    costs no query of this app; a member's, its memberships, and its figures when it has some."""
    corridor = northern_corridor()
    figure(corridor, "2024", 100)  # Rwandan cargo
    for other in ("TZA", "RWA"):
        bilateral("KEN", other, published=True)  # each page's entries: a query of its own
    warm(client)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            get(client, url)
        return len(captured)

    assert queries("/countries/TZA/") == COUNTRY_QUERIES
    assert queries("/countries/KEN/") == COUNTRY_QUERIES + 1  # its memberships
    assert queries("/countries/RWA/") == COUNTRY_QUERIES + 2  # and the figures about its cargo

    corridor_through("TZA", "RWA", name="Central Corridor", slug="central-corridor")
    assert "Central Corridor" in section(get(client, "/countries/TZA/"), "corridors")  # at once


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
