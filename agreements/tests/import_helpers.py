"""The agreements CSV import tests' files and checks: a good row, a file of rows, what the
database holds, and the errors a refused file reports."""

import pytest
from django.apps import apps
from django.urls import reverse_lazy

from agreements.exports import HEADER
from agreements.imports.agreements import import_agreements
from tradepacts.csv import csv_lines, without_trailer
from tradepacts.imports import ImportFailed, RowError

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
    """A file as the export writes it: BOM, CRLF, formula-like cells neutralised (without the
    completion trailer, so that a test can add rows after the last)."""
    data = b"".join(csv_lines(header, [[r.get(name, "") for name in header] for r in rows])).decode()
    return without_trailer(data).encode()


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
