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
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path

from agreements.imports.agreements import ImportFailed, RowError, upload_page
from agreements.imports.desta import SOURCE_TITLE, import_desta
from agreements.models import Agreement

MAX_WARNINGS_SHOWN = 20


class DestaImportForm(forms.Form):
    file = forms.FileField(
        label="DESTA file",
        help_text="DESTA's dyadic list of treaties as published (desta_list_of_treaties_02_01_dyads.csv, "
        "Windows-1252). Nothing is written if any row is wrong.",
    )


def can_import(model_admin, request: HttpRequest) -> bool:
    """Adding agreements, and publishing them: every DESTA agreement is created published."""
    return model_admin.has_add_permission(request) and request.user.has_perm("agreements.publish_agreement")


def desta_import_view(model_admin, request: HttpRequest) -> HttpResponse:
    """Staff allowed to add and publish upload the file; errors listed by line, or back to the list."""
    if not can_import(model_admin, request):
        raise PermissionDenied
    form = DestaImportForm(request.POST or None, request.FILES or None)
    errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_desta(upload, filename=upload.name, user=request.user)
        except ImportFailed as failure:
            errors = failure.errors
        else:
            model_admin.message_user(
                request, f"Imported {upload.name} in {result.seconds:.1f} s: {result}", messages.SUCCESS
            )
            for warning in result.warnings[:MAX_WARNINGS_SHOWN]:
                model_admin.message_user(request, f"Warning, {warning}", messages.WARNING)
            if len(result.warnings) > MAX_WARNINGS_SHOWN:
                more = len(result.warnings) - MAX_WARNINGS_SHOWN
                model_admin.message_user(request, f"… and {more} more warning(s).", messages.WARNING)
            opts = model_admin.opts
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return upload_page(
        model_admin,
        request,
        "admin/agreements/desta_import.html",
        title="Import the DESTA list of treaties",
        form=form,
        errors=errors,
        source_title=SOURCE_TITLE,
    )


def add_desta_url(model_admin: admin.ModelAdmin) -> None:
    """Give this ModelAdmin instance the upload's URL, first in its list."""
    get_urls = model_admin.get_urls

    def get_urls_with_desta() -> list[URLPattern]:
        opts = model_admin.opts
        view = model_admin.admin_site.admin_view(lambda request: desta_import_view(model_admin, request))
        name = f"{opts.app_label}_{opts.model_name}_import_desta"
        return [path("import-desta/", view, name=name), *get_urls()]

    model_admin.get_urls = get_urls_with_desta


add_desta_url(admin.site.get_model_admin(Agreement))
