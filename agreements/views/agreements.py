"""Public agreement pages: the filtered list, one agreement, and the list as CSV.

The list and the export share one FilterSet (agreements.filters) and one
QuerySet method (``for_listing``), so the file holds exactly the rows the
analyst sees, in the same order. Drafts are never shown: every queryset here
starts from ``published()``.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import Max, Prefetch, QuerySet
from django.forms import Form
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    QueryDict,
)
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView
from django_filters.views import FilterView

from agreements.extensions import AGREEMENT_PAGE, linked, sections
from agreements.facets import facet_counts, label_with_counts
from agreements.filters import AgreementFilterSet
from agreements.models import Agreement, AgreementRelation, AgreementSlug, AgreementSource, Party, Signatory, Topic
from agreements.models.dates import ShownDate
from agreements.party_codes import parties_of, party_codes
from agreements.trade.pages import agreement_trade
from agreements.views.list_formats import LIST_FORMATS, format_links, list_json, unknown_format
from agreements.views.sorting import column_headers
from tradepacts.pagecache import cached_for_readers
from tradepacts.params import bounded_int

PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # 50 million rows: past any list's last page


def query_without_page(params: QueryDict) -> str:
    """The filters of a request as a query string, without its page."""
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


# ---------------------------------------------------------------------------
# The list


def active_filters(form: Form) -> list[tuple[str, str]]:
    """(label, value) of each filter a valid form applies, in words, for the line above the results."""
    data, chosen = form.cleaned_data, []
    for name, field in form.fields.items():
        value: Any = data.get(name)
        if name in ("sort", "match") or value in (None, "", [], ()):
            continue
        if name == "party":
            match = data.get("match") or "all"
            names = [f"{country.name} ({country.iso3})" for country in value]
            text = (" or " if match == "any" else " and ").join(names)
            if match == "exactly":
                text = f"exactly {text}, no other party"
        elif name in ("kind", "status", "scope", "decade"):
            labels = dict(getattr(field, "choices", ()))
            text = " or ".join(str(labels.get(v, v)) for v in value)
        elif name == "topic":
            text = " or ".join(topic.name for topic in value)  # already fetched by the filter
            if not text:
                continue
        elif name in ("signed_from", "signed_to"):
            text = form.data.get(name, "").strip()
        else:
            text = str(value)
        chosen.append((str(field.label), text))
    return chosen


@dataclass(frozen=True)
class ListRow:
    """One agreement in the list, with its dates ready to show."""

    agreement: Agreement
    signed: ShownDate | None
    in_force: ShownDate | None
    parties: str = ""  # the Parties cell (agreements.party_codes), safe HTML


class IdsFirstPaginator(Paginator):
    """Finds the page's ids through the index alone, then loads those 50 rows:
    deep pages no longer sort whole rows to skip past them."""

    object_list: QuerySet[Agreement]

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids)}
        return Page([rows[pk] for pk in ids if pk in rows], number, self)


class AgreementListView(FilterView):
    """/agreements/: published agreements, filtered by the GET parameters of the
    interface contract, newest first by default, 50 a page.

    An invalid filter gives status 400 with the form and its messages, and no
    results: never a list that looks filtered but is not.
    """

    filterset_class = AgreementFilterSet
    template_name = "agreements/agreement_list.html"
    paginate_by = PAGE_SIZE
    paginator_class = IdsFirstPaginator
    valid = True

    def get_queryset(self) -> QuerySet:
        return Agreement.objects.published().for_listing()

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(filterset_class)
        # Always bound, even with no parameters, so the FilterSet's sort (and
        # everything else it does) applies to the bare list exactly as to the export.
        kwargs["data"] = self.request.GET
        return kwargs

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return cached_for_readers(lambda: self.render_list(request), request)

    def render_list(self, request: HttpRequest) -> HttpResponse:
        if (output := LIST_FORMATS.get(request.GET.get("format", ""))) is None:
            return unknown_format(request.GET["format"])
        self.filterset = self.get_filterset(self.get_filterset_class())
        self.filterset.form.label_suffix = ""
        self.valid = self.filterset.is_valid()
        self.object_list = self.filterset.qs if self.valid else self.filterset.queryset.none()
        if output == "json":  # the same rows, page and order, as data (agreements.views.list_formats)
            return list_json(self)
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        return self.render_to_response(context, status=200 if self.valid else 400)

    def paginate_queryset(self, queryset: QuerySet, page_size: int) -> tuple:
        # Bounded before Django's int(): 4,400 digits would reach Python's own limit.
        page = self.request.GET.get(self.page_kwarg)
        if page not in (None, "last") and bounded_int(page, 1, MAX_PAGE) is None:
            raise Http404("No such page of this list.")
        return super().paginate_queryset(queryset, page_size)

    def get_paginate_by(self, queryset: QuerySet) -> int | None:
        # Nothing to page through when the filter is invalid: show the form, whatever ?page= says.
        return self.paginate_by if self.valid else None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        agreements = page.object_list if page else []
        query = query_without_page(self.request.GET)
        parties = party_codes(parties_of(a.pk for a in agreements))
        list_url = self.request.build_absolute_uri(reverse("agreements:list"))
        context.update(
            valid=self.valid,
            active_filters=active_filters(self.filterset.form) if self.valid else [],
            rows=[
                ListRow(
                    a, ShownDate.of_field(a, "signed_on"), ShownDate.of_field(a, "in_force_on"), parties.get(a.pk, "")
                )
                for a in agreements
            ],
            page_range=list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
            if page
            else [],
            # What the rows are sorted by (a "relevance" with nothing to rank is newest first).
            sort_label=dict(self.filterset.form.fields["sort"].choices).get(self.filterset.sort_applied, "")
            if self.valid
            else "",
            columns=column_headers(self.request.GET, self.filterset.sort_applied),
            export_url=reverse("agreements:export") + (f"?{query}" if query else ""),
            cite_url=list_url + (f"?{query}" if query else ""),
            cite_today=timezone.localdate(),
            dataset_updated=Agreement.objects.published().aggregate(last=Max("updated_at"))["last"],
        )
        context.update(format_links(self.request))  # the JSON, the feed, the parties' CSV
        if self.valid:  # after the line of active filters, which names the options without their counts
            context["facets"] = facet_counts(self.filterset, self.filterset.queryset)
            label_with_counts(self.filterset.form, context["facets"])
        return context


# ---------------------------------------------------------------------------
# One agreement

# How a relation reads from the other end: "X amends Y" is "Y is amended by X".
INVERSE_RELATION = {
    AgreementRelation.Kind.AMENDS: "Is amended by",
    AgreementRelation.Kind.SUPERSEDES: "Is superseded by",
    AgreementRelation.Kind.ACCESSION_TO: "Has as an accession",
    AgreementRelation.Kind.IMPLEMENTS: "Is implemented by",
    AgreementRelation.Kind.CONSOLIDATES: "Has as a consolidated version",
    AgreementRelation.Kind.RELATED: "Is related to",
}
PARTY_DATE_LABELS = [
    ("signed_on", "Signed"),
    ("ratified_on", "Ratified"),
    ("joined_on", "Joined"),
    ("withdrew_on", "Withdrew"),
]
# Statuses an agreement reaches only once signed: its signing is a step even when undated.
ENDED_STATUSES = {Agreement.Status.TERMINATED, Agreement.Status.EXPIRED, Agreement.Status.SUPERSEDED}
SIGNED_STATUSES = {
    Agreement.Status.SIGNED,
    Agreement.Status.IN_FORCE,
    Agreement.Status.SUSPENDED,
}


@dataclass(frozen=True)
class PartyRow:
    party: Party
    dates: list[tuple[str, ShownDate]]
    sources: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (dataset, what it says of this party)


@dataclass(frozen=True)
class RelatedRow:
    label: str
    agreement: Agreement


@dataclass(frozen=True)
class Step:
    """One dated step of an agreement's life: announced, signed, a party ratified ..."""

    date: dt.date | None
    when: ShownDate | None
    text: str
    upcoming: bool = False


