"""Importing trade figures in the plain layout, and exchange rates: what they create, that a
second import changes nothing, and which pairs are refreshed."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import ExchangeRate, Source, TradeFlow
from agreements.tests.factories import SourceFactory, country
from agreements.trade.imports import import_exchange_rates, import_trade_flows
from agreements.trade.tests.import_helpers import COMTRADE_FINAL, COMTRADE_LEGACY, PLAIN, figures, lines, pair, stored

# Imports and admin changes ask for refreshes: record them instead (conftest.refresh).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("refresh")]


# --- the plain layout ---------------------------------------------------------------


def test_the_plain_layout_creates_the_seed_s_figure_with_its_source(refresh):
    seed = SourceFactory(title="Rwanda and Tanzania agree to deepen cooperation", url="")

    result = import_trade_flows(PLAIN, filename="national.csv")

    assert figures() == [
        (
            "KEN",
            "WLD",
            2024,
            "imports",
            Decimal("22000000000.50"),
            "USD",
            "https://www.knbs.or.ke/economic-survey-2025/",
        ),
        ("RWA", "WLD", 2024, "exports", Decimal("3100000000.00"), "USD", None),
        ("TZA", "RWA", 2025, "total", Decimal("644000000000.00"), "TZS", seed.title),
    ]
    assert str(result) == "3 trade figure(s) (plain layout): 3 created, 0 updated, 0 unchanged."
    new = Source.objects.get(url="https://www.knbs.or.ke/economic-survey-2025/")
    assert new.kind == "dataset"
    assert refresh == [[pair("RWA", "TZA")]]


def test_a_second_import_changes_nothing(refresh):
    for data in (PLAIN, COMTRADE_FINAL, COMTRADE_LEGACY):
        import_trade_flows(data)
    before = stored()

    results = [import_trade_flows(data) for data in (PLAIN, COMTRADE_FINAL, COMTRADE_LEGACY)]

    assert stored() == before, "not even updated_at moves"
    assert [(r.created, r.updated, r.unchanged) for r in results] == [(0, 0, 3), (0, 0, 3), (0, 0, 3)]
    assert len(refresh) == 3, "only the first imports asked for a refresh"


def test_a_changed_figure_is_updated_and_its_pair_refreshed(refresh):
    import_trade_flows(PLAIN)
    refresh.clear()
    first = TradeFlow.objects.get(flow="total")

    result = import_trade_flows(
        lines(
            "reporter,partner,year,flow,value,currency",
            "TZA,RWA,2025,total,650000000000,TZS",
            "RWA,WLD,2024,exports,3100000000,USD",
        )
    )

    flow = TradeFlow.objects.get(flow="total")
    assert (flow.pk, flow.value, flow.created_at) == (first.pk, Decimal("650000000000.00"), first.created_at)
    assert flow.updated_at > first.updated_at
    assert flow.source_id == first.source_id, "a row that names no source keeps the stored one"
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert refresh == [[pair("RWA", "TZA")]]


def test_pairs_are_refreshed_once_each_lower_id_first(refresh):
    import_trade_flows(
        lines(
            "reporter,partner,year,flow,value,currency",
            "KEN,UGA,2020,exports,1,USD",
            "UGA,KEN,2020,imports,1,USD",
            "UGA,KEN,2021,exports,1,USD",
            "RWA,TZA,2020,exports,1,USD",
        )
    )

    assert refresh == [sorted([pair("KEN", "UGA"), pair("RWA", "TZA")])]
    assert all(a < b for a, b in refresh[0])


def test_an_imported_figure_replaces_a_synthetic_one():
    TradeFlow.objects.create(
        reporter=country("RWA"), partner=country("TZA"), year=2020, flow="exports", value=1, is_synthetic=True
    )

    import_trade_flows(lines("reporter,partner,year,flow,value,currency", "RWA,TZA,2020,exports,2,USD"))

    assert TradeFlow.objects.get().is_synthetic is False


def test_semicolons_and_tabs_separate_cells_too():
    import_trade_flows(lines("reporter;partner;year;flow;value;currency", "RWA;TZA;2020;exports;1.5;USD"))
    import_trade_flows(lines("reporter\tpartner\tyear\tflow\tvalue\tcurrency", "RWA\tTZA\t2021\texports\t2\tUSD"))

    assert [row[2:5] for row in figures()] == [(2020, "exports", Decimal("1.50")), (2021, "exports", Decimal("2.00"))]


def test_queries_do_not_grow_with_rows():
    def queries(n: int) -> int:
        data = lines(
            "reporter,partner,year,flow,value,currency",
            *(f"RWA,TZA,{1901 + i // 2},{('exports', 'imports')[i % 2]},{i},USD" for i in range(n)),
        )
        with CaptureQueriesContext(connection) as captured:
            import_trade_flows(data)
        return len(captured)

    assert queries(4) == queries(400)


# --- exchange rates --------------------------------------------------------------


def test_exchange_rates_are_imported_and_re_imported_without_change(refresh):
    TradeFlow.objects.create(
        reporter=country("TZA"), partner=country("RWA"), year=2025, flow="total", value=1, currency="TZS"
    )
    data = lines(
        "currency,year,units_per_usd,source",
        "TZS,2025,2550,https://www.bot.go.tz/ExchangeRate/",
        "KES,2025,129.2345678,",
        "USD,2025,1,",
    )

    result = import_exchange_rates(data, source="Central bank annual averages")
    before = stored()
    again = import_exchange_rates(data, source="Central bank annual averages")

    assert list(ExchangeRate.objects.values_list("currency", "year", "units_per_usd", "source__title")) == [
        ("KES", 2025, Decimal("129.2345678"), "Central bank annual averages"),  # 18 places kept
        ("TZS", 2025, Decimal("2550.000000"), "https://www.bot.go.tz/ExchangeRate/"),
        ("USD", 2025, Decimal("1.000000"), "Central bank annual averages"),
    ]
    assert (result.created, again.created, again.updated, again.unchanged) == (3, 0, 0, 3)
    assert stored() == before
    assert refresh == [[pair("RWA", "TZA")]], "the rate converts the TZS figure of that pair"


def test_a_changed_rate_refreshes_the_pairs_with_figures_in_that_currency_and_year(refresh):
    import_exchange_rates(lines("currency,year,units_per_usd", "TZS,2025,2550", "TZS,2024,2600"))
    TradeFlow.objects.create(
        reporter=country("TZA"), partner=country("KEN"), year=2024, flow="exports", value=1, currency="TZS"
    )
    TradeFlow.objects.create(
        reporter=country("TZA"), partner=country("RWA"), year=2025, flow="exports", value=1, currency="TZS"
    )

    result = import_exchange_rates(lines("currency,year,units_per_usd", "TZS,2025,2500", "TZS,2024,2600"))

    assert (result.updated, result.unchanged) == (1, 1)
    assert refresh[-1] == [pair("RWA", "TZA")]
