"""A country's top trade partners, as its page shows them: each partner's share
of the country's trade in a year, and how that share moved since an earlier
year. Read from the derived pair-year rows the refresh writes (agreements.trade.refresh).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, Q, When

from agreements.models import Country, PairYearStatistic
from tradepacts.params import bounded_int

# The years a ?trade_year= may name; anything else is "no figures for that year".
MIN_YEAR, MAX_YEAR = 1, 9999

# How many partners, and how far back the share comparison looks.
TOP_PARTNERS = 10
SHARE_LOOKBACK = 5
# The default year of the top partners has figures for at least this share of the
# partners of the best-covered year (a year with one early report is not "the latest").
COVERAGE_FOR_DEFAULT = Decimal("0.5")


@dataclass
class PartnerShare:
    iso3: str
    name: str
    url: str
    total_usd: Decimal
    share: Decimal
    synthetic: bool
    base_total_usd: Decimal | None = None
    base_share: Decimal | None = None

    @property
    def share_percent(self) -> Decimal:
        return self.share * 100

    @property
    def base_share_percent(self) -> Decimal | None:
        return None if self.base_share is None else self.base_share * 100

    @property
    def change_points(self) -> Decimal | None:
        """The share's move in percentage points since the base year."""
        return None if self.base_share is None else (self.share - self.base_share) * 100

    @property
    def change_text(self) -> str:
        """'up 3.2 points', 'down 0.4 points', 'unchanged' (to the tenth of a point shown)."""
        points = self.change_points
        if points is None:
            return ""
        rounded = abs(points).quantize(Decimal("0.1"))
        if not rounded:
            return "unchanged"
        return f"{'up' if points > 0 else 'down'} {rounded} point{'' if rounded == 1 else 's'}"


@dataclass
class YearCoverage:
    year: int
    partners: int
    url: str = ""


@dataclass
class TopPartners:
    year: int | None
    base_year: int | None
    country_total: Decimal = Decimal(0)
    base_country_total: Decimal | None = None
    partner_count: int = 0
    partners: list[PartnerShare] = field(default_factory=list)
    years: list[YearCoverage] = field(default_factory=list)  # every year with figures, newest first
    asked_year: str = ""  # a ?trade_year= that has no figures, to say so

    @property
    def has_synthetic(self) -> bool:
        return any(p.synthetic for p in self.partners)

    @property
    def more(self) -> int:
        return self.partner_count - len(self.partners)


def _involving(country: Country) -> Q:
    return Q(country_a=country) | Q(country_b=country)


def default_year(coverage: list[YearCoverage]) -> int:
    """The latest year with figures for at least half as many partners as the best-covered year."""
    best = max(c.partners for c in coverage)
    return next(c.year for c in coverage if c.partners >= best * COVERAGE_FOR_DEFAULT)


def base_year_for(year: int, years: Iterable[int]) -> int | None:
    """SHARE_LOOKBACK years before ``year``, or the first year with figures after that; None if none is before ``year``."""
    candidates = [y for y in years if year - SHARE_LOOKBACK <= y < year]
    return min(candidates) if candidates else None


def top_partners(country: Country, asked: str | None, pair_url: Callable[[str, str], str]) -> TopPartners:
    """The country's largest trading partners in a year (``asked``, a ?trade_year=, or
    ``default_year``) by total trade, each one's share of the country's trade with all the
    partners that have figures that year, and that share SHARE_LOOKBACK years earlier (or
    in the first year with figures since). Two queries: the years, then both years' rows."""
    coverage = [
        YearCoverage(row["year"], row["partners"])
        for row in PairYearStatistic.objects.filter(_involving(country), total_usd__isnull=False)
        .values("year")
        .annotate(partners=Count("id"))
        .order_by("-year")
    ]
    if not coverage:
        return TopPartners(None, None)
    known = {c.year for c in coverage}
    year, asked_year = default_year(coverage), ""
    if asked:
        asked_number = bounded_int(asked, MIN_YEAR, MAX_YEAR)
        if asked_number in known:
            year = asked_number
        else:
            asked_year = asked.strip()[:20]
    base = base_year_for(year, known)
    result = TopPartners(year, base, years=coverage, asked_year=asked_year)

    partner_id = Case(When(country_a=country, then=F("country_b_id")), default=F("country_a_id"))
    partner_iso3 = Case(When(country_a=country, then=F("country_b__iso3")), default=F("country_a__iso3"))
    partner_name = Case(When(country_a=country, then=F("country_b__name")), default=F("country_a__name"))
    rows = (
        PairYearStatistic.objects.filter(
            _involving(country), total_usd__isnull=False, year__in=[y for y in (year, base) if y]
        )
        .annotate(partner_id=partner_id, partner_iso3=partner_iso3, partner_name=partner_name)
        .values("year", "partner_id", "partner_iso3", "partner_name", "total_usd", "is_synthetic")
        .order_by()
    )
    by_year: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        by_year[row["year"]][row["partner_id"]] = row
    current, earlier = by_year.get(year, {}), by_year.get(base, {}) if base else {}
    result.country_total = sum((r["total_usd"] for r in current.values()), Decimal(0))
    if earlier:
        result.base_country_total = sum((r["total_usd"] for r in earlier.values()), Decimal(0))
    result.partner_count = len(current)
    ranked = sorted(current.values(), key=lambda r: (-r["total_usd"], r["partner_iso3"]))[:TOP_PARTNERS]
    for row in ranked:
        share = row["total_usd"] / result.country_total if result.country_total else Decimal(0)
        partner = PartnerShare(
            row["partner_iso3"],
            row["partner_name"],
            pair_url(country.iso3, row["partner_iso3"]),
            row["total_usd"],
            share,
            row["is_synthetic"],
        )
        before = earlier.get(row["partner_id"])
        if before is not None and result.base_country_total:
            partner.base_total_usd = before["total_usd"]
            partner.base_share = before["total_usd"] / result.base_country_total
        result.partners.append(partner)
    return result
