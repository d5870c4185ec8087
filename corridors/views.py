"""Corridor pages: the list of corridors, and one corridor's route, members,
sources and the published agreements that concern it.

Drafts never show, and never count. Each page runs a fixed number of queries
whatever the number of corridors, nodes or agreements (pinned in
``corridors/tests/test_corridor_pages.py``).
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from agreements.default_lists import shown_for
from agreements.models import Agreement, Source
from agreements.models.ordering import newest_first
from agreements.views.entries import (
    HEAVY_FIELDS,
    AgreementEntry,
    agreement_list_url,
    with_first_parties,
)
from corridors.diagram import route_map
from corridors.exports import indicator_rows
from corridors.figures import changes_for_corridor, corridor_sections, observations_for_corridor
from corridors.models import Corridor, CorridorAgreement, CorridorMember, Node
from tradepacts.csv import csv_response, limit_exports

# Agreements listed on a corridor's page, newest first; the agreement list has the rest.
MAX_AGREEMENTS = 50


def _count(queryset: QuerySet) -> Coalesce:
    """How many rows of ``queryset`` (filtered on ``corridor=OuterRef("pk")``), as a subquery:
    counting through joins would multiply members by nodes by agreements."""
    counts = queryset.order_by().values("corridor").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def members_prefetch() -> Prefetch:
    return Prefetch("memberships", queryset=CorridorMember.objects.select_related("country").order_by("position", "id"))


def with_counts(queryset: QuerySet[Corridor]) -> QuerySet[Corridor]:
    """Each corridor with its authority, and how many nodes and published agreements it has (those
    the agreement list shows with ``?corridor=``: its rows are the page's)."""
    return queryset.select_related("coordinating_authority").annotate(
        node_count=_count(Node.objects.filter(corridor=OuterRef("pk"))),
        # As the agreement list counts them (agreements.default_lists): no accession instrument.
        agreement_count=_count(
            CorridorAgreement.objects.filter(corridor=OuterRef("pk"), agreement__is_published=True).filter(
                shown_for(outer="agreement_id")
            )
        ),
    )


def corridors_for_listing() -> QuerySet[Corridor]:
    """Every corridor with its counts and its members in route order. Two queries."""
    return with_counts(Corridor.objects.all()).prefetch_related(members_prefetch()).order_by("name", "id")


@dataclass(frozen=True)
class SourceRow:
    source: Source
    # Only web links: a stored URL is never trusted to be one.
    href: str


def _web_link(url: str) -> str:
    return url if url.lower().startswith(("https://", "http://")) else ""


class CorridorListView(ListView):
    template_name = "corridors/list.html"
    context_object_name = "corridors"

    def get_queryset(self) -> QuerySet[Corridor]:
        return corridors_for_listing()


class CorridorDetailView(DetailView):
    """The route (members and nodes in order, drawn and tabled), authority, description,
    sources, the newest MAX_AGREEMENTS published agreements concerning the corridor,
    its indicator figures (a chart and a table per indicator) and how they moved
    around those agreements. Eight queries."""

    template_name = "corridors/detail.html"
    context_object_name = "corridor"

    def get_queryset(self) -> QuerySet[Corridor]:
        return with_counts(Corridor.objects.all())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        corridor: Corridor = self.object
        agreements = (
            with_first_parties(
                Agreement.objects.published().filter(corridor_links__corridor=corridor).filter(shown_for())
            )
            .defer(*HEAVY_FIELDS)
            .order_by(*newest_first())[:MAX_AGREEMENTS]
        )
        members = list(corridor.memberships.select_related("country").order_by("position", "id"))
        nodes = list(corridor.nodes.select_related("country").order_by("position", "id"))
        entries = [AgreementEntry.of(agreement) for agreement in agreements]
        references = [
            (a.in_force_on or a.signed_on, a.title, entry.url)
            for entry in entries
            if (a := entry.agreement).in_force_on or a.signed_on
        ]
        observations = list(observations_for_corridor(corridor.pk))
        return super().get_context_data(
            members=members,
            nodes=nodes,
            route_map=route_map(nodes, members),
            sources=[SourceRow(s, _web_link(s.url)) for s in corridor.sources.all()],
            entries=entries,
            list_url=agreement_list_url(corridor=corridor.slug),
            sections=corridor_sections(observations, references),
            changes=list(changes_for_corridor(corridor.pk)),
            has_synthetic=any(o.is_synthetic for o in observations),
            **kwargs,
        )


def corridor_list_params(slug: str) -> dict[str, str | list[str]]:
    """A corridor's page lists /agreements/?corridor=<slug> (its JSON and feed are that list's)."""
    get_object_or_404(Corridor.objects.only("pk"), slug=slug)
    return {"corridor": slug}


@limit_exports
def indicators_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """/corridors/<slug>/indicators.csv: every indicator figure of the corridor with its growth and share."""
    corridor = get_object_or_404(Corridor, slug=slug)
    header, rows = indicator_rows(corridor)
    return csv_response(f"{corridor.slug}-indicators.csv", header, rows)
