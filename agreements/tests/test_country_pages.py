"""The country pages an anonymous analyst reads: /countries/ and /countries/<ISO3>/.
Drafts never show, nor count. (The pair page: test_pair_pages.py.)

A country's corridors are tested in corridors/tests/test_corridor_pages.py: this app's
tests build no corridors.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement, DatePrecision
from agreements.tests.factories import (
    BlocFactory,
    BlocMembershipFactory,
    OrganisationFactory,
    PartyFactory,
    bilateral,
    country,
)
from agreements.tests.page_helpers import (
    DETAIL_QUERIES,
    LIST_QUERIES,
    SQL_DETAIL_QUERIES,
    get,
    plurilateral,
    section,
    warm,
)
from agreements.views.countries import MAX_PER_GROUP

pytestmark = pytest.mark.django_db


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


def get_context(client, url: str) -> list:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["partners"]


def test_partners_past_the_first_groups_are_one_line_of_links(client, monkeypatch):
    monkeypatch.setattr("agreements.views.countries.MAX_PARTNER_GROUPS", 1)
    bilateral("RWA", "KEN", title="Liaison office MoU", published=True)
    plurilateral("RWA", "KEN", "UGA", "TZA", title="Transit treaty", published=True)

    by_partner = section(client.get("/countries/RWA/").content.decode(), "by-partner")

    assert 'id="partner-KEN"' in by_partner and 'id="partner-UGA"' not in by_partner
    assert "2 other partners" in by_partner
    assert '<a href="/countries/RWA/TZA/">Tanzania</a> (1), <a href="/countries/RWA/UGA/">Uganda</a> (1)' in by_partner


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
    # Each year is how many, and a link to them in the list; no entry (the list shows them).
    assert (
        '<a href="/agreements/?party=KEN&amp;signed_from=2024&amp;signed_to=2024">2024</a> <span class="count">2</span>'
        in by_year
    )
    assert "Signed in 2024" not in by_year and "Talks announced" not in by_year
    assert 'Announced <time datetime="2025">2025</time>' in section(html, "by-partner")  # under Ethiopia
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
    year = '<a href="/agreements/?party=RWA&amp;signed_from=2024&amp;signed_to=2024">2024</a>'
    assert f'{year} <span class="count">{MAX_PER_GROUP + 2}</span>' in section(html, "by-year")
    assert "MoU 0" not in section(html, "by-year")


def test_a_partner_met_too_rarely_among_the_newest_agreements_gets_its_newest_all_the_same(client, monkeypatch):
    # The country's newest agreement only is read first: Kenya's three and Uganda's two are
    # found by the second query, which ranks all of theirs.
    monkeypatch.setattr("agreements.views.country_groups.NEWEST_WALK", 1)
    for day in range(1, 5):
        bilateral("RWA", "KEN", title=f"Kenya {day}", published=True, signed_on=dt.date(2024, 1, day))
    for day in range(1, 3):
        bilateral("RWA", "UGA", title=f"Uganda {day}", published=True, signed_on=dt.date(2020, 1, day))
    bilateral("RWA", "TZA", title="Tanzania", published=True, signed_on=dt.date(2025, 1, 1))

    partners = {g.partner.iso3: [e.agreement.title for e in g.entries] for g in get_context(client, "/countries/RWA/")}

    assert partners == {"KEN": ["Kenya 4", "Kenya 3", "Kenya 2"], "UGA": ["Uganda 2", "Uganda 1"], "TZA": ["Tanzania"]}


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

    # In full, on the pair's timeline.
    timeline = section(get(client, "/countries/RWA/UGA/"), "timeline")
    assert 'Signed <time datetime="2020-05-01">1 May 2020</time></p>' in timeline
    assert "<span>In force</span>" in timeline and "<span>Signed</span>" not in timeline
    assert "Signed, date unknown</p>" in get(client, "/countries/RWA/TZA/")
    # On one line, by partner.
    by_partner = section(html, "by-partner")
    assert 'Signed <time datetime="2020-05-01">1 May 2020</time> · In force</span>' in by_partner
    assert 'Signed <time datetime="2024-05-02">2 May 2024</time></span>' in by_partner
    assert "Signed, date unknown</span>" in by_partner


def test_an_entry_names_its_first_parties_in_order_an_institution_alone_by_its_acronym(client):
    agreement = plurilateral("RWA", "KEN", title="Customs cooperation", published=True, signed_on=dt.date(2023, 4, 1))
    secretariat = OrganisationFactory(name="East African Community Secretariat", acronym="EACS", intergovernmental=True)
    PartyFactory(agreement=agreement, country=None, institution=secretariat)
    PartyFactory(agreement=agreement, country=country("UGA"), institution=OrganisationFactory(acronym="URA"))
    for iso3 in ["TZA", "BDI", "SSD", "COD", "ETH", "SOM"]:
        PartyFactory(agreement=agreement, country=country(iso3))

    entry = (
        section(get(client, "/countries/RWA/KEN/"), "timeline").split("Customs cooperation", 1)[1].split("</li>", 1)[0]
    )

    # Eight codes in the parties' order (an institution acting for a country by the country's), then how many more.
    assert "RWA · KEN · EACS · UGA · TZA · BDI · SSD · COD and 2 more" in entry


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


@pytest.mark.parametrize("mode, queries", [("inline", DETAIL_QUERIES), ("off", SQL_DETAIL_QUERIES)])
def test_detail_query_count_does_not_grow_with_agreements(client, settings, mode, queries):
    settings.LISTING_INDEX = mode
    partners = ["KEN", "UGA", "TZA", "BDI", "SSD", "COD"]

    def add(n: int) -> None:
        for i in range(n):
            other = partners[i % len(partners)]
            bilateral("RWA", other, published=True, signed_on=dt.date(2010 + i % 7, 1, 1))

    add(3)
    BlocMembershipFactory(country=country("RWA"))
    warm(client)
    with CaptureQueriesContext(connection) as few:
        get(client, "/countries/RWA/")
    add(27)
    warm(client)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/countries/RWA/")

    assert len(few) == len(many) == queries
    assert response.context["agreement_count"] == 30
