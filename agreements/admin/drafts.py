"""The admin's "Draft from a news report": a curator pastes a press release (its
text and URL); agreements.drafting proposes an agreement, which opens in the normal
add form, filled in, each proposed value shown with the sentence it came from.
Nothing is saved until the curator saves that form.

The draft waits in the curator's session, under a key the add form's URL carries
(``?draft=<key>``): AgreementAdmin reads it for the form's initial values, its
inlines' rows and the source to cite (``DRAFT_SOURCE_FIELDS``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from agreements.drafting import propose
from agreements.models import AgreementSource, Source

SESSION_KEY = "agreement-drafts"
KEPT = 5  # drafts kept per session


class NewsReportForm(forms.Form):
    text = forms.CharField(
        label="Text of the news report",
        widget=forms.Textarea(attrs={"rows": 18, "cols": 100}),
        max_length=100_000,
        help_text="Paste the press release or article: the headline and the body.",
    )
    url = forms.URLField(label="Its URL", required=False, assume_scheme="https")


def draft_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Paste a news report; a proposed agreement opens in the add form."""
    form = NewsReportForm(request.POST or None)
    no_draft = False
    if request.method == "POST" and form.is_valid():
        draft = propose(form.cleaned_data["text"], form.cleaned_data["url"])
        if draft is None:
            no_draft = True
        else:
            key = uuid.uuid4().hex[:12]
            drafts = request.session.get(SESSION_KEY, {})
            drafts = dict(list(drafts.items())[-(KEPT - 1) :]) | {key: draft.as_json()}
            request.session[SESSION_KEY] = drafts
            opts = model_admin.opts
            return redirect(f"{reverse(f'admin:{opts.app_label}_{opts.model_name}_add')}?draft={key}")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Draft from a news report",
        "form": form,
        "no_draft": no_draft,
    }
    return TemplateResponse(request, "admin/agreements/agreement/draft.html", context)


def draft_of(request: HttpRequest) -> dict[str, Any] | None:
    """The draft the add form's URL names, if the session still has it."""
    key = request.GET.get("draft")
    return request.session.get(SESSION_KEY, {}).get(key) if key else None


DRAFT_SOURCE_FIELDS = ["source_title", "source_url", "source_publisher", "source_published_on"]


class DraftSourceForm(forms.Form):
    """The source a draft cites, saved (found by URL, or created) with the agreement."""

    source_title = forms.CharField(label="Source title", required=False, max_length=500)
    source_url = forms.URLField(label="Source URL", required=False, max_length=1000, assume_scheme="https")
    source_publisher = forms.CharField(label="Publisher", required=False, max_length=300)
    source_published_on = forms.DateField(label="Published on", required=False)


def cite_draft_source(agreement: Any, data: dict[str, Any]) -> None:
    """Cite the draft's source: the one with that URL, or a new news report."""
    title, url = (data.get("source_title") or "").strip(), (data.get("source_url") or "").strip()
    if not title:
        return
    source = Source.objects.filter(url=url).first() if url else None
    if source is None:
        source = Source.objects.create(
            title=title,
            url=url,
            publisher=data.get("source_publisher") or "",
            published_on=data.get("source_published_on"),
            kind=Source.Kind.NEWS_REPORT,
        )
    AgreementSource.objects.get_or_create(
        agreement=agreement, source=source, defaults={"note": "The news report drafted from"}
    )
