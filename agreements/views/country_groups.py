"""A country's published agreements by partner and by year, as its page groups them
(agreements.views.countries): how many there are under each heading, and the newest
MAX_PER_GROUP of each partner group the page shows.

Counted first, fetched second: the partners' counts are one GROUP BY (``partner_counts``, a hash
aggregate over the party rows of the country's agreements: 235,000 for Kenya on the
100,000-agreement bench), and only the partners the page shows as groups (twelve) get their
newest agreements, by a window over their party rows alone. It once ranked every partner's
party rows in one window, sorting all 235,000 for the 36 agreements shown (about 350 ms of a
600 ms page). The years are counts only (``year_groups``), each a link to the list.

Three queries: the partners' counts, the newest with the shown partners (a fourth when a shown
partner is not met often enough among the country's newest agreements: ``add_newest``), then
every entry named, with its first parties (agreements.views.entries.entries_of).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from agreements.current_index import listing_index
from agreements.default_lists import shown_for
from agreements.models import Agreement, Country, Party
from agreements.models.ordering import newest_first
from agreements.trade.partners import PartnerShare
from agreements.views.entries import AgreementEntry, agreement_list_url, entries_of, with_party

# Agreements shown under each partner; the rest are one link away.
MAX_PER_GROUP = 3
# A country's newest agreements read to find its shown partners' newest (add_newest).
NEWEST_WALK = 300


@dataclass
class Group:
    """Agreements under one heading: a partner's (the newest few, and how many in all), or a year's (how many)."""

    count: int
    url: str
    entries: list[AgreementEntry] = field(default_factory=list)
    partner: Country | None = None
    year: int | None = None
    in_force: int = 0  # a partner's: how many of them are in force
    trade: PartnerShare | None = None  # a partner's: its trade, when among the top partners
    # The newest MAX_PER_GROUP agreements' ids, newest first, until their entries are fetched.
    ids: list[int] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.entries)

    @property
    def html(self) -> SafeString:
        return partner_group_html(self)


def _with_country(country: Country) -> Q:
    """Party rows of the published agreements the country's page lists (``shown_for``)."""
    return (
        Q(agreement__is_published=True)
        & Q(with_party(country, outer="agreement"))
        & shown_for(country, outer="agreement_id")
    )


@dataclass(frozen=True)
class PartnerCount:
    """How many of the country's listed agreements a partner is party to, and how many are in force."""

    total: int
    in_force: int


def partner_counts(country: Country) -> dict[int, PartnerCount]:
    """{partner country id: its count} for every other country party to the published agreements
    the country's page lists (``shown_for``). From the listing index when it is current (about
    5 ms for Kenya); else one GROUP BY over their party rows (Kenya's 235,000 on the
    100,000-agreement bench: about 170 ms of its page)."""
    if (index := listing_index()) is not None:
        return {pk: PartnerCount(total, in_force) for pk, total, in_force in index.partners(country.pk)}
    rows = (
        Party.objects.filter(_with_country(country), country__isnull=False)
        .exclude(country=country)
        .values("country_id")
        .annotate(total=Count("id"), in_force=Count("id", filter=Q(agreement__status=Agreement.Status.IN_FORCE)))
        .values_list("country_id", "total", "in_force")
        .order_by()
    )
    return {pk: PartnerCount(total, in_force) for pk, total, in_force in rows}


def partner_groups(country: Country, counts: dict[int, PartnerCount], countries: Iterable[Country]) -> list[Group]:
    """The country's partners (``counts``: ``partner_counts``), in no order (the page ranks them by
    significance, agreements.views.country_summary.by_significance), without their entries
    (``add_newest``). ``countries``: every country (agreements.reference_lists), for their names."""
    # One reverse() for all partners: ISO3 codes need no quoting.
    pair_url = reverse("countries:pair", args=[country.iso3, "ZZZ"]).removesuffix("ZZZ/")
    return [
        Group(count=found.total, url=f"{pair_url}{partner.iso3}/", partner=partner, in_force=found.in_force)
        for partner in countries
        if (found := counts.get(partner.pk)) is not None
    ]


def partner_links(groups: list[Group]) -> SafeString:
    """The partners past the groups shown, as one line of links to their pair pages with how
    many agreements each ("Tanzania (1), Uganda (1)"): 240 of them for Kenya, written in one pass."""
    return mark_safe(
        ", ".join(
            f'<a href="{escape(group.url)}">{escape(group.partner.name)}</a> ({group.count})'
            for group in groups
            if group.partner
        )
    )


def _newest_ids(country: Country, partner_ids: list[int], among: int | None) -> list[tuple[int, int, int]]:
    """(partner id, rank, agreement id) of the newest MAX_PER_GROUP agreements with each partner,
    among the country's ``among`` newest agreements (None: all of them)."""
    if among is None:
        rows = Party.objects.filter(_with_country(country), country_id__in=partner_ids)
    else:
        # The newest are the country's listed agreements already: testing that again of each
        # party row doubled the query's compiling and planning (10 of its 20 ms).
        newest = Agreement.objects.published().filter(with_party(country)).filter(shown_for(country))
        rows = Party.objects.filter(
            country_id__in=partner_ids, agreement_id__in=newest.order_by(*newest_first()).values("id")[:among]
        )
    ranked = (
        rows.annotate(
            rank=Window(RowNumber(), partition_by=[F("country")], order_by=newest_first("agreement__", "agreement_id"))
        )
        .filter(rank__lte=MAX_PER_GROUP)
        .values_list("country_id", "rank", "agreement_id")
        .order_by()  # sorted in Python
    )
    return sorted(ranked)


