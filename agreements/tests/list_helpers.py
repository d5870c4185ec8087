"""What several tests of the agreement list read from its page: the titles shown, an invalid filter's page."""

import datetime as dt
import html
import re

from agreements.models import Agreement
from agreements.search import reindex
from agreements.tests.factories import (
    AgreementFactory,
    BlocMembershipFactory,
    PartyFactory,
    TopicFactory,
    bilateral,
    country,
)

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


def facet_registry() -> None:
    """An option of each facet: two blocs, two topics, a corridor, each kind of scope, dated and
    undated, an accession the default lists leave out. test_facets and test_listing_index's."""
    K, S = Agreement.Kind, Agreement.Status
    corridor = Agreement._meta.get_field("corridors").related_model
    eac = BlocMembershipFactory(bloc__code="EAC", country=country("KEN")).bloc
    BlocMembershipFactory(bloc=eac, country=country("RWA"))
    BlocMembershipFactory(bloc__code="AU", country=country("ETH"))
    ports, roads = TopicFactory(name="Ports", slug="ports"), TopicFactory(name="Roads", slug="roads")
    northern = corridor.objects.create(name="Northern Corridor", slug="northern-corridor")
    a = bilateral("RWA", "KEN", title="A", kind=K.MOU, published=True, signed_on=dt.date(2021, 5, 1))
    a.topics.add(ports, roads)
    a.corridors.add(northern)
    b = plurilateral(
        "B", "RWA", "KEN", "TZA", kind=K.TREATY, scope=Agreement.Scope.REGIONAL, signed_on=dt.date(1999, 7, 1)
    )
    b.topics.add(ports)
    in_force = {"status": S.IN_FORCE, "signed_on": dt.date(2011, 1, 1), "in_force_on": dt.date(2012, 1, 1)}
    plurilateral("C", "ETH", "SOM", kind=K.MOU, **in_force)
    plurilateral("D", "UGA", "KEN", kind=K.FTA, signed_on=dt.date(2015, 1, 1)).corridors.add(northern)
    plurilateral("Undated", "RWA", "BDI", kind=K.MOU, status=S.ANNOUNCED, signed_on=None)
    plurilateral("Accession", "BDI", "KEN", kind=K.ACCESSION, in_default_lists=False)
    reindex(Agreement.objects.values_list("pk", flat=True))
