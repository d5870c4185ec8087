"""The one admin CSV upload view, for every import (tradepacts.imports).

Each import describes its page with an ``Upload``: who may use it, the form,
how to run the import on the uploaded file, and the template (extending
templates/admin/agreements/upload.html). The view does the rest the same way
for all: a refused file shows its errors by line (the first MAX_ERRORS_SHOWN),
a good one goes back to the model's list with the result and its warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from tradepacts.imports import ImportFailed, ImportResult, RowError

MAX_ERRORS_SHOWN = 500
MAX_WARNINGS_SHOWN = 20


def may_add(model_admin: admin.ModelAdmin, request: HttpRequest) -> bool:
    return model_admin.has_add_permission(request)


def imported(upload: UploadedFile, result: ImportResult) -> str:
    return f"Imported {upload.name}: {result}"


@dataclass
class Upload:
    """One upload page: its title and template, its form, and how it imports the file.

    ``run(model_admin, request, file, cleaned_data)`` imports the file and
    returns the result, or raises ImportFailed.
    """

    title: str
    template: str
    form_class: type[forms.Form]
    run: Callable[[admin.ModelAdmin, HttpRequest, UploadedFile, dict[str, Any]], ImportResult]
    allowed: Callable[[admin.ModelAdmin, HttpRequest], bool] = may_add
    form_kwargs: Callable[[admin.ModelAdmin, HttpRequest], dict[str, Any]] = lambda model_admin, request: {}
    success_message: Callable[[UploadedFile, ImportResult], str] = imported
    context: dict[str, Any] = field(default_factory=dict)


def upload_view(model_admin: admin.ModelAdmin, request: HttpRequest, upload: Upload) -> HttpResponse:
    """Staff allowed to upload send a CSV; its errors listed by line, or back to the list."""
    if not upload.allowed(model_admin, request):
        raise PermissionDenied
    form = upload.form_class(request.POST or None, request.FILES or None, **upload.form_kwargs(model_admin, request))
    errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            file.seek(0)
            result = upload.run(model_admin, request, file, form.cleaned_data)
        except ImportFailed as failure:
            errors = failure.errors
        else:
            model_admin.message_user(request, upload.success_message(file, result), messages.SUCCESS)
            for warning in result.warnings[:MAX_WARNINGS_SHOWN]:
                model_admin.message_user(request, f"Warning, {warning}", messages.WARNING)
            if len(result.warnings) > MAX_WARNINGS_SHOWN:
                more = len(result.warnings) - MAX_WARNINGS_SHOWN
                model_admin.message_user(request, f"… and {more} more warning(s).", messages.WARNING)
            opts = model_admin.opts
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": upload.title,
        "form": form,
        "errors": errors[:MAX_ERRORS_SHOWN],
        "error_count": len(errors),
        "more_errors": max(0, len(errors) - MAX_ERRORS_SHOWN),
        **upload.context,
    }
    return TemplateResponse(request, upload.template, context)
