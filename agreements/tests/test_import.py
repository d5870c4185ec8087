"""Importing the agreements CSV: what a good file creates, every bad row
reported with its line and reason and nothing of the file written, the
command's output and exit status, and the admin upload."""

import datetime as dt
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse, reverse_lazy

from agreements.exports import HEADER
from agreements.imports.agreements import REQUIRED_COLUMNS, ImportFailed, RowError, import_agreements
from agreements.models import Agreement, AgreementSource, Organisation, Party, Signatory, Source, Topic
from agreements.tests.factories import AgreementFactory, bilateral, country
from corridors.models import Corridor
from tradepacts.csv import csv_lines

pytestmark = pytest.mark.django_db

IMPORT = reverse_lazy("admin:agreements_agreement_import")
CHANGELIST = reverse_lazy("admin:agreements_agreement_changelist")

GOOD = {
    "id": "",
    "title": "MoU establishing a Kenya Ports Authority liaison office in Kigali",
    "kind": "mou",
    "status": "signed",
    "parties": "RWA; KEN",
    "party_names": "Rwanda; Kenya",
    "institutions": "RWA: Ministry of Infrastructure; KEN: Kenya Ports Authority",
    "signed_on": "2026-01-22",
    "signed_place": "Kigali",
    "in_force_on": "",
    "ended_on": "",
    "topics": "Ports and logistics; Trade facilitation",
    "corridors": "Northern Corridor",
    "signatories": (
        "Canoth Manishimwe (Permanent Secretary, RWA); "
        "Mohamed Daghar, CBS (Principal Secretary, State Department for Transport, KEN)"
    ),
    "sources": "MININFRA hosts the signing <https://www.mininfra.gov.rw/news/kpa-mou>; A news report",
    "url": "http://testserver/agreements/rwanda-kenya-kpa-mou-2026/",
    "announced_on": "",
    "scope": "bilateral",
    "binding": "no",
    "summary": "Establishes a KPA liaison office in Kigali.",
}


def row(**overrides: str) -> dict[str, str]:
    return {**GOOD, **overrides}


def csv_file(*rows: dict[str, str], header: list[str] = HEADER) -> bytes:
    """A file as the export writes it: BOM, CRLF, formula-like cells neutralised."""
    return b"".join(csv_lines(header, [[r.get(name, "") for name in header] for r in rows]))


def counts() -> dict[str, int]:
    """How many rows every table of both apps holds, history included."""
    return {
        model._meta.label: model.objects.count()
        for app in ("agreements", "corridors")
        for model in apps.get_app_config(app).get_models()
    }


def refused(data: bytes, **kwargs) -> list[RowError]:
    kwargs.setdefault("publish", True)
    with pytest.raises(ImportFailed) as failure:
        import_agreements(data, filename="bad.csv", **kwargs)
    return failure.value.errors


def has_error(errors: list[RowError], line: int, column: str, message: str) -> bool:
    return any(e.line == line and e.column == column and message in e.message for e in errors)


# --- a good file ---------------------------------------------------------------


def test_a_good_file_creates_what_it_says():
    result = import_agreements(csv_file(row()), publish=False, filename="mous.csv")

    mou = Agreement.objects.get()
    assert (result.created, result.updated, result.unchanged, result.ids) == (1, 0, 0, [mou.pk])
    assert str(result) == "1 agreement(s): 1 created, 0 updated, 0 unchanged."
    assert (mou.slug, mou.kind, mou.status, mou.scope, mou.is_binding, mou.place) == (
        "rwanda-kenya-kpa-mou-2026",
        "mou",
        "signed",
        "bilateral",
        False,
        "Kigali",
    )
    assert (mou.signed_on, mou.signed_precision) == (dt.date(2026, 1, 22), "day")
    assert not mou.is_published and mou.published_at is None, "publish=False: a draft"
    parties = [(p.country.iso3, p.institution.name, p.institution.kind) for p in mou.parties.order_by("id")]
    assert parties == [("RWA", "Ministry of Infrastructure", "agency"), ("KEN", "Kenya Ports Authority", "agency")]
    assert Organisation.objects.get(name="Kenya Ports Authority").slug == "kenya-ports-authority-ken"
    signatories = [(s.name, s.honorific, s.position, s.country.iso3, s.order) for s in mou.signatories.all()]
    assert signatories == [
        ("Canoth Manishimwe", "", "Permanent Secretary", "RWA", 1),
        ("Mohamed Daghar", "CBS", "Principal Secretary, State Department for Transport", "KEN", 2),
    ]
    assert list(mou.topics.order_by("name").values_list("name", "slug")) == [
        ("Ports and logistics", "ports-and-logistics"),
        ("Trade facilitation", "trade-facilitation"),
    ]
    assert list(mou.corridors.values_list("name", "slug")) == [("Northern Corridor", "northern-corridor")]
    assert list(mou.citations.order_by("id").values_list("source__title", "source__url", "source__kind")) == [
        ("MININFRA hosts the signing", "https://www.mininfra.gov.rw/news/kpa-mou", "other"),
        ("A news report", "", "other"),
    ]
    record = mou.history.get()
    assert (record.history_type, record.history_change_reason) == ("+", "Imported from mous.csv")
    assert Party.history.filter(history_change_reason="Imported from mous.csv").count() == 2
    assert list(Agreement.objects.search("Daghar")) == [mou]


