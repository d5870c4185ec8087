"""One agreement's page, for a record like the January 2026 Rwanda–Kenya MoU
(a Kenya Ports Authority liaison office in Kigali): everything an analyst reads
there, in a fixed number of queries; drafts are not found."""

import datetime as dt
import re

import pytest

from agreements.models import Agreement, AgreementRelation, DatePrecision, Organisation, Signatory, Source
from agreements.tests.factories import (
    AgreementFactory,
    AgreementRelationFactory,
    AgreementSourceFactory,
    ExternalIdentifierFactory,
    OrganisationFactory,
    PartyFactory,
    SignatoryFactory,
    SourceFactory,
    TopicFactory,
    bilateral,
    country,
)

pytestmark = pytest.mark.django_db

# Agreement's corridors come from the corridors app, which agreements never imports.
Corridor = Agreement._meta.get_field("corridors").related_model

# The agreement (with the refresh's trade figures for it), then its parties, signatories,
# topics, corridors, relations each way, identifiers and sources. An agreement the refresh
# has figures for adds one: its parties' trade year by year (trade/tests/test_trade_pages_bad_input_and_queries.py).
DETAIL_QUERIES = 9


@pytest.fixture
def mou() -> Agreement:
    """The Rwanda–Kenya KPA liaison office MoU, with something in every part of its page."""
    mininfra = OrganisationFactory(
        name="Ministry of Infrastructure", acronym="MININFRA", kind=Organisation.Kind.MINISTRY, country=country("RWA")
    )
    kpa = OrganisationFactory(
        name="Kenya Ports Authority", acronym="KPA", kind=Organisation.Kind.PORT_AUTHORITY, country=country("KEN")
    )
    transport = OrganisationFactory(name="State Department for Transport", country=country("KEN"))
    agreement = AgreementFactory(
        title="Memorandum of Understanding establishing a Kenya Ports Authority liaison office in Kigali",
        slug="rwanda-kenya-kpa-liaison-office-kigali-mou-2026",
        kind=Agreement.Kind.MOU,
        scope=Agreement.Scope.BILATERAL,
        status=Agreement.Status.SIGNED,
        is_binding=False,
        summary="Establishes a KPA liaison office in Kigali.\n\nCloser to the Port of Mombasa.",
        announced_on=dt.date(2025, 12, 1),
        announced_precision=DatePrecision.MONTH,
        signed_on=dt.date(2026, 1, 22),
        place="Kigali",
        published=True,
    )
    PartyFactory(agreement=agreement, country=country("RWA"), institution=mininfra)
    PartyFactory(
        agreement=agreement,
        country=country("KEN"),
        institution=kpa,
        ratified_on=dt.date(2026, 3, 1),
        ratified_precision=DatePrecision.MONTH,
    )
    SignatoryFactory(
        agreement=agreement,
        name="Canoth Manishimwe",
        position="Permanent Secretary",
        organisation=mininfra,
        country=country("RWA"),
        role=Signatory.Role.PRESIDED,
        order=1,
    )
    SignatoryFactory(
        agreement=agreement,
        name="Mohamed Daghar",
        honorific="CBS",
        position="Principal Secretary",
        organisation=transport,
        country=country("KEN"),
        role=Signatory.Role.PRESIDED,
        order=2,
    )
    agreement.topics.set(
        [
            TopicFactory(name="Ports and logistics", slug="ports-and-logistics"),
            TopicFactory(name="Trade facilitation", slug="trade-facilitation"),
        ]
    )
    agreement.corridors.add(Corridor.objects.create(name="Northern Corridor", slug="northern-corridor"))
    AgreementSourceFactory(
        agreement=agreement,
        source=SourceFactory(
            title="Rwanda and Kenya Deepen Regional Trade Cooperation",
            publisher="Ministry of Infrastructure, Rwanda",
            url="https://www.mininfra.gov.rw/news/kpa-liaison-office",
            kind=Source.Kind.OFFICIAL_RELEASE,
            published_on=dt.date(2026, 1, 23),
            accessed_on=dt.date(2026, 1, 25),
        ),
        note="Date and place of the signing ceremony.",
    )
    ExternalIdentifierFactory(agreement=agreement, value="9001")
    return agreement


