"""Staff curation of corridors, their countries in route order and their nodes."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from agreements.admin import AgreementAdmin, HistoryAdmin, surviving_values
from agreements.search import reindex
from corridors.models import Corridor, CorridorAgreement, CorridorMember, Node


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


AgreementAdmin.extra_inlines.append(AgreementCorridorInline)


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


@admin.register(Node)
class NodeAdmin(HistoryAdmin):
    list_display = ["name", "corridor", "position", "kind", "country", "status"]
    list_filter = ["corridor", "kind", "status"]
    list_select_related = ["corridor", "country"]
    search_fields = ["name", "corridor__name"]
    autocomplete_fields = ["corridor", "country"]
