"""The registry from DESTA, the WTO RTA list and GPTAD (agreements.imports), on the real files."""

import csv
import datetime as dt
import gzip
import io
import re
from collections import Counter

import pytest

from agreements.imports.gptad import KINDS as GPTAD_KINDS
from agreements.imports.gptad import STATUSES as GPTAD_STATUSES
from agreements.imports.merge import SAME_FILE
from agreements.imports.registry import FILES, load_registry
from agreements.imports.wto_rta import KINDS, STATUSES, import_wto_rta
from agreements.models import Agreement, Claim, ExternalIdentifier
from tradepacts.imports import ImportFailed

pytestmark = pytest.mark.django_db
PATHS = dict(FILES)


def text_of(slug: str, encoding: str = "utf-8") -> str:
    return gzip.decompress(PATHS[slug].read_bytes()).decode(encoding)


def rows_of(slug: str, encoding: str = "utf-8") -> list[dict]:
    return list(csv.DictReader(io.StringIO(text_of(slug, encoding), newline="")))


@pytest.fixture
def registry():
    load_registry(lambda message: None)


def by_wto(name: str) -> Agreement:
    return Agreement.objects.get(identifiers__scheme="wto_rta", identifiers__value=name)


def test_counts_match_the_files(registry):
    desta = {row["number"]: row for row in rows_of("desta", "cp1252")}
    wto = rows_of("wto_rta")
    gptad = {row["Common.Name"] for row in rows_of("gptad")}
    identifiers = Counter(ExternalIdentifier.objects.values_list("scheme", flat=True))
    assert identifiers["desta"] == len(desta) == 1116
    assert identifiers["wto_rta"] == len(wto) == 602
    assert identifiers["gptad"] <= len(gptad) == 349
    linked = {row["wto_name"] for row in desta.values() if row["wto_listed"] == "1" and row["wto_name"]}
    by_desta_name = ExternalIdentifier.objects.filter(scheme="wto_rta", matched_by="desta_wto_name").count()
    assert 0 < by_desta_name <= len(linked)
    created = ExternalIdentifier.objects.filter(scheme="wto_rta", matched_by="created").count()
    assert Agreement.objects.count() == len(desta) + created
    assert Agreement.objects.filter(kind="accession").count() >= sum(
        r["entry_type"] == "accession" for r in desta.values()
    )
    assert Agreement.objects.filter(kind="fta").count() < Agreement.objects.count() / 2


def test_nafta_ended_on_the_wto_date_superseded_by_usmca(registry):
    row = next(r for r in rows_of("wto_rta") if r["RTA Name"] == "North American Free Trade Agreement (NAFTA)")
    nafta = by_wto("North American Free Trade Agreement (NAFTA)")
    assert (nafta.status, nafta.ended_on) == ("superseded", dt.date.fromisoformat(row["Inactive Date"]))
    successor = nafta.inbound_relations.get(kind="supersedes").from_agreement
    assert "USMCA" in successor.title and successor.status == "in_force"


def test_lome_i_to_iv_and_what_a_source_says_ended_are_not_in_force(registry, client):
    wto = {r["RTA Name"]: r for r in rows_of("wto_rta")}
    lome = Agreement.objects.filter(identifiers__scheme="desta", identifiers__value__in=["584", "585", "586", "587"])
    ended = {a.identifiers.get(scheme="desta").value: (a.status, a.ended_on) for a in lome}
    assert ended == {
        "584": ("superseded", dt.date.fromisoformat(wto["First Convention of Lomé"]["Inactive Date"])),
        "585": ("superseded", dt.date.fromisoformat(wto["Second Convention of Lomé"]["Inactive Date"])),
        "586": ("superseded", dt.date.fromisoformat(wto["Third Convention of Lomé"]["Inactive Date"])),
        "587": ("superseded", dt.date(2000, 1, 1)),  # by the Cotonou Agreement (DESTA 253)
    }
    # Matched across the accent: one agreement each, none created again from the WTO's record.
    assert not Agreement.objects.filter(identifiers__matched_by="created", identifiers__scheme="wto_rta",
                                        title__icontains="Lomé").exists()  # fmt: skip
    # GPTAD's "expired" with no date and no other source's status: expired, the date not known.
    armenia_iran = Agreement.objects.get(identifiers__scheme="gptad", identifiers__value="Armenia-Iran")
    assert (armenia_iran.status, armenia_iran.ended_on) == ("expired", None)
    page = client.get(armenia_iran.get_absolute_url()).content.decode()
    assert "Status: <strong>Expired</strong>, as Global Preferential Trade Agreements Database (GPTAD) says." in page
    assert "Ended (expired); the date is not known" in page


def test_eac_members_joined_on_their_dates(registry, client):
    eac = by_wto("East African Community (EAC)")
    joined = {p.country.iso3: p.joined_on for p in eac.parties.select_related("country")}
    assert joined == {"KEN": None, "TZA": None, "UGA": None, "BDI": dt.date(2007, 7, 1), "RWA": dt.date(2007, 7, 1)}
    assert (eac.in_force_on, eac.services_in_force_on) == (dt.date(2000, 7, 7), dt.date(2010, 7, 1))
    assert set(eac.identifiers.values_list("scheme", flat=True)) == {"desta", "wto_rta", "gptad"}
    page = client.get(eac.get_absolute_url()).content.decode()
    for text in (
        "1 July 2007",
        "7 July 2000",
        "1 July 2010",
        "Enabling Clause",
        "<dd>787</dd>",
        "What each source says",
    ):
        assert text in page


