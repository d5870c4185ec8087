"""The text search's matches from postings held in memory, beside the listing index's bitmaps.

A search through PostgreSQL's GIN index visits every match's row to check that it is visible:
11 ms of the database for the 11,445 agreements "ports" finds on the 100,000-agreement bench,
and as long again to read their ids into a bitmap, for every list page searched. Here each
lexeme of the stored ``search_vector`` (agreements.search) has the positions of the published
agreements that hold it (agreements.listing_index: their places in the newest-first order),
read from the database when the index is built. A search asks PostgreSQL only to parse the
reader's query (``websearch_to_tsquery``, the same call ``search`` makes, without reading a
table) and evaluates the parsed query's AND, OR and NOT over the lexemes' bitmaps.

Each lexeme also keeps the agreements that hold it more than once, by how many times: with one
word, that is all ``ts_rank`` ranks by (``by_rank``), so ``sort=relevance`` of one word is ranked
here, equal ranks newest first as in the database (agreements.filters.SORTS). Phrases (``"free
trade"``: ``<->``) need the words' places in the text, which are not held: such a query returns
None, and the list asks the database, as it does to rank several words. (The default order of a
search is newest first.) SQLite keeps its own search (agreements.search): nothing is built there.
"""

import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

# A lexeme as tsquery's text writes it: quoted, its quotes doubled (and backslashes escaped).
LEXEME = r"'((?:[^'\\]|''|\\.)*)'"
TOKEN = re.compile(rf"\s*(?:{LEXEME}|(\()|(\))|(&)|(\|)|(!)|(<\d*-?>|:))")


class Unsupported(Exception):
    """A query these postings cannot answer alone (a phrase, a weight, a prefix)."""


def _parse(text: str) -> list[tuple[str, str]]:
    tokens, at = [], 0
    while at < len(text.rstrip()):
        match = TOKEN.match(text, at)
        if match is None:
            raise Unsupported(text[at:])
        lexeme, opening, closing, both, either, negated, other = match.groups()
        if other is not None:
            raise Unsupported(other)
        if lexeme is not None:
            tokens.append(("word", re.sub(r"''|\\(.)", lambda m: m.group(1) or "'", lexeme)))
        else:
            tokens.append(("op", opening or closing or both or either or negated))
        at = match.end()
    return tokens


class _Evaluation:
    """tsquery's grammar over bitmaps, by its operators' precedence (! before & before |):
    either := both ('|' both)*; both := single ('&' single)*; single := '!' single | word | '(' either ')'."""

    def __init__(self, tokens: list[tuple[str, str]], postings: "TextPostings") -> None:
        self.tokens, self.at, self.postings = tokens, 0, postings

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise Unsupported("the query ends early")
        self.at += 1
        return token

    def either(self) -> int:
        result = self.both()
        while self.peek() == ("op", "|"):
            self.take()
            result |= self.both()
        return result

    def both(self) -> int:
        result = self.single()
        while self.peek() == ("op", "&"):
            self.take()
            result &= self.single()
        return result

    def single(self) -> int:
        kind, value = self.take()
        if kind == "word":
            return self.postings.bitmap(value)
        if value == "!":
            return self.postings.everything & ~self.single()
        if value == "(":
            result = self.either()
            if self.take() != ("op", ")"):
                raise Unsupported("unbalanced parentheses")
            return result
        raise Unsupported(value)


