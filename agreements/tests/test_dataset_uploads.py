"""The WTO RTA list and GPTAD uploads in the admin (agreements/admin/datasets.py), on the one
upload view: a good file, a bad file refused whole with its line numbers, and who may upload."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.models import Agreement, Claim, Dataset
from agreements.tests.desta_helpers import counts
from agreements.tests.registry_helpers import EAC, gptad_file, lines_of, wto_file
from tradepacts.tests.upload_helpers import upload_and_confirm

pytestmark = pytest.mark.django_db
WTO = reverse("admin:agreements_agreement_import_wtorta")
GPTAD = reverse("admin:agreements_agreement_import_gptad")


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


EAC_ACCESSION = "East African Community (EAC) - Accession of Burundi and Rwanda"
NOT_IN_THE_REGISTRY = (
    'Afghanistan - India,"Afghanistan, India",Bilateral Free Trade Agreement,03/06/2003,05/13/2003,yes,in force,NA'
)


# --- the WTO RTA list --------------------------------------------------------------


def test_a_good_wto_file_imports_and_returns_to_the_list(admin_client, admin_user):
    response = upload_and_confirm(admin_client, WTO, {"file": upload(wto_file(EAC, EAC_ACCESSION), "rta.csv")})

    assert response.redirect_chain[-1][0].startswith(f"{WTO}?job=")
    page = response.content.decode()
    assert "Imported rta.csv: 2 WTO RTAs: 2 created, 0 updated, 0 unchanged." in page
    eac = Agreement.objects.get(identifiers__scheme="wto_rta", identifiers__value=EAC)
    assert (eac.in_force_on.isoformat(), eac.services_in_force_on.isoformat()) == ("2000-07-07", "2010-07-01")
    record = eac.history.earliest()
    assert (record.history_user, record.history_change_reason) == (
        admin_user,
        "Imported from the WTO RTA list (rta.csv)",
    )
    assert Dataset.objects.get(slug="wto_rta").filename == "rta.csv"


def test_a_bad_wto_file_is_refused_whole_with_its_line_numbers(admin_client):
    before = counts()
    data = wto_file(
        EAC, EAC_ACCESSION, change={"Date of Signature (G)": "30/11/1999", "Current signatories": "Atlantis"}
    )

    response = upload_and_confirm(admin_client, WTO, {"file": upload(data, "rta.csv")})

    page = response.content.decode()
    assert response.status_code == 200
    assert "The file has 2 errors: nothing of it was imported." in page
    assert "<li>line 3, column Date of Signature (G): “30/11/1999” is not a date (YYYY-MM-DD).</li>" in page
    assert "<li>line 3, column Current signatories: “Atlantis” is no country or bloc this import knows" in page
    assert counts() == before


# --- GPTAD -------------------------------------------------------------------------


def test_a_good_gptad_file_lists_what_it_could_not_match_by_line(admin_client):
    upload_and_confirm(admin_client, WTO, {"file": upload(wto_file(EAC), "rta.csv")})
    data = gptad_file(lines_of("gptad")[123], NOT_IN_THE_REGISTRY)  # the EAC, then a pair never imported

    response = upload_and_confirm(admin_client, GPTAD, {"file": upload(data, "gptad.csv")})

    assert response.redirect_chain[-1][0].startswith(f"{GPTAD}?job=")
    page = response.content.decode()
    # GPTAD adds its claims; the WTO's values, more trusted, stay: no agreement changes.
    assert "Imported gptad.csv: 2 GPTAD records: 0 created, 0 updated, 2 unchanged." in page
    assert (
        "1 matched by parties_year_name; 1 not matched; 10 claims added; 0 claims removed; 2 rows in the file." in page
    )
    assert "Warning, line 3: not matched, “Afghanistan - India” (2003): no match." in page
    eac = Agreement.objects.get(identifiers__scheme="gptad", identifiers__value="East African Community")
    assert eac.claims.filter(dataset__slug="gptad", field=Claim.Field.STATUS, value="in_force").exists()


def test_a_bad_gptad_file_is_refused_whole_with_its_line_numbers(admin_client):
    before = counts()
    bad = NOT_IN_THE_REGISTRY.replace("03/06/2003", "2003-03-06").replace("in force", "lapsed")

    response = upload_and_confirm(
        admin_client, GPTAD, {"file": upload(gptad_file(lines_of("gptad")[123], bad), "gptad.csv")}
    )

    page = response.content.decode()
    assert "The file has 2 errors: nothing of it was imported." in page
    assert "<li>line 3, column Date.of.Signature: “2003-03-06” is not a date (MM/DD/YYYY), nor N/A.</li>" in page
    assert "<li>line 3, column In.force.status: “lapsed” is not one of" in page
    assert counts() == before


# --- who may upload ----------------------------------------------------------------


@pytest.mark.parametrize("url", [WTO, GPTAD])
def test_anonymous_users_are_sent_to_log_in(client, url):
    response = client.post(url, {"file": upload(wto_file(EAC), "rta.csv")})

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("url", [WTO, GPTAD])
def test_curators_who_may_not_publish_are_forbidden(client, django_user_model, url):
    curator = django_user_model.objects.create_user("curator", password="x", is_staff=True)
    curator.user_permissions.add(*Permission.objects.filter(codename__in=["add_agreement", "view_agreement"]))
    client.force_login(curator)

    assert client.get(url).status_code == 403
    assert client.post(url, {"file": upload(wto_file(EAC), "rta.csv")}).status_code == 403
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(("url", "title"), [(WTO, "Import the WTO RTA list"), (GPTAD, "Import GPTAD")])
def test_the_upload_pages_are_under_the_agreements_admin(admin_client, url, title):
    page = admin_client.get(url).content.decode()

    assert title in page and 'type="file"' in page
