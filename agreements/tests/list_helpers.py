"""What several tests of the agreement list read from its page: the titles shown, an invalid filter's page."""

import html
import re

from agreements.models import Agreement
from agreements.tests.factories import AgreementFactory, PartyFactory, country

TITLE = re.compile(r'<th scope="row" class="agreement-table__title"><a href="[^"]+">(.*?)</a></th>')


def shown(client, query: str = "") -> list[str]:
    """The titles the list page shows for ``query``, in order; the page must be a success."""
    response = client.get(f"/agreements/?{query}")
    assert response.status_code == 200, response.content.decode()[:2000]
    return [html.unescape(title) for title in TITLE.findall(response.content.decode())]


def rejected(client, query: str) -> str:
    """The page for an invalid filter: 400, the form and its message, and no results."""
    response = client.get(f"/agreements/?{query}")
    page = response.content.decode()
    assert response.status_code == 400
    assert "The filters could not be applied" in page
    assert not TITLE.findall(page)
    return page


def plurilateral(title: str, *iso3s: str, **kwargs) -> Agreement:
    """A published agreement with these countries as parties (plurilateral unless ``scope=`` says)."""
    agreement = AgreementFactory(title=title, published=True, **kwargs)
    for iso3 in iso3s:
        PartyFactory(agreement=agreement, country=country(iso3))
    return agreement