def detail_queryset() -> QuerySet:
    """Published agreements with everything their page shows, in a fixed number of queries."""
    return (
        Agreement.objects.published()
        .select_related("trade_statistic")
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.select_related("country", "institution").order_by("id")),
            Prefetch(
                "signatories",
                queryset=Signatory.objects.select_related("country", "organisation").order_by("order", "id"),
            ),
            Prefetch("topics", queryset=Topic.objects.order_by("name")),
            *(Prefetch(records.column, queryset=records.records()) for records in linked()),
            Prefetch(
                "relations",
                queryset=AgreementRelation.objects.filter(to_agreement__is_published=True)
                .select_related("to_agreement")
                .order_by("kind", "id"),
            ),
            Prefetch(
                "inbound_relations",
                queryset=AgreementRelation.objects.filter(from_agreement__is_published=True)
                .select_related("from_agreement")
                .order_by("kind", "id"),
            ),
            "identifiers",
            Prefetch("citations", queryset=AgreementSource.objects.select_related("source").order_by("id")),
        )
    )


def lifecycle(agreement: Agreement, parties: list[Party], today: dt.date) -> list[Step]:
    """The agreement's dated steps in order, its parties' among them; dates still
    to come are marked as such. A signing whose date is unknown ends the list."""
    steps = []
    if when := ShownDate.of_field(agreement, "announced_on"):
        steps.append((agreement.announced_on, 0, when, "Announced"))
    if when := ShownDate.of_field(agreement, "signed_on"):
        place = f" in {agreement.place}" if agreement.place else ""
        steps.append((agreement.signed_on, 1, when, f"Signed{place}"))
    for party in parties:
        name = party.country.name if party.country else str(party.institution)
        for field, label in PARTY_DATE_LABELS:
            # A party's own signing on the agreement's signing day is the same step.
            if field == "signed_on" and getattr(party, field) == agreement.signed_on:
                continue
            if when := ShownDate.of_field(party, field):
                steps.append((getattr(party, field), 2, when, f"{name}: {label.lower()}"))
    if when := ShownDate.of_field(agreement, "in_force_on"):
        steps.append((agreement.in_force_on, 3, when, "Entered into force"))
    if when := ShownDate.of_field(agreement, "ended_on"):
        steps.append((agreement.ended_on, 4, when, f"Ended ({agreement.get_status_display().lower()})"))
    steps.sort(key=lambda step: (step[0], step[1]))
    result = [Step(date, when, text, upcoming=date > today) for date, _, when, text in steps]
    if agreement.signed_on is None and agreement.status in SIGNED_STATUSES:
        result.append(Step(None, None, "Signed; the date is not known"))
    if agreement.ended_on is None and agreement.status in ENDED_STATUSES:
        result.append(Step(None, None, f"Ended ({agreement.get_status_display().lower()}); the date is not known"))
    return result


