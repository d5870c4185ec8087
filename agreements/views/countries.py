"""Country pages: the list of countries, one country's agreements by partner and
by year, and a pair of countries' instruments on a timeline.

Public pages: drafts never show, and never count. Each page runs a fixed number
of queries whatever the number of agreements (pinned in
``agreements/tests/test_country_pages.py``, ``test_pair_pages.py``; a country's page one more
when a partner shown is rare among its newest agreements, agreements.views.country_groups.newest_with),
and reads only what it shows: its twelve most significant partners' newest
``MAX_PER_GROUP`` agreements each, and for the rest counts, each a link to the list or
the pair's page (agreements.views.country_groups). A country's page opens on a summary
and folds its long sections (agreements.views.country_summary).

What a country's page counts is behind three functions, each one query today: the partners'
counts (country_groups.partner_counts), the counts by kind, status, scope and year
(country_summary.listed_counts) and the partners' newest (country_groups.newest_with); a
pair's, behind ``timeline_ids``.

This app never names ``corridors``: that app adds its section about a country
through agreements.extensions.
Each agreement is listed as an ``agreements.views.entries.AgreementEntry``,
as on the corridor pages.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from agreements.current_index import listing_index
from agreements.default_lists import LISTED_PARTIES, own_accession_counts, shown_for
from agreements.extensions import COUNTRY_PAGE, sections
from agreements.models import Agreement, BlocMembership, Country
from agreements.models.dates import ShownDate
from agreements.models.ordering import principal_date
from agreements.reference_lists import reference_lists
from agreements.trade.exports import HEADER as TRADE_HEADER
from agreements.trade.exports import trade_filename, trade_table
from agreements.trade.pages import pair_trade
from agreements.trade.partners import top_partners
from agreements.trade.products import TOP_CHAPTERS, pair_products
from agreements.views.country_groups import (
    MAX_PER_GROUP,
    add_entries,
    add_newest,
    partner_counts,
    partner_groups,
    partner_links,
    year_groups,
)
from agreements.views.country_summary import by_decade, by_significance, country_summary, listed_counts
from agreements.views.entries import (
    AgreementEntry,
    agreement_export_url,
    agreement_list_url,
    entries_of,
)
from tradepacts.charts import Marker
from tradepacts.csv import csv_response, limit_exports
from tradepacts.pagecache import cached_for_readers, kept_until_change

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations  # a development requirement: for the type checker only

# Partners with most agreements shown as groups; the others (Lomé and Cotonou alone give a
# hundred) as one line of links to their pair pages, so the page stays readable.
MAX_PARTNER_GROUPS = 12
# Instruments per page of a pair's timeline, as many as a page of the list: with the real registry
# most pairs fit on one (East African pairs some 15, France and Germany 127 on three). Reading and
# writing the entries is most of the page's time (a pair of the bench's thousands: 100 entries
# took 6.5 of its 12 ms).
TIMELINE_PAGE_SIZE = 50
MAX_PAGE_DIGITS = 7
# --- /countries/


@dataclass(frozen=True)
class CountryRow:
    country: Country
    agreement_count: int


@dataclass
class LetterGroup:
    letter: str
    rows: list[CountryRow] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return self.letter if self.letter.isalpha() else "other"


def sort_key(name: str) -> str:
    """Names sorted the same on every database: accents folded (Åland with the As, Côte d'Ivoire with the Cs)."""
    folded = unicodedata.normalize("NFKD", name)
    return "".join(c for c in folded if not unicodedata.combining(c)).casefold()


def initial(name: str) -> str:
    letter = next((c for c in sort_key(name) if c.isascii() and c.isalpha()), "#")
    return letter.upper()


def by_initial(rows: list[CountryRow]) -> list[LetterGroup]:
    groups: dict[str, LetterGroup] = {}
    for row in sorted(rows, key=lambda r: (sort_key(r.country.name), r.country.iso3)):
        letter = initial(row.country.name)
        groups.setdefault(letter, LetterGroup(letter)).rows.append(row)
    return list(groups.values())


class AgreementCount(TypedDict):
    agreement_count: int


def countries_with_counts() -> "list[WithAnnotations[Country, AgreementCount]]":
    """Every country, with how many published agreements its page and its list show. Two queries."""
    acceded, listed = own_accession_counts(), Count("parties", filter=LISTED_PARTIES)
    countries = list(Country.objects.only("iso3", "name", "is_historic").annotate(agreement_count=listed))
    for country in countries:
        country.agreement_count += acceded.get(country.pk, 0)
    return countries


def country_list(request: HttpRequest) -> HttpResponse:
    """Countries party to a published agreement (with how many), then the other current countries."""
    rows = [CountryRow(c, c.agreement_count) for c in countries_with_counts()]
    with_agreements = [r for r in rows if r.agreement_count]
    others = [r for r in rows if not r.agreement_count and not r.country.is_historic]
    return render(
        request,
        "countries/list.html",
        {
            "with_agreements": by_initial(with_agreements),
            "with_agreements_count": len(with_agreements),
            "others": by_initial(others),
            "others_count": len(others),
        },
    )


# --- /countries/<ISO3>/


@dataclass(frozen=True)
class MembershipRow:
    membership: BlocMembership
    joined: ShownDate | None
    left: ShownDate | None


def _every_bloc_membership() -> dict[int, list[MembershipRow]]:
    """{country id: its memberships, first joined first}: a few hundred rows for the world's blocs."""
    memberships = BlocMembership.objects.select_related("bloc").order_by(
        F("joined_on").asc(nulls_last=True), "bloc__code", "id"
    )
    by_country: dict[int, list[MembershipRow]] = {}
    for m in memberships:
        by_country.setdefault(m.country_id, []).append(
            MembershipRow(
                m,
                ShownDate.of(m.joined_on, m.joined_precision, "Joined"),
                ShownDate.of(m.left_on, m.left_precision, "Left"),
            )
        )
    return by_country


def bloc_memberships(country: Country) -> list[MembershipRow]:
    """The country's bloc memberships, from every country's, read at once and kept in the process
    until the data changes, as the reference lists (a query of 1.5-3 ms on every country page)."""
    return kept_until_change("bloc-memberships", _every_bloc_membership).get(country.pk, [])


def _canonical_code(code: str) -> str:
    return code.upper()


def _pair_url(code: str, other: str) -> str:
    return reverse("countries:pair", args=[code, other])


def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One country: its published agreements by partner and by year, its top trading
    partners (in ?trade_year=, else the latest well-covered year), its blocs, and what other
    apps add. Anonymous readers get it from the page cache, as the list, until the data changes."""
    return cached_for_readers(lambda: render_country(request, code), request)


def render_country(request: HttpRequest, code: str) -> HttpResponse:
    lists = reference_lists()  # every country, read once per process until the data changes
    country = lists.countries.get(_canonical_code(code))
    if country is None:
        raise Http404("No such country.")
    if code != country.iso3:
        return redirect("countries:detail", country.iso3, permanent=True)
    trade = top_partners(country, request.GET.get("trade_year"), _pair_url)
    for coverage in trade.years:
        coverage.url = f"?{urlencode({'trade_year': coverage.year})}#trade-partners"
    # Only the partners shown as groups get their newest agreements (the others are links).
    partners = by_significance(partner_groups(country, partner_counts(country), lists.countries.values()), trade)
    shown = partners[:MAX_PARTNER_GROUPS]
    add_newest(country, shown)
    add_entries(shown)
    counts = listed_counts(country)
    years = year_groups(country, counts.years)
    return render(
        request,
        "countries/detail.html",
        {
            "country": country,
            "agreement_count": sum(counts.years.values()),
            "summary": country_summary(country, counts, trade),
            "partners": partners,
            "partner_groups": shown,
            "other_partners": partners[MAX_PARTNER_GROUPS:],
            "other_partner_links": partner_links(partners[MAX_PARTNER_GROUPS:]),
            "years": years,
            "decades": by_decade(years),
            "memberships": bloc_memberships(country),
            # What other apps add about it (agreements.extensions): its corridors.
            "sections": sections(COUNTRY_PAGE, country),
            "list_url": agreement_list_url(party=country.iso3),
            "max_per_group": MAX_PER_GROUP,
            "trade": trade,
        },
    )


# --- /countries/<ISO3>/<ISO3>/


def timeline(first: Country, second: Country) -> QuerySet[Agreement]:
    """Every published agreement both countries are parties to, oldest first; undated last:
    as the agreement list, no third country's accession (``shown_for``), only their own.

    The page reads all their ids, then its page's entries (``entries_of``): two queries.
    """
    return (
        Agreement.objects.published()
        .with_parties(first, second)
        .filter(shown_for(first, second, per_row=True))
        .order_by(principal_date().asc(nulls_last=True), "id")
    )


def timeline_ids(first: Country, second: Country) -> list[int]:
    """The ids of ``timeline(first, second)``, in its order: one query (a pair has a few thousand
    at most, on the 100,000-agreement bench Kenya and Uganda 3,700: as cheap as counting them,
    which was a query of its own); from the listing index when it is current (16 ms -> 2 ms)."""
    if (index := listing_index()) is not None:
        return index.oldest_first_ids(index.shown_for(first.pk, second.pk))
    return list(timeline(first, second).values_list("id", flat=True))


def _pair(code: str, other: str, view: str) -> tuple[Country, Country] | HttpResponse:
    """The two countries of a pair URL, or the redirect to its upper-case spelling (the
    order is kept: the page and its CSV put the first country first). 404 for one
    country twice or an unknown code."""
    codes = (_canonical_code(code), _canonical_code(other))
    if codes[0] == codes[1]:
        raise Http404("A pair needs two different countries.")
    countries = reference_lists().countries  # as a country's page: no query of its own
    first, second = countries.get(codes[0]), countries.get(codes[1])
    if first is None or second is None:
        raise Http404("No such country.")
    if (code, other) != codes:
        return redirect(view, *codes, permanent=True)
    return first, second


def agreement_markers(entries: Iterable[AgreementEntry]) -> list[Marker]:
    """The dated agreements of a timeline as events on the trade chart's time axis."""
    return [
        Marker(
            int(entry.date.iso[:4]),
            f"{entry.agreement.title} ({entry.date.label.lower()} {entry.date.text})",
            entry.url,
        )
        for entry in entries
        if entry.date is not None
    ]


def country_pair(request: HttpRequest, code: str, other: str) -> HttpResponse:
    """Two countries' instruments on a timeline, the trade between them year by year, and what
    they trade (the top HS chapters each way).
    Served in either order; the canonical URL (named in the page's head) has the codes in
    alphabetical order. From the page cache for anonymous readers, as the list."""
    return cached_for_readers(lambda: render_pair(request, code, other), request)


def render_pair(request: HttpRequest, code: str, other: str) -> HttpResponse:
    pair = _pair(code, other, "countries:pair")
    if isinstance(pair, HttpResponse):
        return pair
    first, second = pair
    parties = [first.iso3, second.iso3]
    # A page number that is not one gives the first page; one out of range, the last.
    # Only a short one is converted at all (4,400 digits are past what int() takes).
    asked = request.GET.get("page", "")
    # Every id of the timeline, then the page's entries as plain values.
    ids = timeline_ids(first, second)
    page = Paginator(ids, TIMELINE_PAGE_SIZE).get_page(asked if len(asked) <= MAX_PAGE_DIGITS else None)
    found = entries_of(page.object_list)
    entries = [found[pk] for pk in page.object_list]
    return render(
        request,
        "countries/pair.html",
        {
            "first": first,
            "second": second,
            "page_obj": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            "entries": entries,
            "canonical_url": request.build_absolute_uri(reverse("countries:pair", args=sorted(parties))),
            "list_url": agreement_list_url(party=parties),
            "export_url": agreement_export_url(party=parties),
            "trade": pair_trade(first, second, agreement_markers(entries)),
            "trade_csv_url": reverse("countries:pair-trade-csv", args=parties),
            "products": pair_products(first, second),
            "top_chapters": TOP_CHAPTERS,
        },
    )


@limit_exports
def country_pair_trade_csv(request: HttpRequest, code: str, other: str) -> HttpResponseBase:
    """/countries/<ISO3>/<ISO3>/trade.csv: the pair's trade statistics, one row per year,
    the first country of the URL as ``country_a``."""
    pair = _pair(code, other, "countries:pair-trade-csv")
    if isinstance(pair, HttpResponseBase):
        return pair
    first, second = pair
    return csv_response(trade_filename(first, second), TRADE_HEADER, trade_table(first, second))
