"""The country pages an anonymous analyst reads: /countries/, /countries/<ISO3>/
and the pair page /countries/<ISO3>/<ISO3>/. Drafts never show, nor count.

A country's corridors are tested in corridors/tests/test_pages.py: this app's
tests build no corridors.
"""

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement, DatePrecision
from agreements.tests.factories import (
    AgreementFactory,
    BlocFactory,
    BlocMembershipFactory,
    PartyFactory,
    bilateral,
    country,
)
from agreements.views import countries as country_views
from agreements.views.countries import MAX_PER_GROUP
from agreements.views.entries import MAX_PARTY_CODES

pytestmark = pytest.mark.django_db

LIST_QUERIES = 1  # countries with their counts
# Country, partners ranked, years ranked, those agreements, their parties, the years with trade
# figures (none here: test_trade_pages.py counts the page with them), blocs, corridors, and the
# corridors app's cargo split (two).
DETAIL_QUERIES = 10
PAIR_QUERIES = 5  # the two countries, how many agreements, a page of them, their parties, the trade statistics


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def plurilateral(*iso3s: str, **kwargs) -> Agreement:
    agreement = AgreementFactory(**kwargs)
    for iso3 in iso3s:
        PartyFactory(agreement=agreement, country=country(iso3))
    return agreement


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> whose heading has this id, up to the next h2."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<h2", start)
    return html[start : end if end != -1 else len(html)]


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes, as a browser reads them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_plain_page(html: str) -> None:
    """One h1; nothing a strict Content-Security-Policy would block; no tag from user text."""
    tags = Tags(html).tags
    assert [tag for tag, _ in tags].count("h1") == 1
    assert not {"script", "style", "img", "iframe"} & {tag for tag, _ in tags}
    assert not [(tag, name) for tag, attrs in tags for name in attrs if name == "style" or name.startswith("on")]


# --- /countries/


def test_list_shows_countries_with_published_agreements_and_their_counts(client):
    bilateral("RWA", "KEN", published=True)
    bilateral("RWA", "TZA", published=True)

    response = client.get("/countries/")
    html = response.content.decode()

    with_agreements = section(html, "with-agreements")
    assert '<a href="/countries/RWA/">Rwanda</a>' in with_agreements
    assert "2 agreements" in with_agreements.split("Rwanda", 1)[1].split("</li>", 1)[0]
    assert "1 agreement<" in with_agreements.split("Kenya", 1)[1].split("</li>", 1)[0]
    assert "Uganda" not in with_agreements
    assert response.context["with_agreements_count"] == 3


def test_list_shows_every_other_current_country_but_not_historic_ones_without_agreements(client):
    bilateral("RWA", "KEN", published=True)

    html = get(client, "/countries/")

    others = section(html, "other-countries")
    assert '<a href="/countries/UGA/">Uganda</a>' in others
    assert '<a href="/countries/XKX/">Kosovo</a>' in others
    assert "Rwanda" not in others
    assert "Yugoslavia" not in html


def test_list_marks_a_historic_country_with_agreements(client):
    bilateral("YUG", "KEN", published=True, signed_on=dt.date(1990, 5, 1))

    html = get(client, "/countries/")

    row = section(html, "with-agreements").split("/countries/YUG/", 1)[1].split("</li>", 1)[0]
    assert '<span class="tag">historic</span>' in row


def test_list_is_grouped_a_to_z_with_anchors_and_accents_folded(client):
    bilateral("ALA", "KEN", published=True)  # Åland Islands
    bilateral("CIV", "KEN", published=True)

    html = get(client, "/countries/")

    with_agreements = section(html, "with-agreements")
    assert '<a href="#with-A">A</a>' in with_agreements and 'id="with-A"' in with_agreements
    a_group = with_agreements.split('id="with-A"', 1)[1].split('id="with-', 1)[0]
    assert "Åland Islands" in a_group
    assert '<a href="#other-U">U</a>' in section(html, "other-countries")