def key_dates(agreement: Agreement) -> list[tuple[str, ShownDate | None, str]]:
    """(label, date, place) for each of the agreement's dates, known or not. The place
    is where it was signed, or else announced; unplaced, it has a row of its own."""
    signed, announced = ShownDate.of_field(agreement, "signed_on"), ShownDate.of_field(agreement, "announced_on")
    place_of = "signed" if signed else "announced" if announced else None
    rows = [
        ("Announced", announced, agreement.place if place_of == "announced" else ""),
        ("Signed", signed, agreement.place if place_of == "signed" else ""),
        ("Entered into force", ShownDate.of_field(agreement, "in_force_on"), ""),
        *(
            [("Services entered into force", ShownDate.of_field(agreement, "services_in_force_on"), "")]
            if agreement.services_in_force_on
            else []
        ),
        ("Ended", ShownDate.of_field(agreement, "ended_on"), ""),
    ]
    if agreement.place and place_of is None:
        rows.append(("Place", None, agreement.place))
    return rows


from agreements.views.claims import fact_rows, party_claims, status_sources  # noqa: E402


class AgreementDetailView(DetailView):
    """/agreements/<slug>/: one published agreement; a draft is a 404."""

    template_name = "agreements/agreement_detail.html"
    context_object_name = "agreement"

    def get_queryset(self) -> QuerySet:
        return detail_queryset()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # An address the agreement had before: permanently moved to its current one.
            moved = AgreementSlug.objects.filter(slug=kwargs["slug"], agreement__in=self.get_queryset()).first()
            if moved is None:
                raise
            return HttpResponsePermanentRedirect(reverse("agreements:detail", args=[moved.agreement.slug]))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        agreement = self.object
        parties = list(agreement.parties.all())
        countries = [p.country for p in parties if p.country]
        related = [
            RelatedRow(relation.get_kind_display(), relation.to_agreement) for relation in agreement.relations.all()
        ] + [
            RelatedRow(INVERSE_RELATION[relation.kind], relation.from_agreement)
            for relation in agreement.inbound_relations.all()
        ]
        # Only records a dataset import touched have claims: a curator's costs no query.
        imported = any(i.matched_by != "curator" for i in agreement.identifiers.all())
        claims = (
            list(agreement.claims.select_related("dataset").order_by("field", "dataset__slug", "id"))
            if imported
            else []
        )
        by_country = party_claims(claims)
        context.update(
            facts=fact_rows(agreement, claims),
            status_sources=status_sources(agreement, claims),
            dates=key_dates(agreement),
            lifecycle=lifecycle(agreement, parties, timezone.localdate()),
            party_rows=[
                PartyRow(
                    p,
                    [(label, when) for field, label in PARTY_DATE_LABELS if (when := ShownDate.of_field(p, field))],
                    by_country.get(p.country_id, []),
                )
                for p in parties
            ],
            # The pair page, for an agreement between exactly two countries.
            pair=countries if len(countries) == 2 else None,
            related=related,
            trade=agreement_trade(_trade_statistic(agreement), [c.pk for c in countries]),
            # What other apps add about it (agreements.extensions): the corridors it concerns.
            sections=sections(AGREEMENT_PAGE, agreement),
        )
        return context


def _trade_statistic(agreement: Agreement) -> Any:
    """The refresh's before-and-after figures (loaded with the agreement), or None."""
    try:
        return agreement.trade_statistic
    except ObjectDoesNotExist:
        return None
