"""What a country's page shows first, and how its long sections fold (agreements.views.countries).

With the real registry loaded Rwanda is party to some 120 agreements with over 100 partners, and
its page, every group open, ran to 37,000 px. It now opens on a summary (how many agreements of
each kind, status and scope, each a link to the list filtered so; the top trading partners; the
blocs; what other apps add, e.g. the corridors), then folds: the partners, most significant first,
and the years by decade, each a <details> whose summary says how many agreements it holds.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.safestring import SafeString

from agreements.country_picker import folded
from agreements.current_index import listing_index
from agreements.default_lists import shown_for
from agreements.filters import SCOPE_CHOICES, SCOPE_PARAMETERS
from agreements.models import Agreement, Country
from agreements.trade.partners import PartnerShare, TopPartners
from agreements.views.country_groups import year_items
from agreements.views.entries import agreement_list_url, with_party

# Trading partners named in the summary (the section further down has the top ten).
SUMMARY_PARTNERS = 5
# The scopes' labels: "Bilateral", not "(two countries)".
SCOPE_LABELS = [(value, label.split(" (")[0]) for value, label in SCOPE_CHOICES]


@dataclass(frozen=True)
class Tally:
    """How many of the country's agreements have one value (a kind, a status, a scope), and the list of them."""

    label: str
    count: int
    url: str


@dataclass
class Summary:
    """Counts over the agreements the list shows for ``?party=<ISO3>``, so each link lists as many."""

    listed: int = 0
    in_force: int = 0
    kinds: list[Tally] = field(default_factory=list)
    statuses: list[Tally] = field(default_factory=list)
    scopes: list[Tally] = field(default_factory=list)
    in_force_url: str = ""
    partners: list[PartnerShare] = field(default_factory=list)


def _tallies(
    counts: dict[Any, int], choices: Iterable[tuple[Any, Any]], link: Callable[[Any], dict[str, str]], iso3: str
) -> list[Tally]:
    return [
        Tally(str(label), counts[value], agreement_list_url(party=iso3, **link(value)))
        for value, label in choices
        if counts.get(value)
    ]


@dataclass
class ListedCounts:
    """How many of the country's listed agreements (as ``/agreements/?party=<ISO3>`` shows them)
    have each kind, status and scope, and were signed in each year (None: not signed, or date unknown)."""

    kinds: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    scopes: dict[str, int] = field(default_factory=dict)  # by the list's ?scope= value
    years: dict[int | None, int] = field(default_factory=dict)


def listed_counts(country: Country) -> ListedCounts:
    """The counts of the country's published agreements as the agreement list shows them
    (agreements.default_lists: no third country's accession). From the listing index when it is
    current; else one query, grouped by the four at once (5,000 groups for Kenya: one pass over
    its 19,484 agreements instead of two, 40-80 ms)."""
    if (index := listing_index()) is not None:
        shown = index.shown_for(country.pk)
        return ListedCounts(
            kinds=index.tally(shown, "kind"),
            statuses=index.tally(shown, "status"),
            scopes=index.tally(shown, "scope"),
            years=index.year_counts(shown),
        )
    grouped = (
        Agreement.objects.published()
        .filter(with_party(country))
        .filter(shown_for(country))
        .values("kind", "status", "scope", year=ExtractYear("signed_on"))
        .annotate(n=Count("id"))
        .values_list("kind", "status", "scope", "year", "n")
        .order_by()
    )
    # Read through a plain cursor: the ORM's per-row converters took longer than the query's rows.
    sql, params = grouped.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts = ListedCounts()
    kinds, statuses, scopes, years = counts.kinds, counts.statuses, counts.scopes, counts.years
    for kind, status, scope, year, n in rows:
        kinds[kind] = kinds.get(kind, 0) + n
        statuses[status] = statuses.get(status, 0) + n
        if scope in SCOPE_PARAMETERS:
            scopes[SCOPE_PARAMETERS[scope]] = scopes.get(SCOPE_PARAMETERS[scope], 0) + n
        years[year] = years.get(year, 0) + n
    # PostgreSQL's EXTRACT gives a numeric: the years as int.
    counts.years = {None if year is None else int(year): n for year, n in years.items()}
    return counts


def country_summary(country: Country, counts: ListedCounts, trade: TopPartners) -> Summary:
    """The counts by kind, status and scope (``counts``), most common kind first, statuses in
    their lifecycle's order, each a link to the list filtered so; the trading partners come from ``trade``."""
    kinds, statuses = counts.kinds, counts.statuses
    iso3 = country.iso3
    kind_choices = sorted(Agreement.Kind.choices, key=lambda choice: -kinds.get(choice[0], 0))
    return Summary(
        listed=sum(kinds.values()),
        in_force=statuses.get(Agreement.Status.IN_FORCE, 0),
        kinds=_tallies(kinds, kind_choices, lambda value: {"kind": value}, iso3),
        statuses=_tallies(statuses, Agreement.Status.choices, lambda value: {"status": value}, iso3),
        scopes=_tallies(
            counts.scopes,
            SCOPE_LABELS,
            lambda value: {"scope": value},
            iso3,
        ),
        in_force_url=agreement_list_url(party=iso3, status=Agreement.Status.IN_FORCE),
        partners=trade.partners[:SUMMARY_PARTNERS],
    )


# --- The sections that fold


def by_significance(groups: list[Any], trade: TopPartners) -> list[Any]:
    """Partner groups, most significant first: most agreements in force, then most trade in the
    top partners' year, then most agreements, then by name. Each group gets its ``trade``."""
    shares = {share.iso3: share for share in trade.partners}
    for group in groups:
        group.trade = shares.get(group.partner.iso3) if group.partner else None

    def key(group: Any) -> tuple:
        traded = group.trade.total_usd if group.trade else Decimal(0)
        return (-group.in_force, -traded, -group.count, folded(group.partner.name) if group.partner else "")

    return sorted(groups, key=key)


@dataclass
class Decade:
    """Year groups (agreements.views.countries.Group) of one decade, or of no known year."""

    start: int | None
    years: list[Any] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(group.count for group in self.years)

    @property
    def label(self) -> str:
        return "Not signed, or date unknown" if self.start is None else f"{self.start}s"

    @property
    def anchor(self) -> str:
        return "decade-unknown" if self.start is None else f"decade-{self.start}"

    @property
    def items(self) -> SafeString:
        return year_items(self.years)


def by_decade(years: list[Any]) -> list[Decade]:
    """Year groups (newest first, undated last) gathered into decades, in the same order."""
    decades: dict[int | None, Decade] = {}
    for group in years:
        start = None if group.year is None else group.year // 10 * 10
        decades.setdefault(start, Decade(start)).years.append(group)
    return list(decades.values())