def test_list_counts_and_shows_no_draft(client):
    bilateral("RWA", "KEN", published=True)
    bilateral("RWA", "KEN")
    plurilateral("ETH", "SOM", "DJI", title="Draft Horn treaty")

    response = client.get("/countries/")
    html = response.content.decode()

    with_agreements = section(html, "with-agreements")
    assert "1 agreement<" in with_agreements.split("Rwanda", 1)[1].split("</li>", 1)[0]
    assert "Ethiopia" not in with_agreements and "Ethiopia" in section(html, "other-countries")
    assert response.context["with_agreements_count"] == 2


def test_list_query_count_does_not_grow_with_agreements(client, django_assert_num_queries):
    for _ in range(3):
        bilateral("RWA", "KEN", published=True)
    with django_assert_num_queries(LIST_QUERIES):
        get(client, "/countries/")

    for n in range(27):
        plurilateral("RWA", "KEN", "UGA", "TZA", published=True, title=f"Treaty {n}")
    with django_assert_num_queries(LIST_QUERIES):
        get(client, "/countries/")


# --- /countries/<ISO3>/


def test_detail_groups_agreements_by_partner_with_links_to_the_pair_page(client):
    mou = bilateral("RWA", "KEN", title="Liaison office MoU", published=True, signed_on=dt.date(2026, 1, 22))
    bilateral("RWA", "KEN", title="Older MoU", published=True, signed_on=dt.date(2019, 3, 1))
    plurilateral("RWA", "KEN", "UGA", title="Transit treaty", published=True, signed_on=dt.date(2021, 6, 1))

    response = client.get("/countries/RWA/")
    html = response.content.decode()

    by_partner = section(html, "by-partner")
    assert [(g.partner.iso3, g.count) for g in response.context["partners"]] == [("KEN", 3), ("UGA", 1)]
    assert '<a href="/countries/RWA/KEN/">Kenya</a>' in by_partner
    assert '<a href="/countries/RWA/UGA/">Uganda</a>' in by_partner
    kenya = by_partner.split('id="partner-KEN"', 1)[1].split('id="partner-UGA"', 1)[0]
    assert "3 agreements" in kenya
    # Newest first within the partner.
    assert kenya.index("Liaison office MoU") < kenya.index("Transit treaty") < kenya.index("Older MoU")
    assert f'<a href="/agreements/{mou.slug}/">Liaison office MoU</a>' in kenya
    assert '<time datetime="2026-01-22">22 January 2026</time>' in kenya


def test_detail_groups_agreements_by_year_signed_with_undated_last(client):
    bilateral("KEN", "UGA", title="Signed in 2024", published=True, signed_on=dt.date(2024, 5, 1))
    bilateral("KEN", "TZA", title="Also 2024", published=True, signed_on=dt.date(2024, 1, 1))
    bilateral("KEN", "RWA", title="Signed in 2019", published=True, signed_on=dt.date(2019, 1, 1))
    bilateral(
        "KEN",
        "ETH",
        title="Talks announced",
        status=Agreement.Status.ANNOUNCED,
        signed_on=None,
        announced_on=dt.date(2025, 1, 1),
        announced_precision=DatePrecision.YEAR,
        published=True,
    )

    response = client.get("/countries/KEN/")
    html = response.content.decode()

    assert [(g.year, g.count) for g in response.context["years"]] == [(2024, 2), (2019, 1), (None, 1)]
    by_year = section(html, "by-year")
    assert by_year.index('id="year-2024"') < by_year.index('id="year-2019"') < by_year.index('id="year-unknown"')
    assert "Not signed, or date unknown" in by_year
    assert 'Announced <time datetime="2025">2025</time>' in by_year
    assert "KEN · UGA" in by_year
    assert response.context["agreement_count"] == 4


def test_detail_shows_the_newest_few_per_group_and_links_to_the_rest(client):
    for day in range(1, MAX_PER_GROUP + 3):
        bilateral("RWA", "KEN", title=f"MoU {day:02d}", published=True, signed_on=dt.date(2024, 1, day))

    response = client.get("/countries/RWA/")
    html = response.content.decode()

    [kenya] = response.context["partners"]
    assert kenya.count == MAX_PER_GROUP + 2 and len(kenya.entries) == MAX_PER_GROUP
    assert [e.agreement.title for e in kenya.entries] == [f"MoU {d:02d}" for d in range(MAX_PER_GROUP + 2, 2, -1)]
    assert "MoU 01" not in section(html, "by-partner")
    assert f'<a href="/countries/RWA/KEN/">All {MAX_PER_GROUP + 2} with Kenya</a>' in html
    assert (
        f'<a href="/agreements/?party=RWA&amp;signed_from=2024&amp;signed_to=2024">All {MAX_PER_GROUP + 2} signed in 2024</a>'
        in html
    )


