"""Importing the agreements CSV: every bad row reported with its line and reason, and nothing
of the file written."""

import pytest
from django.db import connection

from agreements.exports import HEADER
from agreements.models import Agreement
from agreements.tests.factories import bilateral
from agreements.tests.import_helpers import counts, csv_file, has_error, refused, row
from tradepacts.imports import RowError

pytestmark = pytest.mark.django_db


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
