"""The agreement list as an analyst meets it: order, pagination, the form,
the export link, the citation, and a query count that does not grow."""

import datetime as dt
import html
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from agreements.models import Agreement, DatePrecision
from agreements.tests.factories import (
    AgreementFactory,
    AgreementSourceFactory,
    OrganisationFactory,
    PartyFactory,
    SignatoryFactory,
    TopicFactory,
    country,
)

pytestmark = pytest.mark.django_db

# Agreement's corridors come from the corridors app, which agreements never imports.
Corridor = Agreement._meta.get_field("corridors").related_model

TITLE = re.compile(r'<th scope="row" class="agreement-table__title"><a href="[^"]+">(.*?)</a></th>')

# With the listing index current (agreements.listing_index; ``warm`` builds it after the test's
# writes): the page's agreements; the index counts, facets, pages newest first, holds each
# agreement's first parties (the Parties cells) and knows the dataset's last update (the citation).
# The countries, topics, blocs and corridors the form offers, and the dataset's last update, are
# read once per process until the data changes (agreements.reference_lists).
LIST_QUERIES = 1
# Sorted otherwise (?sort=oldest): the page's ids in that order, and the chosen parties' own
# accession instruments (agreements.default_lists.listed_for) that the FilterSet's queryset reads.
FILTERED_LIST_QUERIES = LIST_QUERIES + 2
# Without the index (LISTING_INDEX=off, or while a new one is built after a write): the page's ids,
# its agreements' parties and the facet counts (agreements.facets: the agreement's own columns in one,
# which counts the list too, and topics, blocs and corridors in another); the dataset's last update
# is the reference lists'.
SQL_LIST_QUERIES = LIST_QUERIES + 4
SQL_FILTERED_LIST_QUERIES = SQL_LIST_QUERIES + 1
QUERIES = {"inline": (LIST_QUERIES, FILTERED_LIST_QUERIES), "off": (SQL_LIST_QUERIES, SQL_FILTERED_LIST_QUERIES)}
REFERENCE_QUERIES = 5  # countries, topics, blocs, corridors; the last update


def warm(client) -> None:
    """The list once, after the test's writes: the reference lists and the listing index read since the last change."""
    assert client.get("/agreements/?page=last").status_code == 200


def titles(response) -> list[str]:
    return [html.unescape(title) for title in TITLE.findall(response.content.decode())]


def full_agreement(n: int, topics, corridor) -> Agreement:
    """A published agreement with everything the list and its prefetches touch."""
    agreement = AgreementFactory(
        title=f"Agreement {n:03d}", published=True, signed_on=dt.date(2000, 1, 1) + dt.timedelta(days=n)
    )
    kenya = PartyFactory(agreement=agreement, country=country("KEN"), institution=OrganisationFactory())
    PartyFactory(agreement=agreement, country=country("RWA"))
    PartyFactory(agreement=agreement, country=country("UGA"))
    SignatoryFactory(agreement=agreement, country=kenya.country)
    SignatoryFactory(agreement=agreement, country=country("RWA"))
    AgreementSourceFactory(agreement=agreement)
    agreement.topics.set(topics)
    agreement.corridors.add(corridor)
    return agreement


@pytest.fixture
def build():
    topics = [TopicFactory(slug="ports"), TopicFactory(slug="energy")]
    corridor = Corridor.objects.create(name="Northern Corridor", slug="northern-corridor")
    made = []

    def build(n: int) -> None:
        for _ in range(n):
            made.append(full_agreement(len(made), topics, corridor))

    return build


# Order ---------------------------------------------------------------------


def test_newest_first_by_default_undated_last(client):
    AgreementFactory(title="Older", published=True, signed_on=dt.date(2020, 5, 1))
    AgreementFactory(
        title="Undated", published=True, status=Agreement.Status.ANNOUNCED, signed_on=None, announced_on=None
    )
    AgreementFactory(title="Newest", published=True, signed_on=dt.date(2026, 1, 22))
    AgreementFactory(title="Same day, entered later", published=True, signed_on=dt.date(2026, 1, 22))

    response = client.get("/agreements/")

    assert titles(response) == ["Same day, entered later", "Newest", "Older", "Undated"]
    assert "sorted by newest first" in response.content.decode()


