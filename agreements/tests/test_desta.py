"""Importing DESTA's dyadic list of treaties: what a small file creates, that
importing again changes nothing and never touches a curator's record, errors
with their line and nothing written, the command and the admin upload, and the
real file, checked against counts computed here from the file itself."""

import csv
import datetime as dt
import os
from collections import defaultdict
from io import StringIO
from pathlib import Path

import pycountry
import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse, reverse_lazy

from agreements.imports.agreements import ImportFailed, RowError
from agreements.imports.desta import SOURCE_TITLE, CountryCodes, import_desta, infer_kind, infer_scope
from agreements.models import Agreement, AgreementRelation, ExternalIdentifier, Party, Source
from agreements.tests.factories import AgreementFactory, PartyFactory, country

pytestmark = pytest.mark.django_db

HEADER = (
    '"country1","country2","iso1","iso2","number","base_treaty","name","entry_type","consolidated","year",'
    '"entryforceyear","language","typememb","regioncon","wto_listed","wto_name"'
)
EAC = [  # lines 2-4: the EAC of 1999, between Kenya, Tanzania and Uganda
    '"Kenya","Tanzania",404,834,"787",787,"East African Community (EAC)","base_treaty",0,1999,2000,"English",2,"Africa",1,"East African Community (EAC)"',
    '"Kenya","Uganda",404,800,"787",787,"East African Community (EAC)","base_treaty",0,1999,2000,"English",2,"Africa",1,"East African Community (EAC)"',
    '"Tanzania","Uganda",834,800,"787",787,"East African Community (EAC)","base_treaty",0,1999,2000,"English",2,"Africa",1,"East African Community (EAC)"',
]
ACCESSION = [  # lines 5-11: Burundi and Rwanda accede in 2007, paired with the members and each other
    f'"{a}","{b}",{x},{y},"787+1",787,"East African Community (EAC) Burundi Rwanda accession","accession",0,2007,2007,"English",5,"Africa",0,""'
    for a, b, x, y in [
        ("Burundi", "Kenya", 108, 404),
        ("Burundi", "Tanzania", 108, 834),
        ("Burundi", "Uganda", 108, 800),
        ("Rwanda", "Kenya", 646, 404),
        ("Rwanda", "Tanzania", 646, 834),
        ("Rwanda", "Uganda", 646, 800),
        ("Burundi", "Rwanda", 108, 646),
    ]
]
KOSOVO = [  # line 12
    '"Albania","Kosovo",8,900,"10",10,"Albania Kosovo Free Trade Agreement","base_treaty",0,2003,2003,"English",1,"Europe",1,"Albania Kosovo"',
]
ACCENTS = [  # line 13: é and ’ in cp1252; 180 in 1993 is DR Congo (current), not Zaire (historic)
    '"Côte d’Ivoire","Congo - Kinshasa",384,180,"5000",5000,"Côte d’Ivoire DR Congo Préférences","base_treaty",0,1993,,"French",1,"Africa",0,""',
]
CONSOLIDATED = [  # lines 14-15
    '"Kenya","Tanzania",404,834,"787a",787,"East African Community (EAC) (consolidated)","consolidated",1,2007,2007,"English",2,"Africa",1,""',
    '"Kenya","Uganda",404,800,"787a",787,"East African Community (EAC) (consolidated)","consolidated",1,2007,2007,"English",2,"Africa",1,""',
]
ROWS = EAC + ACCESSION + KOSOVO + ACCENTS + CONSOLIDATED

# A copy of ../shared/data/desta, so a clone on any machine tests against the real file.
REAL_FILE = Path(__file__).parent / "data/desta_list_of_treaties_02_01_dyads.csv"
IMPORT = reverse_lazy("admin:agreements_agreement_import_desta")
CHANGELIST = reverse_lazy("admin:agreements_agreement_changelist")


def desta_file(*rows: str) -> bytes:
    """A file as DESTA publishes it: Windows-1252, CRLF."""
    return "\r\n".join([HEADER, *rows, ""]).encode("cp1252")


def counts() -> dict[str, int]:
    """How many rows every table of both apps holds, history included."""
    return {
        model._meta.label: model.objects.count()
        for app in ("agreements", "corridors")
        for model in apps.get_app_config(app).get_models()
    }


def by_desta(number: str) -> Agreement:
    return Agreement.objects.get(identifiers__scheme="desta", identifiers__value=number)


def party_codes(agreement: Agreement) -> dict[str, dt.date | None]:
    return {p.country.iso3: p.joined_on for p in agreement.parties.select_related("country")}


def refused(data: bytes) -> list[RowError]:
    with pytest.raises(ImportFailed) as failure:
        import_desta(data, filename="bad.csv")
    return failure.value.errors


