"""Free-text search over agreements, behind one QuerySet method.

Each agreement keeps a ``search_text``: its title, summary and place, its
parties' names and codes, the institutions acting for them, its signatories,
topics, the records other apps link to it (corridors: agreements.extensions) and identifiers. On PostgreSQL it is searched with full-text
search (its English tsvector, stored and GIN-indexed) and ranked by relevance; on
SQLite every word of the query must appear in it.

The text is derived data: whatever writes an agreement's parties, signatories
or linked records (admin, importers, loaders) calls ``reindex`` afterwards.

What a reader types is parsed here, once, for both databases (``parse_query``):
words, ``"quoted phrases"``, ``-excluded`` words or phrases and ``or`` between
two terms, as web search engines read them; everything else (operators, runs of
hyphens, punctuation) is dropped, and at most MAX_QUERY_WORDS words are kept.
PostgreSQL gets only that rebuilt, well-formed text (``websearch_to_tsquery``),
so no input can reach its parser's limits ("tsquery stack too small");
SQLite gets the same terms as substring tests.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection, models
from django.db.models import Expression, Prefetch, Q

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
# A word: letters and digits, with single hyphens, apostrophes or dots inside (e-commerce, d'Ivoire).
WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")


@dataclass(frozen=True)
class Term:
    """A word, or a phrase of several, that must (or, ``excluded``, must not) appear."""

    words: tuple[str, ...]
    excluded: bool = False

    def websearch(self) -> str:
        text = self.words[0] if len(self.words) == 1 else '"' + " ".join(self.words) + '"'
        return f"-{text}" if self.excluded else text


def parse_query(text: str) -> list[list[Term]]:
    """The reader's query as groups that must all match, each group any one of its terms:
    ``ports -rail "free trade" or customs`` is [[ports], [-rail], ["free trade", customs]]."""
    groups: list[list[Term]] = []
    words_left, pending_or = MAX_QUERY_WORDS, False
    for match in TOKEN.finditer(text[:MAX_QUERY_CHARACTERS]):
        minus, phrase, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            pending_or = bool(groups)
            continue
        excluded = bool(minus) if bare is None else bare.startswith("-")
        words = [word[:MAX_WORD_CHARACTERS] for word in WORD.findall(phrase if bare is None else bare)]
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
    """The text an agreement is found by. Expects ``with_search_relations()``."""
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
    return "\n".join(part for part in parts if part)


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
    """Recompute ``search_text`` for these agreements; returns how many changed."""
    from agreements.models import Agreement

    ids = list(agreement_ids)
    changed = 0
    for start in range(0, len(ids), chunk_size):
        chunk = with_search_relations(Agreement.objects.filter(pk__in=ids[start : start + chunk_size]))
        stale = []
        for agreement in chunk:
            text = search_document(agreement)
            if text != agreement.search_text:
                agreement.search_text = text
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
    """Store these agreements' ``search_text``: on PostgreSQL one UPDATE from two arrays
    (``bulk_update`` builds a CASE of every id, slow to compile and to plan for thousands)."""
    from agreements.models import Agreement

    if not agreements:
        return
    if connection.vendor != "postgresql":
        Agreement.objects.bulk_update(agreements, ["search_text"])
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Agreement._meta.db_table} AS a SET search_text = v.text "
            "FROM unnest(%s::bigint[], %s::text[]) AS v(id, text) WHERE a.id = v.id",
            [[a.pk for a in agreements], [a.search_text for a in agreements]],
        )


# Whatever queryset it is given (an AgreementQuerySet keeps its methods).
_QuerySet = TypeVar("_QuerySet", bound=models.QuerySet[Any])


def search(queryset: _QuerySet, text: str) -> _QuerySet:
    """Agreements matching ``text`` (see ``parse_query``), annotated with ``rank`` (0 on SQLite).
    Text with no word in it (operators alone, punctuation) filters nothing."""
    groups = parse_query(text)
    if not groups:
        return queryset.annotate(rank=models.Value(0.0))
    if connection.vendor == "postgresql":
        query = SearchQuery(websearch_text(groups), search_type="websearch", config="english")
        return (
            queryset.alias(document=SEARCH_VECTOR)
            .filter(document=query)
            .annotate(rank=SearchRank(SEARCH_VECTOR, query))
        )
    matches = Q()
    for group in groups:
        either = Q()
        for term in group:
            every_word = Q()
            for word in term.words:
                every_word &= Q(search_text__icontains=word)
            either |= ~every_word if term.excluded else every_word
        matches &= either
    return queryset.filter(matches).annotate(rank=models.Value(0.0))