def test_each_row_shows_kind_status_parties_and_dates_with_their_precision(client):
    agreement = AgreementFactory(
        title="EAC customs protocol",
        kind=Agreement.Kind.PROTOCOL,
        status=Agreement.Status.IN_FORCE,
        published=True,
        signed_on=dt.date(2004, 3, 1),
        signed_precision=DatePrecision.MONTH,
        in_force_on=dt.date(2005, 1, 1),
        in_force_precision=DatePrecision.YEAR,
    )
    PartyFactory(agreement=agreement, country=country("KEN"), institution=OrganisationFactory(name="KRA"))
    PartyFactory(agreement=agreement, country=country("UGA"))
    PartyFactory(agreement=agreement, country=country("TZA"))

    page = client.get("/agreements/").content.decode()

    assert f'<a href="/agreements/{agreement.slug}/">EAC customs protocol</a>' in page
    assert '<td data-label="Kind">Protocol</td>' in page
    assert '<td data-label="Status">In force</td>' in page
    assert '<abbr title="Kenya, acting through KRA">KEN</abbr>' in page
    assert '<abbr title="Uganda">UGA</abbr>' in page and '<abbr title="Tanzania">TZA</abbr>' in page
    assert '<time datetime="2004-03">March 2004</time>' in page
    assert '<time datetime="2005">2005</time>' in page


def test_an_institution_acting_alone_shows_by_its_acronym(client):
    agreement = AgreementFactory(title="Corridor agencies", published=True, scope=Agreement.Scope.INSTITUTIONAL)
    PartyFactory(
        agreement=agreement,
        country=None,
        institution=OrganisationFactory(name="Northern Corridor Authority", acronym="NCTTCA", intergovernmental=True),
    )

    page = client.get("/agreements/").content.decode()

    assert '<abbr title="Northern Corridor Authority">NCTTCA</abbr>' in page


def test_a_long_party_list_shows_twelve_codes_and_how_many_more(client):
    agreement = AgreementFactory(published=True)
    codes = ["KEN", "UGA", "RWA", "TZA", "BDI", "SSD", "COD", "ETH", "SOM", "ZMB", "MWI", "MOZ", "AGO", "NAM", "BWA"]
    for iso3 in codes:
        PartyFactory(agreement=agreement, country=country(iso3))

    page = client.get("/agreements/").content.decode()

    assert '<abbr title="Mozambique">MOZ</abbr> <span class="party-codes__more">and 3 more</span>' in page
    assert ">AGO</abbr>" not in page


def test_shows_the_result_count(client):
    for _ in range(3):
        AgreementFactory(published=True, kind=Agreement.Kind.MOU)
    AgreementFactory(published=True, kind=Agreement.Kind.TREATY)

    assert "<strong>4</strong> agreements" in client.get("/agreements/").content.decode()
    assert "<strong>3</strong> agreements" in client.get("/agreements/?kind=mou").content.decode()
    assert "<strong>1</strong> agreement," in client.get("/agreements/?kind=treaty").content.decode()


# Pagination ------------------------------------------------------------------


def test_pagination_keeps_every_filter_and_is_accessible(client):
    for n in range(120):
        AgreementFactory(published=True, kind=Agreement.Kind.MOU, signed_on=dt.date(2000, 1, 1) + dt.timedelta(n))
    AgreementFactory(published=True, kind=Agreement.Kind.TREATY)

    page = client.get("/agreements/?kind=mou&q=&sort=newest&page=2").content.decode()

    nav = page[page.index('<nav class="pagination" aria-label="Pagination">') :]
    nav = nav[: nav.index("</nav>")]
    assert "Page 2 of 3" in nav
    # Page 1 drops the page parameter; the others name it; every link keeps the filters.
    assert 'href="?kind=mou&amp;q=&amp;sort=newest" rel="prev"' in nav
    assert 'href="?kind=mou&amp;q=&amp;sort=newest&amp;page=3" rel="next"' in nav
    assert 'href="?kind=mou&amp;q=&amp;sort=newest&amp;page=2" aria-current="page"' in nav
    assert "showing 51–100" in page
    assert "<strong>120</strong> agreements" in page


