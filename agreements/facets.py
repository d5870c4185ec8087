"""Counts beside the list's filter options (facets), for the current filters.

The count beside an option is how many agreements the list would show with that
option chosen instead of the facet's current choice, every other filter kept:
``kind=mou (12)`` means "?<the other filters>&kind=mou" lists 12 agreements. So a
facet's own filter is left out of its counts (its options are alternatives), and
the others apply.

In two queries whatever the number of options: one for the agreement's own
columns (kind, status, scope, decade: one GROUP BY of their combinations, summed
per option in Python: ``column_counts``), one for topics, blocs and every kind of
linked record (corridors, through agreements.extensions: ``link_counts``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import connection
from django.db.models import Count, Expression, F, IntegerField, QuerySet, Value
from django.db.models.functions import Cast, ExtractYear, Floor

from agreements.extensions import linked
from agreements.filters import SCOPES, AgreementFilterSet
from agreements.models import Agreement, AgreementQuerySet, Party
from agreements.reference_lists import ids_to_keys, reference_lists

Counts = dict[str, dict[str, int]]


@dataclass(frozen=True)
class ColumnKey:
    """A column facet as the grouped query reads it: ``expression``, each agreement's key
    (e.g. its decade's number), and ``of_option``, the key of a filter option's rows. They
    restate COLUMN_FACETS' conditions as keys; test_facets checks each count against the
    list filtered by the option."""

    expression: Any
    of_option: Callable[[str], Any]


class SignedDecade(Expression):
    """The decade an agreement was signed in, as its first year (1990 for 1990-1999; NULL when
    undated). PostgreSQL stores it in a generated column, which the facets' index holds
    (migration 0025); other databases compute it. The column is the query's own table's."""

    output_field = IntegerField()
    computed: Any = None  # the expression other databases compute, once resolved

    def resolve_expression(self, query: Any = None, *args: Any, **kwargs: Any) -> "SignedDecade":
        resolved = self.copy()
        computed = Cast(Floor(ExtractYear("signed_on") / Value(10)), IntegerField()) * Value(10)
        resolved.computed = computed.resolve_expression(query, *args, **kwargs)
        return resolved

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return compiler.compile(self.computed)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.{connection.ops.quote_name('signed_decade')}", []


COLUMN_KEYS = {
    "kind": ColumnKey(F("kind"), str),
    "status": ColumnKey(F("status"), str),
    "scope": ColumnKey(F("scope"), lambda option: SCOPES[option]),
    "decade": ColumnKey(SignedDecade(), int),
}


def column_counts(filterset: AgreementFilterSet, queryset: AgreementQuerySet) -> tuple[Counts, int]:
    """The column facets' counts from one GROUP BY of the rows every other filter keeps
    (a few hundred key combinations), summed here: a combination counts for a facet's
    option when it meets the other column facets' choices. One pass over the rows,
    where an aggregate per option (about 35) evaluated every condition on every row.

    Also the list's own count: the combinations that meet every choice are the rows the list
    shows (the decade's key restates its filter, COLUMN_FACETS), so it needs no query of its own."""
    data = filterset.form.cleaned_data
    base = filterset.filtered(queryset, without=tuple(COLUMN_KEYS))
    columns = {f"x_{name}": key.expression for name, key in COLUMN_KEYS.items()}
    combinations = base.order_by().values(**columns).annotate(n=Count("*")).values_list(*columns, "n")
    names = list(COLUMN_KEYS)
    chosen = [
        (names.index(name), name, {key.of_option(option) for option in data[name]})
        for name, key in COLUMN_KEYS.items()
        if data.get(name)
    ]
    option_of = [
        {key.of_option(value): value for value, _ in filterset.form.fields[name].choices}
        for name, key in COLUMN_KEYS.items()
    ]
    counts: Counts = {name: {} for name in COLUMN_KEYS}
    total = 0
    for *keys, n in combinations:
        unmet = [(i, name) for i, name, wanted in chosen if keys[i] not in wanted]
        if len(unmet) > 1:
            continue
        if not unmet:
            total += n
        # Counted for every facet when it meets every choice, else only for the one facet it does not meet.
        for i, name in unmet or enumerate(names):
            option = option_of[i].get(keys[i])
            if option is not None:
                counts[name][option] = counts[name].get(option, 0) + n
    return counts, total


@dataclass(frozen=True)
class LinkFacet:
    """A facet counted through rows that point at agreements (a topic's link, a party's bloc
    membership, a corridor's link): ``links`` those rows, ``key`` the column of the option's
    record id, ``keys`` {id: the option's value} (from the reference lists, so no join to the
    records' table). ``distinct=False`` where each (agreement, key) is one row already (a
    unique link): a hash aggregate, no sort."""

    name: str
    links: QuerySet
    key: str
    keys: dict[Any, str]
    distinct: bool = True


def link_facets(lists: Any) -> list[LinkFacet]:
    topics = Agreement.topics.through.objects.all()
    facets = [
        LinkFacet("topic", topics, "topic_id", ids_to_keys(lists.topics, "slug"), distinct=False),
        LinkFacet(
            "bloc",
            Party.objects.filter(country__bloc_memberships__isnull=False),
            "country__bloc_memberships__bloc_id",
            ids_to_keys(lists.blocs, "code"),
        ),
    ]
    for records in linked():
        keys = ids_to_keys(lists.records(records.parameter), "slug")
        facets.append(LinkFacet(records.parameter, records.links(), f"{records.link_field}_id", keys))
    return facets


def link_counts(filterset: AgreementFilterSet, queryset: AgreementQuerySet, facets: list[LinkFacet]) -> Counts:
    """Every link facet's counts in one query (one GROUP BY each, joined by UNION ALL), each
    counting the agreements every other filter keeps, selected by a subquery of its own. (One
    selection shared through a WITH was slower: PostgreSQL, knowing nothing of its rows, chose
    a nested loop over every agreement's topics, 170 ms for the bare list against 55 ms.)"""
    parts, params = [], []
    for facet in facets:
        grouped = (
            facet.links.filter(agreement_id__in=ids_without(filterset, queryset, facet.name))
            .order_by()
            .values_list(facet.key)
            .annotate(n=Count("agreement_id", distinct=facet.distinct))
        )
        sql, facet_params = grouped.query.sql_with_params()
        parts.append(f"SELECT %s, grouped.* FROM ({sql}) grouped")
        params += [facet.name, *facet_params]
    counts: Counts = {facet.name: {} for facet in facets}
    keys = {facet.name: facet.keys for facet in facets}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for name, pk, n in cursor.fetchall():
            if pk in keys[name]:
                counts[name][keys[name][pk]] = n
    return counts


def ids_without(filterset: AgreementFilterSet, queryset: AgreementQuerySet, name: str) -> QuerySet:
    return filterset.filtered(queryset, without=(name,)).order_by().values("pk")


def facet_counts(filterset: AgreementFilterSet, queryset: AgreementQuerySet | None = None) -> tuple[Counts, int]:
    """Every facet's counts for a valid filterset, by GET parameter and option value, and how
    many agreements the filterset lists (column_counts)."""
    queryset = Agreement.objects.published() if queryset is None else queryset
    counts, total = column_counts(filterset, queryset)
    counts.update(link_counts(filterset, queryset, link_facets(reference_lists())))
    return counts, total


def counted(label: Any, count: int) -> str:
    return f"{label} ({count:,})"


def label_with_counts(form: forms.Form, counts: Counts) -> None:
    """Put each option's count beside its label in the form (after the line of active filters is read).
    Every facet is a choice field by value (topics, blocs and linked records too: agreements.reference_lists)."""
    for name, by_value in counts.items():
        field = form.fields.get(name)
        if isinstance(field, forms.ChoiceField):
            choices: list[tuple[str, str]] = list(field.choices)  # type: ignore[arg-type]
            # The empty choice of a single-choice facet ("Any bloc") is no option to count.
            field.choices = [
                (value, counted(label, by_value.get(value, 0)) if value != "" else label) for value, label in choices
            ]
