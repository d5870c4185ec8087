"""The pair page's "what they trade": the top HS chapters each way, from the WTO's chapter
detail (ProductTrade), in the latest year each importer reported, named, with whose figures
they are; said plainly where there is no detail; one query whatever the number of rows."""

from decimal import Decimal

import pytest

from agreements.models import ProductTrade, Source
from agreements.tests.factories import bilateral
from agreements.tests.page_helpers import PAIR_QUERIES, section, warm
from agreements.trade.hs import CHAPTERS, chapter_name
from agreements.trade.products import TOP_CHAPTERS, pair_products
from agreements.trade.tests.page_helpers import country, get, text

pytestmark = pytest.mark.django_db

D = Decimal


def product(reporter: str, partner: str | None, year: int, chapter: str, value: str, source=None) -> None:
    ProductTrade.objects.create(
        reporter=country(reporter),
        partner=country(partner) if partner else None,
        year=year,
        chapter=chapter,
        value_usd=D(value),
        source=source,
    )


@pytest.fixture
def products() -> Source:
    """Tanzania's imports from Rwanda: 2017 (older, larger) and 2019 (the latest: 09 coffee 500,
    07 vegetables 300, 27 fuels 0). Rwanda's imports from Tanzania, 2018 only, seven chapters:
    10 600, 27 500, 25 400, 17 300, 72 200, 15 100, 98 50 (total 2,150; the top five 2,000, the
    two others 150). Rwanda's imports from the World in 2020 and from Kenya in 2020 are not the pair's."""
    wto = Source.objects.create(
        title="WTO bilateral imports",
        publisher="World Trade Organization",
        url="https://stats.wto.org/",
        kind=Source.Kind.DATASET,
    )
    product("TZA", "RWA", 2017, "09", "9000", wto)
    product("TZA", "RWA", 2017, "44", "8000", wto)
    for chapter, value in [("09", "500"), ("07", "300"), ("27", "0")]:
        product("TZA", "RWA", 2019, chapter, value, wto)
    for chapter, value in [("10", 600), ("27", 500), ("25", 400), ("17", 300), ("72", 200), ("15", 100), ("98", 50)]:
        product("RWA", "TZA", 2018, chapter, str(value), wto)
    product("RWA", None, 2020, "10", "99999", wto)
    product("RWA", "KEN", 2020, "10", "77777", wto)
    return wto


def test_each_direction_is_the_importers_report_in_its_latest_year(products):
    found = pair_products(country("RWA"), country("TZA"))
    forward, backward = found.forward, found.backward  # RWA → TZA, then TZA → RWA
    assert (forward.exporter.iso3, forward.importer.iso3, forward.year) == ("RWA", "TZA", 2019)
    assert [(c.chapter, c.value_usd) for c in forward.chapters] == [("09", D("500")), ("07", D("300"))]
    assert forward.total_usd == D("800") and forward.chapter_count == 2 and forward.other_count == 0
    assert forward.chapters[0].share_percent == D("62.5")
    assert forward.source is not None and forward.source.publisher == "World Trade Organization"

    assert (backward.exporter.iso3, backward.importer.iso3, backward.year) == ("TZA", "RWA", 2018)
    assert [c.chapter for c in backward.chapters] == ["10", "27", "25", "17", "72"]
    assert len(backward.chapters) == TOP_CHAPTERS
    assert backward.total_usd == D("2150") and backward.other_count == 2 and backward.other_usd == D("150")


def test_the_order_of_the_pair_only_swaps_the_directions(products):
    found = pair_products(country("TZA"), country("RWA"))
    assert (found.forward.exporter.iso3, found.forward.year) == ("TZA", 2018)
    assert (found.backward.exporter.iso3, found.backward.year) == ("RWA", 2019)


def test_the_page_names_the_chapters_the_reporter_and_the_year(client, products):
    html = section(get(client, "/countries/RWA/TZA/"), "products")
    page = text(html)
    assert "Rwanda → Tanzania" in page and "Tanzania → Rwanda" in page
    assert "As Tanzania reports its imports from Rwanda in 2019: US$ 800 over 2 chapters (source: World Trade" in page
    assert "As Rwanda reports its imports from Tanzania in 2018: US$ 2,150 over 6 chapters" not in page
    assert "As Rwanda reports its imports from Tanzania in 2018: US$ 2,150 over 7 chapters" in page
    assert "09 Coffee, tea, maté and spices 500 62.5%" in page
    assert "27 Mineral fuels, mineral oils and products of their distillation 500 23.3%" in page
    assert "2 other chapters 150 7.0%" in page
    assert "44 " not in page  # 2017's chapter: not the latest year
    assert "77,777" not in page and "99,999" not in page
    assert "World Customs Organization" in page


def test_a_pair_without_detail_says_so(client, products):
    html = section(get(client, "/countries/KEN/TZA/"), "products")
    page = text(html)
    assert "No figures by product for Kenya → Tanzania: Tanzania reports no imports from Kenya" in page
    assert "No figures by product for Tanzania → Kenya: Kenya reports no imports from Tanzania" in page
    assert "<table" not in html and "Chapter names" not in page
    # Kenya → Rwanda is known (Rwanda's report), the other way not.
    page = text(section(get(client, "/countries/RWA/KEN/"), "products"))
    assert "As Rwanda reports its imports from Kenya in 2020" in page
    assert "No figures by product for Rwanda → Kenya" in page


def test_the_section_takes_one_query_whatever_the_rows(client, products, django_assert_num_queries):
    bilateral("RWA", "TZA", published=True)  # PAIR_QUERIES counts a page of agreements
    warm(client)
    with django_assert_num_queries(PAIR_QUERIES):
        get(client, "/countries/RWA/TZA/")
    for year in range(2000, 2017):
        for chapter in list(CHAPTERS)[:20]:
            product("TZA", "RWA", year, chapter, "10")
    warm(client)
    with django_assert_num_queries(PAIR_QUERIES):
        get(client, "/countries/RWA/TZA/")


def test_every_chapter_has_a_name_and_an_unnamed_one_its_number():
    assert len(CHAPTERS) == 96  # 01-97 without 77 (reserved)
    assert "77" not in CHAPTERS and all(len(code) == 2 and code.isdigit() for code in CHAPTERS)
    assert chapter_name("27").startswith("Mineral fuels")
    assert chapter_name("98") == "HS chapter 98"
