"""The set-based export writes the same rows and cells as the export it replaced:
every column of a fixture with a value in each (agreements.tests.export_helpers),
against the file the earlier code wrote (data/export_reference.csv)."""

import csv

import pytest

from agreements.exports import HEADER
from agreements.tests.export_helpers import REFERENCE, build_export_fixture, read_export, with_id_placeholders
from tradepacts.csv import complete_rows

pytestmark = pytest.mark.django_db


def reference() -> tuple[list[str], list[list[str]]]:
    with REFERENCE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def test_every_row_and_cell_is_the_one_the_earlier_export_wrote(client):
    build_export_fixture()
    body = b"".join(client.get("/agreements/export.csv").streaming_content)
    header, rows = read_export(body)
    expected_header, expected = reference()

    assert header == expected_header == HEADER
    got = with_id_placeholders(header, rows)
    assert len(got) == len(expected) == 5
    for got_row, expected_row in zip(got, expected, strict=True):
        assert dict(zip(header, got_row, strict=True)) == dict(zip(header, expected_row, strict=True))
    assert complete_rows(body) == 5


def test_a_filtered_and_sorted_export_keeps_the_same_cells(client):
    build_export_fixture()
    body = b"".join(client.get("/agreements/export.csv?sort=title&party=KEN").streaming_content)
    header, rows = read_export(body)
    _, expected = reference()
    kenyan = sorted((row for row in expected if "KEN" in row[header.index("parties")].split("; ")), key=lambda r: r[1])

    assert with_id_placeholders(header, rows) == kenyan
    assert len(kenyan) == 2