def test_rwanda_and_kenya_without_third_countries_accessions(registry, client):
    page = client.get("/agreements/?party=RWA&party=KEN").content.decode()
    assert "East African Community (EAC)" in page
    titles = re.findall(r'class="agreement-table__title"><a href="/agreements/[^/"]+/">([^<]+)<', page)
    # Only the instrument by which Rwanda joined, as on their pair page (agreements.default_lists).
    accessions = [title for title in titles if "accession" in title.lower()]
    assert titles and accessions == ["East African Community (EAC) - Accession of Burundi and Rwanda"]
    assert client.get("/countries/RWA/KEN/").content.decode().count("Accession of Burundi and Rwanda") == 1
    listed = Agreement.objects.listed().filter(parties__country__iso3="RWA").filter(parties__country__iso3="KEN")
    assert not listed.filter(kind="accession").exists()
    with_accessions = client.get("/agreements/?party=RWA&party=KEN&accessions=true").content.decode()
    titles = re.findall(r'class="agreement-table__title"><a href="/agreements/[^/"]+/">([^<]+)<', with_accessions)
    assert [title for title in titles if "accession" in title.lower()]


def test_importing_twice_changes_nothing(registry):
    before = (Agreement.objects.count(), Claim.objects.count(), list(Agreement.objects.values_list("updated_at")))
    result = import_wto_rta(text_of("wto_rta").encode(), force=True)
    assert (result.created, result.details["claims added"], result.created + result.updated) == (0, 0, 0)
    assert before == (
        Agreement.objects.count(),
        Claim.objects.count(),
        list(Agreement.objects.values_list("updated_at")),
    )
    again = import_wto_rta(text_of("wto_rta").encode())
    assert again.skipped == {SAME_FILE: 602} and (again.created, again.updated) == (0, 0)


def test_a_curators_field_is_never_overwritten(registry):
    eac = by_wto("East African Community (EAC)")
    eac.title, eac.curated_fields = "EAC (curated title)", ["title"]
    eac.save()
    import_wto_rta(text_of("wto_rta").encode(), force=True)
    eac.refresh_from_db()
    assert eac.title == "EAC (curated title)"
    assert eac.claims.filter(field="title", value="East African Community (EAC)").exists()


def test_a_bad_file_is_refused_whole_with_line_numbers():
    lines = text_of("wto_rta").splitlines()
    header = next(csv.reader([lines[0]]))
    bad = lines[:3]
    row = dict(zip(header, next(csv.reader([lines[3]])), strict=True))
    row.update({"Date of Signature (G)": "30/11/1999", "Current signatories": "Atlantis"})
    buffer = io.StringIO()
    csv.writer(buffer).writerow([row[name] for name in header])
    bad.append(buffer.getvalue().strip())
    with pytest.raises(ImportFailed) as failure:
        import_wto_rta("\n".join(bad).encode())
    assert {(e.line, e.column) for e in failure.value.errors} == {
        (4, "Date of Signature (G)"),
        (4, "Current signatories"),
    }
    assert Agreement.objects.count() == 0


@pytest.mark.parametrize(("text", "kind"), sorted(KINDS.items()))
def test_wto_kind(text, kind):
    assert kind in Agreement.Kind.values and (kind == "unknown") == (text == "")


@pytest.mark.parametrize(("text", "status"), sorted(STATUSES.items()))
def test_wto_status(text, status):
    expected = {"In Force": "in_force", "In force for at least one Party": "in_force", "Inactive": "terminated",
                "Early announcement-Under negotiation": "negotiating", "Early announcement-Signed": "signed"}  # fmt: skip
    assert status == expected[text]


@pytest.mark.parametrize(("text", "kind"), sorted(GPTAD_KINDS.items()))
def test_gptad_kind(text, kind):
    assert kind in Agreement.Kind.values and (kind != "fta" or "Free Trade" in text)


@pytest.mark.parametrize(("text", "status"), sorted(GPTAD_STATUSES.items()))
def test_gptad_status(text, status):
    assert status in {"", *Agreement.Status.values} and (status == "") == (text in ("", "unknown"))


def test_each_scope_of_the_filter_finds_the_real_agreements_it_names(registry, client):
    def titles(query: str) -> list[str]:
        page = client.get(f"/agreements/?{query}&accessions=true").content.decode()
        return re.findall(r'class="agreement-table__title"><a href="/agreements/[^/"]+/">([^<]+)<', page)

    # The EAC: plurilateral within Africa (DESTA's region), so regional.
    assert "East African Community (EAC)" in titles("scope=regional&party=RWA&party=KEN")
    assert "East African Community (EAC)" not in titles("scope=plurilateral&party=RWA&party=KEN")
    bilateral = Agreement.objects.filter(scope="bilateral")
    assert bilateral.exists() and all(a.parties.count() == 2 for a in bilateral[:50])
    assert set(titles("scope=bilateral&party=KEN")) <= set(bilateral.values_list("title", flat=True))
    assert titles("scope=region-to-region") and titles("scope=plurilateral")
    # Created from the WTO's list alone: its "Cross-regional" column says regional or not.
    wto = {row["RTA Name"]: row for row in rows_of("wto_rta")}
    created = ExternalIdentifier.objects.filter(scheme="wto_rta", matched_by="created").select_related("agreement")
    checked = 0
    for identifier in created:
        row = wto.get(identifier.value)  # a name the WTO gives twice carries its date
        if row and row["RTA Composition"] == "Plurilateral" and identifier.agreement.scope != "bloc":
            expected = "regional" if row["Cross-regional"] == "No" else "plurilateral"
            assert identifier.agreement.scope == expected, identifier.value
            checked += 1
    assert checked
