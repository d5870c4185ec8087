"""The list's Parties cells from the listing index (agreements.listing_index): each published
agreement's first PARTY_LIMIT parties, in their order, and how many it has.

Read from the database for every list page, a page's parties were a third of its server time on
the 100,000-agreement bench (about 850 party rows joined to their countries and institutions,
planned and read for 50 agreements: 1.9 of 6.5 ms). The index reads every party row when it is
built anyway, to know each country's agreements; it keeps the first few of each agreement here,
packed: one array of references to the distinct parties (a country, the institution acting for
it, or an institution alone: 1,000 on the bench), where each agreement's start, and its count.
"""

from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from agreements.party_codes import PARTY_LIMIT, PartyValues


@dataclass(frozen=True)
class FirstParties:
    values: list[PartyValues]  # each distinct party, as agreements.party_codes names it
    refs: array  # the first parties of every agreement, by position, as indexes into ``values``
    starts: array  # by position (and one past the last): where its first parties start in ``refs``
    totals: array  # by position: how many parties it has in all

    def of(self, positions: dict[int, int], ids: Iterable[int]) -> tuple[dict[int, list[PartyValues]], dict[int, int]]:
        """({id: its first parties}, {id: how many it has}) for agreements the index holds
        (``positions``: its {id: position}), as agreements.party_codes.party_codes reads them; an
        agreement without parties has no entry."""
        values, refs, starts = self.values, self.refs, self.starts
        parties, totals = {}, {}
        for pk in ids:
            at = positions[pk]
            if total := self.totals[at]:
                parties[pk] = [values[ref] for ref in refs[starts[at] : starts[at + 1]]]
                totals[pk] = total
        return parties, totals


class FirstPartiesBuilder:
    """Collects the party rows (in their order: by id) of the agreements at each position."""

    def __init__(self, size: int, countries: dict[int, tuple[str, str]], institutions: dict[int, tuple[str, str]]):
        self.countries, self.institutions = countries, institutions  # {id: (iso3, name)}, {id: (name, acronym)}
        self.firsts: list[list[int]] = [[] for _ in range(size)]
        self.totals = array("I", bytes(4 * size))
        self.refs: dict[tuple[int | None, int | None], int] = {}

    def add(self, at: int, country_id: int | None, institution_id: int | None) -> None:
        self.totals[at] += 1
        first = self.firsts[at]
        if len(first) < PARTY_LIMIT:
            key = (country_id, institution_id)
            ref = self.refs.get(key)
            if ref is None:
                ref = self.refs[key] = len(self.refs)
            first.append(ref)

    def built(self) -> FirstParties:
        values = [PartyValues(None, None, None, None)] * len(self.refs)
        for (country_id, institution_id), ref in self.refs.items():
            iso3, name = self.countries[country_id] if country_id is not None else (None, None)
            institution, acronym = self.institutions[institution_id] if institution_id is not None else (None, None)
            values[ref] = PartyValues(iso3, name, institution, acronym)
        refs, starts = array("I"), array("I")
        for first in self.firsts:
            starts.append(len(refs))
            refs.extend(first)
        starts.append(len(refs))
        return FirstParties(values, refs, starts, self.totals)
