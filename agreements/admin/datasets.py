"""The WTO RTA list and GPTAD uploads in the admin: /admin/agreements/agreement/import-wto-rta/ and
/import-gptad/, wired like the DESTA upload (agreements/admin/desta.py) onto the registered Agreement admin.

The work is agreements.imports.wto_rta's and .gptad's, as for ``manage.py import_wto_rta`` and
``import_gptad``: the whole file checked first, errors by line, nothing written on error, and
the same file again changes nothing.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from agreements.admin.desta import can_import
from agreements.imports.gptad import import_gptad
from agreements.imports.wto_rta import import_wto_rta
from agreements.models import Agreement
from tradepacts.uploads import Upload, upload_view

MAX_NOTES_SHOWN = 20
UPLOADS = {
    "wto_rta": ("Import the WTO RTA list", "The WTO's RTA list export (CSV, UTF-8).", import_wto_rta),
    "gptad": ("Import GPTAD", "The World Bank's GPTAD list (CSV, UTF-8).", import_gptad),
}


class DatasetImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Nothing is written if any row is wrong.")


def dataset_upload(title: str, help_text: str, importer: Any) -> Upload:
    def form_class(*args: Any, **kwargs: Any) -> forms.Form:
        form = DatasetImportForm(*args, **kwargs)
        form.fields["file"].help_text = f"{help_text} {form.fields['file'].help_text}"
        return form

    def success_message(file: UploadedFile, result: Any) -> str:
        unmatched = result.report.unmatched
        shown = "".join(f" Not matched, {note}." for note in unmatched[:MAX_NOTES_SHOWN])
        more = (
            f" … and {len(unmatched) - MAX_NOTES_SHOWN} more not matched." if len(unmatched) > MAX_NOTES_SHOWN else ""
        )
        return f"Imported {file.name}: {result}{shown}{more}"

    return Upload(
        title=title,
        template="admin/agreements/upload.html",
        form_class=form_class,  # type: ignore[arg-type]  # a factory: the help text names the file
        run=lambda model_admin, request, file, data: importer(file, filename=file.name, user=request.user),
        allowed=can_import,
        success_message=success_message,
    )


DATASET_UPLOADS = {slug: dataset_upload(*details) for slug, details in UPLOADS.items()}


def dataset_import_view(model_admin: admin.ModelAdmin, request: HttpRequest, slug: str) -> HttpResponse:
    return upload_view(model_admin, request, DATASET_UPLOADS[slug])


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
