"""The demo's trade data: the seeds' 644 billion shillings with its source, the
rate that converts it, synthetic years clearly marked, and a second run that
changes nothing."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from agreements import demo
from agreements.models import ExchangeRate, Source, TradeFlow
from agreements.tests.factories import country
from agreements.trade import demo as trade_demo

# Imports and admin changes ask for refreshes: record them instead (conftest.refresh).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("refresh")]


def snapshot() -> dict[str, list[tuple]]:
    rows = {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for model in (TradeFlow, ExchangeRate, Source)
    }
    rows["source history"] = [(Source.history.count(),)]
    return rows


def pair(a: str, b: str) -> tuple[int, int]:
    ids = sorted([country(a).pk, country(b).pk])
    return ids[0], ids[1]


def load() -> dict[str, int]:
    demo.load_demo()
    return trade_demo.load_trade_demo()


def test_the_demo_loads_twice_identically(refresh):
    first = load()
    before = snapshot()
    second = load()

    assert first == second == {"trade figures": 202, "exchange rates": 1}
    assert snapshot() == before, "not a timestamp, not a history row"
    assert refresh == [sorted([pair("RWA", "TZA"), pair("KEN", "RWA"), pair("KEN", "TZA"), pair("RWA", "UGA")])]


def test_the_seed_figure_is_there_with_its_source_and_its_rate():
    load()

    figure = TradeFlow.objects.get(reporter__iso3="TZA", partner__iso3="RWA", year=2025)
    assert (figure.flow, figure.value, figure.currency, figure.is_synthetic) == (
        "total",
        Decimal("644000000000.00"),
        "TZS",
        False,
    )
    assert figure.source.citation == demo.SEED_000
    rate = ExchangeRate.objects.get(currency="TZS", year=2025)
    assert rate.units_per_usd == Decimal("2550.000000")
    assert rate.source.title == "Approximate 2025 average TZS/USD rate (demo value)"
    assert rate.source.kind == "dataset"
    assert "not taken from a published series" in rate.source.citation
    assert 240_000_000 < figure.value / rate.units_per_usd < 260_000_000, "about 252 million dollars"


def test_synthetic_figures_are_marked_and_cited_as_such():
    load()

    synthetic = TradeFlow.objects.filter(is_synthetic=True)
    assert synthetic.count() == 201
    assert set(synthetic.values_list("source__title", flat=True)) == {"Synthetic demonstration figures (not observed)"}
    assert set(synthetic.values_list("currency", flat=True)) == {"USD"}
    assert {year for (year,) in synthetic.values_list("year").distinct()} == set(range(2012, 2025))
    values = list(synthetic.values_list("value", flat=True))
    assert min(values) > 10_000_000 and max(values) < 1_000_000_000, "tens to hundreds of millions of dollars"
    assert not TradeFlow.objects.filter(is_synthetic=False).exclude(year=2025).exists()


def test_years_with_only_the_mirror_report_show_the_mirror_rule():
    load()
    flows = TradeFlow.objects.filter(is_synthetic=True)

    # Rwanda reports nothing for 2013: its exports are known from its partners' imports.
    assert not flows.filter(reporter__iso3="RWA", year=2013).exists()
    assert flows.filter(reporter__iso3="TZA", partner__iso3="RWA", year=2013, flow="imports").exists()
    # Tanzania does not report its 2017 exports to Rwanda; Rwanda reports the imports.
    assert not flows.filter(reporter__iso3="TZA", partner__iso3="RWA", year=2017, flow="exports").exists()
    assert flows.get(reporter__iso3="RWA", partner__iso3="TZA", year=2017, flow="imports").value > 100_000_000
    # An importer values a flow a little above the exporter (CIF against FOB).
    exports = flows.get(reporter__iso3="KEN", partner__iso3="TZA", year=2018, flow="exports").value
    imports = flows.get(reporter__iso3="TZA", partner__iso3="KEN", year=2018, flow="imports").value
    assert Decimal("1.03") <= imports / exports <= Decimal("1.12")


def test_the_synthetic_figures_are_the_same_on_every_run():
    figures = trade_demo.synthetic_figures()

    assert figures == trade_demo.synthetic_figures()
    assert figures[0] == ("RWA", "TZA", 2012, "exports", Decimal("18084000"))
    assert ("TZA", "RWA", 2018, "exports", Decimal("188640000")) in figures


def test_a_synthetic_figure_never_replaces_an_observed_one():
    demo.load_demo()
    observed = TradeFlow.objects.create(
        reporter=country("KEN"), partner=country("TZA"), year=2018, flow="exports", value=Decimal("512000000")
    )

    trade_demo.load_trade_demo()

    observed.refresh_from_db()
    assert (observed.value, observed.is_synthetic, observed.source) == (Decimal("512000000.00"), False, None)
    assert TradeFlow.objects.filter(is_synthetic=True).count() == 200


def test_synthetic_rows_the_demo_no_longer_makes_are_removed(refresh):
    load()
    source = Source.objects.get(title="Synthetic demonstration figures (not observed)")
    TradeFlow.objects.create(
        reporter=country("BDI"),
        partner=country("RWA"),
        year=2012,
        flow="exports",
        value=1,
        is_synthetic=True,
        source=source,
    )
    refresh.clear()

    trade_demo.load_trade_demo()

    assert not TradeFlow.objects.filter(reporter__iso3="BDI").exists()
    assert refresh == [[pair("BDI", "RWA")]]


def test_load_demo_loads_the_trade_figures_too():
    out = StringIO()

    call_command("load_demo", "--synthetic", stdout=out)

    assert "202 trade figures, 1 exchange rates." in out.getvalue()
    assert TradeFlow.objects.filter(year=2025, currency="TZS").count() == 1


def test_the_trade_demo_needs_the_seed_sources():
    with pytest.raises(Source.DoesNotExist, match=r"run agreements\.demo\.load_demo"):
        trade_demo.load_trade_demo()
