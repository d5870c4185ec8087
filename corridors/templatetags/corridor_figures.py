"""Corridor figures in templates: percentages, changes in points, figures."""

from decimal import Decimal

from django import template

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


@register.filter
def figure(value: Decimal | None) -> str:
    """600000.0000 as "600,000", 12.5000 as "12.5"."""
    return "" if value is None else f"{Decimal(value).normalize():,f}"