def newest_with(country: Country, partners: dict[int, int]) -> dict[int, list[int]]:
    """{partner country id: the ids of the newest MAX_PER_GROUP of the country's listed agreements
    with it, newest first}, for ``partners`` ({partner id: how many agreements the two have}).

    One query over the country's NEWEST_WALK newest agreements, newest first, finds them for
    every partner it meets MAX_PER_GROUP times (the twelve partners shown are the most
    significant: on the 100,000-agreement bench every country's meet theirs in its newest 300);
    ranking every agreement with the twelve took 50 ms for Kenya, the walk 15. A partner met
    fewer times than it has agreements with the country is ranked over all of them, in a second query.
    The listing index, when it is current, gives them at once.
    """
    if (index := listing_index()) is not None:  # the first set bits of the two countries' listed agreements
        shown = index.shown_for(country.pk)
        return {pk: index.newest_ids(shown & index.country(pk), MAX_PER_GROUP) for pk in partners}
    found: dict[int, list[int]] = {pk: [] for pk in partners}
    if not found:
        return found
    for partner_id, _, agreement_id in _newest_ids(country, list(found), NEWEST_WALK):
        found[partner_id].append(agreement_id)
    short = [pk for pk, ids in found.items() if len(ids) < min(partners[pk], MAX_PER_GROUP)]
    if short:
        for pk in short:
            found[pk] = []
        for partner_id, _, agreement_id in _newest_ids(country, short, None):
            found[partner_id].append(agreement_id)
    return found


def add_newest(country: Country, groups: list[Group]) -> None:
    """Each partner group's newest MAX_PER_GROUP agreement ids (``newest_with``)."""
    found = newest_with(country, {group.partner.pk: group.count for group in groups if group.partner})
    for group in groups:
        if group.partner:
            group.ids = found[group.partner.pk]


def year_groups(country: Country, years: dict[int | None, int]) -> list[Group]:
    """The country's published agreements by the year they were signed (newest first; not
    signed, or date unknown, last): how many (``years``, from
    agreements.views.country_summary.listed_counts), each year a link to the list of them.
    No entries: the list shows them, paged (every year's newest three were 230 of Kenya's 270
    entries, and their window over its 19,484 agreements 80 ms on the 100,000-agreement bench)."""
    listed = agreement_list_url(party=country.iso3)  # one reverse() for all: a year needs no quoting
    return [
        # The undated: the list's last (newest first puts them after every signed one).
        Group(
            count=years[year],
            url=listed if year is None else f"{listed}&signed_from={year}&signed_to={year}",
            year=year,
        )
        for year in sorted(years, key=lambda y: (y is None, -(y or 0)))
    ]


def year_items(groups: list[Group]) -> SafeString:
    """Year groups as the items of a list, each a link with its count, written in one pass:
    a template resolving four variables for each of a country's 70 years was half its rendering."""
    return mark_safe(
        "".join(
            f'<li id="year-{group.year}"><a href="{escape(group.url)}">{group.year}</a> <span class="count">{group.count}</span></li>'
            if group.year is not None
            else f'<li id="year-unknown">Last in the <a href="{escape(group.url)}">agreement list</a> <span class="count">{group.count}</span></li>'
            for group in groups
        )
    )


def partner_group_html(group: Group) -> SafeString:
    """A partner's group as the country's page folds it: its heading (name, code, how many
    agreements, in force, its share of trade), its newest entries and the link to the pair's
    timeline, written in one pass as ``year_items`` (twelve groups were some 240 variable look-ups
    of the page's template, a third of its rendering)."""
    partner = group.partner
    assert partner is not None  # the groups shown are partners' (the others are one line of links)
    name, iso3, url, count = escape(partner.name), escape(partner.iso3), escape(group.url), group.count
    counted = f"{count} agreement{'' if count == 1 else 's'}"
    if group.in_force:
        counted += f", {group.in_force} in force"
    if group.trade:
        counted += f" · {floatformat(group.trade.share_percent, 1)}% of trade"
    if group.more:
        more = f'<a href="{url}">All {count} with {name}</a>'
    else:
        more = f'Every instrument with <a href="{url}">{name}</a>'
    entries = "".join(entry.compact_html for entry in group.entries)
    return mark_safe(
        '\n  <details class="fold">\n'
        f'    <summary><h3 class="group__heading" id="partner-{iso3}">{name} <span class="code">{iso3}</span>'
        f' <span class="count">{counted}</span></h3></summary>\n'
        f'    <ol class="entries">\n      {entries}\n    </ol>\n'
        f'    <p class="more">{more}, on a timeline</p>\n  </details>\n  '
    )


def add_entries(groups: list[Group]) -> None:
    """Every group's entries, from its ids, in one query."""
    entries = entries_of({pk for group in groups for pk in group.ids})
    for group in groups:
        group.entries = [entries[pk] for pk in group.ids]
