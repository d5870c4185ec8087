"""The agreement list in other formats than its page: ``/agreements/?format=json`` (this
module), the CSV (agreements.views.exports) and the Atom feed (agreements.views.feeds), and
the links the page gives to each, keeping its filters.

The JSON is the page itself as data: the list view's FilterSet, queryset and paginator
(AgreementListView.render_list hands itself over once its filters are read), so a JSON page
holds exactly the rows of the HTML page with the same parameters, in the same order. Its
field names are a promise to scripts (README, "The list as JSON"): add fields, never rename.
"""

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.forms import Form
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.urls import reverse

from agreements.models import Agreement
from agreements.party_codes import parties_of as party_values

if TYPE_CHECKING:
    from agreements.views.listing import AgreementListView

# ?format= on /agreements/: the page (absent, empty or "html") or its JSON twin.
LIST_FORMATS = {"": "html", "html": "html", "json": "json"}
DATES = ["signed", "in_force", "ended", "announced"]


LIST_OTHER_FORMATS = "The CSV is /agreements/export.csv and the Atom feed /agreements/feed.atom, with the same filters."


def unknown_format(value: str, others: str = LIST_OTHER_FORMATS) -> HttpResponse:
    """A 400 for a ``?format=`` none of LIST_FORMATS; ``others`` names what else there is."""
    return HttpResponseBadRequest(
        f"Unknown format “{value[:40]}”: use json, or leave format out for the page. {others}".rstrip() + "\n",
        content_type="text/plain; charset=utf-8",
    )


def json_alias(request: HttpRequest) -> HttpResponse:
    """/agreements.json?<filters>: moved for good to the canonical /agreements/?<filters>&format=json."""
    params = request.GET.copy()
    params["format"] = "json"
    return HttpResponsePermanentRedirect(f"{reverse('agreements:list')}?{params.urlencode()}")


def form_errors(form: Form) -> dict[str, list[str]]:
    """{parameter: [message, ...]}; errors of the whole form under "__all__"."""
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


def with_params(request: HttpRequest, path: str, **changes: str) -> str:
    """The absolute URL of ``path`` with this request's parameters, ``changes`` applied."""
    params: QueryDict = request.GET.copy()
    for name, value in changes.items():
        params[name] = value
    query = params.urlencode()
    return request.build_absolute_uri(f"{path}?{query}" if query else path)


def format_links(request: HttpRequest) -> dict[str, str]:
    """The list's other formats with its filters (no page: each starts at its beginning)."""
    return links_for(request.GET)


def links_for(params: QueryDict) -> dict[str, str]:
    """The JSON, the feed and the parties' CSV of the agreement list filtered by ``params``.
    The country, pair and corridor pages link to theirs from their link to the list
    (agreements.templatetags.agreement_formats): each is the list with the page's filter."""
    params = params.copy()
    for name in ("page", "format", "shape"):
        params.pop(name, None)
    query = params.urlencode()

    def link(path: str, *extra: str) -> str:
        parts = [part for part in (query, *extra) if part]
        return f"{path}?{'&'.join(parts)}" if parts else path

    list_path = reverse("agreements:list")
    return {
        "json_url": link(list_path, "format=json"),
        "feed_url": link(reverse("agreements:feed")),
        "parties_export_url": link(reverse("agreements:export"), "shape=parties"),
    }


def with_json_twin(
    page: Callable[..., HttpResponseBase], twin: Callable[..., HttpResponseBase]
) -> Callable[..., HttpResponseBase]:
    """A page (``page``) that answers ``?format=json`` with ``twin``: a page listing agreements
    sends a script to its list's JSON (``json_of_list``); /countries/ has its own. Another format
    is a 400, as on the list: never a page where data was asked for."""

    @functools.wraps(page)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        value = request.GET.get("format", "")
        if (output := LIST_FORMATS.get(value)) is None:
            return unknown_format(value, others="")
        return (twin if output == "json" else page)(request, *args, **kwargs)

    return view


def json_of_list(list_params: Callable[..., dict[str, str | list[str]]]) -> Callable[..., HttpResponse]:
    """The JSON twin of a page that lists agreements: a redirect to the agreement list's JSON
    with the page's filter, ``list_params(**url_kwargs)`` (which raises Http404 for a page
    that does not exist). Temporary, should a page's JSON one day say more than its list."""

    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        params = QueryDict(mutable=True)
        for name, value in list_params(*args, **kwargs).items():
            params.setlist(name, [value] if isinstance(value, str) else value)
        return HttpResponseRedirect(links_for(params)["json_url"])

    return view


def parties_of(agreement_ids: Iterable[int]) -> dict[int, list[dict[str, str | None]]]:
    """The agreements' parties as the JSON and the feed give them, in their order, by agreement id."""
    return {
        agreement_id: [{"iso3": p.iso3, "name": p.name, "institution": p.institution} for p in parties]
        for agreement_id, parties in party_values(agreement_ids).items()
    }


def agreement_data(agreement: Agreement, url: str, parties: list[dict[str, str | None]]) -> dict[str, Any]:
    """One agreement as the JSON gives it: what the list page loads of it (for_listing)."""
    data: dict[str, Any] = {
        "id": agreement.pk,
        "slug": agreement.slug,
        "url": url,
        "title": agreement.title,
        "kind": agreement.kind,
        "kind_label": agreement.get_kind_display(),
        "status": agreement.status,
        "status_label": agreement.get_status_display(),
        "scope": agreement.scope,
        "binding": agreement.is_binding,
        "signed_place": agreement.place,
    }
    for name in DATES:  # as in the CSV: the full ISO date, and its precision (null when unknown)
        value = getattr(agreement, f"{name}_on")
        data[f"{name}_on"] = value.isoformat() if value else None
        data[f"{name}_precision"] = getattr(agreement, f"{name}_precision") if value else None
    data["parties"] = parties
    data["updated_at"] = agreement.updated_at.isoformat()
    return data


def list_json(view: "AgreementListView") -> JsonResponse:
    """The page of the list view's filtered rows as JSON, with links to the pages around
    it; invalid filters, a 400 with the form's messages; a page past the end, a 404."""
    request = view.request
    if not view.valid:
        return JsonResponse({"errors": form_errors(view.filterset.form)}, status=400)
    try:
        paginator, page, rows, _ = view.paginate_queryset(view.object_list, view.paginate_by)
    except Http404 as error:
        return JsonResponse({"errors": {"page": [str(error)]}}, status=404)
    detail_base = request.build_absolute_uri(reverse("agreements:list"))
    parties = parties_of(agreement.pk for agreement in rows)
    return JsonResponse(
        {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "page_size": paginator.per_page,
            "next": with_params(request, request.path, page=str(page.next_page_number())) if page.has_next() else None,
            "previous": with_params(request, request.path, page=str(page.previous_page_number()))
            if page.has_previous()
            else None,
            "results": [
                agreement_data(agreement, f"{detail_base}{agreement.slug}/", parties.get(agreement.pk, []))
                for agreement in rows
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )
