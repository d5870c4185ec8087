"""Free-text search over agreements, behind one QuerySet method.

Each agreement keeps a ``search_text``: its title, summary and place, its
parties' names and codes, the institutions acting for them, its signatories,
topics, the records other apps link to it (corridors: agreements.extensions) and identifiers. On PostgreSQL it is searched with full-text
search (its English tsvector, stored and GIN-indexed) and ranked by ts_rank; on
SQLite every word of the query must appear in it as a whole word, and the rank is
how often the query's words do.

The text is stored in one searchable form (``searchable``), and every query word
is brought to the same form, in Python, for both databases: accents dropped and
case folded ("Lomé" = "Lome" = "LOMÉ"), anything but letters and digits a single
space, padded with a space at each end. So a whole word is `` eac `` on SQLite
(never inside "CEEAC"), and PostgreSQL's parser sees plain words.

The text is derived data: whatever writes an agreement's parties, signatories
or linked records (admin, importers, loaders) calls ``reindex`` afterwards.

What a reader types is parsed here, once, for both databases (``parse_query``):
words, ``"quoted phrases"``, ``-excluded`` words or phrases and ``or`` between
two terms, as web search engines read them; everything else (operators, runs of
hyphens, punctuation) is dropped, and at most MAX_QUERY_WORDS words are kept.
PostgreSQL gets only that rebuilt, well-formed text (``websearch_to_tsquery``),
so no input can reach its parser's limits ("tsquery stack too small");
SQLite gets the same terms as whole-word tests (``Term.needles``).
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection, models
from django.db.models import Expression, F, FloatField, Prefetch, Q, Value
from django.db.models.functions import Cast, Length, Replace

from agreements.extensions import linked


class StoredSearchVector(Expression):
    """The agreement's tsvector, stored by PostgreSQL in a generated column with
    a GIN index (migration 0009): matching, ranking and counting read it
    instead of computing to_tsvector for every row. The column is the query's
    own table's, whatever alias that table has (e.g. inside a subquery)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.{connection.ops.quote_name('search_vector')}", []


SEARCH_VECTOR = StoredSearchVector()
MAX_QUERY_WORDS = 20
MAX_QUERY_CHARACTERS = 500
MAX_WORD_CHARACTERS = 60
# A term: an optional "-", then a quoted phrase (its closing quote optional) or a bare token.
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# Whatever is not a letter or a digit separates words (e-commerce is "e commerce", d'Ivoire "d ivoire").
NOT_A_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Accents dropped and case folded: "Lomé", "LOMÉ" and "Lome" are all "lome".
    Twice, because case folding can give back a letter with an accent (and the
    compatibility decomposition an upper-case one: "ℌ" is "H")."""
    for _ in range(2):
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")).casefold()
    return text


def searchable(text: str) -> str:
    """``text`` as it is stored and searched: folded, its words separated by single
    spaces, with one more at each end (``" cote d ivoire "``), or "" when it has no word."""
    words = NOT_A_WORD.sub(" ", fold(text)).split()
    return f" {' '.join(words)} " if words else ""


@dataclass(frozen=True)
class Term:
    """A word, or a phrase of several, that must (or, ``excluded``, must not) appear."""

    words: tuple[str, ...]
    excluded: bool = False

    def websearch(self) -> str:
        text = self.words[0] if len(self.words) == 1 else '"' + " ".join(self.words) + '"'
        return f"-{text}" if self.excluded else text

    def needles(self) -> list[str]:
        """What SQLite looks for in the stored text: the words as a whole, and with the
        last one's plural or singular in -s (the nearest an index-free test gets to
        PostgreSQL's English stemming: "port" finds "Ports Authority")."""
        *first, last = self.words
        lasts = [last, last + "s"] + ([last[:-1]] if last.endswith("s") and len(last) > 3 else [])
        return [" " + " ".join([*first, form]) + " " for form in lasts]


def parse_query(text: str) -> list[list[Term]]:
    """The reader's query as groups that must all match, each group any one of its terms:
    ``ports -rail "free trade" or customs`` is [[ports], [-rail], ["free trade", customs]].
    Words are in their ``searchable`` form; a token of several (``e-commerce``) is a phrase."""
    groups: list[list[Term]] = []
    words_left, pending_or = MAX_QUERY_WORDS, False
    for match in TOKEN.finditer(text[:MAX_QUERY_CHARACTERS]):
        minus, phrase, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            pending_or = bool(groups)
            continue
        excluded = bool(minus) if bare is None else bare.startswith("-")
        words = [word[:MAX_WORD_CHARACTERS] for word in searchable(phrase if bare is None else bare).split()]
        words = words[:words_left]
        if not words:
            continue
        words_left -= len(words)
        term = Term(tuple(words), excluded)
        if pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
        if not words_left:
            break
    return groups


def websearch_text(groups: list[list[Term]]) -> str:
    """The groups as websearch_to_tsquery reads them."""
    return " ".join(" or ".join(term.websearch() for term in group) for group in groups)


def search_document(agreement: Any) -> str:  # an Agreement, or generated rows of its shape
    """The text an agreement is found by, in its ``searchable`` form. Expects ``with_search_relations()``."""
    return document_text(
        agreement,
        [(party.country, party.institution) for party in agreement.parties.all()],
        [(s.name, s.position, s.organisation) for s in agreement.signatories.all()],
        [topic.name for topic in agreement.topics.all()],
        # other apps' records linked to it (agreements.extensions)
        [records.search_text(record) for records in linked() for record in getattr(agreement, records.column).all()],
        [identifier.value for identifier in agreement.identifiers.all()],
    )


def document_text(
    agreement: Any,
    parties: Iterable[tuple[Any, Any]],
    signatories: Iterable[tuple[str, str, Any]],
    topics: Iterable[str],
    linked_texts: Iterable[str],
    identifiers: Iterable[str],
) -> str:
    """The search text from an agreement's fields and its relations' values, in the
    relations' own order (parties by id, signatories by order, topics and linked
    records by name): also what an import computes for the agreements it creates."""
    parts = [agreement.title, agreement.summary, agreement.place]
    for country, institution in parties:
        if country:
            parts += [country.name, country.official_name, country.iso3]
        if institution:
            parts += [institution.name, institution.acronym]
    for name, position, organisation in signatories:
        parts += [name, position]
        if organisation:
            parts += [organisation.name, organisation.acronym]
    parts += topics
    parts += linked_texts
    parts += identifiers
    return searchable(" ".join(part for part in parts if part))


def with_search_relations(queryset: models.QuerySet) -> models.QuerySet:
    from agreements.models import Party, Signatory

    return queryset.prefetch_related(
        Prefetch("parties", queryset=Party.objects.select_related("country", "institution")),
        Prefetch("signatories", queryset=Signatory.objects.select_related("organisation")),
        "topics",
        *(records.column for records in linked()),
        "identifiers",
    )


def reindex(agreement_ids: Iterable[int], chunk_size: int = 1000) -> int:
    """Recompute ``search_text`` and ``number_of_parties`` (derived from the same relations,
    written by the same writers) for these agreements; returns how many changed."""
    from agreements.models import Agreement

    ids = list(agreement_ids)
    changed = 0
    for start in range(0, len(ids), chunk_size):
        chunk = with_search_relations(Agreement.objects.filter(pk__in=ids[start : start + chunk_size]))
        stale = []
        for agreement in chunk:
            text, number_of_parties = search_document(agreement), len(agreement.parties.all())
            if (text, number_of_parties) != (agreement.search_text, agreement.number_of_parties):
                agreement.search_text, agreement.number_of_parties = text, number_of_parties
                stale.append(agreement)
        write_search_text(stale)
        changed += len(stale)
    if changed:
        # Bulk writers (imports, DESTA, loaders) end with a reindex, which skips
        # signals: tell the page cache here, once for all of them.
        from tradepacts.pagecache import bump_data_version

        bump_data_version()
    return changed


def write_search_text(agreements: list[Any]) -> None:
    """Store these agreements' ``search_text`` and ``number_of_parties``: on PostgreSQL one UPDATE
    from arrays (``bulk_update`` builds a CASE of every id, slow to compile and to plan for thousands)."""
    from agreements.models import Agreement

    if not agreements:
        return
    if connection.vendor != "postgresql":
        Agreement.objects.bulk_update(agreements, ["search_text", "number_of_parties"])
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Agreement._meta.db_table} AS a SET search_text = v.text, number_of_parties = v.parties "
            "FROM unnest(%s::bigint[], %s::text[], %s::int[]) AS v(id, text, parties) WHERE a.id = v.id",
            [
                [a.pk for a in agreements],
                [a.search_text for a in agreements],
                [a.number_of_parties for a in agreements],
            ],
        )


# Whatever queryset it is given (an AgreementQuerySet keeps its methods).
_QuerySet = TypeVar("_QuerySet", bound=models.QuerySet[Any])


NO_RANK = Value(0.0)


def search(queryset: _QuerySet, text: str) -> _QuerySet:
    """Agreements matching ``text`` (see ``parse_query``), annotated with ``rank``: higher is
    more relevant, and the constant ``NO_RANK`` when nothing ranks them (no word, or only
    excluded ones). Text with no word in it (operators alone, punctuation) filters nothing."""
    groups = parse_query(text)
    if not groups:
        return queryset.annotate(rank=NO_RANK)
    wanted = [term for group in groups for term in group if not term.excluded]
    if connection.vendor == "postgresql":
        query = SearchQuery(websearch_text(groups), search_type="websearch", config="english")
        return (
            queryset.alias(document=SEARCH_VECTOR)
            .filter(document=query)
            .annotate(rank=SearchRank(SEARCH_VECTOR, query) if wanted else NO_RANK)
        )
    matches = Q()
    for group in groups:
        either = Q()
        for term in group:
            found = Q()
            for needle in term.needles():
                found |= Q(search_text__contains=needle)  # stored folded: no case to ignore
            either |= ~found if term.excluded else found
        matches &= either
    return queryset.filter(matches).annotate(rank=occurrences(wanted) if wanted else NO_RANK)


def occurrences(terms: list[Term]) -> Cast:
    """SQLite's rank: how many times the terms occur in the stored text, as ts_rank
    mostly counts them (the text's length less its length without them, over theirs)."""
    counts = [
        (Length("search_text") - Length(Replace(F("search_text"), Value(needle), Value("")))) / len(needle)
        for term in terms
        for needle in term.needles()
    ]
    total = counts[0]
    for count in counts[1:]:
        total = total + count
    return Cast(total, FloatField())