def test_an_entry_names_the_status_once_and_only_when_its_date_does_not(client):
    bilateral("RWA", "KEN", title="Dated MoU", published=True, signed_on=dt.date(2024, 5, 2))
    bilateral(
        "RWA",
        "UGA",
        title="Treaty in force",
        status=Agreement.Status.IN_FORCE,
        signed_on=dt.date(2020, 5, 1),
        in_force_on=dt.date(2021, 1, 1),
        published=True,
    )
    bilateral("RWA", "TZA", title="Undated MoC", signed_on=None, published=True)

    html = get(client, "/countries/RWA/")

    # In full, by year.
    by_year = section(html, "by-year")
    kenya = by_year.split("Dated MoU", 1)[1].split("</li>", 1)[0]
    assert 'Signed <time datetime="2024-05-02">2 May 2024</time>' in kenya and "<span>Signed</span>" not in kenya
    uganda = by_year.split("Treaty in force", 1)[1].split("</li>", 1)[0]
    assert 'Signed <time datetime="2020-05-01">1 May 2020</time></span>' in uganda and "<span>In force</span>" in uganda
    assert "<span>Signed, date unknown</span>" in by_year.split("Undated MoC", 1)[1]
    # On one line, by partner.
    by_partner = section(html, "by-partner")
    assert 'Signed <time datetime="2020-05-01">1 May 2020</time> · In force</span>' in by_partner
    assert 'Signed <time datetime="2024-05-02">2 May 2024</time></span>' in by_partner
    assert "Signed, date unknown</span>" in by_partner


def test_detail_shows_bloc_memberships_with_dates_to_their_precision(client):
    eac = BlocFactory(code="EAC", name="East African Community")
    BlocMembershipFactory(bloc=eac, country=country("SSD"), joined_on=dt.date(2016, 1, 1), joined_precision="year")
    igad = BlocFactory(code="IGAD", name="Intergovernmental Authority on Development")
    BlocMembershipFactory(
        bloc=igad,
        country=country("SSD"),
        joined_on=dt.date(2011, 11, 25),
        left_on=dt.date(2019, 6, 1),
        left_precision="month",
    )

    html = get(client, "/countries/SSD/")

    blocs = section(html, "blocs")
    assert blocs.index("IGAD") < blocs.index("EAC")
    assert (
        'joined <time datetime="2011-11-25">25 November 2011</time>, left <time datetime="2019-06">June 2019</time>'
        in blocs
    )
    assert 'joined <time datetime="2016">2016</time>' in blocs
    assert "1 January 2016" not in blocs


def test_detail_links_to_the_filtered_agreement_list(client):
    bilateral("RWA", "KEN", published=True)

    html = get(client, "/countries/RWA/")

    assert '<a href="/agreements/?party=RWA">in the agreement list</a>' in html


def test_detail_of_a_country_without_agreements(client):
    html = get(client, "/countries/ISL/")

    assert "<h1>Iceland</h1>" in html
    assert "Iceland is not a party to any published agreement." in html


def test_detail_of_a_historic_country_says_so(client):
    html = get(client, "/countries/YUG/")

    assert "No longer exists" in html and '<time datetime="2003">2003</time>' in html


def test_detail_hides_drafts_everywhere_including_counts(client):
    bilateral("RWA", "KEN", title="Published MoU", published=True, signed_on=dt.date(2026, 1, 22))
    bilateral("RWA", "KEN", title="Draft MoU", signed_on=dt.date(2026, 1, 23))
    bilateral("RWA", "ETH", title="Draft with Ethiopia", signed_on=dt.date(2020, 1, 1))

    response = client.get("/countries/RWA/")
    html = response.content.decode()

    assert "Draft" not in html and "Ethiopia" not in html
    assert [(g.partner.iso3, g.count) for g in response.context["partners"]] == [("KEN", 1)]
    assert [(g.year, g.count) for g in response.context["years"]] == [(2026, 1)]
    assert response.context["agreement_count"] == 1


