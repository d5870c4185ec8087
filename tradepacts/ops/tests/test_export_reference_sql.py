"""The bench's tuned reference query (tradepacts.ops.export_reference) writes the export's
file: same header, rows and cells. Without this, a column added to the export breaks
``make bench`` (the reference refuses to run) or, worse, compares unlike files."""

import csv
import io

import pytest
from django.db import connection

from agreements.tests.export_helpers import build_export_fixture, read_export
from tradepacts.ops.export_reference import SESSION, reference_sql

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
BASE = "http://testserver/agreements/"


def test_the_reference_query_writes_the_exports_file(client):
    build_export_fixture()
    header, rows = read_export(b"".join(client.get("/agreements/export.csv").streaming_content))

    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own: Django's cursor has no copy()
        for statement in SESSION:
            raw.execute(statement)
        query = reference_sql(BASE).as_string(raw)
        with raw.copy(f"COPY ({query}) TO STDOUT WITH CSV HEADER") as copy:
            text = b"".join(bytes(data) for data in copy).decode("utf-8")
    reference = list(csv.reader(io.StringIO(text, newline="")))

    assert reference[0] == header
    assert reference[1:] == rows
    assert len(rows) == 5
