"""What two countries trade, as the pair page shows it: the top HS chapters each way,
read from the WTO's HS-chapter detail (ProductTrade, agreements.trade.imports.products).

The detail is each reporter's imports, so a direction exporter → importer is the
importer's report of its imports (valued at the border, freight and insurance
included); nothing is mirrored or estimated here. Each direction shows the latest
year the importer reported it by chapter, which may differ between the two
directions and from the trade table's years: the page says whose figures and which
year. One query for both directions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from agreements.models import Country, ProductTrade
from agreements.trade.hs import SOURCE, SOURCE_URL, chapter_name
from agreements.trade.pages import SourceRef

# Chapters shown each way; the rest are summed as "other chapters".
TOP_CHAPTERS = 5
ROW_FIELDS = ("reporter_id", "year", "chapter", "value_usd", "source_id", "source__title", "source__url",
              "source__publisher")  # fmt: skip


@dataclass(frozen=True)
class ChapterFigure:
    chapter: str
    name: str
    value_usd: Decimal
    share: Decimal  # of the direction's total over every chapter

    @property
    def share_percent(self) -> Decimal:
        return self.share * 100


@dataclass
class DirectionProducts:
    """The exporter's goods the importer reports buying, by chapter, in ``year`` (None: no detail)."""

    exporter: Country
    importer: Country
    year: int | None = None
    total_usd: Decimal = Decimal(0)
    chapters: list[ChapterFigure] = field(default_factory=list)
    chapter_count: int = 0  # chapters with a figure above zero
    other_usd: Decimal = Decimal(0)  # the chapters not in the top
    source: SourceRef | None = None

    @property
    def known(self) -> bool:
        return self.year is not None

    @property
    def other_percent(self) -> Decimal:
        return self.other_usd / self.total_usd * 100 if self.total_usd else Decimal(0)

    @property
    def other_count(self) -> int:
        return self.chapter_count - len(self.chapters)


@dataclass
class PairProducts:
    forward: DirectionProducts  # first → second, in the page's order
    backward: DirectionProducts
    names_source: str = SOURCE
    names_source_url: str = SOURCE_URL

    @property
    def directions(self) -> tuple[DirectionProducts, DirectionProducts]:
        return self.forward, self.backward

    @property
    def known(self) -> bool:
        return self.forward.known or self.backward.known


def pair_product_rows(first: Country, second: Country) -> QuerySet[ProductTrade, dict[str, Any]]:
    """Both directions' chapter figures, each in the latest year its importer reported it. One query."""
    latest = (
        ProductTrade.objects.filter(reporter=OuterRef("reporter"), partner=OuterRef("partner"))
        .order_by("-year")
        .values("year")[:1]
    )
    return (
        ProductTrade.objects.filter(Q(reporter=first, partner=second) | Q(reporter=second, partner=first))
        .filter(year=Subquery(latest))
        .values(*ROW_FIELDS)
        .order_by("reporter_id", "-value_usd", "chapter")
    )


def _direction(exporter: Country, importer: Country, rows: list[dict]) -> DirectionProducts:
    products = DirectionProducts(exporter, importer)
    if not rows:
        return products
    first = rows[0]
    products.year = first["year"]
    if first["source_id"] is not None:
        products.source = SourceRef(
            first["source_id"], first["source__title"], first["source__url"], first["source__publisher"]
        )
    positive = [row for row in rows if row["value_usd"] > 0]
    products.total_usd = sum((row["value_usd"] for row in positive), Decimal(0))
    products.chapter_count = len(positive)
    for row in positive[:TOP_CHAPTERS]:
        share = row["value_usd"] / products.total_usd
        products.chapters.append(ChapterFigure(row["chapter"], chapter_name(row["chapter"]), row["value_usd"], share))
    products.other_usd = products.total_usd - sum((c.value_usd for c in products.chapters), Decimal(0))
    return products


def pair_products(first: Country, second: Country) -> PairProducts:
    """The top chapters first → second (as ``second`` reports its imports) and back."""
    by_importer: dict[int, list[dict]] = {first.pk: [], second.pk: []}
    for row in pair_product_rows(first, second):
        by_importer[row["reporter_id"]].append(row)
    return PairProducts(
        forward=_direction(first, second, by_importer[second.pk]),
        backward=_direction(second, first, by_importer[first.pk]),
    )
