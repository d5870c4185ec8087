"""One published agreement's page, /agreements/<slug>/ (the list is agreements.views.listing).

Drafts are never shown: its queryset starts from ``published()``, and a draft is a 404.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView

from agreements.extensions import AGREEMENT_PAGE, linked, sections
from agreements.models import Agreement, AgreementRelation, AgreementSlug, AgreementSource, Party, Signatory, Topic
from agreements.models.dates import ShownDate
from agreements.trade.pages import agreement_trade

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
