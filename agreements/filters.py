"""The agreement list's filters: one FilterSet for the page and the CSV export.

Every parameter is a plain GET parameter of the interface contract (DESIGN.md),
so a URL is a shareable, reproducible query: ``?party=RWA&party=KEN&kind=mou``.
"""

import datetime as dt
import operator
from collections.abc import Callable, Iterable
from functools import cached_property, reduce
from typing import Any, ClassVar
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value

from agreements.country_picker import CountryPickerWidget
from agreements.default_lists import listed_for
from agreements.extensions import LinkedRecords, linked
from agreements.filter_fields import (
    MAX_PARTIES,
    ChoiceFilter,
    CountryCodesFilter,
    DateBoundFilter,
    MultipleChoiceFilter,
    ReferenceFilter,
    ReferenceMultipleFilter,
)
from agreements.models import Agreement, AgreementQuerySet, Bloc, BlocMembership, Country, Party
from agreements.models.ordering import newest_first
from agreements.reference_lists import ReferenceChoiceField, ReferenceLists, reference_lists
from tradepacts.filter_form import WrittenMedia
from tradepacts.form_renderer import PYTHON_FORM_RENDERER
from tradepacts.light_copies import LightlyCopiedFields, LightlyCopiedFilters

# ?match= : how the chosen parties select agreements (Agreement.objects.with_parties).
MATCH_MODES = [
    ("all", "All of these"),
    ("any", "Any of these"),
    ("exactly", "Exactly these (between just them)"),
]
# ?scope= : readable values for the model's scopes.
SCOPES = {
    "bilateral": Agreement.Scope.BILATERAL,
    "plurilateral": Agreement.Scope.PLURILATERAL,
    "regional": Agreement.Scope.REGIONAL,
    "region-to-region": Agreement.Scope.BLOC,
    "institutional": Agreement.Scope.INSTITUTIONAL,
}
# The list's ?scope= value of each of the model's scopes (the listing index's and a country's page's counts).
SCOPE_PARAMETERS: dict[str, str] = {str(model_value): value for value, model_value in SCOPES.items()}
# ?decade=1990 : signed in 1990-1999 (repeatable: any of them).
DECADES = [(str(year), f"{year}s") for year in range(2020, 1930, -10)]


def decade_q(decade: str) -> Q:
    start = int(decade)
    return Q(signed_on__gte=dt.date(start, 1, 1), signed_on__lte=dt.date(start + 9, 12, 31))


def any_of(values: Iterable[Any], option_q: Callable[[Any], Q]) -> Q:
    """One condition for several chosen options of a facet: any of them."""
    return reduce(operator.or_, (option_q(value) for value in values))


# The facets that are the agreement's own columns, each option as one condition:
# the filters and the facet counts (agreements.facets) read the same definitions.
COLUMN_FACETS = {
    "kind": lambda value: Q(kind=value),
    "status": lambda value: Q(status=value),
    "scope": lambda value: Q(scope=SCOPES[value]),
    "decade": decade_q,
}

SCOPE_CHOICES = [
    ("bilateral", "Bilateral (two countries)"),
    ("plurilateral", "Plurilateral (several countries, across regions)"),
    ("regional", "Regional (several countries of one region)"),
    ("region-to-region", "Region-to-region (a bloc with countries or blocs)"),
    ("institutional", "Between institutions"),
]


class MatchModeWidget(forms.RadioSelect):
    """Radio buttons showing the default mode (all) chosen when the URL names none."""

    def format_value(self, value: Any) -> list[str]:  # type: ignore[override]  # a multiple choice: a list
        return [v for v in super().format_value(value) if v] or [MATCH_MODES[0][0]]


