"""Importing the real DESTA file, checked against counts computed here from the file itself.

(How long it takes is a figure of ``make bench``, never a test's assertion.)"""

import csv
import datetime as dt
import os
from collections import defaultdict
from pathlib import Path

import pycountry
import pytest

from agreements.imports.desta import import_desta
from agreements.imports.desta.importer import CREATED_BY_TYPE
from agreements.models import Agreement, AgreementRelation, ExternalIdentifier, Party
from agreements.tests.desta_helpers import REAL_FILE, party_codes

pytestmark = pytest.mark.django_db


# --- the real file -----------------------------------------------------------------


# Successions (agreements.imports.desta.kinds): Lome I by II, II by III, III by IV, Yaounde I by II,
# Arusha Agreement I by II (each numbered series), and Lome IV by the Cotonou Agreement (named).
SUCCESSIONS = 6


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


@pytest.mark.slow
def test_the_real_file():
    if not REAL_FILE.exists():
        message = f"the DESTA file is not at {REAL_FILE}"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    expected = expected_from_the_file(REAL_FILE)

    result = import_desta(REAL_FILE.read_bytes(), filename=REAL_FILE.name)

    details = result.details
    assert details["rows in the file"] == expected["rows"] == 18329
    created = {entry_type: details[f"{label} created"] for entry_type, label in CREATED_BY_TYPE.items()}
    assert created == expected["entries"] == {"base_treaty": 851, "accession": 205, "consolidated": 60}
    assert result.created == result.rows == 1116
    assert details["parties"] == Party.objects.count() == expected["party_count"]
    assert details["joined later by accession"] == expected["joined"]
    assert details["DESTA identifiers"] == ExternalIdentifier.objects.count() == 1116
    # The relations to their base treaties, and each numbered series' successions (Lome I by Lome II ...).
    assert details["relations"] == AgreementRelation.objects.count() == expected["relations"] + SUCCESSIONS
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
    assert (again.created, again.unchanged, again.warnings) == (0, 1116, [])