def test_publish_publishes_every_agreement_of_the_file():
    import_agreements(csv_file(row()), publish=True, filename="mous.csv")

    mou = Agreement.objects.get()
    assert mou.is_published and mou.published_at is not None


def test_existing_reference_rows_are_used_not_duplicated():
    kpa = Organisation.objects.create(
        name="Kenya Ports Authority", slug="kpa", kind="port_authority", country=country("KEN")
    )
    ncttca = Organisation.objects.create(name="NCTTCA", slug="ncttca", kind="intergovernmental")
    topic = Topic.objects.create(name="Trade facilitation", slug="tf")
    corridor = Corridor.objects.create(name="Northern Corridor", slug="the-northern-corridor")
    release = Source.objects.create(title="Its own title", url="https://www.mininfra.gov.rw/news/kpa-mou")
    report = Source.objects.create(title="A news report", url="")
    data = csv_file(
        row(),
        row(
            title="Joint communiqué",
            kind="communique",
            status="announced",
            scope="plurilateral",
            signed_on="",
            announced_on="2026",
            parties="KEN; UGA; TZA",
            institutions="KEN: NCTTCA",  # an intergovernmental body acting for Kenya
            signatories="",
            url="",
        ),
    )

    import_agreements(data, publish=True, filename="two.csv")

    mou, communique = Agreement.objects.order_by("id")
    assert [p.institution for p in mou.parties.order_by("id")][1] == kpa
    assert [(p.country.iso3, p.institution) for p in communique.parties.order_by("id")] == [
        ("KEN", ncttca),
        ("UGA", None),
        ("TZA", None),
    ]
    assert topic in mou.topics.all() and Topic.objects.filter(name="Trade facilitation").count() == 1
    assert list(mou.corridors.all()) == [corridor] and Corridor.objects.count() == 1
    assert [citation.source for citation in mou.citations.order_by("id")] == [release, report]
    release.refresh_from_db()
    assert release.title == "Its own title", "an import never renames a source"
    assert communique.slug == "joint-communique"
    assert (communique.announced_on, communique.announced_precision) == (dt.date(2026, 1, 1), "year")


def test_an_institution_acting_alone_is_an_intergovernmental_body():
    data = csv_file(
        row(
            parties="",
            institutions="Northern Corridor Authority; Central Corridor Agency",
            scope="institutional",
            kind="moc",
            signatories="J. Doe (Executive Secretary)",
            signed_on="",
        )
    )

    import_agreements(data, publish=True, filename="moc.csv")

    moc = Agreement.objects.get()
    assert [(p.country, p.institution.name, p.institution.kind) for p in moc.parties.order_by("id")] == [
        (None, "Northern Corridor Authority", "intergovernmental"),
        (None, "Central Corridor Agency", "intergovernmental"),
    ]
    assert moc.signatories.values_list("name", "position", "country").get() == ("J. Doe", "Executive Secretary", None)


def test_a_given_free_id_is_kept_and_later_ids_follow_it():
    data = csv_file(row(id="900001"), row(title="Another MoU", url=""))

    result = import_agreements(data, publish=True, filename="ids.csv")

    assert result.ids == [900001, 900002]
    assert AgreementFactory().pk == 900003  # the sequence moved past the given ids


def test_formula_neutralisation_is_undone_and_columns_may_come_in_any_order():
    header = list(reversed(HEADER))
    data = csv_file(row(title="=1+1 is two", summary="-minus first"), header=header)
    assert b"'=1+1 is two" in data

    import_agreements(data, publish=True, filename="f.csv")

    assert Agreement.objects.values_list("title", "summary").get() == ("=1+1 is two", "-minus first")


