"""The pair page an anonymous analyst reads, /countries/<ISO3>/<ISO3>/, and what every
country page must be. Drafts never show, nor count."""

import datetime as dt

import pytest

from agreements.models import Agreement, DatePrecision
from agreements.tests.factories import BlocFactory, BlocMembershipFactory, bilateral, country
from agreements.tests.page_helpers import (
    PAIR_QUERIES,
    SQL_PAIR_QUERIES,
    assert_plain_page,
    get,
    plurilateral,
    section,
    warm,
)
from agreements.views import countries as country_views
from agreements.views.entries import MAX_PARTY_CODES

pytestmark = pytest.mark.django_db


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


@pytest.mark.parametrize("mode, queries", [("inline", PAIR_QUERIES), ("off", SQL_PAIR_QUERIES)])
def test_pair_query_count_does_not_grow_with_agreements(client, django_assert_num_queries, settings, mode, queries):
    settings.LISTING_INDEX = mode
    for _ in range(3):
        bilateral("RWA", "KEN", published=True)
    warm(client)
    with django_assert_num_queries(queries):
        get(client, "/countries/RWA/KEN/")

    for n in range(27):
        plurilateral("RWA", "KEN", "UGA", published=True, signed_on=dt.date(2000 + n, 1, 1))
    warm(client)
    with django_assert_num_queries(queries):
        response = client.get("/countries/RWA/KEN/")
    assert len(response.context["entries"]) == 30
    with django_assert_num_queries(queries):
        get(client, "/countries/RWA/KEN/?page=2")


# --- every page


def test_every_page_has_one_h1_no_inline_code_and_escapes_user_text(client):
    bilateral("RWA", "KEN", title='<script>alert("x")</script> MoU', published=True, place="<b>Kigali</b>")
    BlocMembershipFactory(bloc=BlocFactory(code="EVIL", name="<img src=x onerror=alert(1)>"), country=country("RWA"))

    for url in ["/countries/", "/countries/RWA/", "/countries/RWA/KEN/"]:
        html = get(client, url)
        assert_plain_page(html)
        assert "<b>Kigali" not in html
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; MoU"
    assert escaped in get(client, "/countries/RWA/KEN/")
    assert "&lt;b&gt;Kigali&lt;/b&gt;" in get(client, "/countries/RWA/KEN/")
    # Under its partner, on one line (its year is a count).
    assert get(client, "/countries/RWA/").count(escaped) == 1
