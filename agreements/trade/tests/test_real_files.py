"""The real files kept in the repository, counted independently of the importers (the csv module
only) against the counts their publishers' README gives (../shared/data/README.md)."""

import csv
import gzip
import io

import pytest

from agreements.trade.datasets import DATA, FILES, coverage, read_file

EXPECTED = {  # rows, first year, last year
    "wb_official_rate_units_per_usd_1960-2022.csv.gz": (8213, 1960, 2022),
    "wto_bilateral_imports_1996-2020.csv.gz": (273256, 1996, 2020),
    "wto_imports_by_hs2_east_african_reporters.csv.gz": (214897, None, None),
    "cow_dyadic_trade_v4_east_africa.csv.gz": (80395, 1960, 2014),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_has_the_published_row_count(name):
    rows = list(csv.reader(io.StringIO(gzip.decompress((DATA / name).read_bytes()).decode("utf-8"), newline="")))
    assert len(rows) - 1 == EXPECTED[name][0]
    assert all(len(row) == len(rows[0]) for row in rows)


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.slug)
def test_the_coverage_the_sources_page_shows(file):
    rows, first, last, countries = coverage(read_file(file.path), file.year_column, file.country_columns)
    expected_rows, expected_first, expected_last = EXPECTED[file.path.name]
    assert rows == expected_rows
    if expected_first:
        assert (first, last) == (expected_first, expected_last)
    assert countries > 0


def test_the_wto_file_has_135_reporters_and_185_partners():
    reader = csv.DictReader(io.StringIO(read_file(DATA / "wto_bilateral_imports_1996-2020.csv.gz").decode()))
    reporters, partners = set(), set()
    for row in reader:
        reporters.add(row["reporter"])
        partners.add(row["partner"])
    assert (len(reporters), len(partners)) == (135, 185)
