"""Staff curation of corridors, their countries in route order and their nodes."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from agreements.admin.inlines import surviving_values
from agreements.admin.reference import HistoryAdmin
from agreements.extensions import add_agreement_inline
from agreements.search import reindex
from agreements.trade.admin import CHANGE_LIST_WITH_IMPORT, DerivedAdmin
from corridors.imports import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, import_corridor_indicators
from corridors.models import (
    AgreementIndicatorChange,
    Corridor,
    CorridorAgreement,
    CorridorMember,
    Indicator,
    IndicatorObservation,
    Node,
    ObservationStatistic,
)
from corridors.periods import Period
from tradepacts.imports import ImportResult
from tradepacts.uploads import Upload, upload_view


class MemberInline(admin.TabularInline):
    model = CorridorMember
    fields = ["position", "country", "role"]
    autocomplete_fields = ["country"]
    extra = 0


class NodeFormSet(BaseInlineFormSet):
    """A node's country must be among the members submitted on the same page."""

    member_formset: BaseInlineFormSet | None = None

    def clean(self) -> None:
        super().clean()
        if self.member_formset is None or not self.member_formset.is_valid():
            return
        members = {country for country in surviving_values(self.member_formset, "country") if country}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if data and not data.get("DELETE") and data.get("country") and data["country"] not in members:
                form.add_error(
                    "country", ValidationError(f"{data['country']} is not a member country of this corridor.")
                )


class NodeInline(admin.TabularInline):
    model = Node
    formset = NodeFormSet
    fields = ["position", "name", "kind", "country", "status", "description"]
    autocomplete_fields = ["country"]
    extra = 0


class CorridorAgreementInline(admin.TabularInline):
    """On the corridor page: the agreements that concern it."""

    model = CorridorAgreement
    fields = ["agreement"]
    autocomplete_fields = ["agreement"]
    verbose_name = "agreement concerning this corridor"
    verbose_name_plural = "agreements concerning this corridor"
    extra = 0


class AgreementCorridorInline(admin.TabularInline):
    """On the agreement page: the corridors it concerns."""

    model = CorridorAgreement
    fields = ["corridor"]
    autocomplete_fields = ["corridor"]
    verbose_name = "corridor concerned"
    verbose_name_plural = "corridors concerned"
    extra = 0


add_agreement_inline(AgreementCorridorInline)


