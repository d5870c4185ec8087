"""No lost update: an agreement's change form carries the version it was opened at,
and saving it after someone else saved the agreement is refused, with what they
changed meanwhile (from the history), instead of silently undoing their work.

The stored version is read with the row locked (``select_for_update``, inside the
admin's transaction), so two saves of the same version cannot both pass.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from agreements.models import Agreement

MAX_SHOWN = 12


def refuse_if_stale(agreement: Agreement, opened_version: int | None) -> None:
    """Raise a ValidationError saying what changed, if ``agreement`` was saved since ``opened_version``."""
    if opened_version is None:
        return
    stored = Agreement.objects.select_for_update().filter(pk=agreement.pk).values_list("version", flat=True).first()
    if stored is None or stored <= opened_version:
        return
    raise ValidationError(
        [
            "Someone saved this agreement after you opened this page, so your changes were not saved "
            "(they would have undone theirs). What changed meanwhile:",
            *changes_since(agreement.pk, opened_version),
            "Open the agreement again to see the current version, then make your changes again.",
        ],
        code="stale",
    )


def changes_since(pk: int, version: int) -> list[str]:
    """Each save after ``version``: who, when, the fields it changed (old → new) and what it said."""
    records = list(
        Agreement.history.filter(id=pk, version__gt=version).order_by("history_id").select_related("history_user")
    )
    previous = Agreement.history.filter(id=pk, version__lte=version).order_by("-history_id").first()
    lines = []
    for record in records:
        who = record.history_user.get_username() if record.history_user else "an import"
        when = date_format(timezone.localtime(record.history_date), "j F Y, H:i")
        fields = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=["version", "updated_at", "search_text"])
            fields = [f"{change.field}: “{shorten(change.old)}” → “{shorten(change.new)}”" for change in delta.changes]
        said = record.history_change_reason or ""
        lines.append(f"{who}, {when}: " + "; ".join([*fields, said] if said else fields or ["saved"]))
        previous = record
    return lines[-MAX_SHOWN:]


def shorten(value: Any, length: int = 80) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= length else text[: length - 1] + "…"
