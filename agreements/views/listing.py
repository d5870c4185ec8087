"""The public list of agreements, /agreements/: filtered, counted by facet, paged.

The list and the export share one FilterSet (agreements.filters) and one QuerySet method
(``for_listing``), so the file holds exactly the rows the analyst sees, in the same order.
Drafts are never shown: the queryset starts from ``published()``.

With the listing index current (agreements.listing_index) the count, the facets, a newest-first
page's ids and the rows' Parties cells come from memory, and the page makes one query: its 50
rows. Without it (the seconds after a write), the facets' grouped counts (which count the list
too, so it has no COUNT of its own), the page's ids, then its rows and their parties. The filter
form is written in Python (tradepacts.form_renderer) from reference lists read once per process
(agreements.reference_lists).
"""

import functools
from collections.abc import Callable
from html import escape
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django_filters.views import FilterView

from agreements.current_index import listing_index
from agreements.facets import Counts, facet_counts, label_with_counts
from agreements.filters import AgreementFilterSet
from agreements.listing_index import Selection
from agreements.models import Agreement
from agreements.models.dates import ShownDate
from agreements.party_codes import parties_of, party_codes
from agreements.views.entry_html import time_html
from agreements.views.list_formats import LIST_FORMATS, format_links, list_json, unknown_format
from agreements.views.sorting import column_headers
from tradepacts.pagecache import cached_for_readers
from tradepacts.params import bounded_int

PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # 50 million rows: past any list's last page


def query_without_page(params: QueryDict) -> str:
    """The filters of a request as a query string, without its page."""
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


def active_filters(form: Form) -> list[tuple[str, str]]:
    """(label, value) of each filter a valid form applies, in words, for the line above the results."""
    data, chosen = form.cleaned_data, []
    for name, field in form.fields.items():
        value: Any = data.get(name)
        if name in ("sort", "match") or value in (None, "", [], ()):
            continue
        if name == "party":
            match = data.get("match") or "all"
            names = [f"{country.name} ({country.iso3})" for country in value]
            text = (" or " if match == "any" else " and ").join(names)
            if match == "exactly":
                text = f"exactly {text}, no other party"
        elif name in ("kind", "status", "scope", "decade"):
            labels = dict(getattr(field, "choices", ()))
            text = " or ".join(str(labels.get(v, v)) for v in value)
        elif name == "topic":
            text = " or ".join(topic.name for topic in value)  # already fetched by the filter
            if not text:
                continue
        elif name in ("signed_from", "signed_to"):
            text = form.data.get(name, "").strip()
        else:
            text = str(value)
        chosen.append((str(field.label), text))
    return chosen


# A date as shown, written once per process (a ShownDate is immutable): a page of 50 rows has
# 100 dates to write in words, most of them shown on other pages before.
shown_date = functools.lru_cache(maxsize=8192)(ShownDate.of)
NOT_KNOWN, NO_DATE = '<span class="muted">Not known</span>', '<span class="muted">—</span>'
# What row_html reads of an agreement (as named values): its other columns (a JSON of curated fields,
# timestamps, identifiers) cost a fifth of the rows' loading.
ROW_FIELDS = ("title", "slug", "kind", "status", "signed_on", "signed_precision", "in_force_on", "in_force_precision")
# The kinds' and statuses' labels by value: get_FIELD_display() builds this dict for every call.
KIND_LABELS = {value: escape(str(label)) for value, label in Agreement.Kind.choices}
STATUS_LABELS = {value: escape(str(label)) for value, label in Agreement.Status.choices}


def _date_cell(label: str, when: ShownDate | None, unknown: str) -> str:
    shown = time_html(when) if when else unknown
    return f'<td data-label="{label}">{shown}</td>'