def test_detail_lowercase_code_redirects_to_the_canonical_one(client):
    response = client.get("/countries/ken/")
    assert response.status_code == 301 and response["Location"] == "/countries/KEN/"
    assert client.get("/countries/Ken/")["Location"] == "/countries/KEN/"


@pytest.mark.parametrize(
    "url",
    [
        "/countries/XXX/",
        "/countries/xxx/",
        "/countries/%3Cscript%3E/",
        "/countries/KENYA/",
        "/countries/KE/",
        "/countries/K%00N/",
    ],
)
def test_detail_unknown_or_hostile_code_is_404(client, url):
    assert client.get(url).status_code == 404


def test_detail_query_count_does_not_grow_with_agreements(client):
    partners = ["KEN", "UGA", "TZA", "BDI", "SSD", "COD"]

    def add(n: int) -> None:
        for i in range(n):
            other = partners[i % len(partners)]
            bilateral("RWA", other, published=True, signed_on=dt.date(2010 + i % 7, 1, 1))

    add(3)
    BlocMembershipFactory(country=country("RWA"))
    with CaptureQueriesContext(connection) as few:
        get(client, "/countries/RWA/")
    add(27)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/countries/RWA/")

    assert len(few) == len(many) == DETAIL_QUERIES
    assert response.context["agreement_count"] == 30


# --- /countries/<ISO3>/<ISO3>/


def make_timeline() -> dict[str, Agreement]:
    return {
        "signed": bilateral("RWA", "KEN", title="Signed MoU", published=True, signed_on=dt.date(2020, 5, 1)),
        "announced": bilateral(
            "KEN",
            "RWA",
            title="Announced talks",
            kind=Agreement.Kind.COMMUNIQUE,
            status=Agreement.Status.ANNOUNCED,
            signed_on=None,
            announced_on=dt.date(2019, 1, 1),
            announced_precision=DatePrecision.YEAR,
            published=True,
        ),
        "in_force": plurilateral(
            "RWA",
            "KEN",
            "UGA",
            title="Transit treaty",
            kind=Agreement.Kind.TREATY,
            status=Agreement.Status.IN_FORCE,
            signed_on=None,
            in_force_on=dt.date(2021, 3, 1),
            in_force_precision=DatePrecision.MONTH,
            published=True,
        ),
        "undated": bilateral("RWA", "KEN", title="Recently signed MoC", signed_on=None, published=True),
        "other_pair": bilateral("RWA", "TZA", title="With Tanzania only", published=True),
        "draft": bilateral("RWA", "KEN", title="Draft MoU", signed_on=dt.date(2022, 1, 1)),
    }


def test_pair_timeline_orders_by_signed_else_announced_else_in_force_with_undated_last(client):
    make_timeline()

    response = client.get("/countries/RWA/KEN/")
    html = response.content.decode()

    assert [e.agreement.title for e in response.context["entries"]] == [
        "Announced talks",
        "Signed MoU",
        "Transit treaty",
        "Recently signed MoC",
    ]
    timeline = section(html, "timeline")
    assert 'Announced <time datetime="2019">2019</time>' in timeline
    assert 'Signed <time datetime="2020-05-01">1 May 2020</time>' in timeline
    assert 'In force <time datetime="2021-03">March 2021</time>' in timeline
    assert '<p class="timeline__date">Signed, date unknown</p>' in timeline
    assert "RWA · KEN · UGA" in timeline
    assert "With Tanzania only" not in html
    assert "<h1>Rwanda and Kenya</h1>" in html


def test_pair_hides_drafts(client):
    make_timeline()

    html = get(client, "/countries/KEN/RWA/")

    assert "Draft MoU" not in html
    assert "4 published instruments" in html


def test_pair_works_in_either_order_with_one_canonical_url(client):
    make_timeline()

    one = client.get("/countries/RWA/KEN/")
    other = client.get("/countries/KEN/RWA/")

    assert one.status_code == other.status_code == 200
    assert [e.agreement.pk for e in one.context["entries"]] == [e.agreement.pk for e in other.context["entries"]]
    canonical = '<link rel="canonical" href="http://testserver/countries/KEN/RWA/">'
    assert canonical in one.content.decode() and canonical in other.content.decode()
    assert "<h1>Kenya and Rwanda</h1>" in other.content.decode()


