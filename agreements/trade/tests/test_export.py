"""/countries/<ISO3>/<ISO3>/trade.csv: a pair's statistics, one row per year, the
first country of the URL as country_a; the same file guarantees as the agreements
export (UTF-8 with a BOM, streamed, no cell a spreadsheet would run)."""

import csv
import io

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agreements.models import Source
from agreements.tests.page_helpers import warm
from agreements.trade.exports import HEADER
from agreements.trade.refresh import refresh_trade_statistics
from agreements.trade.tests.page_helpers import flow, make_pair
from tradepacts.csv import complete_rows, without_trailer

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(db) -> dict:
    """Rwanda and Tanzania, 2022-2025, as page_helpers.make_pair works them out."""
    with transaction.atomic():
        made = make_pair()
    refresh_trade_statistics()
    return made


EXPECTED_HEADER = [
    "year",
    "country_a",
    "country_b",
    "a_to_b_usd",
    "a_to_b_basis",
    "a_to_b_original_value",
    "a_to_b_currency",
    "a_to_b_rate",
    "a_to_b_source",
    "b_to_a_usd",
    "b_to_a_basis",
    "b_to_a_original_value",
    "b_to_a_currency",
    "b_to_a_rate",
    "b_to_a_source",
    "total_usd",
    "total_basis",
    "total_original_value",
    "total_currency",
    "total_rate",
    "total_source",
    "growth",
    "agreements_in_force",
    "synthetic",
    "notes",
    # Issue 14: who published each figure, its precision, and the other partner's report.
    "a_to_b_origin",
    "b_to_a_origin",
    "total_origin",
    "a_to_b_precision",
    "b_to_a_precision",
    "total_precision",
    "a_to_b_other_report_usd",
    "b_to_a_other_report_usd",
]

STATS = "National statistics"
NO_FIGURE = ["", "missing", "", "", "", ""]
# The hand-computed figures of page_helpers.make_pair, Rwanda first.
EXPECTED_ROWS = [
    ["2022", "RWA", "TZA", "5000000.00", "reported", "5000000.00", "USD", "", "Synthetic figures",
     "", "reported", "100000000000.00", "TZS", "", STATS,
     *NO_FIGURE, "", "0", "yes", "no exchange rate for TZS in 2022"],
    ["2023", "RWA", "TZA", "10000000.00", "reported", "10000000.00", "USD", "", STATS,
     "50000000.00", "reported", "50000000.00", "USD", "", STATS,
     "60000000.00", "reported", "", "", "", "", "", "0", "no", ""],
    ["2024", "RWA", "TZA", "12000000.00", "mirror", "12000000.00", "USD", "", STATS,
     "60000000.00", "reported", "60000000.00", "USD", "", STATS,
     "72000000.00", "mirror", "", "", "", "", "0.200000", "1", "no", ""],
    ["2025", "RWA", "TZA", *NO_FIGURE, *NO_FIGURE,
     "252549019.61", "reported_total", "644000000000.00", "TZS", "2550",
     "Tanzania–Rwanda trade talks <https://example.org/seed>", "2.507625", "1", "no", ""],
]  # fmt: skip


def download(client, url: str) -> tuple[list[str], list[list[str]], object]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    assert complete_rows(body) is not None
    rows = list(csv.reader(io.StringIO(without_trailer(body.decode("utf-8-sig")), newline="")))
    return rows[0], rows[1:], response


def test_header_and_rows_are_the_hand_computed_figures(client, pair):
    header, rows, response = download(client, "/countries/RWA/TZA/trade.csv")
    assert header == HEADER == EXPECTED_HEADER
    assert [row[:25] for row in rows] == EXPECTED_ROWS
    origins = [row[25:28] for row in rows]
    assert origins[2] == ["National figure (curated)", "National figure (curated)", ""]  # 2024: the total a sum
    assert origins[3] == ["", "", "National figure (curated)"]  # 2025: a reported total
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="tradepacts-trade-RWA-TZA.csv"'


def test_the_other_order_swaps_the_directions(client, pair):
    header, rows, response = download(client, "/countries/TZA/RWA/trade.csv")
    a_to_b = header.index("a_to_b_usd")
    b_to_a = header.index("b_to_a_usd")
    assert [(r[0], r[1], r[2], r[a_to_b], r[b_to_a]) for r in rows] == [
        ("2022", "TZA", "RWA", "", "5000000.00"),
        ("2023", "TZA", "RWA", "50000000.00", "10000000.00"),
        ("2024", "TZA", "RWA", "60000000.00", "12000000.00"),
        ("2025", "TZA", "RWA", "", ""),
    ]
    assert rows[2][header.index("a_to_b_basis")] == "reported"
    assert rows[2][header.index("b_to_a_basis")] == "mirror"
    assert 'filename="tradepacts-trade-TZA-RWA.csv"' in response["Content-Disposition"]


def test_lower_case_codes_redirect_keeping_the_order(client, pair):
    response = client.get("/countries/tza/rwa/trade.csv")
    assert response.status_code == 301
    assert response["Location"] == "/countries/TZA/RWA/trade.csv"


def test_a_pair_without_figures_is_a_header_only_file(client, pair):
    header, rows, _ = download(client, "/countries/KEN/UGA/trade.csv")
    assert header == EXPECTED_HEADER and rows == []


def test_formula_like_text_is_neutralised_and_negative_growth_stays_a_number(client, pair):
    evil = Source.objects.create(title='=HYPERLINK("http://evil.example","x")', kind=Source.Kind.OTHER)
    flow("KEN", "UGA", 2020, "total", "100", source=evil)
    flow("KEN", "UGA", 2021, "total", "50", source=evil)
    refresh_trade_statistics()
    header, rows, _ = download(client, "/countries/KEN/UGA/trade.csv")
    assert rows[0][header.index("total_source")] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[1][header.index("growth")] == "-0.5"  # numeric, not "'-0.500000"


def test_the_file_takes_three_queries_whatever_the_years(client, pair):
    def count() -> int:
        warm(client)  # the two countries: from the reference lists, read again after the test's writes
        with CaptureQueriesContext(connection) as queries:
            download(client, "/countries/RWA/TZA/trade.csv")
        return len(queries)

    # The statistics, their flows, the exchange rates (the pair has figures in Tanzanian shillings).
    assert count() == 3
    for year in range(1990, 2022):
        flow("RWA", "TZA", year, "exports", "1000", source=pair["stats"])
    refresh_trade_statistics()
    assert count() == 3