def get_page(client, agreement: Agreement) -> str:
    response = client.get(f"/agreements/{agreement.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_title_kind_status_binding_and_summary(client, mou):
    page = get_page(client, mou)

    assert len(re.findall(r"<h1[\s>]", page)) == 1
    assert f"<h1>{mou.title}</h1>" in page
    assert '<li class="badge">Memorandum of understanding</li>' in page
    assert '<li class="badge badge--status">Signed</li>' in page
    assert "Not legally binding" in page
    assert "<p>Establishes a KPA liaison office in Kigali.</p>\n\n<p>Closer to the Port of Mombasa.</p>" in page


def test_every_date_with_its_precision_and_the_place(client, mou):
    page = get_page(client, mou)

    assert '<dt>Announced</dt>\n        <dd><time datetime="2025-12">December 2025</time></dd>' in page
    assert '<dt>Signed</dt>\n        <dd><time datetime="2026-01-22">22 January 2026</time> in Kigali</dd>' in page
    assert '<dt>Entered into force</dt>\n        <dd><span class="muted">Not known</span></dd>' in page
    assert '<dt>Ended</dt>\n        <dd><span class="muted">Not known</span></dd>' in page


def test_lifecycle_lists_the_dated_steps_in_order(client, mou):
    page = get_page(client, mou)
    lifecycle = page[page.index('<ol class="lifecycle">') :]
    steps = re.findall(r"<li[^>]*>(.*?)</li>", lifecycle[: lifecycle.index("</ol>")])

    assert steps == [
        '<time datetime="2025-12">December 2025</time>: Announced',
        '<time datetime="2026-01-22">22 January 2026</time>: Signed in Kigali',
        '<time datetime="2026-03">March 2026</time>: Kenya: ratified',
    ]


def test_lifecycle_of_an_agreement_in_force_and_ended(client):
    treaty = AgreementFactory(
        title="Old treaty",
        kind=Agreement.Kind.TREATY,
        status=Agreement.Status.SUPERSEDED,
        signed_on=dt.date(1999, 1, 1),
        signed_precision=DatePrecision.YEAR,
        in_force_on=dt.date(2000, 7, 7),
        ended_on=dt.date(2010, 1, 1),
        ended_precision=DatePrecision.YEAR,
        published=True,
    )
    PartyFactory(agreement=treaty, country=country("UGA"), joined_on=dt.date(2001, 6, 1), joined_precision="month")

    page = get_page(client, treaty)

    lifecycle = page[page.index('<ol class="lifecycle">') :]
    assert re.findall(r"<li[^>]*>(.*?)</li>", lifecycle[: lifecycle.index("</ol>")]) == [
        '<time datetime="1999">1999</time>: Signed',
        '<time datetime="2000-07-07">7 July 2000</time>: Entered into force',
        '<time datetime="2001-06">June 2001</time>: Uganda: joined',
        '<time datetime="2010">2010</time>: Ended (superseded)',
    ]


def test_signed_without_a_date_says_so(client):
    moc = AgreementFactory(title="Recently signed", signed_on=None, published=True)

    page = get_page(client, moc)

    assert "Signed; the date is not known" in page


def test_parties_with_the_institutions_acting_for_them_and_their_dates(client, mou):
    page = get_page(client, mou)

    assert '<a href="/countries/RWA/">Rwanda</a>' in page
    assert '<a href="/countries/KEN/">Kenya</a>' in page
    assert "Acting through Ministry of Infrastructure (MININFRA)" in page
    assert "Acting through Kenya Ports Authority (KPA)" in page
    assert '<li>Ratified <time datetime="2026-03">March 2026</time></li>' in page
    assert '<a href="/countries/RWA/KEN/">Every instrument between Rwanda and Kenya</a>' in page


def test_no_pair_link_for_more_than_two_countries(client):
    treaty = AgreementFactory(published=True)
    for iso3 in ("KEN", "UGA", "TZA"):
        PartyFactory(agreement=treaty, country=country(iso3))

    page = get_page(client, treaty)

    assert "Every instrument between" not in page
    assert '<a href="/countries/UGA/">Uganda</a>' in page


def test_signatories_with_honorific_position_organisation_country_and_role(client, mou):
    page = get_page(client, mou)

    assert "Canoth Manishimwe <span" in page
    assert "Mohamed Daghar, CBS <span" in page
    assert 'Principal Secretary, State Department for Transport · <a href="/countries/KEN/">Kenya</a>' in page
    assert "Permanent Secretary, Ministry of Infrastructure (MININFRA)" in page
    assert page.count('<span class="badge">Presided</span>') == 2
    assert page.index("Canoth Manishimwe") < page.index("Mohamed Daghar")


def test_topics_link_to_the_filtered_list_and_corridors_to_their_pages(client, mou):
    page = get_page(client, mou)

    assert '<a href="/agreements/?topic=ports-and-logistics">Ports and logistics</a>' in page
    assert '<a href="/agreements/?topic=trade-facilitation">Trade facilitation</a>' in page
    assert '<a href="/corridors/northern-corridor/">Northern Corridor</a>' in page
    # The topic link leads to a working list.
    assert client.get("/agreements/?topic=ports-and-logistics").status_code == 200


def test_sources_with_links_publisher_and_dates(client, mou):
    page = get_page(client, mou)

    assert (
        '<a href="https://www.mininfra.gov.rw/news/kpa-liaison-office" rel="noopener noreferrer">'
        "Rwanda and Kenya Deepen Regional Trade Cooperation</a>"
    ) in page
    assert "Official release · Ministry of Infrastructure, Rwanda" in page
    assert 'published <time datetime="2026-01-23">23 January 2026</time>' in page
    assert "Date and place of the signing ceremony." in page


def test_a_source_url_that_is_not_http_is_not_a_link(client, mou):
    Source.objects.filter(citations__agreement=mou).update(url="javascript:alert(1)")

    page = get_page(client, mou)

    assert 'href="javascript:' not in page


def test_external_identifiers(client, mou):
    page = get_page(client, mou)
    assert "<dt>DESTA number</dt><dd>9001</dd>" in page


def test_related_instruments_both_ways_published_only(client, mou):
    framework = AgreementFactory(title="Framework on port services", published=True)
    addendum = AgreementFactory(title="Addendum on staffing", published=True)
    secret = AgreementFactory(title="Draft side letter")
    AgreementRelationFactory(from_agreement=mou, kind=AgreementRelation.Kind.IMPLEMENTS, to_agreement=framework)
    AgreementRelationFactory(from_agreement=addendum, kind=AgreementRelation.Kind.AMENDS, to_agreement=mou)
    AgreementRelationFactory(from_agreement=secret, kind=AgreementRelation.Kind.AMENDS, to_agreement=mou)
    AgreementRelationFactory(from_agreement=mou, kind=AgreementRelation.Kind.RELATED, to_agreement=secret)

    page = get_page(client, mou)

    assert f'Implements <a href="/agreements/{framework.slug}/">Framework on port services</a>' in page
    assert f'Is amended by <a href="/agreements/{addendum.slug}/">Addendum on staffing</a>' in page
    assert "Draft side letter" not in page


def test_query_count_is_pinned_and_does_not_grow(client, mou, django_assert_num_queries):
    with django_assert_num_queries(DETAIL_QUERIES):
        get_page(client, mou)

    for iso3 in ("UGA", "TZA", "BDI"):
        PartyFactory(agreement=mou, country=country(iso3), institution=OrganisationFactory(country=country(iso3)))
        SignatoryFactory(agreement=mou, country=country(iso3), organisation=OrganisationFactory())
        AgreementSourceFactory(agreement=mou)
        mou.topics.add(TopicFactory())
        mou.corridors.add(Corridor.objects.create(name=f"Corridor {iso3}", slug=f"corridor-{iso3.lower()}"))
        AgreementRelationFactory(from_agreement=mou, to_agreement=AgreementFactory(published=True))
        AgreementRelationFactory(to_agreement=mou, from_agreement=AgreementFactory(published=True))
    Agreement.objects.filter(pk=mou.pk).update(scope=Agreement.Scope.PLURILATERAL)

    with django_assert_num_queries(DETAIL_QUERIES):
        get_page(client, mou)


def test_a_draft_is_not_found(client):
    draft = bilateral("RWA", "KEN", title="Draft MoU")

    response = client.get(f"/agreements/{draft.slug}/")

    assert response.status_code == 404
    assert "Draft MoU" not in response.content.decode()


def test_an_unknown_slug_is_not_found(client):
    assert client.get("/agreements/no-such-agreement/").status_code == 404


def test_user_text_is_escaped(client):
    agreement = AgreementFactory(
        title="<script>alert(1)</script>",
        summary='<img src=x onerror="alert(2)">',
        place="<b>Kigali</b>",
        published=True,
    )
    SignatoryFactory(agreement=agreement, name="<i>Someone</i>", position="<u>Minister</u>")

    page = get_page(client, agreement)

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page
    assert "<img" not in page and "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in page
    assert "<b>Kigali</b>" not in page and "<i>Someone</i>" not in page and "<u>Minister</u>" not in page
