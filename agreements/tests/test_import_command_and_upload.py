"""Importing the agreements CSV through the command (its output and exit status) and the
admin upload."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from agreements.exports import HEADER
from agreements.models import Agreement
from agreements.tests.import_helpers import CHANGELIST, IMPORT, counts, csv_file, row
from tradepacts.tests.upload_helpers import upload_and_confirm

pytestmark = pytest.mark.django_db


# --- the command ---------------------------------------------------------------


def test_the_command_publishes_by_default_and_says_what_it_did(tmp_path):
    path = tmp_path / "agreements.csv"
    path.write_bytes(csv_file(row()))
    out = StringIO()

    call_command("import_agreements", str(path), "--create-topics", stdout=out)

    assert out.getvalue().strip() == (
        "Imported agreements.csv: 1 agreement(s): 1 created, 0 updated, 0 unchanged. (published)"
    )
    assert Agreement.objects.get().is_published


def test_the_command_leaves_drafts_with_draft(tmp_path):
    path = tmp_path / "agreements.csv"
    path.write_bytes(csv_file(row()))

    call_command("import_agreements", str(path), "--draft", "--create-topics", stdout=StringIO())

    assert not Agreement.objects.get().is_published


def test_the_command_prints_every_error_and_fails_writing_nothing(tmp_path):
    path = tmp_path / "agreements.csv"
    path.write_bytes(csv_file(row(kind="pact"), row(signed_on="2026-02-30", url="")))
    before, err = counts(), StringIO()

    with pytest.raises(CommandError) as failure:
        call_command("import_agreements", str(path), "--create-topics", stdout=StringIO(), stderr=err)

    assert failure.value.returncode == 1
    assert str(failure.value) == "2 error(s) in agreements.csv: nothing was imported."
    assert err.getvalue().splitlines() == [
        "line 2, column kind: “pact” is not a kind: use one of "
        "treaty, fta, customs_union, epa, bit, mou, moc, protocol, framework, communique, accession, eia, "
        "fta_eia, cu_eia, psa, psa_eia, unknown.",
        "line 3, column signed_on: “2026-02-30” is not a real date.",
    ]
    assert counts() == before


def test_the_command_exits_with_status_1(tmp_path):
    """Through manage.py, as a script would run it (the header error needs no database)."""
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_file(row(colour="blue"), header=[*HEADER, "colour"]))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}

    run = subprocess.run(
        [sys.executable, "manage.py", "import_agreements", str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.splitlines()[0].startswith("line 1: Unknown column(s): colour.")
    assert "CommandError: 1 error(s) in bad.csv: nothing was imported." in run.stderr


# --- the admin upload ----------------------------------------------------------


def upload(data: bytes, name: str = "agreements.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(IMPORT)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert client.post(IMPORT, {"file": upload(csv_file(row()))}).status_code == 302
    assert not Agreement.objects.exists()


def test_staff_without_the_add_permission_are_forbidden(client, django_user_model):
    staff = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_agreement"))
    client.force_login(staff)

    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": upload(csv_file(row()))}).status_code == 403
    assert "Import CSV" not in client.get(CHANGELIST).content.decode()
    assert not Agreement.objects.exists()


def test_the_list_has_an_import_button(admin_client):
    page = admin_client.get(CHANGELIST).content.decode()

    assert f'<a href="{IMPORT}">Import CSV</a>' in page


def test_a_bad_upload_lists_the_errors_and_saves_nothing(admin_client):
    before = counts()
    data = csv_file(row(parties="RWA; XYZ", institutions="", signatories=""), row(signed_on="2026-02-30", url=""))

    response = upload_and_confirm(admin_client, IMPORT, {"file": upload(data), "publish": "on", "create_topics": "on"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "The file has 2 errors: nothing of it was imported." in page
    assert "<li>line 2, column parties: Unknown country code(s): XYZ.</li>" in page
    assert "<li>line 3, column signed_on: “2026-02-30” is not a real date.</li>" in page
    assert counts() == before


def test_a_good_upload_creates_drafts_and_returns_to_the_list(admin_client, admin_user):
    response = upload_and_confirm(
        admin_client, IMPORT, {"file": upload(csv_file(row()), "mous.csv"), "create_topics": "on"}
    )

    assert response.redirect_chain[-1][0].startswith(f"{IMPORT}?job=")
    assert "Imported mous.csv: 1 agreement(s): 1 created, 0 updated, 0 unchanged." in response.content.decode()
    mou = Agreement.objects.get()
    assert not mou.is_published, "the publish box was not ticked"
    assert mou.parties.count() == 2 and mou.signatories.count() == 2
    record = mou.history.get()
    assert (record.history_user, record.history_change_reason) == (admin_user, "Imported from mous.csv")


def test_ticking_publish_publishes(admin_client):
    response = upload_and_confirm(
        admin_client, IMPORT, {"file": upload(csv_file(row())), "publish": "on", "create_topics": "on"}
    )

    assert response.status_code == 200
    assert Agreement.objects.get().is_published


def test_a_curator_who_may_not_publish_imports_drafts_only(client, django_user_model):
    curator = django_user_model.objects.create_user("curator", password="x", is_staff=True)
    curator.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_agreement", "change_agreement", "view_agreement"])
    )
    client.force_login(curator)

    assert 'name="publish"' not in client.get(IMPORT).content.decode()
    response = upload_and_confirm(
        client, IMPORT, {"file": upload(csv_file(row())), "publish": "on", "create_topics": "on"}
    )

    assert response.status_code == 200
    assert not Agreement.objects.get().is_published
