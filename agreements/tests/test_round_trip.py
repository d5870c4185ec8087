"""The interface contract's round trip: export, import into an empty database,
export again, and the two files are the same, byte for byte."""

import datetime as dt

import pytest
from django.apps import apps

from agreements.exports import HEADER, export_table
from agreements.filters import AgreementFilterSet
from agreements.imports.agreements import import_agreements
from agreements.models import Agreement, AgreementSource, Organisation, Party, Signatory, Source, Topic
from agreements.tests.factories import country
from corridors.models import Corridor, CorridorAgreement
from tradepacts.csv import complete_rows, csv_lines

pytestmark = pytest.mark.django_db


LIST_URL = "http://testserver/agreements/"


def export_bytes() -> bytes:
    """The file /agreements/export.csv serves with no filter: its FilterSet, its order."""
    queryset = AgreementFilterSet({}, queryset=Agreement.objects.published()).qs
    return b"".join(csv_lines(HEADER, export_table(queryset, LIST_URL)))


def agreement(parties: list[tuple[str | None, Organisation | None]], **fields) -> Agreement:
    fields.setdefault("is_published", True)
    record = Agreement.objects.create(**fields)
    for iso3, institution in parties:
        Party.objects.create(agreement=record, country=country(iso3) if iso3 else None, institution=institution)
    return record


@pytest.fixture
def tracker() -> list[Agreement]:
    """A small but awkward tracker: every cell format the export writes."""
    rwa, ken = country("RWA"), country("KEN")
    mininfra = Organisation.objects.create(
        name="Ministry of Infrastructure", slug="mininfra", kind="ministry", country=rwa
    )
    kpa = Organisation.objects.create(name="Kenya Ports Authority", slug="kpa", kind="port_authority", country=ken)
    ncttca = Organisation.objects.create(
        name="Northern Corridor Transit and Transport Coordination Authority", slug="ncttca", kind="intergovernmental"
    )
    ccttfa = Organisation.objects.create(
        name="Central Corridor Transit Transport Facilitation Agency", slug="ccttfa", kind="intergovernmental"
    )
    ports = Topic.objects.create(name="Ports and logistics", slug="ports")
    facilitation = Topic.objects.create(name="Trade facilitation", slug="facilitation")
    customs = Topic.objects.create(name="Customs", slug="customs")
    northern = Corridor.objects.create(name="Northern Corridor", slug="northern-corridor", gateway_port="Mombasa")
    release = Source.objects.create(
        title="MININFRA hosts signing of MoU on KPA liaison office", url="https://www.mininfra.gov.rw/news/kpa-mou"
    )
    report = Source.objects.create(title="Rwanda and Kenya formalise agreement, a news report", url="")

    mou = agreement(
        [("RWA", mininfra), ("KEN", kpa)],
        title="MoU establishing a Kenya Ports Authority liaison office in Kigali",
        kind="mou",
        scope="bilateral",
        status="signed",
        is_binding=False,
        signed_on=dt.date(2026, 1, 22),
        place="Kigali",
        summary="Establishes a KPA liaison office in Kigali; signed at MININFRA.\nSecond paragraph, with “quotes”.",
    )
    Signatory.objects.create(
        agreement=mou, name="Canoth Manishimwe", position="Permanent Secretary", country=rwa, order=1, role="presided"
    )
    Signatory.objects.create(
        agreement=mou,
        name="Mohamed Daghar",
        honorific="CBS",
        position="Principal Secretary, State Department for Transport (Kenya)",
        country=ken,
        order=2,
    )
    Signatory.objects.create(agreement=mou, name="A. Witness", position="Observer", order=3)
    Signatory.objects.create(agreement=mou, name="Anonymous Notary", order=4)
    mou.topics.set([ports, facilitation])
    CorridorAgreement.objects.create(corridor=northern, agreement=mou)
    AgreementSource.objects.create(agreement=mou, source=release, note="The ceremony")
    AgreementSource.objects.create(agreement=mou, source=report)

    treaty = agreement(
        [("KEN", None), ("TZA", None), ("UGA", None), ("RWA", None), ("BDI", None)],
        title="Treaty for the establishment of a customs union",
        kind="customs_union",
        scope="plurilateral",
        status="in_force",
        signed_on=dt.date(2004, 1, 1),
        signed_precision="year",
        in_force_on=dt.date(2005, 1, 1),
        in_force_precision="month",
        announced_on=dt.date(2003, 11, 1),
        announced_precision="month",
    )
    treaty.topics.set([customs])
    AgreementSource.objects.create(agreement=treaty, source=report)

    moc = agreement(
        [(None, ncttca), (None, ccttfa)],
        title="Memorandum of cooperation between the corridor agencies",
        kind="moc",
        scope="institutional",
        status="signed",
        is_binding=False,
    )
    CorridorAgreement.objects.create(corridor=northern, agreement=moc)

    formula = agreement(
        [("CIV", None), ("KEN", None)],
        title='=HYPERLINK("http://example.org","Accord de libre-échange Côte d\'Ivoire–Kenya")',
        kind="fta",
        scope="bilateral",
        status="terminated",
        signed_on=dt.date(2010, 6, 1),
        signed_precision="month",
        ended_on=dt.date(2020, 12, 31),
        place="Abidjan",
        summary="-1 for the exporters; +2 for Côte d'Ivoire.",
    )
    Signatory.objects.create(
        agreement=formula, name="Ministre du Commerce", position="Ministre, Commerce", country=country("CIV")
    )

    # Countries with institutions, one without, and an institution acting alone, interleaved.
    mixed = agreement(
        [("UGA", None), ("KEN", ncttca), (None, ccttfa), ("RWA", mininfra)],
        title="Joint communiqué on the Northern Corridor",
        kind="communique",
        scope="plurilateral",
        status="announced",
        is_binding=False,
        announced_on=dt.date(2026, 1, 1),
        announced_precision="year",
    )
    AgreementSource.objects.create(agreement=mixed, source=release)

    draft = agreement([("RWA", None), ("KEN", None)], title="A draft nobody may see", kind="mou", is_published=False)
    return [mou, treaty, moc, formula, mixed, draft]


