"""The WTO RTA list and GPTAD uploads in the admin: /admin/agreements/agreement/import-wto-rta/ and
/import-gptad/, wired like the DESTA upload (agreements/admin/desta.py) onto the registered Agreement admin.

The work is agreements.imports.wto_rta's and .gptad's, as for ``manage.py import_wto_rta`` and
``import_gptad``: the whole file checked first, errors by line, nothing written on error, and
the same file again changes nothing.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path

from agreements.admin.desta import can_import
from agreements.imports.agreements import ImportFailed, RowError, upload_page
from agreements.imports.gptad import import_gptad
from agreements.imports.wto_rta import import_wto_rta
from agreements.models import Agreement

MAX_NOTES_SHOWN = 20
UPLOADS = {
    "wto_rta": ("Import the WTO RTA list", "The WTO's RTA list export (CSV, UTF-8).", import_wto_rta),
    "gptad": ("Import GPTAD", "The World Bank's GPTAD list (CSV, UTF-8).", import_gptad),
}


class DatasetImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Nothing is written if any row is wrong.")


def dataset_import_view(model_admin, request: HttpRequest, slug: str) -> HttpResponse:
    if not can_import(model_admin, request):
        raise PermissionDenied
    title, help_text, importer = UPLOADS[slug]
    form = DatasetImportForm(request.POST or None, request.FILES or None)
    form.fields["file"].help_text = f"{help_text} {form.fields['file'].help_text}"
    errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = importer(upload, filename=upload.name, user=request.user)
        except ImportFailed as failure:
            errors = failure.errors
        else:
            model_admin.message_user(request, f"Imported {upload.name}: {result}", messages.SUCCESS)
            for note in result.report.unmatched[:MAX_NOTES_SHOWN]:
                model_admin.message_user(request, f"Not matched, {note}", messages.WARNING)
            opts = model_admin.opts
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return upload_page(model_admin, request, "admin/agreements/upload.html", title=title, form=form, errors=errors)


def add_dataset_urls(model_admin: admin.ModelAdmin) -> None:
    get_urls = model_admin.get_urls

    def get_urls_with_datasets() -> list[URLPattern]:
        opts = model_admin.opts
        patterns = []
        for slug in UPLOADS:
            view = model_admin.admin_site.admin_view(
                lambda request, slug=slug: dataset_import_view(model_admin, request, slug)
            )
            name = f"{opts.app_label}_{opts.model_name}_import_{slug.replace('_', '')}"
            patterns.append(path(f"import-{slug.replace('_', '-')}/", view, name=name))
        return [*patterns, *get_urls()]

    model_admin.get_urls = get_urls_with_datasets


add_dataset_urls(admin.site.get_model_admin(Agreement))
