"""tradepacts.pagination writes each page's link as ``{% querystring page=n %}`` would (the
template it replaced): the other parameters kept in their order, ``page`` where the request
had it or else last, none at all for the first page, escaped for an attribute."""

import pytest
from django.core.paginator import Paginator
from django.http import QueryDict
from django.template import RequestContext, Template
from django.test import RequestFactory

from tradepacts.pagination import page_links, pagination_html

QUERIES = ["", "page=3", "party=KEN", "party=KEN&page=2&kind=mou", "page=2&page=5&q=a%26b", "q=%3Cx%3E&sort=-title"]


def with_tag(query: str, number: int) -> str:
    request = RequestFactory().get(f"/agreements/?{query}")
    page = "None" if number == 1 else str(number)
    return Template(f"{{% querystring page={page} %}}").render(RequestContext(request))


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("number", [1, 2, 7])
def test_each_link_is_the_querystring_tags(query, number):
    assert page_links(QueryDict(query))(number) == with_tag(query, number)


def test_a_single_page_has_no_links_and_a_long_list_has_its_gaps():
    assert pagination_html(Paginator(range(10), 50).page(1), [1], QueryDict("")) == "\n"
    paginator = Paginator(range(1000), 10)
    page = paginator.page(50)
    html = pagination_html(
        page, paginator.get_elided_page_range(50, on_each_side=2, on_ends=1), QueryDict("a=1&page=50")
    )

    assert 'href="?a=1" ' not in html and '<a href="?a=1"><span class="visually-hidden">Page </span>1</a>' in html
    assert html.count('<li class="pagination__gap" aria-hidden="true">…</li>') == 2
    assert '<a href="?a=1&amp;page=50" aria-current="page">' in html
    assert 'href="?a=1&amp;page=49" rel="prev"' in html and 'href="?a=1&amp;page=51" rel="next"' in html
