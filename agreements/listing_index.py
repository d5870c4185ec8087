"""The agreement list's counts and newest-first pages from bitmaps held in memory.

Every list page counts the agreements its filters keep, and each facet's options with every
other filter kept (agreements.facets). In SQL that reads every matching row for each count:
``?party=KEN`` is 19,484 agreements, and its facets took 50-150 ms on the 100,000-agreement
bench whatever the indexes. Here each published agreement has a position (its place in the
newest-first order) and each filter option a set of positions, held as one Python int used as
a bitmap (bit i: the agreement at position i). A filter is an AND or OR of a few of them, a
count is ``int.bit_count()``: microseconds for 100,000 agreements. A page of the newest-first
list is the n-th to n+49-th set bits; a date range is a run of positions.

It is an index, not a cache of answers: it holds the agreements' filterable columns and links,
and answers every filter; on PostgreSQL, the search's lexemes too (agreements.text_index), else
the database's search finds the ids, which become one more bitmap. It keeps each agreement's first
parties for the list's cells (agreements.index_parties). A country's page reads its counts from it
too (by partner, kind, status, scope, year), and a pair's timeline its ids. How each process keeps
one current: agreements.current_index.

The filters' meaning is restated here, option by option; test_listing_index checks every
filter and facet against the SQL path on the same data.
"""

import bisect
import dataclasses
import datetime as dt
import re
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Max

from agreements.default_lists import accession_joins
from agreements.filters import DECADES, SCOPE_PARAMETERS
from agreements.index_parties import FirstParties, FirstPartiesBuilder
from agreements.models import Agreement, Country, Party
from agreements.models.ordering import newest_first, principal_date
from agreements.search import parse_query, websearch_text
from agreements.text_index import TextPostings, Unsupported, build_postings, positions_bitmap, tsquery_text

COLUMNS = ("kind", "status", "scope", "decade")
# The filters a bitmap answers (and the links', and the text search's found ids); any other
# parameter with a value makes the list count in SQL (agreements.facets).
ANSWERED = {"party", "match", "signed_from", "signed_to", "accessions", "sort", *COLUMNS}


class Bits:
    """Positions collected per key, then made into bitmaps in one pass each."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.arrays: dict[Any, bytearray] = {}

    def add(self, key: Any, position: int) -> None:
        octets = self.arrays.get(key)
        if octets is None:
            octets = self.arrays[key] = bytearray((self.size + 7) // 8)
        octets[position >> 3] |= 1 << (position & 7)

    def bitmaps(self) -> dict[Any, int]:
        return {key: int.from_bytes(octets, "little") for key, octets in self.arrays.items()}


def span(start: int, end: int) -> int:
    """The positions start..end-1 as a bitmap."""
    return ((1 << end) - 1) ^ ((1 << start) - 1) if end > start else 0


def set_bits(bitmap: int, skip: int, count: int, chunk: int = 4096) -> list[int]:
    """The positions of the set bits numbered skip..skip+count-1, lowest first."""
    found: list[int] = []
    offset, mask = 0, (1 << chunk) - 1
    rest = bitmap
    while rest and len(found) < count:
        part = rest & mask
        n = part.bit_count()
        if skip >= n:
            skip -= n
        else:
            while part and len(found) < count:
                low = part & -part
                if skip:
                    skip -= 1
                else:
                    found.append(offset + low.bit_length() - 1)
                part ^= low
        rest >>= chunk
        offset += chunk
    return found


NONZERO_BYTE = re.compile(rb"[^\x00]")
BITS_OF_BYTE = [[bit for bit in range(8) if value >> bit & 1] for value in range(256)]


def all_set_bits(bitmap: int) -> list[int]:
    """The positions of every set bit, lowest first: the bytes scanned in C for the few that
    are not zero (a pair's 3,700 agreements among 95,000 positions)."""
    data = bitmap.to_bytes((bitmap.bit_length() + 7) // 8, "little")
    return [
        match.start() * 8 + bit for match in NONZERO_BYTE.finditer(data) for bit in BITS_OF_BYTE[data[match.start()]]
    ]


@dataclass(frozen=True)
class Selection:
    """What the index answered for one valid filter: the list's count, each facet's counts by
    option (as agreements.facets.facet_counts gives them), and its newest-first bitmap."""

    index: "ListingIndex"
    bitmap: int
    total: int
    facets: dict[str, dict[str, int]]
    tsquery: str | None = None  # the text search as PostgreSQL parsed it, when the postings answered it

    def page_ids(self, skip: int, count: int) -> list[int]:
        """The ids of the newest-first list's rows skip..skip+count-1."""
        return [self.index.ids[position] for position in set_bits(self.bitmap, skip, count)]

    def ranked_page_ids(self) -> Callable[[int, int], list[int]] | None:
        """``page_ids`` by relevance, where the postings rank the search as the database does (one
        word: agreements.text_index.TextPostings.by_rank), each rank's newest first as the database
        sorts equal ranks; else None."""
        text = self.index.text
        ranks = text.by_rank(self.tsquery) if text is not None and self.tsquery is not None else None
        if ranks is None:
            return None

        def page_ids(skip: int, count: int) -> list[int]:
            positions: list[int] = []
            for rank in ranks:
                kept = rank & self.bitmap
                n = kept.bit_count()
                if skip >= n:
                    skip -= n
                    continue
                positions += set_bits(kept, skip, count - len(positions))
                skip = 0
                if len(positions) == count:
                    break
            return [self.index.ids[position] for position in positions]

        return page_ids


@dataclass(frozen=True)
class ListingIndex:
    version: int | None
    updated: Any  # the published agreements' last update (the list's citation), or None
    ids: list[int]  # by position: every published agreement, newest first
    positions: dict[int, int]  # {agreement id: its position}
    signed_keys: list[int]  # by position, the signed dates' negated ordinals, while they are known
    oldest_rank: array  # by position, its place oldest first: by principal date (undated last), then id
    everything: int
    listed: int  # in_default_lists
    columns: dict[str, dict[str, int]]  # kind, status, scope, decade: {option value: bitmap}
    years: dict[int, int]  # {year signed: bitmap}
    links: dict[str, dict[str, int]]  # topic, bloc, linked records: {option value: bitmap}
    link_ids: dict[str, dict[Any, str]]  # the same: {record id: option value}
    countries: dict[int, int]  # {country id: its agreements}
    party_rows: dict[int, int]  # {number of parties: agreements}
    accessions: dict[int, int]  # {country id: the accession instruments by which it joined}
    text: TextPostings | None  # the search's lexemes (agreements.text_index), on PostgreSQL
    text_pending: bool  # built without them, which ``with_text`` adds (agreements.current_index)
    first_parties: FirstParties  # the list's Parties cells (agreements.index_parties)

    def __getstate__(self) -> dict[str, Any]:
        """What another process loads (agreements.current_index): the ids and dates as packed
        arrays (0.8 MB each, not 3 MB of int objects), the positions rebuilt from the ids."""
        state = {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "positions"}
        state["ids"], state["signed_keys"] = array("q", self.ids), array("q", self.signed_keys)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["ids"], state["signed_keys"] = state["ids"].tolist(), state["signed_keys"].tolist()
        state["positions"] = {pk: i for i, pk in enumerate(state["ids"])}
        for name, value in state.items():
            object.__setattr__(self, name, value)  # frozen

    def country(self, country_id: int) -> int:
        return self.countries.get(country_id, 0)

    def with_text(self) -> "ListingIndex":
        """This index with the search's lexemes, read now (``build(text=False)`` left them out)."""
        return dataclasses.replace(self, text=build_postings(_published_ids_sql(), self.positions), text_pending=False)

    def first_parties_of(self, ids: list[int]) -> tuple[dict[int, list[Any]], dict[int, int]] | None:
        """The list's Parties cells' parties (agreements.index_parties), if the index holds every one of ``ids``."""
        if not all(pk in self.positions for pk in ids):
            return None
        return self.first_parties.of(self.positions, ids)

    def bitmap_of(self, ids: Iterable[int]) -> int:
        """The agreements with these ids (those the index holds) as a bitmap."""
        position = self.positions.get
        return positions_bitmap((i for pk in ids if (i := position(pk)) is not None), len(self.ids))

    def shown_for(self, *country_ids: int) -> int:
        """What a country's page, a pair's timeline and ``/agreements/?party=<each>`` list of the
        agreements the countries are all party to: the default lists', and the accessions by
        which one of them joined (agreements.default_lists.shown_for)."""
        return _all((self.country(pk) for pk in country_ids), self.everything) & self.listed_for(*country_ids)

    def listed_for(self, *country_ids: int) -> int:
        """The default lists' agreements and the accessions by which one of the countries joined
        (agreements.default_lists.listed_for), whoever their parties."""
        return self.listed | _any(self.accessions.get(pk, 0) for pk in country_ids)

    def partners(self, country_id: int) -> Iterator[tuple[int, int, int]]:
        """(partner's country id, agreements, of them in force) for each other country party to
        the agreements a country's page lists."""
        shown = self.shown_for(country_id)
        in_force = shown & self.columns["status"].get(Agreement.Status.IN_FORCE, 0)
        for partner_id, bitmap in self.countries.items():
            if partner_id != country_id and (shared := shown & bitmap):
                yield partner_id, shared.bit_count(), (shared & in_force).bit_count()

    def tally(self, bitmap: int, name: str) -> dict[str, int]:
        """How many of ``bitmap``'s agreements have each option of a column (kind, status, scope, decade)."""
        counts = {value: (bitmap & option).bit_count() for value, option in self.columns[name].items()}
        return {value: n for value, n in counts.items() if n}

    def year_counts(self, bitmap: int) -> dict[int | None, int]:
        """How many of ``bitmap``'s agreements were signed each year (None: no date known)."""
        counts: dict[int | None, int] = {year: (bitmap & option).bit_count() for year, option in self.years.items()}
        counts[None] = (bitmap & ~span(0, len(self.signed_keys))).bit_count()
        return {year: n for year, n in counts.items() if n}

    def newest_ids(self, bitmap: int, count: int) -> list[int]:
        return [self.ids[position] for position in set_bits(bitmap, 0, count)]

    def oldest_first_ids(self, bitmap: int) -> list[int]:
        """Every id of ``bitmap`` by principal date, oldest first, undated last, then by id (a
        pair's timeline, agreements.views.countries.timeline)."""
        ids = self.ids
        return [ids[i] for i in sorted(all_set_bits(bitmap), key=self.oldest_rank.__getitem__)]

    def filters(self, data: dict[str, Any], text: int | None = None) -> dict[str, int] | None:
        """Each filter set in a form's cleaned data as the bitmap of what it keeps, or None if
        one is not for this index. The text search is PostgreSQL's (or SQLite's): ``text`` is
        the bitmap of what it found, from ``bitmap_of``."""
        kept: dict[str, int] = {}
        if data.get("q"):
            if text is None:
                return None
            kept["q"] = text
        answered = ANSWERED | set(self.links) | {"q"}
        if any(value not in (None, "", [], ()) for name, value in data.items() if name not in answered):
            return None
        countries = sorted({country.pk for country in data.get("party") or ()})
        if countries:
            match = data.get("match") or "all"
            if match == "any":
                kept["party"] = _any(self.country(pk) for pk in countries)
            else:
                kept["party"] = _all(self.country(pk) for pk in countries)
                if match == "exactly":  # every one a party, and no other (each country is a party once)
                    kept["party"] &= self.party_rows.get(len(countries), 0)
        for name in COLUMNS:
            if data.get(name):
                kept[name] = _any(self.columns[name].get(str(value), 0) for value in data[name])
        for name, options in self.links.items():
            chosen = data.get(name)
            if chosen:
                records = chosen if isinstance(chosen, (list, tuple)) else [chosen]
                kept[name] = _any(options.get(key, 0) for key in self.link_keys(name, records))
        if data.get("signed_from"):
            kept["signed_from"] = span(0, bisect.bisect_right(self.signed_keys, -data["signed_from"].toordinal()))
        if data.get("signed_to"):
            start = bisect.bisect_left(self.signed_keys, -data["signed_to"].toordinal())
            kept["signed_to"] = span(start, len(self.signed_keys))
        if data.get("accessions") != "true":
            kept["accessions"] = self.listed_for(*countries)
        return kept

    def link_keys(self, name: str, records: Iterable[Any]) -> Iterator[str]:
        keys = self.link_ids[name]
        return (keys[record.pk] for record in records if record.pk in keys)

    def select_for(self, filterset: Any) -> Selection | None:
        """``select`` for a valid FilterSet (agreements.filters): its text search, if any, read
        from the lexemes' postings, else (a phrase; SQLite) run by the database and read as one more bitmap."""
        data = filterset.form.cleaned_data
        found, tsquery = None, None
        if data.get("q"):
            found, tsquery = self._search(data["q"])
            if found is None:
                found = self.bitmap_of(filterset.queryset.search(data["q"]).order_by().values_list("pk", flat=True))
        return self.select(data, found, tsquery)

    def text_matches(self, text: str) -> int | None:
        """What ``Agreement.objects.search(text)`` finds, as a bitmap, or None where the
        postings cannot tell (agreements.text_index)."""
        return self._search(text)[0]

    def _search(self, text: str) -> tuple[int | None, str | None]:
        """``text_matches``, and the tsquery the postings read (None: none read). PostgreSQL parses
        the text once a request: the relevance order reads the same tsquery (``Selection.tsquery``)."""
        if self.text is None:
            return None, None
        groups = parse_query(text)
        if not groups:  # no word: the search filters nothing
            return self.everything, None
        tsquery = tsquery_text(websearch_text(groups))
        try:
            return self.text.matching(tsquery), tsquery
        except Unsupported:
            return None, None

    def select(self, data: dict[str, Any], text: int | None = None, tsquery: str | None = None) -> Selection | None:
        """The count, facets and bitmap of a valid form's cleaned data (``text``: as for
        ``filters``, and ``tsquery`` the text search the postings read); None if the filters are
        not all this index's."""
        kept = self.filters(data, text)
        if kept is None:
            return None
        facets: dict[str, dict[str, int]] = {}
        for name, options in [*self.columns.items(), *self.links.items()]:
            others = _all((bitmap for other, bitmap in kept.items() if other != name), self.everything)
            counts = {value: (others & bitmap).bit_count() for value, bitmap in options.items()}
            facets[name] = {value: n for value, n in counts.items() if n}
        bitmap = _all(kept.values(), self.everything)
        return Selection(self, bitmap, bitmap.bit_count(), facets, tsquery)


def _any(bitmaps: Iterable[int]) -> int:
    result = 0
    for bitmap in bitmaps:
        result |= bitmap
    return result


def _all(bitmaps: Iterable[int], start: int = -1) -> int:
    result = start
    for bitmap in bitmaps:
        result &= bitmap
    return result if result != -1 else 0


def _fetch(queryset: Any, chunk: int = 20_000) -> Iterator[tuple]:
    """A values_list's rows through the cursor, a chunk at a time: its hundreds of thousands of
        id pairs need none of Django's per-row conversions, and never all at once in memory
        (fetched whole, the bench's 550,000 party rows took 45 MB more of Python objects while the index
    was built; the driver still holds their 20 MB of text until the last row)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield from rows


def _published_ids_sql() -> tuple[str, tuple]:
    return Agreement.objects.published().order_by().values("id").query.sql_with_params()


def build(version: int | None, text: bool = True) -> ListingIndex:
    """The index of the published agreements as they are now, for data version ``version``;
    without the search's lexemes if not ``text`` (on PostgreSQL they take three quarters of the
    build, about 3 of 4 s at 100,000 agreements: ``with_text`` adds them)."""
    from agreements.facets import link_facets
    from agreements.reference_lists import reference_lists

    rows = list(
        Agreement.objects.published()
        .order_by(*newest_first())
        .annotate(principal=principal_date())
        .values_list("id", "kind", "status", "scope", "signed_on", "in_default_lists", "principal")
    )
    size = len(rows)
    ids = [row[0] for row in rows]
    position = {pk: i for i, pk in enumerate(ids)}
    decades = {int(value) for value, _ in DECADES}
    columns = {name: Bits(size) for name in COLUMNS}
    listed, years, signed_keys = Bits(size), Bits(size), []
    undated = dt.date.max.toordinal() + 1  # last, oldest first
    principal = [undated if row[6] is None else row[6].toordinal() for row in rows]
    oldest_rank = array("I", bytes(4 * size))
    for rank, i in enumerate(sorted(range(size), key=lambda i: (principal[i], ids[i]))):
        oldest_rank[i] = rank
    for i, (_, kind, status, scope, signed_on, in_default_lists, _) in enumerate(rows):
        columns["kind"].add(kind, i)
        columns["status"].add(status, i)
        if scope in SCOPE_PARAMETERS:
            columns["scope"].add(SCOPE_PARAMETERS[scope], i)
        if signed_on is not None:
            signed_keys.append(-signed_on.toordinal())
            years.add(signed_on.year, i)
            if signed_on.year // 10 * 10 in decades:
                columns["decade"].add(str(signed_on.year // 10 * 10), i)
        if in_default_lists:
            listed.add(True, i)

    countries, party_rows = Bits(size), Bits(size)
    institution = Party._meta.get_field("institution").related_model
    first_parties = FirstPartiesBuilder(
        size,
        {pk: (iso3, name) for pk, iso3, name in Country.objects.values_list("id", "iso3", "name")},
        {pk: (name, acronym) for pk, name, acronym in institution.objects.values_list("id", "name", "acronym")},  # type: ignore[union-attr]
    )
    parties = Party.objects.order_by("id").values_list("agreement_id", "country_id", "institution_id")
    for agreement_id, country_id, institution_id in _fetch(parties):
        if (at := position.get(agreement_id)) is not None:
            first_parties.add(at, country_id, institution_id)
            if country_id is not None:
                countries.add(country_id, at)
    for at, n in enumerate(first_parties.totals):
        if n:
            party_rows.add(n, at)

    links, link_ids = {}, {}
    for facet in link_facets(reference_lists()):  # their option values, by record id
        bits = Bits(size)
        for agreement_id, key in _fetch(facet.links.order_by().values_list("agreement_id", facet.key)):
            if (at := position.get(agreement_id)) is not None and key in facet.keys:
                bits.add(facet.keys[key], at)
        links[facet.name] = bits.bitmaps()
        link_ids[facet.name] = facet.keys

    accessions = Bits(size)
    joined = accession_joins().values_list("from_agreement_id", "to_agreement__parties__country_id")
    for agreement_id, country_id in _fetch(joined):
        if (at := position.get(agreement_id)) is not None:
            accessions.add(country_id, at)

    return ListingIndex(
        version=version,
        updated=Agreement.objects.published().aggregate(last=Max("updated_at"))["last"],
        ids=ids,
        positions=position,
        signed_keys=signed_keys,
        oldest_rank=oldest_rank,
        everything=span(0, size),
        listed=listed.bitmaps().get(True, 0),
        columns={name: bits.bitmaps() for name, bits in columns.items()},
        years=years.bitmaps(),
        links=links,
        link_ids=link_ids,
        countries=countries.bitmaps(),
        party_rows=party_rows.bitmaps(),
        accessions=accessions.bitmaps(),
        first_parties=first_parties.built(),
        text=build_postings(_published_ids_sql(), position) if text else None,
        text_pending=not text and connection.vendor == "postgresql",
    )
