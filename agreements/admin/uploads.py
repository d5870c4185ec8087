"""The agreements registry's CSV uploads in the admin, on the one upload view
(tradepacts.uploads): the agreements CSV (the export's columns). DESTA's, the WTO's and GPTAD's are in
agreements/admin/desta.py and datasets.py."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest

from agreements.exports import HEADER
from agreements.imports.agreements import REQUIRED_COLUMNS, import_agreements
from tradepacts.imports import ImportResult
from tradepacts.uploads import Upload


class AgreementsImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="The columns of the agreements export (UTF-8). Nothing is written if any row is wrong.",
    )
    publish = forms.BooleanField(
        label="Publish imported agreements",
        required=False,
        help_text="Left unticked, new agreements are drafts and existing ones keep their state.",
    )
    create_topics = forms.BooleanField(
        label="Create new topics",
        required=False,
        help_text="Left unticked, a topic the database does not have is refused (a typo is not a new topic). "
        "The preview names every topic, institution and source the file would create.",
    )

    def __init__(self, *args: Any, can_publish: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_publish:
            del self.fields["publish"]


def can_publish(model_admin: admin.ModelAdmin, request: HttpRequest) -> dict[str, Any]:
    return {"can_publish": request.user.has_perm("agreements.publish_agreement")}


def run_agreements_import(
    model_admin: admin.ModelAdmin, request: HttpRequest, file: UploadedFile, data: dict[str, Any]
) -> ImportResult:
    return import_agreements(  # which queues the refreshes of what it changed, for its commit
        file,
        publish=data.get("publish", False),
        filename=file.name or "a CSV file",
        user=request.user,
        can_change=model_admin.has_change_permission(request),
        create_topics=data.get("create_topics", False),
    )


AGREEMENTS_UPLOAD = Upload(
    title="Import agreements from CSV",
    template="admin/agreements/import.html",
    form_class=AgreementsImportForm,
    run=run_agreements_import,
    form_kwargs=can_publish,
    context={
        "required_columns": REQUIRED_COLUMNS,
        "optional_columns": [name for name in HEADER if name not in REQUIRED_COLUMNS],
    },
)
