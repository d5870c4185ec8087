"""The list's Parties column: each agreement's parties as ISO3 codes, each with its name
(and the institution acting for it) in the abbr's title; an institution acting alone by its
acronym; after PARTY_LIMIT parties, how many more.

Read as plain values in one query for the page's agreements and written in one pass: the
page once built a Party and a Country object per party and rendered an included template
for each row (about a third of the list's server time on the 100,000-agreement bench).
"""

import functools
from collections import defaultdict
from collections.abc import Iterable
from html import escape
from typing import NamedTuple

from django.db import connections, router
from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe

from agreements.models import Party

PARTY_LIMIT = 12
BETWEEN = mark_safe('<span aria-hidden="true"> · </span><span class="visually-hidden">, </span>')


class PartyValues(NamedTuple):
    """A party as plain values: its country's code and name (None for an institution acting
    alone) and the institution acting for it, by name and acronym."""

    iso3: str | None
    name: str | None
    institution: str | None
    acronym: str | None


def parties_query(agreement_ids: Iterable[int]) -> QuerySet:
    return (
        Party.objects.filter(agreement_id__in=agreement_ids)
        .order_by("agreement_id", "id")
        .values_list("agreement_id", "country__iso3", "country__name", "institution__name", "institution__acronym")
    )


@functools.lru_cache(maxsize=256)
def parties_sql(alias: str, count: int) -> str:
    """parties_query's SQL for ``count`` agreements, its parameters their ids in order: compiled
    once per process and number of ids (a page of 50, its last page fewer), where compiling it
    took as long as running it. Placeholder ids (negative: no agreement has one) let the ORM
    write it; the check below makes sure they are the whole of its parameters, in order."""
    placeholders = list(range(-count, 0))
    sql, params = parties_query(placeholders).query.get_compiler(alias).as_sql()
    if list(params) != placeholders:
        raise RuntimeError(f"unexpected parameters for the parties' query on {alias}: {params}")
    return sql


def parties_of(agreement_ids: Iterable[int]) -> dict[int, list[PartyValues]]:
    """The agreements' parties in their order, by agreement id, in one query (no Party
    objects): for the list's cells, and its JSON and feed."""
    ids = list(dict.fromkeys(agreement_ids))
    parties: dict[int, list[PartyValues]] = defaultdict(list)
    if not ids:
        return parties
    alias = router.db_for_read(Party)
    with connections[alias].cursor() as cursor:
        cursor.execute(parties_sql(alias, len(ids)), ids)
        for agreement_id, *values in cursor.fetchall():
            parties[agreement_id].append(PartyValues(*values))
    return parties


@functools.lru_cache(maxsize=4096)
def party_code(party: PartyValues) -> str:
    """One party's code, every value escaped (the standard library's ``html.escape``: Django's
    adds a lazy-string check per call), written once per process: a page of 50 agreements
    shows about 850 parties, nearly all of them the same few hundred countries. A renamed
    country is another PartyValues, so another entry."""
    if party.iso3:
        title = f"{party.name}, acting through {party.institution}" if party.institution else party.name
        return f'<abbr title="{escape(str(title))}">{escape(party.iso3)}</abbr>'
    return f'<abbr title="{escape(str(party.institution))}">{escape(str(party.acronym or party.institution))}</abbr>'


def party_codes(
    parties: dict[int, list[PartyValues]], totals: dict[int, int] | None = None, limit: int = PARTY_LIMIT
) -> dict[int, SafeString]:
    """Each agreement's Parties cell, by agreement id (an agreement without parties has none).
    ``parties``: all of each agreement's (``parties_of``), or its first ``limit`` when ``totals``
    says how many it has in all (the listing index's, agreements.index_parties)."""
    cells = {}
    for agreement_id, all_parties in parties.items():
        shown = [party_code(party) for party in all_parties[:limit]]
        more = (totals[agreement_id] if totals is not None else len(all_parties)) - len(shown)
        tail = f' <span class="party-codes__more">and {more} more</span>' if more else ""
        # Each code is escaped already: the separators join them as they are.
        cells[agreement_id] = mark_safe(f'<span class="party-codes">{BETWEEN.join(shown)}{tail}</span>')
    return cells