class AgreementFilterForm(forms.Form):
    """Checks that span fields, and how many filters are set."""

    # Parameters that order the list or say how another filter combines: none narrows it alone.
    NOT_FILTERS = ("sort", "match")
    # Its fields, labels, errors and options written in Python, not through a template
    # each: the same HTML (tradepacts.form_renderer), a fifth of the list page's time.
    default_renderer = PYTHON_FORM_RENDERER
    # What the list applies when they are absent (the FilterSet's null_value): the form's script leaves
    # them out of the URL it submits, with the empty fields (static/js/filter-form.js).
    DEFAULTS = {"match": MATCH_MODES[0][0], "sort": "newest"}

    @property
    def media(self) -> forms.Media:
        """The widgets' scripts and styles, combined and written once per form class: every form of it
        has the same widgets (AgreementFilterSet.get_form_class), where Django combines them and
        resolves their static URLs for every form (0.2 ms a page)."""
        form_class = type(self)
        media = form_class.__dict__.get("written_media")
        if media is None:
            media = WrittenMedia(super().media)
            setattr(form_class, "written_media", media)  # noqa: B010  # on the form class, not this form
        return media

    @property
    def defaults_query(self) -> str:
        return urlencode(self.DEFAULTS)

    @property
    def active_count(self) -> int:
        """How many filters the request sets, valid or not: the folded form says "(2 active)"."""
        getlist = getattr(self.data, "getlist", None)

        def values(name: str) -> list[Any]:
            return getlist(name) if getlist else [self.data.get(name)]

        return sum(
            1
            for name in self.fields
            if name not in self.NOT_FILTERS and any(str(value or "").strip() for value in values(name))
        )

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("signed_from"), data.get("signed_to")
        if start and end and start > end:
            self.add_error("signed_to", "Must not be before “Signed from”.")
        return data