def empty_database() -> None:
    """Everything but the countries (reference data loaded by migration)."""
    Agreement.objects.all().delete()
    for model in (Corridor, Organisation, Source, Topic):
        model.objects.all().delete()


def database_rows() -> dict[str, list]:
    """Every row of every agreements and corridors table, history included."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for app in ("agreements", "corridors")
        for model in apps.get_app_config(app).get_models()
    }


def test_export_import_into_an_empty_database_export_again_gives_the_same_file(tracker):
    first = export_bytes()
    assert complete_rows(first) == 5  # the five published agreements
    empty_database()
    assert not Agreement.objects.exists() and not Organisation.objects.exists()

    result = import_agreements(first, publish=True, filename="agreements.csv")

    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
    assert export_bytes() == first


def test_the_round_trip_keeps_ids_slugs_and_what_each_cell_means(tracker):
    first = export_bytes()
    before = {a.pk: a.slug for a in tracker if a.is_published}
    empty_database()

    import_agreements(first, publish=True, filename="agreements.csv")

    assert dict(Agreement.objects.values_list("pk", "slug")) == before
    mou = Agreement.objects.get(pk=tracker[0].pk)
    assert [(s.name, s.honorific, s.position, s.country and s.country.iso3) for s in mou.signatories.all()] == [
        ("Canoth Manishimwe", "", "Permanent Secretary", "RWA"),
        ("Mohamed Daghar", "CBS", "Principal Secretary, State Department for Transport (Kenya)", "KEN"),
        ("A. Witness", "", "Observer", None),
        ("Anonymous Notary", "", "", None),
    ]
    assert [(p.country.iso3, p.institution.name) for p in mou.parties.order_by("id")] == [
        ("RWA", "Ministry of Infrastructure"),
        ("KEN", "Kenya Ports Authority"),
    ]
    assert {(o.name, o.country_id is None, o.kind) for o in Organisation.objects.all()} >= {
        ("Kenya Ports Authority", False, "agency"),
        ("Central Corridor Transit Transport Facilitation Agency", True, "intergovernmental"),
    }
    formula = Agreement.objects.get(pk=tracker[3].pk)
    assert formula.title.startswith('=HYPERLINK("')  # neutralised in the file, restored in the database
    assert formula.summary == "-1 for the exporters; +2 for Côte d'Ivoire."
    treaty = Agreement.objects.get(pk=tracker[1].pk)
    assert (treaty.signed_on, treaty.signed_precision) == (dt.date(2004, 1, 1), "year")
    assert (treaty.in_force_on, treaty.in_force_precision) == (dt.date(2005, 1, 1), "month")
    assert Corridor.objects.get().slug == "northern-corridor"
    assert set(Source.objects.values_list("url", flat=True)) == {"https://www.mininfra.gov.rw/news/kpa-mou", ""}
    assert Agreement.objects.search("Manishimwe").get() == mou  # indexed for search


def test_importing_the_same_file_again_changes_nothing(tracker):
    first = export_bytes()
    empty_database()
    import_agreements(first, publish=True, filename="agreements.csv")
    rows = database_rows()

    again = import_agreements(first, publish=True, filename="agreements.csv")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert database_rows() == rows  # no duplicate, no history row, no timestamp bumped
    assert export_bytes() == first


def test_importing_an_export_into_the_database_it_came_from_changes_nothing(tracker):
    first = export_bytes()
    rows = database_rows()

    result = import_agreements(first, publish=True, filename="agreements.csv")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)
    # What the file cannot say (a signatory's role, a citation's note) is kept.
    assert database_rows() == rows