def row_html(agreement: Any, signed: ShownDate | None, in_force: ShownDate | None, parties: str, url: str) -> str:
    """The list's row for one agreement, in one pass: the template's loop did the same with
    about ten variable look-ups and a URL reversal per row (50 rows: a fifth of the page's
    Python). The whitespace is the template's, so the page is unchanged byte for byte.
    Escaped with the standard library's ``html.escape`` (Django's ``escape`` is the same
    text behind a lazy-string check per call)."""
    kind = KIND_LABELS.get(agreement.kind) or escape(str(agreement.kind))
    status = STATUS_LABELS.get(agreement.status) or escape(str(agreement.status))
    return mark_safe(  # every value is escaped; ``parties`` is safe HTML already
        "\n      <tr>"
        f'\n        <th scope="row" class="agreement-table__title"><a href="{escape(url)}">'
        f"{escape(agreement.title)}</a></th>"
        f'\n        <td data-label="Kind">{kind}</td>'
        f'\n        <td data-label="Status">{status}</td>'
        f'\n        <td data-label="Parties">{conditional_escape(parties)}</td>'
        f"\n        {_date_cell('Signed', signed, NOT_KNOWN)}"
        f"\n        {_date_cell('In force', in_force, NO_DATE)}"
        "\n      </tr>\n      "
    )


class IdsFirstPaginator(Paginator):
    """Finds the page's ids first, then loads those 50 rows: deep pages no longer sort whole
    rows to skip past them. The ids come from the listing index's bitmap when it has them
    (``page_ids``, the newest-first order), else through the database's index alone."""

    object_list: QuerySet[Agreement]

    def __init__(
        self,
        *args: Any,
        count: int | None = None,
        page_ids: Callable[[int, int], list[int]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if count is not None:  # counted already (the facets or the listing index): no COUNT(*) of its own
            self.__dict__["count"] = count
        self.page_ids = page_ids

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.page_ids is not None:
            ids = self.page_ids(bottom, self.per_page)
        else:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids)}
        return Page([rows[pk] for pk in ids if pk in rows], number, self)


