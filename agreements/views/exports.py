"""/agreements/export.csv: the list's rows, filters and order as CSV, in one of two shapes
(``?shape=``): one row per agreement (the default, agreements.exports) or one row per
party (``parties``, agreements.party_export)."""

import datetime as dt
import re
import unicodedata

from django.forms import Form
from django.http import (
    HttpRequest,
    HttpResponseBadRequest,
    HttpResponseBase,
    QueryDict,
)
from django.urls import reverse
from django.utils import timezone

from agreements.exports import HEADER, export_table
from agreements.filters import AgreementFilterSet
from agreements.models import Agreement
from agreements.party_export import PARTY_HEADER, party_table
from tradepacts.csv import csv_response, limit_exports

FILENAME_SUMMARY_MAX = 100
# ?shape= : the file's name prefix in each shape ("agreements", the default, when absent or empty).
SHAPES = {"agreements": "tradepacts-agreements", "parties": "tradepacts-agreement-parties"}


def form_errors_text(form: Form) -> str:
    """A form's errors, one per line, each with the GET parameter it concerns."""
    lines = []
    for name, errors in form.errors.items():
        prefix = "" if name == "__all__" else f"{name}: "
        lines += [f"{prefix}{error}" for error in errors]
    return "\n".join(lines)


def export_filename(
    params: QueryDict, field_names: list[str], now: dt.datetime, prefix: str = SHAPES["agreements"]
) -> str:
    """'tradepacts-agreements-party-RWA-KEN_kind-mou-20260124T0930Z.csv': what and when, in safe characters."""
    parts = []
    for name in field_names:
        values = [v.strip() for v in params.getlist(name) if v.strip()]
        if name == "party":
            values = [v.upper() for v in values]
        if values:
            parts.append(f"{name}-{'-'.join(dict.fromkeys(values))}")
    summary = unicodedata.normalize("NFKD", "_".join(parts)).encode("ascii", "ignore").decode()
    summary = re.sub(r"[^A-Za-z0-9._-]+", "-", summary).strip("-._")[:FILENAME_SUMMARY_MAX].rstrip("-._")
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%MZ")
    return "-".join(part for part in (prefix, summary, stamp) if part) + ".csv"


@limit_exports
def export_csv(request: HttpRequest) -> HttpResponseBase:
    """/agreements/export.csv: the list's rows, filters and order, streamed, one row per
    agreement, or per party with ``?shape=parties``.

    The filter is checked before the first byte: an invalid one is a 400 with
    the form's messages, never an empty file posing as a result.
    """
    shape = request.GET.get("shape") or "agreements"
    if shape not in SHAPES:
        message = f"Unknown shape “{shape[:40]}”: use agreements (one row per agreement, the default) or parties (one row per party).\n"
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    filterset = AgreementFilterSet(request.GET, queryset=Agreement.objects.published().for_listing())
    if not filterset.is_valid():
        message = "The filters are not valid; nothing was exported.\n" + form_errors_text(filterset.form) + "\n"
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    base = request.build_absolute_uri(reverse("agreements:list"))
    filename = export_filename(request.GET, list(filterset.form.fields), timezone.now(), SHAPES[shape])
    if shape == "parties":
        return csv_response(filename, PARTY_HEADER, party_table(filterset.qs, base))
    return csv_response(filename, HEADER, export_table(filterset.qs, base))
