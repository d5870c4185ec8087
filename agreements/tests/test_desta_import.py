"""Importing DESTA's dyadic list of treaties: what a small file creates, that importing again
changes nothing and never touches a curator's record, and how codes, kinds and scopes are read."""

import datetime as dt

import pytest

from agreements.imports.desta import SOURCE_TITLE, CountryCodes, import_desta, infer_kind, infer_scope
from agreements.models import Agreement, AgreementRelation, Source
from agreements.tests.desta_helpers import ACCESSION, CONSOLIDATED, EAC, ROWS, by_desta, counts, desta_file, party_codes
from agreements.tests.factories import AgreementFactory, PartyFactory, country

pytestmark = pytest.mark.django_db


# --- a small file ----------------------------------------------------------------


def test_a_small_file_creates_base_treaties_accessions_and_consolidated_versions():
    result = import_desta(desta_file(*ROWS), filename="desta.csv")

    details = result.details
    created = (
        details["base treaties created"],
        details["accessions created"],
        details["consolidated versions created"],
    )
    assert created == (3, 1, 1) and result.created == 5
    counted = (
        details["parties"],
        details["joined later by accession"],
        details["DESTA identifiers"],
        details["relations"],
    )
    assert counted == (17, 2, 5, 2)
    assert result.warnings == []

    eac = by_desta("787")
    assert (eac.title, eac.slug, eac.kind, eac.scope, eac.status, eac.is_binding) == (
        "East African Community (EAC)",
        "east-african-community-eac-1999",
        "treaty",
        "regional",  # plurilateral membership within one continent (DESTA's regioncon "Africa")
        "in_force",
        True,
    )
    assert (eac.signed_on, eac.signed_precision, eac.in_force_on, eac.in_force_precision) == (
        dt.date(1999, 1, 1),
        "year",
        dt.date(2000, 1, 1),
        "year",
    )
    assert eac.date_display("signed_on") == "1999"
    assert eac.is_published and eac.published_at is not None
    assert party_codes(eac) == {
        "KEN": None,
        "TZA": None,
        "UGA": None,
        "BDI": dt.date(2007, 1, 1),
        "RWA": dt.date(2007, 1, 1),
    }
    assert set(eac.parties.filter(joined_on__isnull=False).values_list("joined_precision", flat=True)) == {"year"}

    accession = by_desta("787+1")
    assert (accession.kind, accession.scope, accession.slug) == (
        "accession",
        "plurilateral",
        "east-african-community-eac-burundi-rwanda-accession-2007",
    )
    assert set(party_codes(accession)) == {"BDI", "RWA", "KEN", "TZA", "UGA"}
    consolidated = by_desta("787a")
    assert consolidated.kind == "treaty"
    assert set(AgreementRelation.objects.values_list("from_agreement", "kind", "to_agreement")) == {
        (accession.pk, "accession_to", eac.pk),
        (consolidated.pk, "consolidates", eac.pk),
    }

    kosovo = by_desta("10")
    assert (kosovo.scope, kosovo.kind, set(party_codes(kosovo))) == ("bilateral", "fta", {"ALB", "XKX"})

    accents = by_desta("5000")
    assert accents.title == "Côte d’Ivoire DR Congo Préférences"
    assert accents.slug == "cote-divoire-dr-congo-preferences-1993"
    assert (accents.status, accents.in_force_on) == ("signed", None), "no entry into force year: signed"
    assert set(party_codes(accents)) == {"CIV", "COD"}, "180 is DR Congo, not Zaire, even in 1993"

    source = Source.objects.get()
    assert (source.title, source.kind) == (SOURCE_TITLE, "dataset")
    assert "Dür, Andreas, Leonardo Baccini and Manfred Elsig (2014)" in source.citation
    assert all(a.citations.get().source == source for a in Agreement.objects.all())
    assert eac.history.get().history_change_reason == "Imported from DESTA (desta.csv)"
    assert list(Agreement.objects.search("Kosovo")) == [kosovo]
    assert eac in Agreement.objects.search("Rwanda"), "acceding parties are searchable"