class AgreementListView(FilterView):
    """/agreements/: published agreements, filtered by the GET parameters of the
    interface contract, newest first by default, 50 a page.

    An invalid filter gives status 400 with the form and its messages, and no
    results: never a list that looks filtered but is not.
    """

    filterset_class = AgreementFilterSet
    template_name = "agreements/agreement_list.html"
    paginate_by = PAGE_SIZE
    paginator_class = IdsFirstPaginator
    valid = True
    facets: Counts | None = None  # each facet's counts by option, for a valid filter (agreements.facets)
    counted: int | None = None  # how many agreements the filter lists, counted with the facets
    selection: Selection | None = None  # what the listing index answered, when it did
    page_ids: Callable[[int, int], list[int]] | None = None  # its newest-first pages

    def get_queryset(self) -> QuerySet:
        return Agreement.objects.published().for_listing()

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(filterset_class)
        # Always bound, even with no parameters, so the FilterSet's sort (and
        # everything else it does) applies to the bare list exactly as to the export.
        kwargs["data"] = self.request.GET
        return kwargs

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return cached_for_readers(lambda: self.render_list(request), request)

    def render_list(self, request: HttpRequest) -> HttpResponse:
        if (output := LIST_FORMATS.get(request.GET.get("format", ""))) is None:
            return unknown_format(request.GET["format"])
        self.filterset = self.get_filterset(self.get_filterset_class())
        self.filterset.form.label_suffix = ""
        self.valid = self.filterset.is_valid()
        self.selection = selection = self.indexed() if self.valid else None
        if selection is not None:
            self.counted = selection.total
        else:
            self.object_list = self.filterset.qs if self.valid else self.filterset.queryset.none()
        if output == "json":  # the same rows, page and order, as data (agreements.views.list_formats)
            return list_json(self)
        if selection is not None:
            self.facets = selection.facets
        elif self.valid:
            self.facets, self.counted = facet_counts(self.filterset, self.filterset.queryset)
        # The rows' cells as plain values, not the whole record: no model instance per row.
        self.object_list = self.object_list.values_list("pk", *ROW_FIELDS, named=True)
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        return self.render_to_response(context, status=200 if self.valid else 400)

    def indexed(self) -> Selection | None:
        """The count and facets from the listing index, when it is current (a text search from its
        lexemes, else the database's ids); the rows' order too when it is newest first, or by the
        relevance of one word. The FilterSet's queryset is then built only for another order
        (title, the relevance of several words...)."""
        index = listing_index()
        if index is None:
            return None
        selection = index.select_for(self.filterset)
        if selection is None:
            return None
        data = self.filterset.form.cleaned_data
        sort = data.get("sort") or "newest"
        if sort == "newest" or (sort == "relevance" and not data.get("q")):  # nothing to rank: newest first
            self.filterset.sort_applied, self.page_ids = "newest", selection.page_ids
            self.object_list = self.get_queryset()
        elif sort == "relevance" and (ranked := selection.ranked_page_ids()) is not None:
            self.filterset.sort_applied, self.page_ids = "relevance", ranked
            self.object_list = self.get_queryset()
        else:
            self.object_list = self.filterset.qs
        return selection

    def paginate_queryset(self, queryset: QuerySet, page_size: int) -> tuple:
        # Bounded before Django's int(): 4,400 digits would reach Python's own limit.
        page = self.request.GET.get(self.page_kwarg)
        if page not in (None, "last") and bounded_int(page, 1, MAX_PAGE) is None:
            raise Http404("No such page of this list.")
        return super().paginate_queryset(queryset, page_size)

    def get_paginator(self, queryset: QuerySet, per_page: int, *args: Any, **kwargs: Any) -> Paginator:
        return self.paginator_class(queryset, per_page, *args, count=self.counted, page_ids=self.page_ids, **kwargs)

    def get_paginate_by(self, queryset: QuerySet) -> int | None:
        # Nothing to page through when the filter is invalid: show the form, whatever ?page= says.
        return self.paginate_by if self.valid else None

    def row(self, agreement: Any, parties: str) -> str:
        """The table row of an agreement (its ROW_FIELDS, as named values) with its Parties cell."""
        signed = shown_date(agreement.signed_on, agreement.signed_precision)
        in_force = shown_date(agreement.in_force_on, agreement.in_force_precision)
        url = f"{self.detail_prefix}{agreement.slug}/"  # the detail's URL pattern, without a reverse() per row
        return row_html(agreement, signed, in_force, parties, url)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        self.detail_prefix = reverse("agreements:list")
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        agreements = page.object_list if page else []
        query = query_without_page(self.request.GET)
        ids = [a.pk for a in agreements]
        # From the listing index when it answered (agreements.index_parties), else one query.
        first = self.selection.index.first_parties_of(ids) if self.selection is not None else None
        parties = party_codes(*first) if first is not None else party_codes(parties_of(ids))
        rows = [self.row(a, parties.get(a.pk, "")) for a in agreements]
        list_url = self.request.build_absolute_uri(reverse("agreements:list"))
        context.update(
            valid=self.valid,
            active_filters=active_filters(self.filterset.form) if self.valid else [],
            rows=rows,
            rows_html=mark_safe("".join(rows)),  # each row's HTML is safe
            page_range=list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
            if page
            else [],
            # What the rows are sorted by (a "relevance" with nothing to rank is newest first).
            sort_label=dict(self.filterset.form.fields["sort"].choices).get(self.filterset.sort_applied, "")
            if self.valid
            else "",
            columns=column_headers(self.request.GET, self.filterset.sort_applied),
            export_url=reverse("agreements:export") + (f"?{query}" if query else ""),
            cite_url=list_url + (f"?{query}" if query else ""),
            cite_today=timezone.localdate(),
            # The index's, else read with the reference lists, once per data version.
            dataset_updated=self.selection.index.updated if self.selection else self.filterset.lists.agreements_updated,
        )
        context.update(format_links(self.request))  # the JSON, the feed, the parties' CSV
        if self.facets is not None:  # after the line of active filters, which names the options without counts
            context["facets"] = self.facets
            label_with_counts(self.filterset.form, self.facets)
        return context
