"""The trade pages: bad codes are 404s, and the query counts do not grow with years or
partners."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import ExchangeRate
from agreements.tests import test_detail
from agreements.tests.page_helpers import CONVERTED_PAIR_QUERIES, DETAIL_QUERIES, warm
from agreements.trade.refresh import refresh_trade_statistics
from agreements.trade.tests.page_helpers import D, flow, get

pytestmark = pytest.mark.django_db


# --- bad input and query counts


@pytest.mark.parametrize(
    "url",
    [
        "/countries/RWA/XXX/trade.csv",
        "/countries/RWA/RWA/trade.csv",
        "/countries/RW/TZA/trade.csv",
        "/countries/RWA/TZA1/trade.csv",
        "/countries/RWA/TZA/trade.csv/extra",
        "/countries/%00%00%00/TZA/trade.csv",
    ],
)
def test_bad_codes_are_404(client, url):
    assert client.get(url).status_code == 404


AGREEMENT_QUERIES = test_detail.DETAIL_QUERIES + 1  # with the refresh's figures: the window's trade by year
COUNTRY_QUERIES = DETAIL_QUERIES + 1  # with trade figures: the two years' partners as well


def test_query_counts_do_not_grow_with_years_or_partners(client, pair, django_assert_num_queries):
    def counts() -> tuple[int, int, int]:
        result = []
        for url in ("/countries/RWA/TZA/", pair["agreement"].get_absolute_url(), "/countries/RWA/"):
            warm(client)  # the reference lists, read again after the test's writes
            with CaptureQueriesContext(connection) as queries:
                get(client, url)
            result.append(len(queries))
        return tuple(result)

    assert counts() == (CONVERTED_PAIR_QUERIES, AGREEMENT_QUERIES, COUNTRY_QUERIES)
    for year in range(2000, 2022):
        flow("RWA", "TZA", year, "exports", "1000", source=pair["stats"])
        flow("TZA", "RWA", year, "exports", "2000", "TZS", source=pair["seed"])
        ExchangeRate.objects.create(currency="TZS", year=year, units_per_usd=D("2000"), source=pair["rate_source"])
    for partner in ("KEN", "UGA", "BDI", "COD", "SSD"):
        flow("RWA", partner, 2024, "total", "1000000")
        flow("RWA", partner, 2019, "total", "1000000")
    refresh_trade_statistics()
    assert counts() == (CONVERTED_PAIR_QUERIES, AGREEMENT_QUERIES, COUNTRY_QUERIES)
