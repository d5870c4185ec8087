"""The WTO RTA list and GPTAD uploads in the admin: /admin/agreements/agreement/import-wto-rta/ and
/import-gptad/, wired like the DESTA upload (agreements/admin/desta.py) onto the registered Agreement admin.

The work is agreements.imports.wto_rta's and .gptad's, as for ``manage.py import_wto_rta`` and
``import_gptad``: the whole file checked first, errors by line, nothing written on error, and
the same file again changes nothing.
"""

from collections.abc import Callable
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
from tradepacts.imports import ImportResult
from tradepacts.uploads import Upload, upload_view

Importer = Callable[..., ImportResult]
UPLOADS: dict[str, tuple[str, str, Importer]] = {
    "wto_rta": ("Import the WTO RTA list", "The WTO's RTA list export (CSV, UTF-8).", import_wto_rta),
    "gptad": ("Import GPTAD", "The World Bank's GPTAD list (CSV, UTF-8).", import_gptad),
}


class DatasetImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Nothing is written if any row is wrong.")


def dataset_upload(title: str, help_text: str, importer: Importer) -> Upload:
    """The dataset's page: what was not matched comes back as the result's warnings, with their lines."""

    class Form(DatasetImportForm):
        file = forms.FileField(label="CSV file", help_text=f"{help_text} Nothing is written if any row is wrong.")

    def run(
        model_admin: admin.ModelAdmin, request: HttpRequest, file: UploadedFile, data: dict[str, Any]
    ) -> ImportResult:
        return importer(file, filename=file.name or "a CSV file", user=request.user)

    return Upload(
        title=title,
        template="admin/agreements/upload.html",
        form_class=Form,
        run=run,
        allowed=can_import,
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

    model_admin.get_urls = get_urls_with_datasets  # type: ignore[method-assign]  # this instance's URLs only


add_dataset_urls(admin.site.get_model_admin(Agreement))