def test_importing_twice_changes_nothing():
    import_desta(desta_file(*ROWS))
    before = counts()
    stamps = dict(Agreement.objects.values_list("pk", "updated_at"))

    result = import_desta(desta_file(*ROWS))

    assert (result.created, result.unchanged, result.details["parties"], result.details["relations"]) == (0, 5, 0, 0)
    assert result.warnings == []
    assert counts() == before
    assert dict(Agreement.objects.values_list("pk", "updated_at")) == stamps


def test_a_hand_entered_agreement_with_the_same_title_is_never_touched():
    mine = AgreementFactory(
        title="East African Community (EAC)",
        slug="east-african-community-eac-1999",
        kind="treaty",
        signed_on=dt.date(1999, 11, 30),
        is_published=True,
        summary="Entered by hand.",
    )
    PartyFactory(agreement=mine, country=country("KEN"))
    stamp = mine.updated_at

    import_desta(desta_file(*ROWS))
    import_desta(desta_file(*ROWS))

    mine.refresh_from_db()
    assert (mine.title, mine.summary, mine.updated_at, mine.signed_on) == (
        "East African Community (EAC)",
        "Entered by hand.",
        stamp,
        dt.date(1999, 11, 30),
    )
    assert set(party_codes(mine)) == {"KEN"} and not mine.identifiers.exists()
    assert by_desta("787").slug == "east-african-community-eac-1999-desta-787", "the slug was taken"
    assert by_desta("787+1").relations.get().to_agreement == by_desta("787")


def test_a_curators_edits_to_an_imported_agreement_survive_a_reimport():
    import_desta(desta_file(*ROWS))
    eac = by_desta("787")
    eac.title, eac.status, eac.in_force_on = "Treaty for the Establishment of the EAC", "signed", None
    eac.save()
    eac.parties.filter(country__iso3="RWA").delete()
    eac.relations.create(kind="related", to_agreement=by_desta("10"))
    before = counts()

    result = import_desta(desta_file(*ROWS))

    assert result.created == 0 and counts() == before
    eac.refresh_from_db()
    assert (eac.title, eac.status) == ("Treaty for the Establishment of the EAC", "signed")
    assert set(party_codes(eac)) == {"KEN", "TZA", "UGA", "BDI"}


def test_a_new_accession_to_a_base_already_there_leaves_the_base_alone_and_says_so():
    import_desta(desta_file(*EAC))
    eac = by_desta("787")

    result = import_desta(desta_file(*EAC, *ACCESSION))

    assert (result.details["accessions created"], result.unchanged, result.details["joined later by accession"]) == (
        1,
        1,
        0,
    )
    assert set(party_codes(eac)) == {"KEN", "TZA", "UGA"}
    assert by_desta("787+1").relations.get().to_agreement == eac
    assert [str(w) for w in result.warnings] == [
        "line 5: DESTA 787+1: base treaty 787 is already in the database and is left as it is: "
        "add BDI, RWA to its parties by hand (joined 2007)."
    ]


def test_a_version_whose_base_treaty_is_nowhere_is_imported_without_the_relation():
    result = import_desta(desta_file(*CONSOLIDATED))

    assert not AgreementRelation.objects.exists()
    assert by_desta("787a").title == "East African Community (EAC) (consolidated)"
    assert [str(w) for w in result.warnings] == [
        "line 2: DESTA 787a: its base treaty 787 is neither in the file nor in the database: "
        "imported without its relation to it."
    ]


def test_a_bilateral_treaty_with_an_accession_is_no_longer_bilateral():
    # Two countries sign, a third accedes: three parties, so plurilateral
    # (PostgreSQL would refuse a bilateral agreement with three at commit).
    rows = [
        '"Liberia","Sierra Leone",430,694,"600",600,"Mano River Union","base_treaty",0,1973,1973,"English",1,"Africa",0,""',
        '"Guinea","Liberia",324,430,"600+1",600,"Mano River Union Guinea accession","accession",0,1980,1980,"English",5,"Africa",0,""',
        '"Guinea","Sierra Leone",324,694,"600+1",600,"Mano River Union Guinea accession","accession",0,1980,1980,"English",5,"Africa",0,""',
    ]

    import_desta(desta_file(*rows))

    union = by_desta("600")
    assert (union.scope, union.kind) == ("plurilateral", "treaty")
    assert party_codes(union) == {"LBR": None, "SLE": None, "GIN": dt.date(1980, 1, 1)}


