"""A signatory takes its country and organisation from the party chosen for it,
so neither is typed twice; what the curator did type is kept."""

import pytest
from django.urls import reverse

from agreements.models import Agreement, Country, Organisation, Party, Signatory
from agreements.tests.admin_helpers import page_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def mou():
    rwa, ken = Country.objects.get(iso3="RWA"), Country.objects.get(iso3="KEN")
    mininfra = Organisation.objects.create(name="Ministry of Infrastructure", acronym="MININFRA", slug="m", country=rwa)
    kpa = Organisation.objects.create(name="Kenya Ports Authority", acronym="KPA", slug="kpa", country=ken)
    agreement = Agreement.objects.create(title="KPA liaison office MoU", kind="mou", scope="bilateral", status="signed")
    Party.objects.create(agreement=agreement, country=rwa, institution=mininfra)
    Party.objects.create(agreement=agreement, country=ken, institution=kpa)
    return agreement


def post_signatories(client, agreement, rows):
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    data = page_data(client.get(url))
    data["signatories-TOTAL_FORMS"] = str(len(rows))
    for i, row in enumerate(rows):
        data |= {f"signatories-{i}-{key}": value for key, value in {"role": "signed", "order": i, **row}.items()}
    return client.post(url, data)


def test_the_party_chosen_fills_country_and_organisation(admin_client, mou):
    response = post_signatories(admin_client, mou, [{"name": "Mohamed Daghar", "party": "KEN"}])

    assert response.status_code == 302, response.context and response.context["errors"]
    signatory = Signatory.objects.get()
    assert (signatory.country.iso3, signatory.organisation.acronym) == ("KEN", "KPA")


def test_a_country_alone_takes_its_party_institution(admin_client, mou):
    post_signatories(admin_client, mou, [{"name": "Canoth Manishimwe", "country": "rwa"}])

    signatory = Signatory.objects.get()
    assert (signatory.country.iso3, signatory.organisation.acronym) == ("RWA", "MININFRA")


def test_what_the_curator_typed_is_kept(admin_client, mou):
    other = Organisation.objects.create(
        name="State Department for Transport", slug="sdt", country=mou.parties.last().country
    )

    post_signatories(admin_client, mou, [{"name": "Mohamed Daghar", "party": "KEN", "organisation": other.pk}])

    assert Signatory.objects.get().organisation == other


def test_a_party_not_in_the_agreement_is_refused(admin_client, mou):
    response = post_signatories(admin_client, mou, [{"name": "Someone", "party": "TZA"}])

    assert response.status_code == 200
    assert "Not a party to this agreement" in response.content.decode()
    assert not Signatory.objects.exists()


def test_the_change_page_offers_the_parties(admin_client, mou):
    page = admin_client.get(reverse("admin:agreements_agreement_change", args=[mou.pk])).content.decode()

    assert '<datalist id="party-codes">' in page
    assert '<option value="KEN">Kenya – KPA</option>' in page
