"""The DESTA import tests' rows and checks: a small file in DESTA's own layout (its lines
numbered as the errors name them), the real file's place, what the database holds."""

import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse_lazy

from agreements.imports.desta import import_desta
from agreements.models import Agreement
from tradepacts.imports import ImportFailed, RowError

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
