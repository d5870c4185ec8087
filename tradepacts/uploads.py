"""The one admin CSV upload view, for every import (tradepacts.imports).

Each import describes its page with an ``Upload``: who may use it, the form,
how to run the import on the uploaded file, and the template (extending
templates/admin/agreements/upload.html). The view does the rest the same way
for all, in two steps that each run as a job (tradepacts.import_jobs):

1. The curator uploads the file (at most ``IMPORT_MAX_BYTES``): it is checked and
   previewed (``tradepacts.imports.preview``): what it would create, change and
   leave, naming each new topic, institution, source or corridor. Nothing is
   written. A refused file shows its errors by line (the first MAX_ERRORS_SHOWN).
2. The curator confirms: the file is written, and the job's page keeps the result.

The job's page is the upload page with ``?job=<id>``: a progress bar while it
runs (refreshing itself), then the preview and its Confirm button, or the
errors, or the result. Every Upload is registered by its ``key`` (UPLOADS), so a
job finds it again in a Celery worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.text import slugify

from tradepacts import import_jobs
from tradepacts.imports import ImportResult, RowError
from tradepacts.models import ImportJob

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
    key: str = ""  # made from the title when not given

    def __post_init__(self) -> None:
        self.key = self.key or slugify(self.title)
        UPLOADS[self.key] = self


UPLOADS: dict[str, Upload] = {}
RECENT_JOBS_SHOWN = 5


def size_error(file: UploadedFile) -> str:
    """A file over the size limit: what to do about it."""
    limit, size = settings.IMPORT_MAX_BYTES, file.size or 0
    if size <= limit:
        return ""
    return (
        f"This file is {filesizeformat(size)}; an upload takes at most {filesizeformat(limit)}. "
        "Split it into several files (each with the header row), or import it with the management command."
    )


def upload_view(model_admin: admin.ModelAdmin, request: HttpRequest, upload: Upload) -> HttpResponse:
    """Staff allowed to upload send a CSV: previewed as a job, written once they confirm."""
    if not upload.allowed(model_admin, request):
        raise PermissionDenied
    if job_id := request.GET.get("job"):
        return job_view(model_admin, request, upload, job_id)
    form = upload.form_class(request.POST or None, request.FILES or None, **upload.form_kwargs(model_admin, request))
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        if message := size_error(file):
            form.add_error("file", message)
        else:
            job = import_jobs.create(upload, model_admin, request, file)
            return redirect(f"{request.path}?job={job.pk}")
    recent = ImportJob.objects.filter(upload=upload.key, user=request.user.pk)[:RECENT_JOBS_SHOWN]
    return TemplateResponse(
        request, upload.template, page_context(model_admin, request, upload, form=form, recent=recent)
    )


def page_context(model_admin: admin.ModelAdmin, request: HttpRequest, upload: Upload, **extra: Any) -> dict[str, Any]:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": upload.title,
        "max_bytes": settings.IMPORT_MAX_BYTES,
        **upload.context,
        **extra,
    }


def job_view(model_admin: admin.ModelAdmin, request: HttpRequest, upload: Upload, job_id: str) -> HttpResponse:
    """One upload's job: its progress, then its preview (to confirm or cancel), errors or result."""
    if not job_id.isdigit():
        raise Http404
    job = ImportJob.objects.filter(pk=int(job_id), upload=upload.key).first()
    if job is None or (job.user_id != request.user.pk and not request.user.is_superuser):
        raise Http404
    if request.method == "POST":
        if "confirm" in request.POST and import_jobs.confirm(job):
            job.refresh_from_db()
            if job.state == ImportJob.State.DONE and (result := job.result):
                model_admin.message_user(request, result["summary"], messages.SUCCESS)
                for warning in result["warnings"][:MAX_WARNINGS_SHOWN]:
                    model_admin.message_user(request, f"Warning, {warning}", messages.WARNING)
                if len(result["warnings"]) > MAX_WARNINGS_SHOWN:
                    more = len(result["warnings"]) - MAX_WARNINGS_SHOWN
                    model_admin.message_user(request, f"… and {more} more warning(s).", messages.WARNING)
        elif "cancel" in request.POST and import_jobs.cancel(job):
            model_admin.message_user(request, f"Cancelled: nothing of {job.filename} was imported.", messages.INFO)
            opts = model_admin.opts
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return redirect(f"{request.path}?job={job.pk}")
    progress = import_jobs.progress(job)
    errors = [RowError(*error) for error in job.errors[:MAX_ERRORS_SHOWN]]
    context = page_context(
        model_admin,
        request,
        upload,
        title=f"{upload.title}: {job.filename}",
        job=job,
        progress=progress,
        percent=round(100 * progress["done"] / progress["total"]) if progress["total"] else None,
        errors=errors,
        error_count=job.error_count,
        more_errors=max(0, job.error_count - len(errors)),
        preview=job.preview,
    )
    return TemplateResponse(request, "admin/import_job.html", context)
