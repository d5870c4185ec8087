"""Staff curation: one page per agreement with its parties, signatories and sources."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.urls import path

from agreements.admin.drafts import DRAFT_SOURCE_FIELDS, DraftSourceForm, cite_draft_source, draft_of, draft_view
from agreements.admin.inlines import (
    AgreementRelationInline,
    AgreementSourceInline,
    ExternalIdentifierInline,
    PartyFormSet,
    PartyInline,
    SignatoryFormSet,
    SignatoryInline,
)
from agreements.admin.reference import HistoryAdmin
from agreements.admin.uploads import AGREEMENTS_UPLOAD
from agreements.admin.versions import refuse_if_stale
from agreements.admin.widgets import (
    COUNTRY_LIST_ID,
    PARTY_LIST_ID,
)
from agreements.extensions import agreement_inlines
from agreements.forms import PartialDateFormMixin
from agreements.imports.resolve import CURATABLE
from agreements.models import (
    Agreement,
    Country,
    Memorandum,
    Party,
    Signatory,
)
from agreements.models.agreements import AGREEMENT_DATES
from agreements.models.slugs import SLUG_LENGTH
from agreements.search import reindex
from agreements.tasks import trade_refresh_for_agreement
from tradepacts.uploads import upload_view

admin.site.site_header = "tradepacts curation"
admin.site.site_title = "tradepacts admin"
admin.site.index_title = "Agreements, corridors and sources"


class AgreementForm(PartialDateFormMixin, forms.ModelForm):
    """The agreement's fields, and the version it was opened at (agreements.admin.versions)."""

    partial_dates = tuple(AGREEMENT_DATES)
    opened_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Shown only for a draft from a news report (agreements.admin.drafts): the source it cites.
    source_title = DraftSourceForm.base_fields["source_title"]
    source_url = DraftSourceForm.base_fields["source_url"]
    source_publisher = DraftSourceForm.base_fields["source_publisher"]
    source_published_on = DraftSourceForm.base_fields["source_published_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["opened_version"] = self.instance.version
        if not self.instance.pk and "slug" in self.fields:  # new slugs stay short; old ones may be longer
            slug = self.fields["slug"]
            if isinstance(slug, forms.CharField):  # the model's SlugField: a forms.SlugField
                slug.max_length = SLUG_LENGTH
            slug.widget.attrs["maxlength"] = SLUG_LENGTH

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what ModelForm.clean returns
        if self.instance.pk:
            refuse_if_stale(self.instance, cleaned.get("opened_version"))
        return cleaned


def rows_count(n: int) -> Callable[..., int]:
    """An inline's ``get_extra`` giving ``n`` rows (a draft's)."""
    return lambda request, obj=None, **kwargs: n


def topic_changes(form: forms.ModelForm) -> str:
    """What the save did to the topics, by name, for the history."""
    if "topics" not in form.changed_data:
        return ""
    before = {topic.name for topic in form.initial.get("topics") or []}
    after = {topic.name for topic in form.cleaned_data.get("topics") or []}
    parts = [f"Added topic {name}." for name in sorted(after - before)]
    parts += [f"Removed topic {name}." for name in sorted(before - after)]
    return " ".join(parts)


def describe(obj: Model) -> str:
    """How a row of an inline is named in the history's change reason."""
    return obj.history_label() if hasattr(obj, "history_label") else str(obj)


@admin.register(Agreement)
class AgreementAdmin(HistoryAdmin):
    form = AgreementForm
    change_form_template = "admin/agreements/agreement/change_form.html"
    change_list_template = "admin/agreements/agreement/change_list.html"  # adds "Import CSV"
    list_display = ["title", "kind", "status", "signed", "party_codes", "is_published", "updated_at"]
    list_filter = ["is_published", "kind", "status", "scope", "is_binding", "topics"]
    search_fields = ["title"]  # enables the box; get_search_results searches the full text
    search_help_text = "Words from the title, parties, institutions, signatories, places or identifiers (KEN, 787)."
    show_full_result_count = False
    list_per_page = 50
    autocomplete_fields = ["topics"]
    readonly_fields = ["is_published", "published_at", "created_at", "updated_at"]
    prepopulated_fields = {"slug": ["title"]}
    actions = ["publish_selected", "unpublish_selected"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "scope", "status", "is_binding", "summary", "opened_version"]}),
        ("Dates", {"fields": ["announced_on", "signed_on", "place", "in_force_on", "ended_on"]}),
        ("Subjects", {"fields": ["topics"]}),
        ("Publication", {"fields": ["is_published", "published_at", "last_verified_on", "created_at", "updated_at"]}),
    ]
    inlines = [PartyInline, SignatoryInline, AgreementSourceInline, ExternalIdentifierInline, AgreementRelationInline]

    def get_inlines(self, request, obj):
        # With the inlines other apps add (agreements.extensions): the corridors concerned.
        return [*self.inlines, *agreement_inlines()]

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_import"
        draft = f"{self.opts.app_label}_{self.opts.model_name}_draft"
        return [
            path("import/", self.admin_site.admin_view(self.import_csv), name=name),
            path("draft/", self.admin_site.admin_view(self.draft_from_news_report), name=draft),
            *super().get_urls(),
        ]

    def draft_from_news_report(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        return draft_view(self, request)

    # --- a draft from a news report (agreements.admin.drafts) ------------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None and draft_of(request):
            fieldsets = [*fieldsets, ("Source: the news report", {"fields": DRAFT_SOURCE_FIELDS})]
        return fieldsets

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if draft := draft_of(request):
            fields = {k: v for k, v in draft["fields"].items() if k != "signed_precision"}
            source = draft["source"]
            initial |= fields | {
                "source_title": source.get("title", ""),
                "source_url": source.get("url", ""),
                "source_publisher": source.get("publisher", ""),
                "source_published_on": source.get("published_on"),
            }
        return initial

    def draft_rows(self, request: HttpRequest, model: type[Model]) -> list[dict[str, Any]] | None:
        draft = draft_of(request)
        if draft is None:
            return None
        if model is Party:
            return draft["parties"]
        if model is Signatory:
            return draft["signatories"]
        return draft["linked"].get(model._meta.label_lower)

    def get_inline_instances(self, request, obj=None):
        instances = super().get_inline_instances(request, obj)
        if obj is None and request.method == "GET":
            for inline in instances:
                if rows := self.draft_rows(request, inline.model):
                    # As many rows as the draft proposes (inlines of other apps included).
                    inline.get_extra = rows_count(len(rows))
                    inline.min_num = 0
        return instances

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # Only on the page shown: posted back, the rows must count as typed, not as defaults.
        if request.method == "GET" and obj.pk is None and (rows := self.draft_rows(request, inline.model)):
            kwargs["initial"] = rows
        return kwargs

    def import_csv(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV of the export's columns: agreements.imports.agreements does the work."""
        return upload_view(self, request, AGREEMENTS_UPLOAD)

    def get_search_results(self, request, queryset, search_term):
        # The public search's index (full text on PostgreSQL), not joins over
        # parties and identifiers: those took over a second at 100,000 agreements.
        # Titles also match on part of a word, as the autocomplete boxes expect.
        if not search_term.strip():
            return queryset, False
        matches = queryset.search(search_term).values("pk")
        return queryset.filter(Q(pk__in=matches) | Q(title__icontains=search_term)), False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("parties", queryset=Party.objects.select_related("country").order_by("country__iso3"))
            )
        )

    @admin.display(description="signed", ordering="signed_on")
    def signed(self, obj: Agreement) -> str:
        return obj.date_display("signed_on")

    @admin.display(description="parties")
    def party_codes(self, obj: Agreement) -> str:
        return " ".join(party.country.iso3 for party in obj.parties.all() if party.country)

    def _create_formsets(self, request, obj, change):
        # Let the signatories see the parties submitted on the same page.
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        parties = next((f for f in formsets if isinstance(f, PartyFormSet)), None)
        for formset in formsets:
            if isinstance(formset, SignatoryFormSet):
                formset.party_formset = parties
        return formsets, inline_instances

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_publish"] = self.has_publish_permission(request)
        if (draft := draft_of(request)) and not kwargs.get("obj"):
            context["draft_evidence"] = draft["evidence"]
        # The one list every ISO3 box of the page offers (agreements.admin.widgets).
        context["country_list_id"] = COUNTRY_LIST_ID
        context["country_list"] = Country.objects.filter(is_historic=False).order_by("iso3").values_list("iso3", "name")
        context["party_list_id"] = PARTY_LIST_ID
        context["party_list"] = next(
            (
                f.formset.party_choices
                for f in context.get("inline_admin_formsets", [])
                if isinstance(f.formset, SignatoryFormSet)
            ),
            [],
        )
        return super().render_change_form(request, context, *args, **kwargs)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("agreements.publish_agreement")

    def save_model(self, request, obj, form, change):
        if "_publish" in request.POST and self.has_publish_permission(request):
            obj.is_published = True
        elif "_unpublish" in request.POST and self.has_publish_permission(request):
            obj.is_published, obj.published_at = False, None
        # What a curator edits, no dataset import writes again (agreements.imports.resolve).
        edited = {name.removesuffix("_precision").removesuffix("_on") for name in form.changed_data}
        curated = [name for name in CURATABLE if name.removesuffix("_on") in edited]
        if change and curated:
            obj.curated_fields = sorted(set(obj.curated_fields or []) | set(curated))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with trade_refresh_for_agreement(form.instance.pk):  # trade figures count agreements in force
            super().save_related(request, form, formsets, change)
        agreement = form.instance
        if (
            change
            and "parties" not in agreement.curated_fields
            and any(formset.model is Party and formset.has_changed() for formset in formsets)
        ):
            agreement.curated_fields = sorted([*agreement.curated_fields, "parties"])
            type(agreement).objects.filter(pk=agreement.pk).update(curated_fields=agreement.curated_fields)
        if not change and form.cleaned_data.get("source_title"):
            cite_draft_source(form.instance, form.cleaned_data)  # the news report it was drafted from
        reindex([form.instance.pk])  # parties, signatories and linked records are searchable text

    def delete_model(self, request, obj):
        with trade_refresh_for_agreement(obj.pk):  # its pairs' trade figures counted it
            super().delete_model(request, obj)

    def construct_change_message(self, request, form, formsets, add=False):
        # Runs after everything is saved: name the changes, inlines included,
        # on the history row the save just wrote.
        message = super().construct_change_message(request, form, formsets, add)
        parts = ["Created." if add else ""]
        changed = [name for name in form.changed_data if name != "opened_version"]
        if not add and changed:
            parts.append("Changed " + ", ".join(changed) + ".")
        parts.append(topic_changes(form))
        for formset in formsets:
            label = formset.model._meta.verbose_name
            parts += [f"Added {label} {describe(o)}." for o in formset.new_objects]
            parts += [f"Changed {label} {describe(o)}." for o, _ in formset.changed_objects]
            parts += [f"Deleted {label} {describe(o)}." for o in formset.deleted_objects]
        if "_publish" in request.POST:
            parts.append("Published.")
        if "_unpublish" in request.POST:
            parts.append("Returned to draft.")
        record = form.instance.history.order_by("-history_id").first()  # the row save_model wrote
        record.history_change_reason = " ".join(p for p in parts if p) or "Saved without changes."
        record.save(update_fields=["history_change_reason"])
        return message

    def response_add(self, request, obj, post_url_continue=None):
        self._tell_publication(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._tell_publication(request, obj)
        return super().response_change(request, obj)

    def _tell_publication(self, request: HttpRequest, obj: Agreement) -> None:
        if obj.is_published:
            self.message_user(request, "This agreement is published: the public can see it.", messages.INFO)
        else:
            self.message_user(request, "This agreement is a draft: only staff can see it.", messages.WARNING)

    @admin.action(description="Publish selected agreements", permissions=["publish"])
    def publish_selected(self, request, queryset):
        count = queryset.publish()
        self.message_user(request, f"Published {count} agreement(s).", messages.SUCCESS)

    @admin.action(description="Return selected agreements to draft", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        count = queryset.unpublish()
        self.message_user(request, f"Returned {count} agreement(s) to draft.", messages.SUCCESS)


@admin.register(Memorandum)
class MemorandumAdmin(AgreementAdmin):
    """Curators' shortcut for MoUs: the same page, with the kind preset."""

    def get_changeform_initial_data(self, request):
        return {"kind": Agreement.Kind.MOU, "is_binding": False, **super().get_changeform_initial_data(request)}
