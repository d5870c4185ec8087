"""Light widgets for the agreement page's long inlines (a 106-party agreement has
over 200 rows): nothing in a row costs a query or a select box of its own.

- A country is typed as its ISO3 code, offered from one ``<datalist>`` the
  page renders once (``COUNTRY_LIST_ID``); the codes are looked up once per
  formset, not once per row.
- An organisation is a raw-id box whose label comes from the row's own
  (select_related) record, instead of one look-up per row.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from agreements.models import Country

COUNTRY_LIST_ID = "country-codes"
PARTY_LIST_ID = "party-codes"


def country_codes() -> dict[str, Country]:
    """Every country by its ISO3 code, and by its id as a form of old posted (one query)."""
    countries = list(Country.objects.only("id", "iso3", "name"))
    return {str(c.pk): c for c in countries} | {c.iso3: c for c in countries}


class CountryCodeField(forms.Field):
    """A country as its ISO3 code (``KEN``), checked against ``known`` (set by the formset)."""

    widget = forms.TextInput(attrs={"list": COUNTRY_LIST_ID, "size": 4, "maxlength": 3, "class": "vCountryCode"})
    default_error_messages = {"invalid": "“%(value)s” is not a country's ISO3 code (e.g. KEN)."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "")
        super().__init__(*args, **kwargs)
        self.known: dict[str, Country] | None = None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Country):
            return value.iso3
        return value

    def to_python(self, value: Any) -> Country | None:
        code = (value or "").strip().upper()
        if not code:
            return None
        if self.known is None:
            self.known = country_codes()
        if code not in self.known:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": code})
        return self.known[code]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(self.prepare_value(initial) or "") != (data or "").strip().upper()


class LabelledRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id box that shows the label it was given (``labels``), never querying for it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.labels: dict[str, str] = {}

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        label = self.labels.get(str(value))
        if label is None:
            return super().label_and_url_for_value(value)
        opts = self.rel.model._meta
        try:
            url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[value])
        except NoReverseMatch:
            url = ""
        return Truncator(label).words(14), url


def use_country_code(form: forms.ModelForm, name: str = "country") -> None:
    """Replace the form's country select by an ISO3 box, its initial value the instance's code."""
    if name not in form.fields:
        return
    old = form.fields[name]
    form.fields[name] = CountryCodeField(required=old.required, label=old.label)
    form.fields[name].widget.attrs["placeholder"] = "ISO3"
    country = getattr(form.instance, name) if getattr(form.instance, f"{name}_id", None) else None
    if country is not None:
        form.initial[name] = country.iso3


def label_raw_id(form: forms.ModelForm, name: str) -> None:
    """Give the raw-id box of ``name`` its label from the instance's already-loaded record."""
    field = form.fields.get(name)
    if field is None or not isinstance(field.widget, ForeignKeyRawIdWidget):
        return
    widget = field.widget
    if not isinstance(widget, LabelledRawIdWidget):
        widget.__class__ = LabelledRawIdWidget
        widget = cast(LabelledRawIdWidget, widget)  # what its new class makes it (mypy does not follow __class__)
        widget.labels = {}
    if getattr(form.instance, f"{name}_id", None):
        record = getattr(form.instance, name)
        widget.labels[str(record.pk)] = str(record)


INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "hidden", "checkbox", "email", "url", "date", "password")
}


class FastInputRenderer(DjangoTemplates):
    """Renders plain ``<input>`` widgets in Python, the rest with the templates.

    Byte for byte what django/forms/widgets/input.html and attrs.html give,
    without two template renders per box: a 200-row inline has over 2,000.
    """

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if template_name not in INPUT_TEMPLATES or widget is None:
            return super().render(template_name, context, request)
        parts: list[str] = [format_html('<input type="{}" name="{}"', widget["type"], widget["name"])]
        if widget["value"] is not None:
            parts.append(format_html(' value="{}"', str(widget["value"])))
        for name, value in widget["attrs"].items():
            if value is True:
                parts.append(format_html(" {}", name))
            elif value is not False:
                parts.append(format_html(' {}="{}"', name, value))
        parts.append(">")
        return mark_safe("".join(parts))  # every part escaped by format_html


FAST_RENDERER = FastInputRenderer()
