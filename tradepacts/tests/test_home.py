"""The home page: what the tracker holds, the newest published agreements and
the corridors, for an anonymous analyst. Drafts never show."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from agreements.models import Agreement, DatePrecision
from agreements.tests.factories import AgreementFactory, PartyFactory, bilateral, country
from corridors.tests.factories import CorridorFactory

pytestmark = pytest.mark.django_db

# Anonymous: published agreements per kind and status, corridors, countries, agreements, their parties.
HOME_QUERIES = 5


def get_home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_shows_a_published_agreement_with_kind_parties_and_date(client):
    bilateral("RWA", "KEN", title="Liaison office MoU", published=True, signed_on=dt.date(2026, 1, 22))

    html = get_home(client)

    assert "Liaison office MoU" in html
    assert "Memorandum of understanding" in html
    assert "RWA · KEN" in html
    assert '<time datetime="2026-01-22">22 January 2026</time>' in html


def test_a_date_known_to_the_year_shows_only_the_year(client):
    talks = bilateral(
        "RWA",
        "TZA",
        title="Leaders agree to deepen cooperation",
        kind=Agreement.Kind.COMMUNIQUE,
        status=Agreement.Status.ANNOUNCED,
        signed_on=None,
        announced_on=dt.date(2026, 1, 1),
        announced_precision=DatePrecision.YEAR,
        published=True,
    )

    html = get_home(client)

    assert talks.title in html
    assert 'Announced <time datetime="2026">2026</time>' in html
    assert "1 January 2026" not in html


def test_drafts_never_show_nor_count(client):
    bilateral("RWA", "KEN", title="Published MoU", published=True)
    draft = AgreementFactory(title="Draft treaty under review", kind=Agreement.Kind.TREATY)
    PartyFactory(agreement=draft, country=country("ETH"))
    PartyFactory(agreement=draft, country=country("SOM"))

    response = client.get("/")
    html = response.content.decode()

    assert "Draft treaty under review" not in html
    assert "ETH" not in html and "Treaty" not in html
    assert response.context["agreement_count"] == 1
    assert response.context["country_count"] == 2
    assert [(k.label, k.count) for k in response.context["kind_counts"]] == [("Memorandum of understanding", 1)]


def test_counts_published_agreements_by_kind_and_countries_with_agreements(client):
    bilateral("RWA", "KEN", published=True)
    bilateral("RWA", "TZA", published=True)
    treaty = AgreementFactory(kind=Agreement.Kind.TREATY, published=True)
    for iso3 in ("KEN", "UGA", "TZA"):
        PartyFactory(agreement=treaty, country=country(iso3))

    response = client.get("/")

    assert response.context["agreement_count"] == 3
    assert response.context["country_count"] == 4
    assert [(k.label, k.count) for k in response.context["kind_counts"]] == [
        ("Treaty", 1),
        ("Memorandum of understanding", 2),
    ]
    assert [(s.label, s.count) for s in response.context["status_counts"]] == [("Signed", 3)]


def test_counts_an_accession_or_consolidated_version_with_its_base_not_again(client):
    base = AgreementFactory(kind=Agreement.Kind.TREATY, published=True)
    AgreementFactory(kind=Agreement.Kind.ACCESSION, published=True, title="Base accession of Rwanda")
    AgreementFactory(published=True, in_default_lists=False, title="Base (consolidated)")
    ended = AgreementFactory(published=True, status=Agreement.Status.EXPIRED)  # a source said so, date unknown

    response = client.get("/")

    assert response.context["agreement_count"] == 2
    assert [(k.label, k.count) for k in response.context["kind_counts"]] == [
        (base.get_kind_display(), 1),
        (ended.get_kind_display(), 1),
    ]
    assert [(s.label, s.count) for s in response.context["status_counts"]] == [("Signed", 1), ("Expired", 1)]
    assert "Base accession of Rwanda" not in get_home(client)


def test_newest_agreements_come_first(client):
    bilateral("RWA", "KEN", title="Older", signed_on=dt.date(2020, 5, 1), published=True)
    bilateral("RWA", "KEN", title="Newer", signed_on=dt.date(2026, 1, 22), published=True)

    html = get_home(client)

    assert html.index("Newer") < html.index("Older")


def test_query_count_does_not_grow_with_agreements(client, django_assert_max_num_queries):
    CorridorFactory(name="Northern Corridor")
    bilateral("RWA", "KEN", published=True)
    cache.clear()  # the counts too are computed (tradepacts.pagecache.derived)
    with CaptureQueriesContext(connection) as one:
        get_home(client)

    for n in range(8):
        agreement = AgreementFactory(published=True, title=f"Agreement {n}")
        for iso3 in ("KEN", "UGA", "TZA"):
            PartyFactory(agreement=agreement, country=country(iso3))
        CorridorFactory()
    cache.clear()
    with django_assert_max_num_queries(HOME_QUERIES):
        get_home(client)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        get_home(client)

    assert len(many) == len(one) == HOME_QUERIES


def test_the_counts_are_kept_until_the_next_write(client):
    bilateral("RWA", "KEN", published=True)
    cache.clear()
    get_home(client)
    with CaptureQueriesContext(connection) as again:
        get_home(client)
    assert len(again) == HOME_QUERIES - 2  # the kinds and the countries, not counted again

    bilateral("UGA", "TZA", published=True)  # a write: the next reader sees it at once
    assert '<span class="stat__value">4</span> countries with agreements' in get_home(client)


def test_lists_corridors_by_name(client):
    CorridorFactory(name="Northern Corridor", slug="northern-corridor")
    CorridorFactory(name="Central Corridor", slug="central-corridor")

    html = get_home(client)

    assert "Northern Corridor" in html and "Central Corridor" in html
    assert "2</span> trade corridors" in html


def test_titles_link_to_detail_pages_only_once_they_exist(client):
    agreement = bilateral("RWA", "KEN", title="Liaison office MoU", published=True)

    html = get_home(client)

    try:
        url = agreement.get_absolute_url()
    except NoReverseMatch:
        assert "<a" not in html.split("Liaison office MoU")[0].rsplit("<h3", 1)[1]
    else:
        assert f'<a href="{url}">Liaison office MoU</a>' in html


def test_admin_link_for_staff_only(client, admin_client):
    admin_url = reverse("admin:index")
    assert f'href="{admin_url}"' not in get_home(client)
    assert f'href="{admin_url}"' in get_home(admin_client)


def test_page_is_plain_html_fit_for_a_strict_csp_and_a_phone(client):
    bilateral("RWA", "KEN", published=True)

    html = get_home(client)

    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert f'<link rel="stylesheet" href="{static("css/site.css")}">' in html
    assert "<script" not in html and "<style" not in html
    assert not re.findall(r"<[^>]*\s(?:style|on\w+)=", html), "no inline styles or event handlers"


def test_static_stylesheet_is_served(client):
    assert client.get(static("css/site.css")).status_code == 200


def test_home_with_the_demo_data(client):
    call_command("load_demo", stdout=StringIO())

    response = client.get("/")
    html = response.content.decode()

    assert "Memorandum of Understanding establishing a Kenya Ports Authority liaison office in Kigali" in html
    assert "Rwanda–Tanzania agreement to deepen cooperation in trade, infrastructure and security" in html
    assert "NCTTCA · CCTTFA" in html
    assert "Northern Corridor" in html and "Central Corridor" in html
    assert response.context["agreement_count"] == 3
    # The MoU is the only agreement with a signing date: it comes first.
    assert [row.agreement.kind for row in response.context["newest"]] == ["mou", "communique", "moc"]
