"""Several sources for one flow (issue 14): one order of precedence, never a sum; every figure
names its source and COW's precision; years no source covers said plainly; a figure never shown
beside an input it was not computed from; the reporter-versus-mirror gap; the Sources page."""

from decimal import Decimal

import pytest
from django.db import connection

from agreements.models import Dataset, Origin, PairYearStatistic, Source, TradeFlow
from agreements.tests.page_helpers import section
from agreements.trade.refresh import refresh_trade_statistics
from agreements.trade.tests.page_helpers import country, get, table_rows, text

ENGINES = ["python", pytest.param("sql", marks=pytest.mark.postgres)]


def flow(reporter, partner, year, kind, value, origin, source=None) -> TradeFlow:
    return TradeFlow.objects.create(
        reporter=country(reporter), partner=country(partner), year=year, flow=kind, value=Decimal(value),
        currency="USD", origin=origin, source=source,
    )  # fmt: skip


@pytest.fixture
def sources(db):
    return {
        name: Source.objects.create(title=title, kind=Source.Kind.DATASET)
        for name, title in (("national", "Kenya National Bureau of Statistics"), ("wto", "WTO"), ("cow", "COW v4"))
    }


@pytest.fixture
def kenya_uganda(sources):
    """2010: Kenya's own export figure (national), the WTO's and COW's mirrors of it; Kenya's
    imports from Uganda by the WTO and COW. 2012: COW alone. 2011: no source."""
    flow("KEN", "UGA", 2010, "exports", "90.00", Origin.NATIONAL, sources["national"])
    flow("UGA", "KEN", 2010, "imports", "100.00", Origin.WTO, sources["wto"])
    flow("UGA", "KEN", 2010, "imports", "2000000.00", Origin.COW, sources["cow"])
    flow("KEN", "UGA", 2010, "imports", "50.00", Origin.WTO, sources["wto"])
    flow("KEN", "UGA", 2010, "imports", "1000000.00", Origin.COW, sources["cow"])
    flow("UGA", "KEN", 2012, "imports", "3000000.00", Origin.COW, sources["cow"])
    flow("KEN", "UGA", 2012, "imports", "1000000.00", Origin.COW, sources["cow"])


def kenya_to_uganda(year: int) -> PairYearStatistic:
    return PairYearStatistic.objects.get(year=year)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_first_source_in_the_order_of_precedence_is_used_never_a_sum(kenya_uganda, engine):
    refresh_trade_statistics(engine=engine)
    ken, uga = country("KEN"), country("UGA")
    stat = PairYearStatistic.objects.get(year=2010)
    k_to_u = ("a_to_b", "b_to_a")[ken.pk > uga.pk]
    u_to_k = ("b_to_a", "a_to_b")[ken.pk > uga.pk]
    # Kenya -> Uganda: the national figure (the exporter's own report), 90; the WTO's mirror (100),
    # the first origin of the other partner's reports, is the check beside it; COW's 2 million unused.
    assert getattr(stat, f"{k_to_u}_usd") == Decimal("90.00")
    assert getattr(stat, f"{k_to_u}_basis") == "reported"
    assert getattr(stat, f"{k_to_u}_check_usd") == Decimal("100.00")
    # Uganda -> Kenya: the WTO's mirror (50), not COW's million, nor 1,000,050.
    assert getattr(stat, f"{u_to_k}_usd") == Decimal("50.00")
    assert getattr(stat, f"{u_to_k}_check_usd") is None
    assert stat.total_usd == Decimal("140.00")
    assert TradeFlow.objects.get(pk=getattr(stat, f"{u_to_k}_flow_id")).origin == Origin.WTO


def test_the_page_names_each_source_the_cow_precision_and_the_gap(client, kenya_uganda):
    refresh_trade_statistics()
    html = section(get(client, "/countries/KEN/UGA/"), "trade")
    rows = table_rows(html)
    assert rows["2010"].startswith(
        "2010 90 exporter's report [2] importer's report: 100 [3] ; gap -10 (-10.0%) 50 importer's mirror report, WTO [3]"
    )
    assert "importer's mirror report, Correlates of War (published in whole millions of US dollars)" in rows["2012"]
    assert "Correlates of War figures published in whole millions of US dollars" in text(html)


def test_a_year_no_source_covers_is_said_as_such(client, kenya_uganda):
    refresh_trade_statistics()
    html = text(section(get(client, "/countries/KEN/UGA/"), "trade"))
    assert "No source covers 2011: no figure is shown for that year, rather than one guessed." in html
    assert "2011" not in table_rows(section(get(client, "/countries/KEN/UGA/"), "trade"))


def test_a_figure_is_never_shown_beside_an_input_it_was_not_computed_from(client, kenya_uganda):
    refresh_trade_statistics()
    # A revised figure written straight to the table (or committed while the refresh waits in the queue).
    with connection.cursor() as cursor:
        cursor.execute("UPDATE agreements_tradeflow SET value = 987654321 WHERE year = 2012 AND value = 3000000")
    page = text(section(get(client, "/countries/KEN/UGA/"), "trade"))
    assert "987,654,321" not in page
    assert "being recomputed: its reported figure changed" in page
    body = b"".join(client.get("/countries/UGA/KEN/trade.csv").streaming_content).decode("utf-8-sig")
    assert "987654321" not in body and "3000000.00" in body  # the derived figure, without the changed input

    refresh_trade_statistics()
    assert "987,654,321" in text(section(get(client, "/countries/KEN/UGA/"), "trade"))


def test_the_csv_carries_source_basis_origin_and_precision(client, kenya_uganda):
    refresh_trade_statistics()
    import csv
    import io

    body = b"".join(client.get("/countries/KEN/UGA/trade.csv").streaming_content).decode("utf-8-sig")
    rows = {row["year"]: row for row in csv.DictReader(io.StringIO(body))}
    assert (rows["2010"]["a_to_b_source"], rows["2010"]["a_to_b_basis"]) == (
        "Kenya National Bureau of Statistics",
        "reported",
    )
    assert rows["2010"]["a_to_b_other_report_usd"] == "100.00"
    assert rows["2012"]["a_to_b_origin"] == "Correlates of War"
    assert rows["2012"]["a_to_b_precision"] == "published in whole millions of US dollars"


def test_the_sources_page_lists_every_dataset_with_its_coverage(client, db):
    Dataset.objects.create(
        slug="cow_trade", title="Correlates of War: dyadic trade v4.0", licence="Free with citation",
        citation="Barbieri and Keshk (2016)", records=80395, first_year=1960, last_year=2014, countries=190,
    )  # fmt: skip
    html = text(get(client, "/sources/"))
    assert "Correlates of War: dyadic trade v4.0" in html
    assert "Free with citation Barbieri and Keshk (2016) 1960–2014 190 80,395 not imported" in html
    assert 'href="/sources/"' in get(client, "/")
