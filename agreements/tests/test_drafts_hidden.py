"""A draft is a curator's work in progress: it appears on no public surface,
not in the list, its page, search results, the export, nor any count."""

import datetime as dt

import pytest

from agreements.models import Agreement, AgreementRelation
from agreements.search import reindex
from agreements.tests.factories import AgreementFactory, AgreementRelationFactory, bilateral

pytestmark = pytest.mark.django_db

DRAFT_TITLE = "Confidential draft treaty on Zanzibar ferries"


@pytest.fixture
def draft() -> Agreement:
    """A draft a search would find, newer than anything published, and related to a published agreement."""
    published = bilateral("RWA", "KEN", title="Published MoU on Zanzibar ports", published=True)
    draft = bilateral(
        "RWA", "KEN", title=DRAFT_TITLE, kind=Agreement.Kind.TREATY, signed_on=dt.date(2026, 6, 1), published=False
    )
    AgreementRelationFactory(from_agreement=draft, kind=AgreementRelation.Kind.AMENDS, to_agreement=published)
    reindex([published.pk, draft.pk])
    return draft


def test_not_in_the_list_nor_its_count(client, draft):
    response = client.get("/agreements/")
    page = response.content.decode()

    assert DRAFT_TITLE not in page
    assert "<strong>1</strong> agreement," in page


def test_not_in_a_filtered_list(client, draft):
    page = client.get("/agreements/?party=RWA&party=KEN&kind=treaty&signed_from=2026").content.decode()

    assert DRAFT_TITLE not in page
    assert "No published agreement matches these filters" in page


def test_its_page_is_not_found(client, draft):
    response = client.get(f"/agreements/{draft.slug}/")

    assert response.status_code == 404
    assert DRAFT_TITLE not in response.content.decode()


def test_not_in_search_results(client, draft):
    page = client.get("/agreements/?q=Zanzibar").content.decode()

    assert "Published MoU on Zanzibar ports" in page
    assert DRAFT_TITLE not in page
    only_the_draft = client.get("/agreements/?q=ferries").content.decode()
    assert "<strong>0</strong> agreements" in only_the_draft and DRAFT_TITLE not in only_the_draft


def test_not_in_the_export(client, draft):
    for query in ("", "q=Zanzibar", "kind=treaty", "party=RWA"):
        response = client.get(f"/agreements/export.csv?{query}")
        body = b"".join(response.streaming_content).decode()
        assert response.status_code == 200
        assert DRAFT_TITLE not in body
        assert f"/{draft.slug}/" not in body


def test_not_among_a_published_agreements_related_instruments(client, draft):
    published = Agreement.objects.get(title="Published MoU on Zanzibar ports")

    page = client.get(f"/agreements/{published.slug}/").content.decode()

    assert DRAFT_TITLE not in page
    assert "Is amended by" not in page


def test_not_in_the_home_page_counts(client, draft):
    AgreementFactory(title="Another draft", kind=Agreement.Kind.PROTOCOL)

    response = client.get("/")
    page = response.content.decode()

    assert DRAFT_TITLE not in page and "Another draft" not in page
    assert response.context["agreement_count"] == 1
    assert [(k.label, k.count) for k in response.context["kind_counts"]] == [("Memorandum of understanding", 1)]


def test_its_edits_do_not_date_the_dataset(client, draft):
    Agreement.objects.filter(pk=draft.pk).update(updated_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    Agreement.objects.published().update(updated_at=dt.datetime(2026, 1, 24, 9, 30, tzinfo=dt.UTC))

    page = client.get("/agreements/").content.decode()

    assert "dataset last updated 24 January 2026, 09:30 UTC" in page
