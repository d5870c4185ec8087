"""Every upload is previewed first: what it would create, change and leave, naming each
new topic, institution, source and corridor; nothing is written until the curator
confirms, and confirming writes exactly what was previewed. An unknown topic is refused
unless the curator asks for new topics. The command's --dry-run says the same."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from agreements.models import Agreement, Organisation, Source, Topic
from agreements.tests.import_helpers import IMPORT, counts, csv_file, row
from corridors.models import Corridor
from tradepacts.models import ImportJob

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "mous.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def known_topics():
    Topic.objects.create(name="Ports and logistics", slug="ports-and-logistics")
    Topic.objects.create(name="Trade facilitation", slug="trade-facilitation")


def test_the_preview_names_every_new_record_and_writes_nothing(admin_client, known_topics):
    before = counts()
    data = csv_file(row(topics="Ports and logistics; Customs"), row(url="", title="A second MoU", sources=""))

    response = admin_client.post(IMPORT, {"file": upload(data), "create_topics": "on"}, follow=True)

    page = response.content.decode()
    assert response.context["job"].state == ImportJob.State.PREVIEWED
    assert "What this file would do" in page and "Confirm: import this file" in page
    preview = response.context["preview"]
    assert preview["counts"] == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    assert preview["new"]["topics"] == ["Customs"]
    assert preview["new"]["institutions"] == ["Ministry of Infrastructure", "Kenya Ports Authority"]
    assert preview["new"]["sources"] == ["MININFRA hosts the signing", "A news report"]
    assert preview["new"]["corridors"] == ["Northern Corridor"]
    assert sorted(preview["new"]["agreements"]) == sorted([row()["title"], "A second MoU"])
    for name in (
        "Customs",
        "Ministry of Infrastructure",
        "Kenya Ports Authority",
        "A news report",
        "Northern Corridor",
    ):
        assert f"<li>{name}</li>" in page
    assert counts() == before, "a preview writes nothing"


def test_confirming_writes_exactly_the_previewed_rows(admin_client, known_topics):
    data = csv_file(row(topics="Ports and logistics; Customs"), row(url="", title="A second MoU", sources=""))
    job_page = admin_client.post(IMPORT, {"file": upload(data), "create_topics": "on"})["Location"]
    preview = admin_client.get(job_page).context["preview"]

    done = admin_client.post(job_page, {"confirm": "1"}, follow=True)

    assert done.context["job"].state == ImportJob.State.DONE
    assert "Imported mous.csv: 2 agreement(s): 2 created, 0 updated, 0 unchanged." in done.content.decode()
    assert sorted(Agreement.objects.values_list("title", flat=True)) == sorted(preview["new"]["agreements"])
    assert (
        list(
            Topic.objects.exclude(name__in=["Ports and logistics", "Trade facilitation"]).values_list("name", flat=True)
        )
        == preview["new"]["topics"]
    )
    assert list(Organisation.objects.order_by("pk").values_list("name", flat=True)) == preview["new"]["institutions"]
    assert list(Source.objects.order_by("pk").values_list("title", flat=True)) == preview["new"]["sources"]
    assert list(Corridor.objects.values_list("name", flat=True)) == preview["new"]["corridors"]
    # Confirming twice writes once.
    admin_client.post(job_page, {"confirm": "1"})
    assert Agreement.objects.count() == 2


def test_cancelling_writes_nothing(admin_client, known_topics):
    before = counts()
    job_page = admin_client.post(IMPORT, {"file": upload(csv_file(row()))})["Location"]

    response = admin_client.post(job_page, {"cancel": "1"}, follow=True)

    assert "Cancelled: nothing of mous.csv was imported." in response.content.decode()
    assert ImportJob.objects.get().state == ImportJob.State.CANCELLED
    assert counts() == before


def test_an_unknown_topic_is_refused_unless_the_curator_creates_it(admin_client, known_topics):
    response = admin_client.post(IMPORT, {"file": upload(csv_file(row(topics="Port and logistics")))}, follow=True)

    page = response.content.decode()
    assert response.context["job"].state == ImportJob.State.REFUSED
    assert (
        "line 2, column topics: “Port and logistics”: not a topic yet. Did you mean “Ports and logistics”? "
        "To create it, tick “Create new topics”" in page
    )
    assert not Topic.objects.filter(name="Port and logistics").exists()


def test_a_file_over_the_size_limit_is_refused_with_a_message(admin_client, settings):
    settings.IMPORT_MAX_BYTES = 100

    response = admin_client.post(IMPORT, {"file": upload(csv_file(row()))})

    assert response.status_code == 200
    assert "an upload takes at most 100\xa0bytes" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_command_dry_run_names_new_records_and_writes_nothing(tmp_path, known_topics):
    path = tmp_path / "mous.csv"
    path.write_bytes(csv_file(row(topics="Customs")))
    before, out = counts(), StringIO()

    call_command("import_agreements", str(path), "--dry-run", "--create-topics", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "Dry run, nothing written: 1 agreement(s): 1 created, 0 updated, 0 unchanged."
    assert "New topics (1): Customs" in lines
    assert "New institutions (2): Ministry of Infrastructure; Kenya Ports Authority" in lines
    assert counts() == before


def test_the_command_refuses_an_unknown_topic(tmp_path, known_topics):
    path = tmp_path / "mous.csv"
    path.write_bytes(csv_file(row(topics="Port and logistics")))
    err = StringIO()

    with pytest.raises(Exception, match="1 error"):
        call_command("import_agreements", str(path), stdout=StringIO(), stderr=err)

    assert "Did you mean “Ports and logistics”?" in err.getvalue()


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("import_trade_flows", "reporter,partner,year,flow,value,currency\nRWA,TZA,2025,exports,1,USD\n"),
        ("import_exchange_rates", "currency,year,units_per_usd\nTZS,2025,2550\n"),
    ],
)
def test_every_import_command_has_a_dry_run(tmp_path, command, text):
    path = tmp_path / "file.csv"
    path.write_text(text)
    before, out = counts(), StringIO()

    call_command(command, str(path), "--dry-run", stdout=out)

    assert out.getvalue().startswith("Dry run, nothing written: 1 ")
    assert counts() == before