def test_no_pagination_for_a_single_page(client):
    AgreementFactory(published=True)
    assert 'aria-label="Pagination"' not in client.get("/agreements/").content.decode()


# Not named `page`: pytest-playwright would take it for its fixture.
@pytest.mark.parametrize(
    "number",
    ["0", "-1", "3", "abc", "1.5", "99999999999999999999", "9" * 5000, "1e3", "%00", "%FF"],
)
def test_a_bad_page_is_a_clean_404(client, number):
    for _ in range(60):
        AgreementFactory(published=True)

    assert client.get(f"/agreements/?page={number}").status_code == 404


def test_page_last_is_the_last_page(client):
    for n in range(60):
        AgreementFactory(published=True, title=f"A{n}", signed_on=dt.date(2000, 1, 1) + dt.timedelta(n))

    response = client.get("/agreements/?page=last")

    assert response.status_code == 200
    assert titles(response) == [f"A{n}" for n in range(9, -1, -1)]


def test_an_invalid_filter_ignores_the_page(client):
    response = client.get("/agreements/?party=XYZ&page=7")
    assert response.status_code == 400
    assert "Unknown country code: XYZ." in response.content.decode()


# Query count ------------------------------------------------------------------


@pytest.fixture(params=["inline", "off"])
def index_mode(request, settings):
    """Each query count with the listing index and without it (its SQL path)."""
    settings.LISTING_INDEX = request.param
    return QUERIES[request.param]


def test_query_count_is_pinned_and_does_not_grow_with_results(client, build, django_assert_num_queries, index_mode):
    build(3)
    warm(client)
    with django_assert_num_queries(index_mode[0]):
        few = client.get("/agreements/")
    build(27)
    warm(client)
    with django_assert_num_queries(index_mode[0]):
        many = client.get("/agreements/")

    assert len(titles(few)) == 3 and len(titles(many)) == 30


def test_query_count_does_not_grow_with_page_size_or_deep_pages(client, build, django_assert_num_queries, index_mode):
    build(120)
    warm(client)
    for query in ("", "page=2", "page=3", "page=last"):
        with django_assert_num_queries(index_mode[0]):
            assert client.get(f"/agreements/?{query}").status_code == 200


def test_query_count_with_every_filter_is_pinned_too(client, build, django_assert_num_queries, index_mode):
    from agreements.tests.factories import BlocMembershipFactory

    BlocMembershipFactory(bloc__code="EAC", country=country("KEN"))
    query = (
        "party=KEN&party=rwa&kind=mou&status=signed&topic=ports&corridor=northern-corridor&bloc=EAC"
        "&signed_from=2000&signed_to=2030&sort=oldest&q="
    )
    build(3)
    warm(client)
    with django_assert_num_queries(index_mode[1]):
        few = client.get(f"/agreements/?{query}")
    build(60)
    warm(client)
    with django_assert_num_queries(index_mode[1]):
        many = client.get(f"/agreements/?{query}&page=2")

    assert len(titles(few)) == 3 and len(titles(many)) == 13


# The form and the page -----------------------------------------------------------


