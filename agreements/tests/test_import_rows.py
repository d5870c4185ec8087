"""Importing the agreements CSV: what a good file creates, and what a row with an existing id
updates. (Bad files: test_import_errors.py; the command and the admin upload:
test_import_command_and_upload.py.)"""

import datetime as dt

import pytest

from agreements.exports import HEADER
from agreements.imports.agreements import REQUIRED_COLUMNS, import_agreements
from agreements.models import Agreement, AgreementSource, Organisation, Party, Signatory, Source, Topic
from agreements.tests.factories import AgreementFactory, bilateral, country
from agreements.tests.import_helpers import csv_file, row
from corridors.models import Corridor

pytestmark = pytest.mark.django_db


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
