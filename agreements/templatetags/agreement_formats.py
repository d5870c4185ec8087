"""The JSON and the Atom feed of a page that lists agreements, from the page's link to the
agreement list: ``{% list_formats list_url of="of Rwanda" %}`` (the links under its list),
``{% list_alternates list_url of="of Rwanda" %}`` (in its <head>). Each is the list's own JSON and
feed with the page's filter (agreements.views.list_formats.links_for), so a page and its
formats cannot drift apart: the country, pair and corridor pages list the rows of that filter
(agreements.default_lists).
"""

from typing import Any

from django import template
from django.http import QueryDict

from agreements.views.list_formats import links_for

register = template.Library()


def formats_of(list_url: str, of: str) -> dict[str, Any]:
    query = list_url.split("?", 1)[1] if "?" in list_url else ""
    links = links_for(QueryDict(query))
    return {"json_url": links["json_url"], "feed_url": links["feed_url"], "of": of}


@register.inclusion_tag("agreements/includes/list_formats.html")
def list_formats(list_url: str, of: str) -> dict[str, Any]:
    return formats_of(list_url, of)


@register.inclusion_tag("agreements/includes/list_alternates.html")
def list_alternates(list_url: str, of: str) -> dict[str, Any]:
    return formats_of(list_url, of)