class FormAudit(HTMLParser):
    """Collects form controls' ids, what labels point at, and the headings."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[str] = []
        self.labelled: set[str] = set()
        self.h1 = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append(attrs.get("id") or f"<{tag} name={attrs.get('name')} without an id>")
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])
        if tag == "h1":
            self.h1 += 1


@pytest.mark.parametrize("query", ["", "party=KEN&kind=mou", "party=XYZ&signed_from=2026&signed_to=2025"])
def test_every_form_field_has_a_label_and_the_page_one_h1(client, query):
    TopicFactory()
    Corridor.objects.create(name="Northern Corridor", slug="northern-corridor")
    AgreementFactory(published=True)
    audit = FormAudit()

    audit.feed(client.get(f"/agreements/?{query}").content.decode())

    assert audit.controls, "the filter form is on the page"
    assert [control for control in audit.controls if control not in audit.labelled] == []
    assert audit.h1 == 1


def test_the_form_shows_every_contract_parameter(client):
    TopicFactory()
    page = client.get("/agreements/").content.decode()

    for name in ("q", "party", "kind", "status", "topic", "corridor", "bloc", "signed_from", "signed_to", "sort"):
        assert f'name="{name}"' in page, name
    assert '<form method="get" action="/agreements/"' in page
    assert re.search(r'<input type="checkbox" id="id_party_KEN" name="party" value="KEN"', page)
    assert 'type="checkbox" name="kind"' in page and 'type="checkbox" name="status"' in page


def test_the_page_is_plain_html_fit_for_a_strict_csp(client):
    AgreementFactory(published=True, title="<b>bold</b> & <i>italic</i>")

    page = client.get("/agreements/").content.decode()

    # Scripts only from a file of ours (the filter form's, loaded with defer), never inline code.
    assert re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S) == [(' src="/static/js/filter-form.js" defer', "")]
    assert "<style" not in page
    assert not re.findall(r"<[^>]*\s(?:style|on\w+)=", page)
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;italic&lt;/i&gt;" in page


def test_an_invalid_filter_shows_the_form_with_its_messages_and_no_results(client):
    AgreementFactory(published=True, title="Should not show")

    response = client.get("/agreements/?party=RWA&party=XYZ&signed_from=2026&signed_to=2025")
    page = response.content.decode()

    assert response.status_code == 400
    assert "<title>Error: Agreements" in page
    assert "The filters could not be applied" in page
    assert '<a href="#id_party">Parties: Unknown country code: XYZ.</a>' in page
    assert '<ul class="errorlist" id="id_signed_to_error"><li>Must not be before “Signed from”.</li></ul>' in page
    assert "Should not show" not in page
    assert "Export CSV" not in page
    # What the analyst typed is kept, to correct it.
    assert 'name="signed_from" value="2026"' in page


# Export link and citation --------------------------------------------------------


def test_export_link_carries_the_query_string_without_the_page(client):
    for _ in range(60):
        AgreementFactory(published=True, kind=Agreement.Kind.MOU)

    page = client.get("/agreements/?kind=mou&page=2&signed_from=2000&q=").content.decode()

    assert 'href="/agreements/export.csv?kind=mou&amp;signed_from=2000&amp;q=" download>Export CSV' in page


def test_export_link_of_the_bare_list(client):
    AgreementFactory(published=True)
    assert 'href="/agreements/export.csv" download>Export CSV' in client.get("/agreements/").content.decode()


def test_cite_this_list_gives_the_url_today_and_the_last_update(client):
    AgreementFactory(published=True)
    latest = AgreementFactory(published=True)
    Agreement.objects.filter(pk=latest.pk).update(updated_at=dt.datetime(2026, 1, 24, 9, 30, tzinfo=dt.UTC))
    Agreement.objects.exclude(pk=latest.pk).update(updated_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))

    page = client.get("/agreements/?party=KEN&kind=mou&page=1").content.decode()
    cite = page[page.index('id="cite-heading"') :]

    today = timezone.localdate()
    assert "Cite this list" in page
    assert "http://testserver/agreements/?party=KEN&amp;kind=mou " in cite
    assert f"accessed {today.day} {today:%B %Y}" in cite
    assert "dataset last updated 24 January 2026, 09:30 UTC" in cite


def test_the_reference_lists_are_read_once_then_again_after_a_change(
    client, build, django_assert_num_queries, settings
):
    settings.LISTING_INDEX = "off"  # read again after a write too: test_listing_index
    build(3)
    with django_assert_num_queries(SQL_LIST_QUERIES + REFERENCE_QUERIES):
        client.get("/agreements/")
    with django_assert_num_queries(SQL_LIST_QUERIES):
        first = client.get("/agreements/?kind=mou").content.decode()
    TopicFactory(name="Fisheries", slug="fisheries")  # a write: every process reads them again

    with django_assert_num_queries(SQL_LIST_QUERIES + REFERENCE_QUERIES):
        then = client.get("/agreements/?kind=mou").content.decode()

    assert 'value="fisheries"' not in first and 'value="fisheries"' in then
    assert client.get("/agreements/?topic=fisheries").status_code == 200
