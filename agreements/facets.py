"""Counts beside the list's filter options (facets), for the current filters.

The count beside an option is how many agreements the list would show with that
option chosen instead of the facet's current choice, every other filter kept:
``kind=mou (12)`` means "?<the other filters>&kind=mou" lists 12 agreements. So a
facet's own filter is left out of its counts (its options are alternatives), and
the others apply.

In a few queries whatever the number of options: one for the agreement's own
columns (kind, status, scope, decade: one aggregate, each count with its option
and the other column facets' filters as its condition), one each for topics,
blocs and every kind of linked record (corridors, through agreements.extensions).
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import Count, Q, QuerySet

from agreements.extensions import linked
from agreements.filters import COLUMN_FACETS, AgreementFilterSet, any_of
from agreements.models import Agreement, AgreementQuerySet, Party

Counts = dict[str, dict[str, int]]


def column_counts(filterset: AgreementFilterSet, queryset: AgreementQuerySet) -> Counts:
    data = filterset.form.cleaned_data
    base = filterset.filtered(queryset, without=tuple(COLUMN_FACETS))
    active = {name: any_of(data[name], option) for name, option in COLUMN_FACETS.items() if data.get(name)}
    aggregates = {}
    for name, option in COLUMN_FACETS.items():
        others = Q(*(condition for other, condition in active.items() if other != name))
        for value, _ in filterset.form.fields[name].choices:
            aggregates[f"{name}__{value}"] = Count("pk", filter=option(value) & others)
    totals = base.order_by().aggregate(**aggregates)
    counts: Counts = {name: {} for name in COLUMN_FACETS}
    for key, total in totals.items():
        name, value = key.split("__", 1)
        counts[name][value] = total
    return counts


def grouped(links: QuerySet, key: str) -> dict[str, int]:
    """Agreements per ``key`` among ``links`` (rows pointing at agreements)."""
    rows = links.order_by().values(key).annotate(n=Count("agreement_id", distinct=True))
    return {row[key]: row["n"] for row in rows}


def ids_without(filterset: AgreementFilterSet, queryset: AgreementQuerySet, name: str) -> QuerySet:
    return filterset.filtered(queryset, without=(name,)).order_by().values("pk")


def facet_counts(filterset: AgreementFilterSet, queryset: AgreementQuerySet | None = None) -> Counts:
    """Every facet's counts for a valid filterset, by GET parameter and option value."""
    queryset = Agreement.objects.published() if queryset is None else queryset
    counts = column_counts(filterset, queryset)
    topics = Agreement.topics.through.objects.filter(agreement_id__in=ids_without(filterset, queryset, "topic"))
    counts["topic"] = grouped(topics, "topic__slug")
    parties = Party.objects.filter(
        agreement_id__in=ids_without(filterset, queryset, "bloc"), country__bloc_memberships__isnull=False
    )
    counts["bloc"] = grouped(parties, "country__bloc_memberships__bloc__code")
    for records in linked():
        links = records.links().filter(agreement_id__in=ids_without(filterset, queryset, records.parameter))
        counts[records.parameter] = grouped(links, f"{records.link_field}__slug")
    return counts


def counted(label: Any, count: int) -> str:
    return f"{label} ({count:,})"


def label_with_counts(form: forms.Form, counts: Counts) -> None:
    """Put each option's count beside its label in the form (after the line of active filters is read)."""
    for name, by_value in counts.items():
        field = form.fields.get(name)
        if field is None:
            continue
        if isinstance(field, forms.ModelChoiceField):  # topics, blocs, linked records: by slug or code
            labelled = with_count(field.label_from_instance, by_value, field.to_field_name or "pk")
            field.label_from_instance = labelled  # type: ignore[method-assign,assignment]
        elif isinstance(field, forms.ChoiceField):
            choices: list[tuple[str, str]] = list(field.choices)  # type: ignore[arg-type]
            field.choices = [(value, counted(label, by_value.get(value, 0))) for value, label in choices]


def with_count(plain: Callable[[Any], str], by_value: dict[str, int], key: str) -> Callable[[Any], str]:
    """A model choice's label, followed by its count."""

    def label(obj: Any) -> str:
        return counted(plain(obj), by_value.get(getattr(obj, key), 0))

    return label