def test_pair_links_to_the_filtered_list_and_its_csv_export(client):
    html = get(client, "/countries/RWA/KEN/")

    assert '<a href="/agreements/?party=RWA&amp;party=KEN">' in html
    assert '<a href="/agreements/export.csv?party=RWA&amp;party=KEN" download>' in html


def test_pair_timeline_is_paged_and_any_page_number_gives_a_page(client, monkeypatch):
    monkeypatch.setattr(country_views, "TIMELINE_PAGE_SIZE", 2)
    for year in (2001, 2002, 2003):
        bilateral("RWA", "KEN", title=f"MoU of {year}", published=True, signed_on=dt.date(year, 1, 1))

    first = get(client, "/countries/RWA/KEN/")
    second = get(client, "/countries/RWA/KEN/?page=2")

    assert "MoU of 2001" in first and "MoU of 2002" in first and "MoU of 2003" not in first
    assert "3 published instruments" in first and "Page 1 of 2" in first
    assert '<a href="?page=2" rel="next">' in first
    assert "MoU of 2003" in second and "MoU of 2001" not in second
    assert '<ol class="timeline" start="3">' in second
    assert "MoU of 2003" in get(client, "/countries/RWA/KEN/?page=99999")
    for page in ["abc", "1e9", "%FF", "2%00", ""]:
        assert "MoU of 2001" in get(client, f"/countries/RWA/KEN/?page={page}")
    for page in ["-1", "0"]:
        assert "MoU of 2003" in get(client, f"/countries/RWA/KEN/?page={page}")


def test_a_regional_agreement_shows_its_first_party_codes_and_how_many_more(client):
    members = ["RWA", "KEN", "UGA", "TZA", "BDI", "SSD", "COD", "ETH", "SOM", "DJI", "ERI", "SDN"]
    plurilateral(*members, title="Regional treaty", published=True)

    html = get(client, "/countries/RWA/KEN/")

    more = len(members) - MAX_PARTY_CODES
    assert " · ".join(members[:MAX_PARTY_CODES]) + f" and {more} more" in html
    assert "SDN" not in html


def test_pair_lowercase_codes_redirect_keeping_the_order(client):
    response = client.get("/countries/rwa/ken/")
    assert response.status_code == 301 and response["Location"] == "/countries/RWA/KEN/"


@pytest.mark.parametrize(
    "url",
    [
        "/countries/KEN/KEN/",
        "/countries/KEN/ken/",
        "/countries/KEN/XXX/",
        "/countries/XXX/KEN/",
        "/countries/KEN/%3Cb%3E/",
    ],
)
def test_pair_of_the_same_or_an_unknown_country_is_404(client, url):
    assert client.get(url).status_code == 404


def test_pair_query_count_does_not_grow_with_agreements(client, django_assert_num_queries):
    for _ in range(3):
        bilateral("RWA", "KEN", published=True)
    with django_assert_num_queries(PAIR_QUERIES):
        get(client, "/countries/RWA/KEN/")

    for n in range(27):
        plurilateral("RWA", "KEN", "UGA", published=True, signed_on=dt.date(2000 + n, 1, 1))
    with django_assert_num_queries(PAIR_QUERIES):
        response = client.get("/countries/RWA/KEN/")
    assert len(response.context["entries"]) == 30
    with django_assert_num_queries(PAIR_QUERIES):
        get(client, "/countries/RWA/KEN/?page=2")


# --- every page


def test_every_page_has_one_h1_no_inline_code_and_escapes_user_text(client):
    bilateral("RWA", "KEN", title='<script>alert("x")</script> MoU', published=True, place="<b>Kigali</b>")
    BlocMembershipFactory(bloc=BlocFactory(code="EVIL", name="<img src=x onerror=alert(1)>"), country=country("RWA"))

    for url in ["/countries/", "/countries/RWA/", "/countries/RWA/KEN/"]:
        html = get(client, url)
        assert_plain_page(html)
        assert "<b>Kigali" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; MoU" in get(client, "/countries/RWA/KEN/")
