"""Draft from a news report: each seed's text proposes an agreement in the admin's add
form (parties, institutions, people, date, place, kind, topics, corridors, source), each
value with its sentence; nothing is saved until the curator saves. A paragraph that
reports no agreement proposes nothing."""

from pathlib import Path

import pytest
from django.urls import reverse

from agreements.drafting import propose
from agreements.models import Agreement, Country, Organisation, Source, Topic
from agreements.tests.admin_helpers import page_data
from corridors.models import Corridor

pytestmark = pytest.mark.django_db

SEEDS = {
    # The three news reports the demo data comes from, copied from the project's shared seeds.
    path.name[:3]: path.read_text()
    for path in (Path(__file__).parent / "data" / "seeds").glob("0*.txt")
}
URL = "https://www.mininfra.gov.rw/updates/news-details/kpa-liaison-office"
DRAFT = reverse("admin:agreements_agreement_draft")
NO_AGREEMENT = (
    "Rwanda has previously honored individuals from around the world who risked their lives to protect Tutsi during "
    "the genocide. Among them are American humanitarian Carl Wilkens and physician Paul Farmer."
)


@pytest.fixture
def reference(db):
    """What the database knows before the curator drafts: institutions, topics, corridors."""
    rwa, ken = Country.objects.get(iso3="RWA"), Country.objects.get(iso3="KEN")
    orgs = {
        "mininfra": Organisation.objects.create(
            name="Ministry of Infrastructure", acronym="MININFRA", slug="m", country=rwa
        ),
        "kpa": Organisation.objects.create(name="Kenya Ports Authority", acronym="KPA", slug="kpa", country=ken),
    }
    orgs["ministry"] = Organisation.objects.create(name="Ministry of Roads and Transport", slug="mrt", country=ken)
    orgs["department"] = Organisation.objects.create(
        name="State Department for Transport", slug="sdt", country=ken, parent=orgs["ministry"]
    )
    for name in ("Ports and logistics", "Trade facilitation", "Security", "Customs"):
        Topic.objects.create(name=name, slug=name.lower().replace(" ", "-"))
    Corridor.objects.create(name="Northern Corridor", slug="northern-corridor", gateway_port="Mombasa")
    return orgs


def test_seed_002_proposes_the_kpa_mou(reference):
    draft = propose(SEEDS["002"], URL)

    assert draft.fields["kind"] == "mou" and draft.fields["status"] == "signed"
    assert (draft.fields["signed_on"], draft.fields["place"], draft.fields["scope"]) == (
        "2026-01-22",
        "Kigali",
        "bilateral",
    )
    assert draft.parties == [
        {"country": "RWA", "institution": reference["mininfra"].pk},
        {"country": "KEN", "institution": reference["kpa"].pk},
    ]
    people = [
        (s["name"], s["honorific"], s["position"], s["role"], s["country"], s["organisation"])
        for s in draft.signatories
    ]
    assert people == [
        ("Canoth Manishimwe", "", "Permanent Secretary", "presided", "RWA", reference["mininfra"].pk),
        ("Mohamed Daghar", "CBS", "Principal Secretary", "presided", "KEN", reference["department"].pk),
    ]
    corridor = Corridor.objects.get()
    assert draft.linked["corridors.corridoragreement"] == [{"corridor": corridor.pk}]
    assert {Topic.objects.get(pk=pk).name for pk in draft.fields["topics"]} == {
        "Ports and logistics",
        "Trade facilitation",
    }
    assert (
        draft.source["title"]
        == "Rwanda and Kenya Deepen Regional Trade Cooperation with Establishment of KPA Liaison Office in Kigali"
    )
    evidence = {(e.label, e.value): e.sentence for e in draft.evidence}
    assert evidence[("Date signed", "22 January 2026")].startswith("On Thursday, 22 January 2026, the Ministry")
    assert "Northern Corridor" in evidence[("Corridor", "Northern Corridor")]


def test_seed_001_proposes_the_mou_from_the_report(reference):
    draft = propose(SEEDS["001"])

    assert draft.fields["kind"] == "mou"
    assert [p["country"] for p in draft.parties] == ["RWA", "KEN"]
    assert [p["institution"] for p in draft.parties] == [reference["mininfra"].pk, reference["kpa"].pk]
    assert draft.fields["signed_on"] == "2026-01"  # "signed this week", in a report of 24 January 2026
    assert draft.source["published_on"] == "2026-01-24"
    assert "Northern Corridor" in {e.value for e in draft.evidence if e.label == "Corridor"}


def test_seed_000_proposes_the_rwanda_tanzania_agreement(reference):
    draft = propose(SEEDS["000"])

    assert (draft.fields["kind"], draft.fields["status"], draft.fields["place"]) == (
        "communique",
        "announced",
        "Dar es Salaam",
    )
    assert [p["country"] for p in draft.parties] == ["RWA", "TZA"]
    assert [(s["name"], s["position"], s["country"]) for s in draft.signatories] == [
        ("Paul Kagame", "President", "RWA"),
        ("Samia Suluhu Hassan", "President", "TZA"),
    ]
    assert (
        draft.fields["title"]
        == "Agreement between Rwanda and Tanzania to deepen cooperation in trade, infrastructure and security"
    )
    assert "Security" in {e.value for e in draft.evidence if e.label == "Topic"}


def test_a_paragraph_with_no_agreement_proposes_nothing(reference, admin_client):
    assert propose(NO_AGREEMENT) is None

    response = admin_client.post(DRAFT, {"text": NO_AGREEMENT, "url": ""})

    assert response.status_code == 200
    assert "No agreement found in this text" in response.content.decode()


def test_the_draft_opens_in_the_add_form_and_saves_only_when_the_curator_saves(reference, admin_client):
    response = admin_client.post(DRAFT, {"text": SEEDS["002"], "url": URL})
    add_page = admin_client.get(response["Location"])

    page = add_page.content.decode()
    assert "Proposed from the news report" in page and "<q>On Thursday, 22 January 2026" in page
    assert 'value="RWA"' in page and 'value="Canoth Manishimwe"' in page and 'value="CBS"' in page
    assert not Agreement.objects.exists() and not Source.objects.exists(), "nothing saved yet"

    saved = admin_client.post(response["Location"], page_data(add_page) | {"_save": "Save"})

    assert saved.status_code == 302, saved.context and saved.context["errors"]
    mou = Agreement.objects.get()
    assert (mou.kind, mou.place, str(mou.signed_on)) == ("mou", "Kigali", "2026-01-22")
    assert [(p.country.iso3, p.institution.acronym) for p in mou.parties.order_by("id")] == [
        ("RWA", "MININFRA"),
        ("KEN", "KPA"),
    ]
    assert [s.name for s in mou.signatories.all()] == ["Canoth Manishimwe", "Mohamed Daghar"]
    assert mou.sources.get().url == URL
    assert list(mou.corridors.values_list("name", flat=True)) == ["Northern Corridor"]
