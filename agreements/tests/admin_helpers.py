"""What several admin tests share: the POST data a change page would send back as it is."""

from __future__ import annotations

from typing import Any


def form_values(form: Any) -> dict[str, Any]:
    """One form's fields as the browser would post them (unticked boxes left out)."""
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, list | tuple):
            value = [str(v) for v in value]
        else:
            widget = bound.field.widget
            value = widget.format_value(bound.field.prepare_value(value))
            if isinstance(value, list):  # a select box's chosen option
                value = value[0] if value else ""
            value = "" if value is None else str(value)
        data[bound.html_name] = value
    return data


def page_data(response: Any) -> dict[str, Any]:
    """Everything the admin change page in ``response`` would post if saved unchanged."""
    context = response.context
    data = form_values(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data |= form_values(formset.management_form)
        for form in formset.forms:
            data |= form_values(form)
    return data