def test_only_the_contract_columns_are_needed_and_the_rest_is_inferred():
    data = csv_file(
        row(),
        row(
            title="EAC customs union",
            kind="customs_union",
            parties="KEN; UGA; TZA",
            institutions="",
            signatories="",
            url="",
        ),
        header=REQUIRED_COLUMNS,
    )

    import_agreements(data, publish=True, filename="contract.csv")

    assert list(Agreement.objects.order_by("id").values_list("scope", "is_binding", "summary")) == [
        ("bilateral", False, ""),  # an MoU is usually not binding
        ("plurilateral", True, ""),
    ]


def test_a_row_with_an_existing_id_updates_only_what_differs():
    mou = bilateral("RWA", "KEN", title="Old title", kind="mou", published=True)
    rwa_party = mou.parties.get(country__iso3="RWA")
    rwa_party.ratified_on = dt.date(2024, 6, 1)
    rwa_party.save()
    signatory = Signatory.objects.create(
        agreement=mou, name="Canoth Manishimwe", position="Permanent Secretary", country=country("RWA"), role="presided"
    )
    Signatory.objects.create(agreement=mou, name="Gone Person", country=country("KEN"))
    source = Source.objects.create(title="A news report", url="")
    AgreementSource.objects.create(agreement=mou, source=source, note="The date")
    data = csv_file(
        row(
            id=str(mou.pk),
            url=f"http://testserver/agreements/{mou.slug}/",
            title="New title",
            signed_on="2024-03-01",
            institutions="",
            signatories="Canoth Manishimwe (Permanent Secretary, RWA)",
            sources="A news report",
        )
    )

    result = import_agreements(data, publish=False, filename="fix.csv")

    assert (result.created, result.updated) == (0, 1)
    mou.refresh_from_db()
    assert mou.title == "New title" and mou.is_published, "publish=False leaves a published agreement published"
    assert mou.parties.get(country__iso3="RWA").ratified_on == dt.date(2024, 6, 1), "the party's row is kept"
    assert list(mou.signatories.all()) == [signatory] and mou.signatories.get().role == "presided"
    assert mou.citations.get().note == "The date"
    record = mou.history.order_by("-history_id").first()
    assert (record.history_type, record.history_change_reason) == ("~", "Imported from fix.csv")


def test_an_update_keeps_the_rows_the_file_repeats_and_follows_its_order():
    treaty = AgreementFactory(title="Treaty", kind="treaty", scope="plurilateral", published=True)
    kept = {iso3: Party.objects.create(agreement=treaty, country=country(iso3)) for iso3 in ("KEN", "UGA", "TZA")}
    first = Signatory.objects.create(agreement=treaty, name="First", country=country("KEN"), role="witnessed", order=1)
    Signatory.objects.create(agreement=treaty, name="Second", country=country("UGA"), order=2)
    data = csv_file(
        row(
            id=str(treaty.pk),
            url="",
            title="Treaty",
            kind="treaty",
            scope="plurilateral",
            status="signed",
            signed_on="2024-03-01",
            binding="yes",
            summary="",
            parties="KEN; TZA; RWA",
            institutions="",
            signatories="Third (RWA); First (KEN)",
            topics="",
            corridors="",
            sources="",
        )
    )

    result = import_agreements(data, publish=True, filename="treaty.csv")

    assert result.updated == 1
    parties = {p.country.iso3: p.pk for p in treaty.parties.all()}
    assert parties.keys() == {"KEN", "TZA", "RWA"}
    assert (parties["KEN"], parties["TZA"]) == (kept["KEN"].pk, kept["TZA"].pk)
    assert [(s.name, s.order, s.role) for s in treaty.signatories.all()] == [
        ("Third", 1, "signed"),
        ("First", 2, "witnessed"),
    ]
    assert treaty.signatories.get(name="First").pk == first.pk
    assert Party.history.filter(history_type="-", country__iso3="UGA").exists(), "the removal is in history"
    again = import_agreements(data, publish=True, filename="treaty.csv")
    assert (again.updated, again.unchanged) == (0, 1)


