"""Importing DESTA's list through the command and the admin upload."""

from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from agreements.models import Agreement, Source
from agreements.tests.desta_helpers import EAC, IMPORT, KOSOVO, ROWS, by_desta, counts, desta_file
from tradepacts.tests.upload_helpers import upload_and_confirm

pytestmark = pytest.mark.django_db


# --- the command -------------------------------------------------------------------


def test_the_command_prints_the_counts(tmp_path):
    path = tmp_path / "desta.csv"
    path.write_bytes(desta_file(*ROWS))
    out = StringIO()

    call_command("import_desta", str(path), stdout=out)

    text = out.getvalue()
    assert "Imported desta.csv: 14 rows in" in text
    assert "Agreements created:   5 (3 base treaties, 1 accessions, 1 consolidated versions)" in text
    assert "Parties:              17" in text
    assert "Accessions:           2 (parties of base treaties, joined later)" in text
    assert "Identifiers (DESTA):  5" in text and "Relations:            2" in text


def test_the_command_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "desta.csv"
    path.write_bytes(desta_file(*ROWS))
    out = StringIO()

    call_command("import_desta", str(path), "--dry-run", stdout=out)

    assert "Agreements created:   5" in out.getvalue()
    assert not Agreement.objects.exists() and not Source.objects.exists()


def test_the_command_refuses_a_bad_file_with_its_errors(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(desta_file(KOSOVO[0].replace(",8,900,", ",8,999,")))
    err = StringIO()

    with pytest.raises(CommandError, match=r"1 error\(s\) in bad.csv: nothing was imported."):
        call_command("import_desta", str(path), stderr=err)

    assert err.getvalue().startswith("line 2, column iso2:")
    assert not Agreement.objects.exists()


# --- the admin upload --------------------------------------------------------------


def upload(data: bytes, name: str = "desta.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.post(IMPORT, {"file": upload(desta_file(*ROWS))})

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert not Agreement.objects.exists()


def test_curators_who_may_not_publish_are_forbidden(client, django_user_model):
    curator = django_user_model.objects.create_user("curator", password="x", is_staff=True)
    curator.user_permissions.add(*Permission.objects.filter(codename__in=["add_agreement", "view_agreement"]))
    client.force_login(curator)

    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": upload(desta_file(*ROWS))}).status_code == 403
    assert not Agreement.objects.exists()


def test_the_upload_page_is_under_the_agreements_admin(admin_client):
    assert str(IMPORT) == "/admin/agreements/agreement/import-desta/"
    page = admin_client.get(IMPORT).content.decode()
    assert "Import the DESTA list of treaties" in page and 'type="file"' in page
    memoranda = reverse("admin:agreements_memorandum_changelist")
    assert admin_client.get(memoranda + "import-desta/").status_code != 200, "only the agreements admin has it"


def test_a_bad_upload_lists_the_errors_and_saves_nothing(admin_client):
    before = counts()
    data = desta_file(*EAC, KOSOVO[0].replace(",8,900,", ",8,999,"))

    response = upload_and_confirm(admin_client, IMPORT, {"file": upload(data)})

    page = response.content.decode()
    assert response.status_code == 200
    assert "The file has 1 error: nothing of it was imported." in page
    assert "<li>line 5, column iso2: “Kosovo” has the code 999" in page
    assert counts() == before


def test_a_good_upload_imports_and_returns_to_the_list(admin_client, admin_user):
    response = upload_and_confirm(admin_client, IMPORT, {"file": upload(desta_file(*ROWS), "desta.csv")})

    assert response.redirect_chain[-1][0].startswith(f"{IMPORT}?job=")
    assert "Imported desta.csv in" in response.content.decode()
    assert (
        "5 DESTA entries: 5 created, 0 updated, 0 unchanged. 3 base treaties created; 1 accessions created; "
        "1 consolidated versions created; 14 rows in the file; 17 parties; 2 joined later by accession"
    ) in response.content.decode()
    record = by_desta("787").history.get()
    assert (record.history_user, record.history_change_reason) == (admin_user, "Imported from DESTA (desta.csv)")
