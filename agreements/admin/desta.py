"""The DESTA upload in the admin: /admin/agreements/agreement/import-desta/.

Wired by agreements/admin/__init__.py, once the Agreement admin is
registered. The URL is added to that registered instance: its ``get_urls`` is
wrapped to put the upload first (before the admin's catch-all object URLs),
named ``admin:agreements_agreement_import_desta``. The instance, found through
``admin.site.get_model_admin``, and not the class: the MoU admin subclasses
AgreementAdmin and must not grow a second copy; and agreements.admin.agreements stays
untouched but for the one import.

The work is agreements.imports.desta's, as for ``manage.py import_desta``.
"""

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from agreements.imports.desta import SOURCE_TITLE, import_desta
from agreements.models import Agreement
from tradepacts.uploads import Upload, upload_view


class DestaImportForm(forms.Form):
    file = forms.FileField(
        label="DESTA file",
        help_text="DESTA's dyadic list of treaties as published (desta_list_of_treaties_02_01_dyads.csv, "
        "Windows-1252). Nothing is written if any row is wrong.",
    )


def can_import(model_admin: admin.ModelAdmin, request: HttpRequest) -> bool:
    """Adding agreements, and publishing them: every DESTA agreement is created published."""
    return model_admin.has_add_permission(request) and request.user.has_perm("agreements.publish_agreement")


DESTA_UPLOAD = Upload(
    title="Import the DESTA list of treaties",
    template="admin/agreements/desta_import.html",
    form_class=DestaImportForm,
    run=lambda model_admin, request, file, data: import_desta(
        file,
        filename=file.name or "the DESTA file",
        user=request.user,  # an upload always has its name
    ),
    allowed=can_import,
    success_message=lambda file, result: f"Imported {file.name} in {result.seconds:.1f} s: {result}",
    context={"source_title": SOURCE_TITLE},
)


def desta_import_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    return upload_view(model_admin, request, DESTA_UPLOAD)


def add_desta_url(model_admin: admin.ModelAdmin) -> None:
    """Give this ModelAdmin instance the upload's URL, first in its list."""
    get_urls = model_admin.get_urls

    def get_urls_with_desta() -> list[URLPattern]:
        opts = model_admin.opts
        view = model_admin.admin_site.admin_view(lambda request: desta_import_view(model_admin, request))
        name = f"{opts.app_label}_{opts.model_name}_import_desta"
        return [path("import-desta/", view, name=name), *get_urls()]

    model_admin.get_urls = get_urls_with_desta  # type: ignore[method-assign]  # this instance's URLs only


add_desta_url(admin.site.get_model_admin(Agreement))
