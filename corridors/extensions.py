"""How corridors adds itself to agreements' filters, CSV, search, pages and admin,
through the extension points agreements offers (agreements.extensions): agreements
never names this app. Registered once, from CorridorsConfig.ready()."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet, Value
from django.utils.text import slugify

from agreements.extensions import (
    AGREEMENT_PAGE,
    COUNTRY_PAGE,
    LinkedRecords,
    PageSection,
    add_section,
    link,
)
from agreements.imports.agreement_rows import numbered_slug
from agreements.models import Agreement, Country
from corridors.figures import changes_for_destination, destination_splits, observations_for_destination
from corridors.models import (
    AgreementIndicatorChange,
    Corridor,
    CorridorAgreement,
    CorridorMember,
    IndicatorObservation,
)
from tradepacts.pagecache import kept_until_change

# Where there are no corridors at all, the synthetic data (agreements.synthetic) gets these.
SYNTHETIC_CORRIDORS = [
    ("Lobito Corridor", "Lobito", ["AGO", "COD", "ZMB"]),
    ("Maputo Development Corridor", "Maputo", ["MOZ", "ZAF", "SWZ"]),
    ("Abidjan–Lagos Corridor", "Abidjan", ["CIV", "GHA", "TGO", "BEN", "NGA"]),
]


def new_corridor(name: str, taken_slugs: set[str]) -> Corridor:
    """A corridor the agreements import names but the database does not have."""
    return Corridor(name=name, slug=numbered_slug(slugify(name) or "corridor", taken_slugs, 100))


def corridor_groups(slug_prefix: str) -> list[tuple[Any, list[int]]]:
    """Every corridor with its member countries' ids in route order, for the synthetic data;
    a few synthetic corridors first where there are none."""
    if not Corridor.objects.exists():
        iso = {c.iso3: c for c in Country.objects.filter(is_historic=False)}
        for name, port, members in SYNTHETIC_CORRIDORS:
            corridor = Corridor.objects.create(
                name=name, slug=f"{slug_prefix}{slugify(name)}", gateway_port=port, description="Synthetic corridor."
            )
            CorridorMember.objects.bulk_create(
                CorridorMember(corridor=corridor, country=iso[code], position=i, role="transit")
                for i, code in enumerate(members, start=1)
                if code in iso
            )
    route: dict[int, list[int]] = {}
    for corridor_id, country_id in CorridorMember.objects.order_by("corridor", "position").values_list(
        "corridor_id", "country_id"
    ):
        route.setdefault(corridor_id, []).append(country_id)
    return [(c, route.get(c.pk, [])) for c in Corridor.objects.order_by("slug")]


def agreement_section(agreement: Agreement) -> dict[str, Any]:
    """The corridors an agreement concerns (prefetched by the agreement page, as its linked records)."""
    return {"corridors": list(agreement.corridors.all())}


@dataclass(frozen=True)
class CountriesWithRecords:
    """The countries this app has records about: corridor members, the destinations of figures and
    of before/after rows (of any indicator or agreement: a country not among them has none)."""

    members: frozenset[int]
    destinations: frozenset[int]
    changed: frozenset[int]


def _countries_with_records() -> CountriesWithRecords:
    def tagged(model: type[Model], tag: str, field: str) -> QuerySet[Any]:
        return model._default_manager.annotate(tag=Value(tag)).values_list("tag", field).order_by()

    rows = tagged(CorridorMember, "member", "country_id").union(
        tagged(IndicatorObservation, "destination", "destination_id"),
        tagged(AgreementIndicatorChange, "changed", "destination_id"),
    )
    found: dict[str, set[int]] = {"member": set(), "destination": set(), "changed": set()}
    for tag, country_id in rows:
        found[tag].add(country_id)
    return CountriesWithRecords(*(frozenset(found[tag]) for tag in ("member", "destination", "changed")))


def countries_with_records() -> CountriesWithRecords:
    """Read in one query, then kept in the process until the data changes: a country's page
    skips the queries whose answer is known to be empty (most countries are on no corridor, and
    the three queries took 6-10 ms of a country's page even when they found nothing)."""
    return kept_until_change("corridors:countries-with-records", _countries_with_records)


def country_section(country: Country) -> dict[str, Any]:
    """A country's corridors and how its cargo splits between them. Up to three queries: none
    for a country this app has no records about (``countries_with_records``)."""
    known = countries_with_records()
    members = CorridorMember.objects.filter(country=country).select_related("corridor").order_by("corridor__name")
    return {
        "country": country,
        "memberships": list(members) if country.pk in known.members else [],
        "split": country_split(country, known),
    }


def country_split(country: Country, known: CountriesWithRecords) -> dict[str, Any]:
    """How ``country``'s cargo splits between corridors, and how the split moved
    around the agreements concerning them; also the figures reported about it
    on each corridor that are not volumes (a share of its trade ...). Up to two queries."""
    observations = list(observations_for_destination(country.pk)) if country.pk in known.destinations else []
    changes = list(changes_for_destination(country.pk)) if country.pk in known.changed else []
    references = list(
        {
            (c.agreement_id, c.corridor_id): (c.reference_date, c.agreement.title, c.agreement.get_absolute_url())
            for c in changes
        }.values()
    )
    share_changes = []
    for change in changes:
        if change.share_before is not None or change.share_after is not None:
            moved = None
            if change.share_before is not None and change.share_after is not None:
                moved = change.share_after - change.share_before
            share_changes.append((change, moved))
    return {
        "splits": destination_splits(observations, references, country.iso3),
        "share_changes": share_changes,
        "reported": [o for o in observations if not o.indicator.additive],
        "has_synthetic": any(o.is_synthetic for o in observations),
    }


def register() -> None:
    link(
        LinkedRecords(
            column="corridors",
            parameter="corridor",
            label="Corridor",
            any_label="Any corridor",
            model=Corridor,
            link_model=CorridorAgreement,
            link_field="corridor",
            new=new_corridor,
            search_text=lambda corridor: f"{corridor.name} {corridor.gateway_port}",
            groups=corridor_groups,
        )
    )
    add_section(AGREEMENT_PAGE, PageSection("corridors/agreement_corridors.html", agreement_section))
    add_section(
        COUNTRY_PAGE,
        PageSection(
            "corridors/country_corridors.html",
            country_section,
            anchor="corridors",
            title="Corridors",
            summary="corridors/country_summary.html",
        ),
    )
