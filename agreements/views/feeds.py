"""/agreements/feed.atom?<the list's filters>: an Atom feed of the new or changed agreements
matching the query, the most recently changed first, so that a feed reader can watch,
say, Rwanda–Kenya instruments (``?party=RWA&party=KEN&match=exactly``).

"Changed" is the agreement record's ``updated_at`` (TimeStampedModel): set on every save of
the agreement in the admin, by the agreements CSV import when a row changes the agreement or
its relations, and by the registry imports when they change its own fields.
The entries are the list's FilterSet's rows (published only), ordered by that timestamp
instead of the list's sort, the first FEED_SIZE of them.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from agreements.filters import AgreementFilterSet
from agreements.models import Agreement
from agreements.models.dates import format_partial_date
from agreements.views.exports import form_errors_text
from agreements.views.list_formats import parties_of
from agreements.views.listing import PAGE_SIZE, active_filters
from tradepacts.pagecache import cached_for_readers

FEED_SIZE = PAGE_SIZE
FEED_ORDER = ["-updated_at", "-id"]


def entry_summary(agreement: Agreement, parties: list[dict[str, str | None]]) -> str:
    """'Memorandum of understanding, signed. Parties: Rwanda (RWA), Kenya (KEN). Signed 22 January 2026.'"""
    parties_text = ", ".join(
        f"{party['name']} ({party['iso3']})" if party["iso3"] else str(party["institution"]) for party in parties
    )
    text = f"{agreement.get_kind_display()}, {agreement.get_status_display().lower()}."
    if parties_text:
        text += f" Parties: {parties_text}."
    if agreement.signed_on:
        text += f" Signed {format_partial_date(agreement.signed_on, agreement.signed_precision)}."
    return text


def render_feed(request: HttpRequest) -> HttpResponse:
    filterset = AgreementFilterSet(request.GET, queryset=Agreement.objects.published().for_listing())
    if not filterset.is_valid():
        message = "The filters are not valid; there is no feed.\n" + form_errors_text(filterset.form) + "\n"
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    query = request.GET.urlencode()
    list_url = request.build_absolute_uri(reverse("agreements:list"))
    feed_url = request.build_absolute_uri(request.path + (f"?{query}" if query else ""))
    chosen = "; ".join(f"{label}: {value}" for label, value in active_filters(filterset.form))
    feed = Atom1Feed(
        title=f"tradepacts: agreements{f' ({chosen})' if chosen else ''}",
        link=list_url + (f"?{query}" if query else ""),
        description="",
        subtitle="New or changed agreements matching this query, the most recently changed first.",
        feed_url=feed_url,
        feed_guid=feed_url,
        author_name="tradepacts",
    )
    agreements = list(filterset.qs.order_by(*FEED_ORDER)[:FEED_SIZE])
    parties = parties_of(agreement.pk for agreement in agreements)
    for agreement in agreements:
        url = f"{list_url}{agreement.slug}/"
        feed.add_item(
            title=agreement.title,
            link=url,
            unique_id=url,
            description=entry_summary(agreement, parties.get(agreement.pk, [])),
            pubdate=agreement.published_at,
            updateddate=agreement.updated_at,
            categories=[agreement.get_kind_display()],
        )
    response = HttpResponse(content_type=feed.content_type)
    feed.write(response, "utf-8")
    return response


def agreement_feed(request: HttpRequest) -> HttpResponse:
    """The feed, from the page cache for anonymous readers (feed readers poll)."""
    return cached_for_readers(lambda: render_feed(request), request)