def tsquery_text(websearch: str) -> str:
    """The reader's query as PostgreSQL parses it for ``search`` (agreements.search), as text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT websearch_to_tsquery('english'::regconfig, %s)::text", [websearch])
        return cursor.fetchone()[0]


Packed = int | array  # positions as a bitmap, or sorted in an array when that is smaller


def positions_bitmap(positions: Iterable[int], size: int) -> int:
    """Positions below ``size`` as a bitmap, set a byte at a time (an int's bits cannot be set in place)."""
    octets = bytearray((size + 7) // 8)
    for i in positions:
        octets[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(octets, "little")


def pack(positions: list[int], size: int) -> Packed:
    """Sorted positions as a bitmap when more than one agreement in 32 has them, else as an array."""
    if len(positions) * 32 <= size:
        return array("I", positions)
    return positions_bitmap(positions, size)


def unpack(packed: Packed) -> int:
    if isinstance(packed, int):
        return packed
    return positions_bitmap(packed, packed[-1] + 1) if packed else 0  # sorted: the last is the highest


@dataclass(frozen=True)
class TextPostings:
    """Each lexeme's agreements by position, and those that hold it more than once by how often."""

    everything: int
    postings: dict[str, Packed]
    repeats: dict[str, dict[int, Packed]]  # {lexeme: {times in the text (2 or more): positions}}

    def bitmap(self, lexeme: str) -> int:
        return unpack(self.postings.get(lexeme, 0))

    def matching(self, tsquery: str) -> int:
        """The positions of the agreements that match a tsquery's text; an empty query (stop
        words only) matches none, as in PostgreSQL. Raises Unsupported for phrases and the like."""
        tokens = _parse(tsquery)
        if not tokens:
            return 0
        evaluation = _Evaluation(tokens, self)
        result = evaluation.either()
        if evaluation.peek() is not None:
            raise Unsupported("trailing tokens")
        return result

    def by_rank(self, tsquery: str) -> list[int] | None:
        """For a query of one lexeme, its agreements as bitmaps in ``ts_rank``'s order, highest
        first; None for any other query (the database ranks those). With one lexeme and no
        weights, ts_rank is a sum over the lexeme's places in the text, 0.1/1 + 0.1/4 + 0.1/9...,
        over pi^2/6: it grows with how many times the text holds the word, and only with that."""
        tokens = _parse(tsquery)
        if len(tokens) != 1 or tokens[0][0] != "word":
            return None
        lexeme = tokens[0][1]
        repeated = self.repeats.get(lexeme, {})
        ranked = [unpack(repeated[times]) for times in sorted(repeated, reverse=True)]
        once = self.bitmap(lexeme)
        for bitmap in ranked:
            once &= ~bitmap
        return [*ranked, once]


def _positions(position: dict[int, int], ids: list[int]) -> list[int]:
    """The positions of these ids, sorted; an id the index does not hold (published since) left out.
    Mapped in C (3.7 million ids on the bench: a generator's test per id took twice as long)."""
    found = list(map(position.get, ids))
    kept: list[int] = [i for i in found if i is not None] if None in found else found  # type: ignore[assignment]
    kept.sort()
    return kept


def build_postings(published_ids_sql: tuple[str, tuple], position: dict[int, int]) -> TextPostings | None:
    """Every lexeme's postings for the agreements at ``position`` (the index's), read in one
    grouped query (about 1 s at 100,000 agreements and 3.7 million postings); None off PostgreSQL.
    ``published_ids_sql``: the SQL and parameters of the published agreements' ids."""
    if connection.vendor != "postgresql":
        return None
    size = len(position)
    sql, params = published_ids_sql
    postings: dict[str, Packed] = {}
    repeats: dict[str, dict[int, Packed]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.lexeme, array_agg(a.id), array_agg(a.id) FILTER (WHERE cardinality(u.positions) > 1), "
            "array_agg(cardinality(u.positions)) FILTER (WHERE cardinality(u.positions) > 1) "
            f"FROM agreements_agreement a, unnest(a.search_vector) u WHERE a.id IN ({sql}) GROUP BY u.lexeme",
            params,
        )
        for lexeme, ids, repeated_ids, times in cursor:  # one at a time: a common lexeme's ids are 95,000 ints
            postings[lexeme] = pack(_positions(position, ids), size)
            by_times: dict[int, list[int]] = {}
            for i, n in zip(map(position.get, repeated_ids or ()), times or (), strict=True):
                if i is not None:
                    by_times.setdefault(n, []).append(i)
            if by_times:
                repeats[lexeme] = {n: pack(sorted(at), size) for n, at in by_times.items()}
    return TextPostings(((1 << size) - 1), postings, repeats)
