"""Pagination a keyboard and a screen reader can use, written in Python: ``pagination_html(page,
page_range, params)``, and ``{% pagination %}`` (tradepacts.templatetags.paginations) for a template
with ``page_obj`` and ``page_range`` (paginator.get_elided_page_range) in its context. Every link
keeps the request's other GET parameters; the first page's has no ``page`` at all.

It was an included template: its ``{% querystring %}`` per link (a copy and an encoding of the
parameters each) and its variables took about a tenth of the agreement list's template render.
The markup and whitespace are that template's.
"""

from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from django.core.paginator import Page
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

from tradepacts.params import queries_with


def page_links(params: QueryDict) -> Callable[[int], str]:
    """``{% querystring page=n %}`` for each ``n`` (``page=None`` for the first page), escaped for an attribute."""
    query = queries_with(params, "page")

    def link(number: int) -> str:
        if number == 1:
            return escape(f"?{query(None)}") if params else ""
        return escape(f"?{query(str(number))}")

    return link


def pagination_html(page: Page | None, page_range: Iterable[Any], params: QueryDict) -> SafeString:
    """The page's links: previous, the numbers (``page_range``, with its gaps), next; nothing for a single page."""
    if not page or page.paginator.num_pages <= 1:
        return mark_safe("\n")
    number, ellipsis = page.number, str(page.paginator.ELLIPSIS)  # translated once, not per comparison
    page_link = page_links(params)
    parts = [
        f'\n<nav class="pagination" aria-label="Pagination">'
        f'\n  <p class="pagination__status">Page {number} of {page.paginator.num_pages}</p>'
        '\n  <ul class="pagination__list">\n    '
    ]
    if page.has_previous():
        parts.append(
            f'\n    <li><a href="{page_link(number - 1)}" rel="prev">'
            'Previous<span class="visually-hidden"> page</span></a></li>\n    '
        )
    parts.append("\n    ")
    for n in page_range:
        parts.append("\n    ")
        if n == ellipsis:
            parts.append(f'\n    <li class="pagination__gap" aria-hidden="true">{escape(str(n))}</li>\n    ')
        else:
            current = ' aria-current="page"' if n == number else ""
            parts.append(
                f'\n    <li><a href="{page_link(n)}"{current}><span class="visually-hidden">Page </span>'
                f"{n}</a></li>\n    "
            )
        parts.append("\n    ")
    parts.append("\n    ")
    if page.has_next():
        parts.append(
            f'\n    <li><a href="{page_link(number + 1)}" rel="next">'
            'Next<span class="visually-hidden"> page</span></a></li>\n    '
        )
    parts.append("\n  </ul>\n</nav>\n\n")
    return mark_safe("".join(parts))  # every value above is escaped
