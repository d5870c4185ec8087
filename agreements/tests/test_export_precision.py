"""The agreements CSV for pandas and R: each date column a full ISO date (a year or a month
known alone written as its first day), its precision in a column of its own, read back by
the csv module, by pandas with the README's one-liner (dates as dates, the completion
trailer skipped as a comment), and by the importer (old partial-date files too)."""

import csv
import datetime as dt
import io

import pandas as pd
import pytest

from agreements.exports import HEADER
from agreements.exports_copy import PG_CELLS, copy_query
from agreements.filters import AgreementFilterSet
from agreements.imports.agreements import import_agreements
from agreements.models import Agreement
from agreements.tests.export_helpers import read_export
from agreements.tests.format_helpers import build_format_fixture
from agreements.tests.import_helpers import csv_file, has_error, refused, row

pytestmark = pytest.mark.django_db

DATE_COLUMNS = ["signed_on", "in_force_on", "ended_on", "announced_on"]
PRECISION_COLUMNS = ["signed_precision", "in_force_precision", "ended_precision", "announced_precision"]


def download(client, query: str = "") -> bytes:
    response = client.get(f"/agreements/export.csv?{query}")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_precision_columns_come_after_the_contract_and_its_extras_in_the_date_columns_order():
    assert HEADER[-4:] == PRECISION_COLUMNS
    assert HEADER.index("url") < HEADER.index("signed_precision")


def test_each_date_is_a_full_iso_date_with_its_precision_beside_it(client):
    fixture = build_format_fixture()
    header, rows = read_export(download(client))
    by_title = {r[header.index("title")]: dict(zip(header, r, strict=True)) for r in rows}

    customs = by_title["'=1+1 customs protocol"]  # the formula rule still applies
    assert [customs[c] for c in DATE_COLUMNS] == ["1999-01-01", "2000-07-01", "2010-12-31", ""]
    assert [customs[c] for c in PRECISION_COLUMNS] == ["year", "month", "day", ""]
    corridor = by_title[fixture.corridor.title]
    assert [corridor[c] for c in DATE_COLUMNS] == ["", "", "", "2025-03-01"]
    assert [corridor[c] for c in PRECISION_COLUMNS] == ["", "", "", "month"]
    kigali = by_title[fixture.kigali.title]
    assert (kigali["signed_on"], kigali["signed_precision"]) == ("2026-01-22", "day")


def test_pandas_reads_the_dates_as_dates_and_skips_the_trailer(client):
    build_format_fixture()
    body = download(client)
    frame = pd.read_csv(io.BytesIO(body), comment="#", parse_dates=DATE_COLUMNS)

    assert len(frame) == 4  # the trailer is no row; the "#" inside quoted titles is no comment
    assert "MoU #1 on a KPA liaison office in Kigali" in set(frame["title"])
    assert frame["id"].dtype.kind == "i"
    for column in DATE_COLUMNS:
        assert pd.api.types.is_datetime64_any_dtype(frame[column]), column
    customs = frame[frame["title"] == "'=1+1 customs protocol"].iloc[0]
    assert customs["signed_on"] == pd.Timestamp("1999-01-01")
    assert customs["in_force_on"] == pd.Timestamp("2000-07-01")
    assert customs["signed_precision"] == "year"
    assert pd.isna(customs["announced_on"]) and pd.isna(customs["announced_precision"])
    # Every known date was read: as many dates as precisions, column by column.
    for date, precision in zip(DATE_COLUMNS, PRECISION_COLUMNS, strict=True):
        assert frame[date].notna().sum() == frame[precision].notna().sum() > 0


def test_the_csv_module_reads_the_precision_cells_back(client):
    build_format_fixture()
    text = download(client).decode("utf-8-sig")
    records = [r for r in csv.DictReader(io.StringIO(text, newline="")) if not r["id"].startswith("#")]

    assert {r["signed_precision"] for r in records} == {"day", "year", ""}
    for r in records:
        for date, precision in zip(DATE_COLUMNS, PRECISION_COLUMNS, strict=True):
            assert bool(r[date]) == bool(r[precision])
            if r[date]:
                dt.date.fromisoformat(r[date])  # a full date, never "1999" alone


def test_an_exported_file_imports_with_its_precisions(client):
    """The round trip through the precision columns (test_round_trip checks the bytes)."""
    fixture = build_format_fixture()
    body = download(client)
    Agreement.objects.filter(pk=fixture.customs.pk).update(signed_precision="day", in_force_precision="day")

    import_agreements(body, publish=True)

    customs = Agreement.objects.get(pk=fixture.customs.pk)
    assert (customs.signed_on, customs.signed_precision) == (dt.date(1999, 1, 1), "year")
    assert (customs.in_force_on, customs.in_force_precision) == (dt.date(2000, 7, 1), "month")


def test_a_file_without_precision_columns_reads_partial_dates_as_before():
    header = [name for name in HEADER if not name.endswith("_precision")]
    import_agreements(csv_file(row(signed_on="2021", announced_on="2020-11"), header=header), publish=True)

    agreement = Agreement.objects.get()
    assert (agreement.signed_on, agreement.signed_precision) == (dt.date(2021, 1, 1), "year")
    assert (agreement.announced_on, agreement.announced_precision) == (dt.date(2020, 11, 1), "month")


def test_the_precision_cell_decides_a_full_date_s_precision():
    import_agreements(csv_file(row(signed_on="2021-01-01", signed_precision="Year")), publish=True)

    agreement = Agreement.objects.get()
    assert (agreement.signed_on, agreement.signed_precision) == (dt.date(2021, 1, 1), "year")


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"signed_on": "2021-01-01", "signed_precision": "decade"}, "signed_precision", "not a precision"),
        ({"signed_on": "2021", "signed_precision": "day"}, "signed_precision", "gives no day"),
        ({"signed_on": "2021-03-05", "signed_precision": "year"}, "signed_on", "known only to the year"),
    ],
)
def test_a_precision_that_does_not_fit_its_date_is_refused_in_its_column(cells, column, message):
    errors = refused(csv_file(row(**cells)))

    assert has_error(errors, 2, column, message), errors
    assert not Agreement.objects.exists()


@pytest.mark.postgres
def test_postgresql_writes_the_precision_columns_itself():
    """Every column has its SQL cell (exports_copy.PG_CELLS), so the file stays on the COPY
    path; test_export_reference checks those cells equal the Python path's."""
    queryset = AgreementFilterSet({}, queryset=Agreement.objects.published()).qs

    assert copy_query(queryset, "http://testserver/agreements/") is not None
    assert set(PRECISION_COLUMNS) <= set(PG_CELLS)
