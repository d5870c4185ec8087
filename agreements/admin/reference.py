"""The reference data in the admin: countries, blocs, organisations, sources, topics,
and the history-keeping base every curated model's admin shares."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from agreements.forms import PartialDateFormMixin
from agreements.models import (
    Bloc,
    BlocMembership,
    Country,
    Organisation,
    Source,
    Topic,
)

admin.site.site_header = "tradepacts curation"
admin.site.site_title = "tradepacts admin"
admin.site.index_title = "Agreements, corridors and sources"


class HistoryAdmin(SimpleHistoryAdmin):
    """Change history per record, with who made each change."""

    def history_view(self, request, object_id, extra_context=None):
        # A mangled id in the URL is a missing page, not a server error.
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404 from None
        return super().history_view(request, object_id, extra_context)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["iso3", "iso2", "numeric", "name", "is_historic"]
    list_filter = ["is_historic"]
    search_fields = ["name", "official_name", "=iso3", "=iso2", "=numeric"]
    show_full_result_count = False


class BlocMembershipForm(PartialDateFormMixin, forms.ModelForm):
    partial_dates = ("joined_on", "left_on")


class BlocMembershipInline(admin.TabularInline):
    model = BlocMembership
    form = BlocMembershipForm
    fields = ["country", "joined_on", "left_on"]
    autocomplete_fields = ["country"]
    extra = 0


@admin.register(Bloc)
class BlocAdmin(HistoryAdmin):
    list_display = ["code", "name", "founded_on"]
    search_fields = ["code", "name"]
    inlines = [BlocMembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    list_display = ["name", "acronym", "kind", "country"]
    list_filter = ["kind", ("country", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["country"]
    search_fields = ["name", "acronym", "country__name", "=country__iso3"]
    autocomplete_fields = ["country", "parent"]
    prepopulated_fields = {"slug": ["name"]}
    show_full_result_count = False


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["title", "publisher", "kind", "published_on"]
    list_filter = ["kind"]
    search_fields = ["title", "publisher", "url"]
    date_hierarchy = "published_on"
    show_full_result_count = False


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
