"""A large upload runs as a job: its progress is reported while it reads and writes,
its page shows a progress bar and reloads itself, and a bad line anywhere refuses the
whole file, naming the line, with nothing written."""

import hashlib

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements.models import Agreement, Topic
from agreements.tests.import_helpers import IMPORT, counts, csv_file, row
from tradepacts import import_jobs
from tradepacts.models import ImportJob
from tradepacts.pagecache import data_version

pytestmark = pytest.mark.django_db

ROWS = 5_000


def big_file(bad_line: int | None = None) -> bytes:
    rows = [
        row(url="", title=f"Agreement {n}", topics="", corridors="", sources="", signatories="", institutions="")
        for n in range(ROWS)
    ]
    if bad_line is not None:
        rows[bad_line - 2]["signed_on"] = "2026-02-30"
    return csv_file(*rows)


def small_file() -> bytes:
    return csv_file(row(url="", topics="", corridors="", sources="", signatories="", institutions=""))


@pytest.fixture
def heard(monkeypatch) -> list[tuple[str, int, int]]:
    """Every progress report the jobs make, besides recording it."""
    calls: list[tuple[str, int, int]] = []
    original = import_jobs.recorder

    def recorder(pk: int):
        record = original(pk)

        def both(phase: str, done: int, total: int) -> None:
            calls.append((phase, done, total))
            record(phase, done, total)

        return both

    monkeypatch.setattr(import_jobs, "recorder", recorder)
    return calls


@pytest.mark.slow
def test_a_large_import_runs_as_a_job_with_progress(admin_client, heard):
    job_page = admin_client.post(IMPORT, {"file": SimpleUploadedFile("big.csv", big_file())})["Location"]
    checked = [(done, total) for phase, done, total in heard if phase == "checking" and total]

    assert [done for done, _ in checked] == list(range(2_000, ROWS + 1, 2_000))
    assert all(total == ROWS + 1 for _, total in checked)  # the header and the rows, counted by a first pass
    assert ImportJob.objects.get().state == ImportJob.State.PREVIEWED
    assert not Agreement.objects.exists()

    heard.clear()
    done = admin_client.post(job_page, {"confirm": "1"}, follow=True)

    assert done.context["job"].state == ImportJob.State.DONE
    # Nothing changed since the preview: written without a second checking pass.
    assert {phase for phase, _, _ in heard} == {"writing"}
    assert [done for phase, done, total in heard if total] == list(range(2_000, ROWS + 1, 2_000))
    assert Agreement.objects.count() == ROWS
    page = done.content.decode()
    assert f"{ROWS:,} agreement(s): {ROWS:,} created" in page
    assert "the file was written as previewed, without checking it again" in page


def test_a_change_since_the_preview_has_the_file_checked_again(admin_client, heard):
    job_page = admin_client.post(IMPORT, {"file": SimpleUploadedFile("small.csv", small_file())})["Location"]
    Topic.objects.create(name="Written meanwhile", slug="written-meanwhile")  # another curator's save

    heard.clear()
    done = admin_client.post(job_page, {"confirm": "1"}, follow=True)

    assert done.context["job"].result["rechecked"] is True
    assert "checking" in {phase for phase, _, _ in heard}
    assert "The database changed since the preview" in done.content.decode()
    assert Agreement.objects.count() == 1


def test_a_preview_leaves_the_data_version_as_it_was(admin_client):
    before = data_version()

    admin_client.post(IMPORT, {"file": SimpleUploadedFile("small.csv", small_file())})

    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.PREVIEWED
    assert job.checked_version == before == data_version()
    assert job.digest == hashlib.sha256(small_file()).hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize("bad_line", [4_321, ROWS + 1])  # ROWS + 1: the last line
def test_a_bad_line_in_a_large_file_refuses_all_of_it(admin_client, bad_line):
    before = counts()

    response = admin_client.post(IMPORT, {"file": SimpleUploadedFile("big.csv", big_file(bad_line))}, follow=True)

    assert response.context["job"].state == ImportJob.State.REFUSED
    page = response.content.decode()
    assert "The file has 1 error: nothing of it was imported." in page
    assert f"<li>line {bad_line}, column signed_on: “2026-02-30” is not a real date.</li>" in page
    assert counts() == before


def test_a_running_job_shows_a_progress_bar_and_reloads(admin_client, admin_user):
    job = ImportJob.objects.create(
        upload="import-agreements-from-csv",
        model="agreements.agreement",
        filename="big.csv",
        path="/nonexistent",
        size=6_400_000,
        user=admin_user,
        state=ImportJob.State.WRITING,
    )
    cache.set(import_jobs.progress_key(job.pk), {"phase": "writing", "done": 40, "total": 100})

    page = admin_client.get(f"{IMPORT}?job={job.pk}").content.decode()

    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress id="import-progress" max="100" value="40">' in page
    assert "Writing: row 40 of about 100 (40%)." in page


def test_a_curator_sees_only_their_own_jobs(client, admin_user, django_user_model):
    job = ImportJob.objects.create(upload="import-agreements-from-csv", model="agreements.agreement", user=admin_user)
    other = django_user_model.objects.create_user("other", password="x", is_staff=True)
    other.user_permissions.add(Permission.objects.get(codename="add_agreement"))
    client.force_login(other)

    assert client.get(f"{IMPORT}?job={job.pk}").status_code == 404
