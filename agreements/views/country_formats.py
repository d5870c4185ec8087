"""The country pages' JSON (``?format=json``): /countries/ as data (every country it lists, with
how many agreements its list shows, and the addresses of that list's JSON and feed), and, for a
country's page and a pair's, a redirect to the agreement list's JSON with the page's filter, the
rows the page lists (agreements.default_lists). Field names are a promise to scripts (README,
"The list as JSON"): add fields, never rename.
"""

from django.http import Http404, HttpRequest, JsonResponse, QueryDict
from django.urls import reverse

from agreements.models import Country
from agreements.views.countries import countries_with_counts, sort_key
from agreements.views.list_formats import links_for


def country_list_params(code: str) -> dict[str, str | list[str]]:
    """/countries/<ISO3>/ lists /agreements/?party=<ISO3>."""
    if not Country.objects.filter(iso3=code.upper()).exists():
        raise Http404("No such country.")
    return {"party": code.upper()}


def pair_list_params(code: str, other: str) -> dict[str, str | list[str]]:
    """/countries/<A>/<B>/ lists /agreements/?party=<A>&party=<B> (all of them: the timeline is
    every agreement both are parties to, whoever else is)."""
    codes = [code.upper(), other.upper()]
    if codes[0] == codes[1]:
        raise Http404("A pair needs two different countries.")
    if Country.objects.filter(iso3__in=codes).count() != 2:
        raise Http404("No such country.")
    return {"party": codes}


def countries_json(request: HttpRequest) -> JsonResponse:
    """/countries/?format=json: the countries /countries/ lists (those party to a published
    agreement, then the other current ones), in its order, on one page. The envelope is the
    agreement list's (count, page, pages, next ...) so that one loop reads every JSON here."""
    rows = [
        c for c in countries_with_counts() if c.agreement_count or not c.is_historic
    ]  # historic countries without agreements: not on the page either
    rows.sort(key=lambda c: (not c.agreement_count, sort_key(c.name), c.iso3))
    results = []
    for country in rows:
        links = links_for(QueryDict(f"party={country.iso3}"))
        results.append(
            {
                "iso3": country.iso3,
                "name": country.name,
                "historic": country.is_historic,
                "agreement_count": country.agreement_count,
                "url": request.build_absolute_uri(reverse("countries:detail", args=[country.iso3])),
                "agreements_url": request.build_absolute_uri(links["json_url"]),
                "feed_url": request.build_absolute_uri(links["feed_url"]),
            }
        )
    return JsonResponse(
        {"count": len(results), "page": 1, "pages": 1, "page_size": len(results), "next": None, "previous": None}
        | {"results": results},
        json_dumps_params={"ensure_ascii": False},
    )
