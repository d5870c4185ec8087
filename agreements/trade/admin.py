"""The trade statistics in the admin: reported figures and exchange rates, which
staff edit and upload as CSV, and the derived tables, which staff only read.

Imported from the bottom of agreements.admin.agreements, after the countries and sources
are registered (the autocompletes need them).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path

from agreements.models import (
    AgreementTradeStatistic,
    Country,
    ExchangeRate,
    PairYearStatistic,
    RefreshRun,
    TradeFlow,
)
from agreements.trade.imports import (
    FLOWS,
    RATES,
    check_source_text,
    import_exchange_rates,
    import_trade_flows,
    pairs_for_rates,
    queue_refresh,
)
from tradepacts.imports import ImportResult
from tradepacts.uploads import Upload, upload_view

# The agreements list's template: it adds an "Import CSV" button when the
# admin has an ``import`` URL and the user may add.
CHANGE_LIST_WITH_IMPORT = "admin/agreements/agreement/change_list.html"


class TradeImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8. Nothing is written if any row is wrong.")
    source = forms.CharField(
        label="Source",
        required=False,
        max_length=1000,
        help_text="Title or URL of the source of rows that name none. An existing source is found by its URL or "
        "exact title; otherwise one is created.",
    )

    def clean_source(self) -> str:
        try:
            return check_source_text(self.cleaned_data["source"])
        except ValueError as error:
            raise forms.ValidationError(str(error)[:1].upper() + str(error)[1:]) from None


def trade_upload(kind: str) -> Upload:
    """Trade figures or exchange rates: staff with the add permission may upload;
    without the change permission too, a file that would change figures already
    stored is refused."""
    importer = import_trade_flows if kind == FLOWS else import_exchange_rates

    def run(model_admin: admin.ModelAdmin, request: HttpRequest, file: UploadedFile, data: dict) -> ImportResult:
        return importer(
            file,
            source=data["source"],
            filename=file.name or "a CSV file",
            can_change=model_admin.has_change_permission(request),
        )

    def success_message(file: UploadedFile, result: ImportResult) -> str:
        refresh = " The statistics of the pairs concerned will be refreshed." if result.pairs else ""
        return f"Imported {file.name}: {result}{refresh}"

    return Upload(
        title="Import trade figures from CSV" if kind == FLOWS else "Import exchange rates from CSV",
        template="admin/agreements/trade_import.html",
        form_class=TradeImportForm,
        run=run,
        success_message=success_message,
        context={"kind": kind},
    )


UPLOADS = {FLOWS: trade_upload(FLOWS), RATES: trade_upload(RATES)}


class ImportAdmin(admin.ModelAdmin):
    """An admin with an "Import CSV" page at ``import/``."""

    change_list_template = CHANGE_LIST_WITH_IMPORT
    import_kind = FLOWS

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_import"
        return [path("import/", self.admin_site.admin_view(self.import_csv), name=name), *super().get_urls()]

    def import_csv(self, request: HttpRequest) -> HttpResponse:
        return upload_view(self, request, UPLOADS[self.import_kind])


def on_commit_refresh(pairs: list[tuple[int, int]]) -> None:
    if pairs:
        queue_refresh(sorted(pairs))


def pair_of(reporter_id: int | None, partner_id: int | None) -> list[tuple[int, int]]:
    if reporter_id is None or partner_id is None:
        return []
    return [(min(reporter_id, partner_id), max(reporter_id, partner_id))]


@admin.register(TradeFlow)
class TradeFlowAdmin(ImportAdmin):
    import_kind = FLOWS
    list_display = ["reporter", "partner_or_world", "year", "flow", "value", "currency", "source", "is_synthetic"]
    list_filter = ["flow", "currency", "year", "is_synthetic"]
    list_select_related = ["reporter", "partner", "source"]
    search_fields = ["=reporter__iso3", "=partner__iso3"]
    search_help_text = "ISO3 codes: KEN finds Kenya's figures and its partners' about it; KEN TZA the two's."
    show_full_result_count = False
    list_per_page = 100
    ordering = ["-id"]  # the latest entered or imported first; served by the primary key with a million rows
    autocomplete_fields = ["reporter", "partner", "source"]
    fields = ["reporter", "partner", "year", "flow", "value", "currency", "source", "is_synthetic"]
    readonly_fields = ["created_at", "updated_at"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[TradeFlow], search_term: str
    ) -> tuple[QuerySet[TradeFlow], bool]:
        """Each ISO3 code as the reporter or the partner, by id: no join over a million rows."""
        codes = search_term.upper().split()
        if not codes:
            return queryset, False
        ids = dict(Country.objects.filter(iso3__in=codes).values_list("iso3", "pk"))
        for code in codes:
            if code not in ids:
                return queryset.none(), False
            queryset = queryset.filter(Q(reporter_id=ids[code]) | Q(partner_id=ids[code]))
        return queryset, False

    @admin.display(description="partner", ordering="partner__name")
    def partner_or_world(self, obj: TradeFlow) -> str:
        return str(obj.partner) if obj.partner_id else "World"

    # Admin edits refresh the pairs they touch (before and after the change), once committed.
    def save_model(self, request: HttpRequest, obj: TradeFlow, form: Any, change: bool) -> None:
        before = pair_of(form.initial.get("reporter"), form.initial.get("partner")) if change else []
        super().save_model(request, obj, form, change)
        on_commit_refresh(list({*before, *pair_of(obj.reporter_id, obj.partner_id)}))

    def delete_model(self, request: HttpRequest, obj: TradeFlow) -> None:
        pairs = pair_of(obj.reporter_id, obj.partner_id)
        super().delete_model(request, obj)
        on_commit_refresh(pairs)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TradeFlow]) -> None:
        pairs = {p for r, q in queryset.values_list("reporter_id", "partner_id") for p in pair_of(r, q)}
        super().delete_queryset(request, queryset)
        on_commit_refresh(list(pairs))


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ImportAdmin):
    import_kind = RATES
    list_display = ["currency", "year", "units_per_usd", "source"]
    list_filter = ["currency", "year"]
    list_select_related = ["source"]
    search_fields = ["=currency"]
    search_help_text = "An ISO 4217 code, e.g. TZS."
    show_full_result_count = False
    autocomplete_fields = ["source"]
    fields = ["currency", "year", "units_per_usd", "source"]
    readonly_fields = ["created_at", "updated_at"]

    # A rate converts every figure in its currency and year.
    def save_model(self, request: HttpRequest, obj: ExchangeRate, form: Any, change: bool) -> None:
        keys = {(obj.currency, obj.year)}
        if change:
            keys.add((form.initial.get("currency"), form.initial.get("year")))
        super().save_model(request, obj, form, change)
        on_commit_refresh(pairs_for_rates(keys))

    def delete_model(self, request: HttpRequest, obj: ExchangeRate) -> None:
        pairs = pairs_for_rates([(obj.currency, obj.year)])
        super().delete_model(request, obj)
        on_commit_refresh(pairs)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ExchangeRate]) -> None:
        pairs = pairs_for_rates(queryset.values_list("currency", "year"))
        super().delete_queryset(request, queryset)
        on_commit_refresh(pairs)


class DerivedAdmin(admin.ModelAdmin):
    """Rows the refresh writes: staff read them, nobody adds, changes or deletes
    them here, not even a superuser. Derived rows are rebuilt, never hand-edited.

    Deleting is refused by the pages themselves (no delete view, no bulk
    action, no link) rather than by ``has_delete_permission``: the admin asks
    that permission of every row a deletion would cascade to, and deleting an
    agreement or a country must still take its derived rows with it.
    """

    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "show_delete": False})

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        raise PermissionDenied


@admin.register(PairYearStatistic)
class PairYearStatisticAdmin(DerivedAdmin):
    list_display = [
        "country_a",
        "country_b",
        "year",
        "a_to_b_usd",
        "a_to_b_basis",
        "b_to_a_usd",
        "b_to_a_basis",
        "total_usd",
        "growth",
        "agreements_in_force",
        "is_synthetic",
    ]
    list_filter = ["year", "a_to_b_basis", "b_to_a_basis", "is_synthetic"]
    list_select_related = ["country_a", "country_b"]
    search_fields = ["=country_a__iso3", "=country_b__iso3"]
    search_help_text = "ISO3 codes: KEN finds Kenya's pairs; KEN TZA the pair."
    ordering = ["country_a_id", "country_b_id", "year"]  # the unique index's order


@admin.register(AgreementTradeStatistic)
class AgreementTradeStatisticAdmin(DerivedAdmin):
    list_display = [
        "agreement",
        "reference_event",
        "reference_year",
        "average_before_usd",
        "years_before",
        "average_after_usd",
        "years_after",
        "change",
    ]
    list_filter = ["reference_event"]
    list_select_related = ["agreement"]
    search_fields = ["agreement__title"]


@admin.register(RefreshRun)
class RefreshRunAdmin(DerivedAdmin):
    list_display = ["started_at", "kind", "scope", "status", "failure", "finished_at", "rows_written", "short_error"]
    list_filter = ["status", "failure", "kind"]
    date_hierarchy = "started_at"

    @admin.display(description="error")
    def short_error(self, obj: RefreshRun) -> str:
        first = obj.error.strip().splitlines()[0] if obj.error.strip() else ""
        return first[:120] + ("…" if len(first) > 120 else "")