# --- bad files -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    [
        ({"parties": "RWA; XYZ", "institutions": ""}, "parties", "Unknown country code(s): XYZ."),
        ({"signed_on": "2026-02-30"}, "signed_on", "“2026-02-30” is not a real date."),
        ({"signed_on": "22/01/2026"}, "signed_on", "write a year (2026), a month (2026-01) or a day (2026-01-22)"),
        ({"kind": "pact"}, "kind", "“pact” is not a kind: use one of treaty, fta,"),
        ({"status": ""}, "status", "Required: one of announced"),
        ({"scope": "global"}, "scope", "“global” is not a scope"),
        ({"binding": "maybe"}, "binding", "“maybe” is not yes or no."),
        (
            {"parties": "RWA", "institutions": "", "signatories": ""},
            "parties",
            "A bilateral agreement has exactly two parties, two different countries; this one has 1 parties",
        ),
        (
            {"parties": "RWA; RWA", "institutions": "", "signatories": ""},
            "parties",
            "A country can be a party only once.",
        ),
        (
            {"signatories": "Jane Doe (Minister of Trade, UGA)"},
            "signatories",
            "“Jane Doe (Minister of Trade, UGA)”: UGA is not a party (the parties: KEN, RWA).",
        ),
        ({"institutions": "UGA: Uganda Revenue Authority"}, "institutions", "UGA is not among the parties."),
        ({"status": "in_force"}, "in_force_on", "needs its date of entry into force"),
        (
            {"status": "in_force", "in_force_on": "2025-12"},
            "in_force_on",
            "Must not be before the date signed (2026-01-22).",
        ),
        ({"title": ""}, "title", "This field cannot be blank."),
        ({"title": "x" * 501}, "title", "at most 500 characters"),
        ({"url": "http://testserver/agreements/not a slug/"}, "url", "slug"),
        ({"url": "http://testserver/"}, "url", "does not end with an agreement"),
        ({"id": "twelve"}, "id", "“twelve” is not an agreement id"),
        ({"sources": "A release <https://not-a-url>"}, "sources", "Enter a valid URL."),
        ({"topics": "t" * 101}, "topics", "at most 100 characters"),
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_written(overrides, column, message):
    before = counts()
    data = csv_file(row(title="A good row first", url=""), row(**overrides))

    errors = refused(data)

    assert has_error(errors, 3, column, message), errors
    assert {e.line for e in errors} == {3}, "the good row has no error"
    assert counts() == before


def test_an_id_belonging_to_another_slug_is_refused():
    existing = bilateral(published=True)
    before = counts()

    errors = refused(csv_file(row(id=str(existing.pk), url="http://testserver/agreements/someone-else/")))

    assert errors == [
        RowError(
            2, "url", f"Agreement {existing.pk} is “{existing.slug}”, not “someone-else”: check the id and the url."
        )
    ]
    assert counts() == before


def test_a_slug_taken_by_another_agreement_is_refused():
    existing = bilateral(published=True)

    errors = refused(csv_file(row(url=f"http://testserver/agreements/{existing.slug}/")))

    assert has_error(errors, 2, "url", f"“{existing.slug}” is agreement {existing.pk}: give its id to update it")


def test_the_same_agreement_twice_in_a_file_is_refused():
    errors = refused(csv_file(row(id="77"), row(id="77", url="")))

    assert has_error(errors, 3, "id", "Agreement 77 is also on line 2.")


def test_a_curator_who_may_only_add_cannot_update():
    existing = bilateral(published=True)

    errors = refused(
        csv_file(row(id=str(existing.pk), url=f"/agreements/{existing.slug}/", institutions="", signatories="")),
        can_change=False,
    )

    assert has_error(errors, 2, "id", "you may add agreements but not change them")


def test_every_bad_row_of_the_file_is_reported_at_once():
    before = counts()
    data = csv_file(row(kind="pact", url=""), row(url=""), row(signed_on="2026-02-30", url=""))

    errors = refused(data)

    assert [(e.line, e.column) for e in errors] == [(2, "kind"), (4, "signed_on")]
    assert [str(e) for e in errors] == [
        "line 2, column kind: “pact” is not a kind: use one of "
        "treaty, fta, customs_union, epa, bit, mou, moc, protocol, framework, communique, accession, eia, "
        "fta_eia, cu_eia, psa, psa_eia, unknown.",
        "line 4, column signed_on: “2026-02-30” is not a real date.",
    ]
    assert counts() == before


def test_an_unknown_column_is_named():
    data = csv_file(row(colour="blue"), header=[*HEADER, "colour"])

    assert refused(data) == [
        RowError(1, "", f"Unknown column(s): colour. The columns are: {', '.join(HEADER)}."),
    ]


def test_a_missing_column_is_named():
    header = [name for name in HEADER if name not in ("sources", "corridors")]

    assert refused(csv_file(row(), header=header)) == [RowError(1, "", "Missing column(s): corridors, sources.")]


