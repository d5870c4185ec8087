"""A country's published agreements by partner and by year, as its page groups them
(agreements.views.countries): how many there are under each heading, and the newest
MAX_PER_GROUP of the groups the page opens.

Counted first, fetched second: the partners' counts are one GROUP BY (a hash aggregate over
the party rows of the country's agreements: 235,000 for Kenya on the 100,000-agreement bench),
and only the partners the page shows as groups (twelve) get their newest agreements, by a
window over their party rows alone. It once ranked every partner's party rows in one window,
sorting all 235,000 for the 36 agreements shown (about 350 ms of a 600 ms page).

Four queries: the partners' counts, the newest with the shown partners (a fifth when a shown
partner is not met often enough among the country's newest agreements: ``add_newest``), the
years (a window over the country's agreements), then every entry named, with its first parties
(agreements.views.entries.entries_of).
"""

from dataclasses import dataclass, field
from html import escape

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import ExtractYear, RowNumber
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from agreements.default_lists import shown_for
from agreements.models import Agreement, Country, Party
from agreements.models.ordering import newest_first
from agreements.trade.partners import PartnerShare
from agreements.views.entries import AgreementEntry, agreement_list_url, entries_of, with_party

# Agreements shown under each partner and each year; the rest are one link away.
MAX_PER_GROUP = 3
# A country's newest agreements read to find its shown partners' newest (add_newest).
NEWEST_WALK = 300


@dataclass
class Group:
    """Agreements under one heading (a partner, a year): the newest few, and how many in all."""

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


def _with_country(country: Country) -> Q:
    """Party rows of the published agreements the country's page lists (``shown_for``)."""
    return (
        Q(agreement__is_published=True)
        & Q(with_party(country, outer="agreement"))
        & shown_for(country, outer="agreement_id")
    )


def _partner_counts(country: Country) -> QuerySet:
    """Each other country party to those agreements: how many, how many in force."""
    return (
        Party.objects.filter(_with_country(country), country__isnull=False)
        .exclude(country=country)
        .values("country_id")
        .annotate(total=Count("id"), in_force=Count("id", filter=Q(agreement__status=Agreement.Status.IN_FORCE)))
        .order_by()
    )


def partner_groups(country: Country) -> list[Group]:
    """The country's partners, in no order (the page ranks them by significance,
    agreements.views.country_summary.by_significance), without their entries (``add_newest``).

    One query: the counts, then their countries' codes and names joined to the 250 counted
    rows (joined before counting, each of the 235,000 party rows carried them: 40 ms).
    """
    counts, params = _partner_counts(country).query.sql_with_params()
    quote = connection.ops.quote_name
    sql = (
        f"SELECT c.{quote('id')}, c.{quote('iso3')}, c.{quote('name')}, t.{quote('total')}, t.{quote('in_force')} "
        f"FROM ({counts}) t INNER JOIN {quote(Country._meta.db_table)} c ON c.{quote('id')} = t.{quote('country_id')}"
    )
    # One reverse() for all partners: ISO3 codes need no quoting.
    pair_url = reverse("countries:pair", args=[country.iso3, "ZZZ"]).removesuffix("ZZZ/")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            Group(
                count=total, url=f"{pair_url}{iso3}/", partner=Country(pk=pk, iso3=iso3, name=name), in_force=in_force
            )
            for pk, iso3, name, total, in_force in cursor.fetchall()
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
    rows = Party.objects.filter(_with_country(country), country_id__in=partner_ids)
    if among is not None:
        newest = Agreement.objects.published().filter(with_party(country)).filter(shown_for(country))
        rows = rows.filter(agreement_id__in=newest.order_by(*newest_first()).values("id")[:among])
    ranked = (
        rows.annotate(
            rank=Window(RowNumber(), partition_by=[F("country")], order_by=newest_first("agreement__", "agreement_id"))
        )
        .filter(rank__lte=MAX_PER_GROUP)
        .values_list("country_id", "rank", "agreement_id")
        .order_by()  # sorted in Python
    )
    return sorted(ranked)


def add_newest(country: Country, partners: list[Group]) -> None:
    """The newest MAX_PER_GROUP agreement ids with each of these partner groups.

    One query over the country's NEWEST_WALK newest agreements, newest first, finds them for
    every partner it meets MAX_PER_GROUP times (the twelve partners shown are the most
    significant: on the 100,000-agreement bench every country's meet theirs in its newest 300);
    ranking every agreement with the twelve took 50 ms for Kenya, the walk 15. A partner met fewer times than it has agreements with the country
    (each group's count says how many) is ranked over all of them, in a second query.
    """
    by_partner = {group.partner.pk: group for group in partners if group.partner}
    if not by_partner:
        return
    for partner_id, _, agreement_id in _newest_ids(country, list(by_partner), NEWEST_WALK):
        by_partner[partner_id].ids.append(agreement_id)
    short = [pk for pk, group in by_partner.items() if len(group.ids) < min(group.count, MAX_PER_GROUP)]
    if short:
        for pk in short:
            by_partner[pk].ids = []
        for partner_id, _, agreement_id in _newest_ids(country, short, None):
            by_partner[partner_id].ids.append(agreement_id)


def _year_ranking(country: Country) -> QuerySet:
    """For each year the country signed published agreements (and for none): the newest
    MAX_PER_GROUP ids and how many there are in all."""
    year = ExtractYear("signed_on")
    return (
        Agreement.objects.published()
        .filter(with_party(country))
        .filter(shown_for(country))
        .annotate(
            year=year,
            rank=Window(RowNumber(), partition_by=[year], order_by=newest_first()),
            total=Window(Count("id"), partition_by=[year]),
        )
        .filter(rank__lte=MAX_PER_GROUP)
        .values("id", "year", "rank", "total")
        .order_by()  # sorted in Python
    )


def year_groups(country: Country) -> list[Group]:
    """The country's published agreements by the year they were signed (newest first; not
    signed, or date unknown, last), with their newest ids."""
    rows = sorted(_year_ranking(country), key=lambda r: (r["year"] is None, -(r["year"] or 0), r["rank"]))
    years: dict[int | None, Group] = {}
    for row in rows:
        group = years.get(row["year"])
        if group is None:
            url = ""
            if row["year"] is not None:
                y = str(row["year"])
                url = agreement_list_url(party=country.iso3, signed_from=y, signed_to=y)
            group = years[row["year"]] = Group(count=row["total"], url=url, year=row["year"])
        group.ids.append(row["id"])
    return list(years.values())


def add_entries(groups: list[Group]) -> None:
    """Every group's entries, from its ids, in one query."""
    entries = entries_of({pk for group in groups for pk in group.ids})
    for group in groups:
        group.entries = [entries[pk] for pk in group.ids]