# --- a small file ----------------------------------------------------------------


def test_a_small_file_creates_base_treaties_accessions_and_consolidated_versions():
    result = import_desta(desta_file(*ROWS), filename="desta.csv")

    assert (result.created["base_treaty"], result.created["accession"], result.created["consolidated"]) == (3, 1, 1)
    assert (result.parties, result.joined, result.identifiers, result.relations) == (17, 2, 5, 2)
    assert result.warnings == []

    eac = by_desta("787")
    assert (eac.title, eac.slug, eac.kind, eac.scope, eac.status, eac.is_binding) == (
        "East African Community (EAC)",
        "east-african-community-eac-1999",
        "treaty",
        "plurilateral",
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

    assert (result.agreements, result.existing, result.parties, result.relations) == (0, 5, 0, 0)
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

    assert result.agreements == 0 and counts() == before
    eac.refresh_from_db()
    assert (eac.title, eac.status) == ("Treaty for the Establishment of the EAC", "signed")
    assert set(party_codes(eac)) == {"KEN", "TZA", "UGA", "BDI"}


def test_a_new_accession_to_a_base_already_there_leaves_the_base_alone_and_says_so():
    import_desta(desta_file(*EAC))
    eac = by_desta("787")

    result = import_desta(desta_file(*EAC, *ACCESSION))

    assert (result.created["accession"], result.existing, result.joined) == (1, 1, 0)
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
    ("typememb", "countries", "scope"),
    [(1, 2, "bilateral"), (1, 3, "plurilateral"), (2, 2, "plurilateral"), (3, 9, "plurilateral"), (4, 30, "bloc")],
)
def test_scope_from_the_membership_type(typememb, countries, scope):
    assert infer_scope(typememb, countries) == scope


# --- errors ----------------------------------------------------------------------


def test_a_code_that_is_no_country_is_an_error_with_its_line_and_nothing_is_written():
    before = counts()
    bad = KOSOVO[0].replace(",8,900,", ",8,999,")

    errors = refused(desta_file(*EAC, *ACCESSION, bad, *ACCENTS))

    assert [str(e) for e in errors] == [
        "line 12, column iso2: “Kosovo” has the code 999, which is no country's: neither an ISO 3166-1 "
        "numeric code, current or historic, nor Kosovo's 900."
    ]
    assert counts() == before


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (EAC[0].replace('"787",787', '"78x7",787'), "number", "“78x7” is not a DESTA number"),
        (
            EAC[0].replace('"base_treaty",0', '"accession",0'),
            "entry_type",
            "“787” is the number of a base treaty, but the entry type says accession",
        ),
        (EAC[0].replace(",1999,2000,", ",19x9,2000,"), "year", "is not a year of signature"),
        (EAC[0].replace(",1999,2000,", ",1999,20,"), "entryforceyear", "is not a year"),
        (EAC[0].replace('"English",2,', '"English",7,'), "typememb", "is not a membership type"),
        (EAC[0].replace("404,834", "404,404"), "iso2", "A country cannot be paired with itself (KEN)"),
        (EAC[0].replace("404,834", "404,KE"), "iso2", "not an ISO 3166-1 numeric code"),
    ],
)
def test_bad_rows_are_reported_with_line_and_column(row, column, message):
    errors = refused(desta_file(KOSOVO[0], row))

    assert any(e.line == 3 and e.column == column and message in e.message for e in errors), errors
    assert not Agreement.objects.exists()


def test_rows_of_one_entry_must_agree():
    errors = refused(desta_file(EAC[0], EAC[1].replace(",1999,2000,", ",1999,2001,")))

    assert [(e.line, e.column) for e in errors] == [(3, "entryforceyear")]
    assert "on line 2" in errors[0].message


def test_missing_columns_and_bytes_outside_cp1252_are_errors():
    assert "Missing column(s): iso1, iso2" in str(refused(b"country1,country2\r\nKenya,Uganda\r\n")[0])
    errors = refused(desta_file(*EAC) + b'"Kenya","Uganda",404,800,"\x81"\r\n')
    assert errors == [RowError(5, "", "Byte 0x81 is neither Windows-1252 (cp1252) nor UTF-8 text.")]
    assert not Agreement.objects.exists()


def test_a_file_saved_again_as_utf8_reads_the_same():
    import_desta("\n".join([HEADER, *ACCENTS]).encode("utf-8-sig"))

    assert by_desta("5000").title == "Côte d’Ivoire DR Congo Préférences"


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

    response = admin_client.post(IMPORT, {"file": upload(data)})

    page = response.content.decode()
    assert response.status_code == 200
    assert "The file has 1 error: nothing of it was imported." in page
    assert "<li>line 5, column iso2: “Kosovo” has the code 999" in page
    assert counts() == before


