"""``{% pagination %}``: the links to a list's pages (tradepacts.pagination writes them), for a
template with ``page_obj``, ``page_range`` and the request in its context."""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from tradepacts.pagination import pagination_html

register = template.Library()


@register.simple_tag(takes_context=True)
def pagination(context: Any) -> SafeString:
    return pagination_html(context.get("page_obj"), context.get("page_range") or (), context["request"].GET)