class AgreementFilterSet(django_filters.FilterSet):
    """Filters and sort order of /agreements/ and /agreements/export.csv."""

    # The list's column headers sort by these too (agreements.views.sorting); each direction
    # has an index on PostgreSQL (migrations 0007, 0014, 0020). Unknown dates last either way.
    SORTS: dict[str, list[Any]] = {
        "newest": newest_first(),
        "oldest": [F("signed_on").asc(nulls_last=True), F("id").asc()],
        "title": [F("title").asc(), F("id").asc()],
        "-title": [F("title").desc(), F("id").desc()],
        "in_force": [F("in_force_on").asc(nulls_last=True), F("id").asc()],
        "-in_force": [F("in_force_on").desc(nulls_last=True), F("id").desc()],
        "parties": [F("number_of_parties").asc(), F("id").asc()],
        "-parties": [F("number_of_parties").desc(), F("id").desc()],
        # Equal ranks newest first, as the list's default order (the listing index ranks one-word
        # searches itself, agreements.text_index, and must order them as the database does).
        "relevance": [F("rank").desc(), *newest_first()],
    }
    # What the list was sorted by (filter_queryset): "relevance" asked for with nothing to rank is "newest".
    sort_applied = "newest"
    # What the list shows of accession instruments for the chosen parties (filtered): read once.
    shown: Q | None = None

    q = django_filters.CharFilter(
        label="Search", method="filter_text", help_text="Titles, summaries, parties, institutions, signatories, places."
    )
    party = CountryCodesFilter(
        label="Parties",
        method="filter_parties",
        help_text="Choose one or several countries; how they combine is set just below.",
        widget=CountryPickerWidget(attrs={"data-max": MAX_PARTIES}),
    )
    match = ChoiceFilter(
        label="Parties match",
        choices=MATCH_MODES,
        empty_label=None,
        null_value="all",
        method="filter_match",
        widget=MatchModeWidget,
        help_text="“Exactly these” with two countries: the agreements between just those two.",
    )
    # Filters on the agreement's own columns or through EXISTS: no join, so no
    # DISTINCT over whole rows at 100,000 agreements.
    kind = MultipleChoiceFilter(
        choices=Agreement.Kind.choices, widget=forms.CheckboxSelectMultiple, method="filter_column"
    )
    status = MultipleChoiceFilter(
        choices=Agreement.Status.choices, widget=forms.CheckboxSelectMultiple, method="filter_column"
    )
    scope = MultipleChoiceFilter(
        label="Scope",
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        method="filter_column",
        help_text="Any of the chosen scopes.",
    )
    topic = ReferenceMultipleFilter(
        label="Topics",
        parameter="topic",
        key="slug",
        widget=forms.CheckboxSelectMultiple,
        method="filter_topics",
        help_text="Any of the chosen topics.",
    )
    bloc = ReferenceFilter(
        label="Bloc",
        parameter="bloc",
        key="code",
        method="filter_bloc",
        empty_label="Any bloc",
        help_text="At least one party is a member of the bloc.",
    )
    signed_from = DateBoundFilter(end=False, label="Signed from", method="filter_signed_from")
    signed_to = DateBoundFilter(end=True, label="Signed to", method="filter_signed_to")
    decade = MultipleChoiceFilter(
        label="Decade signed",
        choices=DECADES,
        widget=forms.CheckboxSelectMultiple,
        method="filter_column",
        help_text="Any of the chosen decades.",
    )
    accessions = ChoiceFilter(
        label="Accessions and consolidated versions",
        choices=[("true", "Include them")],
        empty_label="Leave them out",
        method="filter_accessions",
        help_text="Left out by default, but for a chosen party's own: an accession shows as its acceding "
        "party's joining date on the base agreement.",
    )
    sort = ChoiceFilter(
        label="Sort by",
        choices=[
            ("newest", "Newest first"),
            ("oldest", "Oldest first"),
            ("title", "Title, alphabetical"),
            ("-title", "Title, reverse alphabetical"),
            ("-in_force", "Latest in force first"),
            ("in_force", "Earliest in force first"),
            ("-parties", "Most parties first"),
            ("parties", "Fewest parties first"),
            ("relevance", "Relevance"),
        ],
        method="filter_sort",
        empty_label=None,
        null_value="newest",
    )

    class Meta:
        model = Agreement
        form = AgreementFilterForm
        fields = [
            "q",
            "party",
            "match",
            "kind",
            "status",
            "scope",
            "topic",
            "bloc",
            "signed_from",
            "signed_to",
            "decade",
            "accessions",
            "sort",
        ]

    filters: dict[str, django_filters.Filter]
    # The form class, by the linked records' filters it has: built once per process (django-filters
    # builds one per FilterSet), its fields copied for each form without their choices.
    form_classes: ClassVar[dict[tuple, type[forms.Form]]] = {}

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self.filters = self.with_linked_filters(self.filters)
        # Every field reads the same version of the reference lists, once (each read asks the
        # cache for the data version); the country picker's options only when it is rendered.
        fields = self.form.fields
        fields["party"].widget.choices = lambda: self.lists.country_choices
        fields["party"].countries = lambda: self.lists.countries
        for field in fields.values():
            if isinstance(field, ReferenceChoiceField):
                field.read_from(self.records)

    @cached_property
    def lists(self) -> ReferenceLists:
        return reference_lists()

    def records(self, name: str) -> list[Any]:
        return self.lists.records(name)

    def get_form_class(self) -> type[forms.Form]:
        key = tuple(linked())
        form_class = self.form_classes.get(key)
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = LightlyCopiedFields(form_class.base_fields)
            self.form_classes[key] = form_class
        return form_class

    def filtered(self, queryset: AgreementQuerySet, without: tuple[str, ...] = ()) -> AgreementQuerySet:
        """``queryset`` with every filter applied but those named in ``without``
        (the facet counts', agreements.facets), unordered. A valid form only."""
        for name, value in self.form.cleaned_data.items():
            if name not in without:
                queryset = self.filters[name].filter(queryset, value)
        if self.form.cleaned_data.get("accessions") != "true":
            # As a country's and a pair's pages: a chosen country's own accessions are shown.
            if self.shown is None:  # once: the facets filter again
                self.shown = listed_for(*(self.form.cleaned_data.get("party") or ()))
            queryset = queryset.filter(self.shown)
        return queryset

    def filter_queryset(self, queryset: AgreementQuerySet) -> AgreementQuerySet:
        queryset = self.filtered(queryset)
        if "rank" not in queryset.query.annotations:
            queryset = queryset.search("")  # a constant rank, so every sort can name it
        sort = self.form.cleaned_data.get("sort") or "newest"
        if sort == "relevance" and isinstance(queryset.query.annotations["rank"], Value):
            # A constant rank (no word searched, or only excluded ones) orders nothing, and
            # PostgreSQL rejects "ORDER BY 0.0" once the rank is not selected (the CSV export's id query).
            sort = "newest"
        self.sort_applied = sort
        return queryset.order_by(*self.SORTS[sort])

    def filter_accessions(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # applied in filter_queryset: the default (left out) needs no parameter

    def filter_text(self, queryset: AgreementQuerySet, name: str, value: str) -> AgreementQuerySet:
        return queryset.search(value)

    def filter_parties(self, queryset: AgreementQuerySet, name: str, countries: list[Country]) -> QuerySet:
        return queryset.with_parties(*countries, match=self.form.cleaned_data.get("match") or "all")

    def filter_match(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # read by filter_parties: a mode alone filters nothing

    def filter_column(self, queryset: QuerySet, name: str, values: list[str]) -> QuerySet:
        return queryset.filter(any_of(values, COLUMN_FACETS[name])) if values else queryset

    def filter_topics(self, queryset: QuerySet, name: str, topics: Any) -> QuerySet:
        if not topics:
            return queryset
        links = Agreement.topics.through.objects.filter(agreement=OuterRef("pk"), topic__in=topics)
        return queryset.filter(Exists(links))

    def with_linked_filters(self, filters: dict) -> dict:
        """Another app's records linked to agreements (agreements.extensions), one filter
        each, after the topics: ``?corridor=northern-corridor``."""
        extra = {records.parameter: self.linked_filter(records) for records in linked()}
        ordered = {}
        for name, filter_ in filters.items():
            ordered[name] = filter_
            if name == "topic":
                ordered.update(extra)
        return ordered

    def linked_filter(self, records: LinkedRecords) -> django_filters.Filter:
        def filter_linked(queryset: QuerySet, name: str, record: Any) -> QuerySet:
            if record is None:
                return queryset
            links = records.links().filter(agreement=OuterRef("pk"), **{records.link_field: record})
            return queryset.filter(Exists(links))

        filter_ = ReferenceFilter(
            field_name=records.parameter,
            label=records.label,
            parameter=records.parameter,
            key="slug",
            empty_label=records.any_label,
            method=filter_linked,
        )
        filter_.parent, filter_.model = self, self._meta.model
        return filter_

    def filter_bloc(self, queryset: QuerySet, name: str, bloc: Bloc | None) -> QuerySet:
        if bloc is None:
            return queryset
        members = BlocMembership.objects.filter(bloc=bloc).values("country")
        return queryset.filter(Exists(Party.objects.filter(agreement=OuterRef("pk"), country__in=members)))

    def filter_signed_from(self, queryset: QuerySet, name: str, value: dt.date | None) -> QuerySet:
        return queryset.filter(signed_on__gte=value) if value else queryset

    def filter_signed_to(self, queryset: QuerySet, name: str, value: dt.date | None) -> QuerySet:
        return queryset.filter(signed_on__lte=value) if value else queryset

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # applied last, in filter_queryset, once every filter has run


# Each FilterSet's filters copied without their options (tradepacts.light_copies).
AgreementFilterSet.base_filters = LightlyCopiedFilters(AgreementFilterSet.base_filters)