@admin.register(Corridor)
class CorridorAdmin(HistoryAdmin):
    list_display = ["name", "gateway_port", "coordinating_authority", "length_km"]
    list_select_related = ["coordinating_authority"]
    search_fields = ["name", "gateway_port"]
    autocomplete_fields = ["coordinating_authority", "sources"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MemberInline, NodeInline, CorridorAgreementInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A corridor's name is part of its agreements' searchable text.
        reindex(form.instance.agreements.values_list("pk", flat=True))

    def _create_formsets(self, request, obj, change):
        # Let the nodes see the member countries submitted on the same page.
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        members = next((f for f in formsets if f.model is CorridorMember), None)
        for formset in formsets:
            if isinstance(formset, NodeFormSet):
                formset.member_formset = members
        return formsets, inline_instances


class NodeForm(forms.ModelForm):
    """On its own page, a node's country must already be a member of its corridor."""

    class Meta:
        model = Node
        fields = ["corridor", "position", "name", "kind", "country", "status", "description"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        corridor, country = data.get("corridor"), data.get("country")
        if corridor and country and not corridor.memberships.filter(country=country).exists():
            self.add_error("country", f"{country} is not a member country of {corridor}: add it to the corridor first.")
        return data


@admin.register(Node)
class NodeAdmin(HistoryAdmin):
    form = NodeForm
    list_display = ["name", "corridor", "position", "kind", "country", "status"]
    list_filter = ["corridor", "kind", "status"]
    list_select_related = ["corridor", "country"]
    search_fields = ["name", "corridor__name"]
    autocomplete_fields = ["corridor", "country"]


# --- indicators and their figures -----------------------------------------------------------


@admin.register(Indicator)
class IndicatorAdmin(HistoryAdmin):
    list_display = ["name", "unit", "better", "additive"]
    list_filter = ["better", "additive"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


class ObservationForm(forms.ModelForm):
    """The period as written in files and on pages (2024, 2024-Q3, 2024-07), not as a kind and a date."""

    period = forms.CharField(
        max_length=10, help_text="A year (2024), a quarter (2024-Q3) or a month (2024-07).", label="Period"
    )

    class Meta:
        model = IndicatorObservation
        fields = [
            "corridor",
            "indicator",
            "destination",
            "period",
            "value",
            "qualifier",
            "source",
            "note",
            "is_synthetic",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["period"] = str(self.instance.period)

    def clean_period(self) -> Period:
        try:
            return Period.parse(self.cleaned_data["period"])
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def _post_clean(self) -> None:
        period = self.cleaned_data.get("period")
        if isinstance(period, Period):
            self.instance.period_kind, self.instance.period_start = period.kind, period.start
        super()._post_clean()  # type: ignore[misc]  # django-stubs does not declare BaseModelForm._post_clean

    def validate_unique(self) -> None:
        # The natural key's constraints name period_kind/period_start, which the form shows as one field.
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            # What BaseModelForm._update_errors (not in django-stubs) does with plain messages.
            self.add_error(None, ValidationError({"period": error.messages}))


if TYPE_CHECKING:
    ImportAdminBase = admin.ModelAdmin[Any]  # what the mixin is mixed into
else:
    ImportAdminBase = object


class ImportAdminMixin(ImportAdminBase):
    """An "Import CSV" page at ``import/`` (the shared upload template, the agreements list's button)."""

    change_list_template = CHANGE_LIST_WITH_IMPORT

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}_import"
        return [path("import/", self.admin_site.admin_view(self.import_csv), name=name), *super().get_urls()]

    def import_csv(self, request: HttpRequest) -> HttpResponse:
        return upload_view(self, request, INDICATORS_UPLOAD)


class IndicatorImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8. Nothing is written if any row is wrong.")


def indicators_imported(file: UploadedFile, result: ImportResult) -> str:
    refresh = " The corridor statistics will be refreshed." if result.created or result.updated else ""
    return f"Imported {file.name}: {result}{refresh}"


INDICATORS_UPLOAD = Upload(
    title="Import corridor indicator figures from CSV",
    template="admin/corridors/indicator_import.html",
    form_class=IndicatorImportForm,
    run=lambda model_admin, request, file, data: import_corridor_indicators(
        file, filename=file.name or "a CSV file", can_change=model_admin.has_change_permission(request)
    ),
    success_message=indicators_imported,
    context={"required_columns": REQUIRED_COLUMNS, "optional_columns": OPTIONAL_COLUMNS},
)


@admin.register(IndicatorObservation)
class IndicatorObservationAdmin(ImportAdminMixin, HistoryAdmin):
    form = ObservationForm
    list_display = [
        "corridor",
        "indicator",
        "destination_or_all",
        "period_label",
        "value",
        "qualifier",
        "source",
        "is_synthetic",
    ]
    list_filter = [
        "corridor",
        "indicator",
        "period_kind",
        "is_synthetic",
        ("destination", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["corridor", "indicator", "destination", "source"]
    search_fields = ["corridor__name", "indicator__name", "=destination__iso3", "destination__name", "source__title"]
    search_help_text = "A corridor, an indicator, a destination (name or ISO3) or a source's title."
    autocomplete_fields = ["corridor", "indicator", "destination", "source"]
    ordering = ["corridor__name", "indicator__name", "destination__name", "period_kind", "period_start"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description="destination", ordering="destination__name")
    def destination_or_all(self, obj: IndicatorObservation) -> str:
        return str(obj.destination) if obj.destination_id else "All destinations"

    @admin.display(description="period", ordering="period_start")
    def period_label(self, obj: IndicatorObservation) -> str:
        return str(obj.period)


@admin.register(ObservationStatistic)
class ObservationStatisticAdmin(DerivedAdmin):
    list_display = [
        "observation",
        "corridor",
        "indicator",
        "period",
        "previous_value",
        "growth",
        "share",
        "is_synthetic",
    ]
    list_filter = ["observation__corridor", "observation__indicator", "is_synthetic"]
    list_select_related = ["observation__corridor", "observation__indicator"]
    search_fields = ["observation__corridor__name", "observation__indicator__name", "=observation__destination__iso3"]

    @admin.display(ordering="observation__corridor__name")
    def corridor(self, obj: ObservationStatistic) -> str:
        return str(obj.observation.corridor)

    @admin.display(ordering="observation__indicator__name")
    def indicator(self, obj: ObservationStatistic) -> str:
        return str(obj.observation.indicator)

    @admin.display(ordering="observation__period_start")
    def period(self, obj: ObservationStatistic) -> str:
        return str(obj.observation.period)


@admin.register(AgreementIndicatorChange)
class AgreementIndicatorChangeAdmin(DerivedAdmin):
    list_display = [
        "agreement",
        "corridor",
        "indicator",
        "destination",
        "period_kind",
        "reference_event",
        "reference_date",
        "average_before",
        "periods_before",
        "average_after",
        "periods_after",
        "change",
    ]
    list_filter = ["corridor", "indicator", "period_kind", "reference_event"]
    list_select_related = ["agreement", "corridor", "indicator", "destination"]
    search_fields = ["agreement__title", "corridor__name", "indicator__name"]