def test_a_good_upload_imports_and_returns_to_the_list(admin_client, admin_user):
    response = admin_client.post(IMPORT, {"file": upload(desta_file(*ROWS), "desta.csv")}, follow=True)

    assert response.redirect_chain == [(str(CHANGELIST), 302)]
    assert "Imported desta.csv in" in response.content.decode()
    assert "5 agreement(s) created (3 base treaties, 1 accessions, 1 consolidated versions)" in (
        response.content.decode()
    )
    record = by_desta("787").history.get()
    assert (record.history_user, record.history_change_reason) == (admin_user, "Imported from DESTA (desta.csv)")


# --- the real file -----------------------------------------------------------------


def expected_from_the_file(path: Path) -> dict:
    """What the import must make of the file, worked out here with csv and
    pycountry alone: parties per DESTA number (ISO3 with the year joined)."""
    with path.open(encoding="cp1252", newline="") as f:
        rows = list(csv.DictReader(f))
    iso3 = {c.numeric.lstrip("0"): c.alpha_3 for c in pycountry.countries} | {"900": "XKX"}
    members: dict[str, set[str]] = defaultdict(set)
    kind, base_of, year = {}, {}, {}
    for row in rows:
        number = row["number"]
        members[number] |= {iso3[row["iso1"]], iso3[row["iso2"]]}
        kind[number], base_of[number], year[number] = row["entry_type"], row["base_treaty"], int(row["year"])
    bases = {n for n, k in kind.items() if k == "base_treaty"}
    parties = {n: {code: None for code in members[n]} for n in kind}
    for number in sorted((n for n, k in kind.items() if k == "accession"), key=lambda n: year[n]):
        base = base_of[number]
        if base in bases:
            for code in members[number] - members[base]:
                # The first accession (by year) that names a country is when it joined.
                parties[base].setdefault(code, year[number])
    return {
        "rows": len(rows),
        "entries": {k: sum(1 for v in kind.values() if v == k) for k in ("base_treaty", "accession", "consolidated")},
        "parties": parties,
        "party_count": sum(len(p) for p in parties.values()),
        "joined": sum(1 for p in parties.values() for y in p.values() if y),
        "relations": sum(1 for n, k in kind.items() if k != "base_treaty" and base_of[n] in bases),
    }


def test_the_real_file():
    if not REAL_FILE.exists():
        message = f"the DESTA file is not at {REAL_FILE}"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    expected = expected_from_the_file(REAL_FILE)

    result = import_desta(REAL_FILE.read_bytes(), filename=REAL_FILE.name)

    assert result.rows == expected["rows"] == 18329
    assert dict(result.created) == expected["entries"] == {"base_treaty": 851, "accession": 205, "consolidated": 60}
    assert result.parties == Party.objects.count() == expected["party_count"]
    assert result.joined == expected["joined"]
    assert result.identifiers == ExternalIdentifier.objects.count() == 1116
    assert result.relations == AgreementRelation.objects.count() == expected["relations"]
    assert Agreement.objects.filter(kind="accession").count() == 205
    assert Agreement.objects.published().count() == 1116

    got: dict[str, dict[str, int | None]] = defaultdict(dict)
    for number, code, joined in Party.objects.values_list(
        "agreement__identifiers__value", "country__iso3", "joined_on"
    ):
        got[number][code] = joined.year if joined else None
    assert got == expected["parties"], "every DESTA number's parties, and who joined when"

    eac = Agreement.objects.get(title="East African Community (EAC)", signed_on__year=1999)
    assert {code: party_codes(eac)[code] for code in ("BDI", "RWA")} == {
        "BDI": dt.date(2007, 1, 1),
        "RWA": dt.date(2007, 1, 1),
    }
    comesa = Agreement.objects.get(title="Common Market for Eastern and Southern Africa (COMESA)")
    tripartite = Agreement.objects.get(
        title__startswith="Common Market for Eastern and Southern Africa (COMESA) East African Community",
        signed_on__year=2015,
    )
    afcfta = Agreement.objects.get(title="African Continental Free Trade Area (AfCFTA)")
    for agreement in (eac, comesa, tripartite, afcfta):
        assert {"KEN", "RWA"} <= set(party_codes(agreement)), agreement
    rwanda = set(Agreement.objects.filter(parties__country__iso3="RWA"))
    assert {eac, comesa, tripartite, afcfta} <= rwanda

    again = import_desta(REAL_FILE.read_bytes(), filename=REAL_FILE.name)
    assert (again.agreements, again.existing, again.warnings) == (0, 1116, [])