def test_a_file_that_is_not_utf8_is_refused_with_its_line():
    before = counts()
    text = csv_file(row(url=""), row(title="Accord de libre-échange Côte d’Ivoire", url="")).decode("utf-8-sig")

    errors = refused(text.encode("cp1252"))

    assert errors == [
        RowError(3, "title", "Not UTF-8 text: save the file as “CSV UTF-8” and import it again."),
    ]
    assert str(errors[0]).startswith("line 3, column title: Not UTF-8")
    assert counts() == before


def test_an_empty_file_and_a_short_row_are_refused():
    assert refused(b"") == [RowError(1, "", "The file is empty: it needs a header row with the export's columns.")]
    data = csv_file(header=HEADER) + b"1,2,3\r\n"
    assert refused(data) == [RowError(2, "", f"This row has 3 cells; the header has {len(HEADER)}.")]


@pytest.mark.postgres
def test_a_rule_only_the_database_checks_is_reported_not_raised(monkeypatch):
    """PostgreSQL's deferred checks run before the import's transaction ends:
    a violation is a reported error, and nothing is written."""
    monkeypatch.setattr(Agreement, "party_errors", lambda self, parties: [])  # let a one-party bilateral through
    before = counts()

    errors = refused(csv_file(row(parties="RWA", institutions="", signatories="")))

    assert len(errors) == 1 and errors[0].line == 2
    assert "The database refused the file" in errors[0].message
    assert "bilateral" in errors[0].message
    assert counts() == before
    assert connection.vendor == "postgresql"


# --- the command ---------------------------------------------------------------


def test_the_command_publishes_by_default_and_says_what_it_did(tmp_path):
    path = tmp_path / "agreements.csv"
    path.write_bytes(csv_file(row()))
    out = StringIO()

    call_command("import_agreements", str(path), stdout=out)

    assert out.getvalue().strip() == (
        "Imported agreements.csv: 1 agreement(s): 1 created, 0 updated, 0 unchanged. (published)"
    )
    assert Agreement.objects.get().is_published


def test_the_command_leaves_drafts_with_draft(tmp_path):
    path = tmp_path / "agreements.csv"
    path.write_bytes(csv_file(row()))

    call_command("import_agreements", str(path), "--draft", stdout=StringIO())

    assert not Agreement.objects.get().is_published


def test_the_command_prints_every_error_and_fails_writing_nothing(tmp_path):
    path = tmp_path / "agreements.csv"
    path.write_bytes(csv_file(row(kind="pact"), row(signed_on="2026-02-30", url="")))
    before, err = counts(), StringIO()

    with pytest.raises(CommandError) as failure:
        call_command("import_agreements", str(path), stdout=StringIO(), stderr=err)

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

    response = admin_client.post(IMPORT, {"file": upload(data), "publish": "on"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "The file has 2 errors: nothing of it was imported." in page
    assert "<li>line 2, column parties: Unknown country code(s): XYZ.</li>" in page
    assert "<li>line 3, column signed_on: “2026-02-30” is not a real date.</li>" in page
    assert counts() == before


def test_a_good_upload_creates_drafts_and_returns_to_the_list(admin_client, admin_user):
    response = admin_client.post(IMPORT, {"file": upload(csv_file(row()), "mous.csv")}, follow=True)

    assert response.redirect_chain == [(str(CHANGELIST), 302)]
    assert "Imported mous.csv: 1 agreement(s): 1 created, 0 updated, 0 unchanged." in response.content.decode()
    mou = Agreement.objects.get()
    assert not mou.is_published, "the publish box was not ticked"
    assert mou.parties.count() == 2 and mou.signatories.count() == 2
    record = mou.history.get()
    assert (record.history_user, record.history_change_reason) == (admin_user, "Imported from mous.csv")


def test_ticking_publish_publishes(admin_client):
    response = admin_client.post(IMPORT, {"file": upload(csv_file(row())), "publish": "on"})

    assert response.status_code == 302
    assert Agreement.objects.get().is_published


def test_a_curator_who_may_not_publish_imports_drafts_only(client, django_user_model):
    curator = django_user_model.objects.create_user("curator", password="x", is_staff=True)
    curator.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_agreement", "change_agreement", "view_agreement"])
    )
    client.force_login(curator)

    assert 'name="publish"' not in client.get(IMPORT).content.decode()
    response = client.post(IMPORT, {"file": upload(csv_file(row())), "publish": "on"})

    assert response.status_code == 302
    assert not Agreement.objects.get().is_published
