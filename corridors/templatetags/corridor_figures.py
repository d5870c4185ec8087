"""Corridor figures in templates: percentages, and a destination country's
split of cargo between corridors, rendered on its page with
``{% load corridor_figures %}{% corridor_split country %}`` (the countries
pages live in agreements, which never imports corridors: the template asks).
"""

from decimal import Decimal

from django import template

from agreements.models import Country
from corridors.figures import changes_for_destination, destination_splits, observations_for_destination

register = template.Library()


@register.filter
def percent(value: Decimal | None) -> str:
    """0.3 as "30.0%"."""
    return "" if value is None else f"{Decimal(value) * 100:.1f}%"


@register.filter
def signed_percent(value: Decimal | None) -> str:
    """0.25 as "+25.0%", -0.1 as "−10.0%" (a real minus sign)."""
    if value is None:
        return ""
    number = Decimal(value) * 100
    text = f"{abs(number):.1f}%"
    return f"+{text}" if number > 0 else f"−{text}" if number < 0 else text


@register.filter
def points(value: Decimal | None) -> str:
    """A change in a share, 0.05, as "+5.0 points"."""
    if value is None:
        return ""
    number = Decimal(value) * 100
    text = f"{abs(number):.1f} point{'' if abs(number) == 1 else 's'}"
    return f"+{text}" if number > 0 else f"−{text}" if number < 0 else text


@register.inclusion_tag("corridors/country_split.html")
def corridor_split(country: Country) -> dict:
    """How ``country``'s cargo splits between corridors, and how the split moved
    around the agreements concerning them; also the figures reported about it
    on each corridor that are not volumes (a share of its trade ...). Two queries."""
    observations = list(observations_for_destination(country.pk))
    changes = list(changes_for_destination(country.pk))
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
        "country": country,
        "splits": destination_splits(observations, references, country.iso3),
        "share_changes": share_changes,
        "reported": [o for o in observations if not o.indicator.additive],
        "has_synthetic": any(o.is_synthetic for o in observations),
    }


@register.filter
def figure(value: Decimal | None) -> str:
    """600000.0000 as "600,000", 12.5000 as "12.5"."""
    return "" if value is None else f"{Decimal(value).normalize():,f}"