def test_entry_into_force_before_signature_is_recorded_at_signature_with_a_warning():
    row = '"Australia","United Kingdom",36,826,"1081",1081,"Australia UK","base_treaty",0,1957,1956,"English",1,"Intercontinental",0,'

    result = import_desta(desta_file(row))

    agreement = by_desta("1081")
    assert (agreement.status, agreement.in_force_on) == ("in_force", dt.date(1957, 1, 1))
    assert "1956" in agreement.summary
    assert [w.line for w in result.warnings] == [2]


def test_a_historic_code_maps_to_the_country_of_the_time():
    row = '"Czechoslovakia","Hungary",200,348,"6000",6000,"Czechoslovakia Hungary","base_treaty",0,1992,,"English",1,"Europe",0,""'

    import_desta(desta_file(row))

    assert set(party_codes(by_desta("6000"))) == {"CSK", "HUN"}


@pytest.mark.parametrize(
    ("code", "year", "iso3"),
    [
        ("180", 1993, "COD"),  # current DR Congo over historic Zaire: DESTA uses today's codes
        ("180", 2020, "COD"),
        ("900", 2003, "XKX"),
        ("404", 1966, "KEN"),
        ("4", 2003, "AFG"),
        ("200", 1992, "CSK"),  # historic only: Czechoslovakia
        ("891", 1995, "YUG"),  # two historic holders: who held it that year
        ("891", 2004, "SCG"),
        ("891", 2010, "SCG"),
        ("999", 2000, None),
    ],
)
def test_numeric_codes(code, year, iso3):
    found = CountryCodes().resolve(code, year)

    assert (found.iso3 if found else None) == iso3


@pytest.mark.parametrize(
    ("name", "entry_type", "typememb", "kind"),
    [
        ("East African Community (EAC)", "base_treaty", 2, "treaty"),
        ("Common Market for Eastern and Southern Africa (COMESA)", "base_treaty", 2, "treaty"),
        ("Caribbean Community (CARICOM) revised", "base_treaty", 2, "treaty"),
        ("Southern African Development Community (SADC) (consolidated)", "consolidated", 2, "treaty"),
        ("Treaty of Economic Association", "base_treaty", 2, "treaty"),
        ("Southern Africa Customs Union (SACU)", "base_treaty", 2, "customs_union"),
        ("France Tunisia Customs Union Convention", "base_treaty", 1, "customs_union"),
        ("EFTA Southern African Customs Union (SACU)", "base_treaty", 4, "unknown"),
        ("Caribbean Community (CARICOM) Colombia", "base_treaty", 3, "unknown"),
        (
            "Common Market for Eastern and Southern Africa (COMESA) East African Community (EAC) "
            "Southern African Development Community (SADC)",
            "base_treaty",
            2,
            "unknown",
        ),
        ("African Continental Free Trade Area (AfCFTA)", "base_treaty", 4, "fta"),
        ("CARIFORUM EC EPA", "base_treaty", 4, "epa"),
        ("Regional Comprehensive Economic Partnership (RCEP)", "base_treaty", 2, "epa"),
        ("ASEAN Framework Agreement", "base_treaty", 2, "framework"),
        ("East African Community (EAC) Burundi Rwanda accession", "accession", 5, "accession"),
        ("Afghanistan India", "base_treaty", 1, "unknown"),
    ],
)
def test_kind_from_the_name(name, entry_type, typememb, kind):
    assert infer_kind(name, entry_type, typememb) == kind


@pytest.mark.parametrize(
    ("typememb", "countries", "region", "scope"),
    [
        (1, 2, "Africa", "bilateral"),
        (1, 3, "Africa", "plurilateral"),
        (2, 2, "Intercontinental", "plurilateral"),
        (2, 5, "Africa", "regional"),
        (2, 5, "", "plurilateral"),
        (3, 9, "Europe", "plurilateral"),
        (4, 30, "Intercontinental", "bloc"),
    ],
)
def test_scope_from_the_membership_type_and_region(typememb, countries, region, scope):
    assert infer_scope(typememb, countries, region) == scope
