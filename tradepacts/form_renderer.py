"""A form renderer that writes Django's own form templates in plain Python.

Rendering a large filter form through the template engine costs a template (and
its includes) per field, label, error list and option: on the agreement list,
with about 60 checkbox and select options, that was a fifth of the page's server
time. ``PythonFormRenderer`` produces the same HTML, byte for byte, for the few
templates such a form uses (the field group, its label or legend, its errors, text
inputs, selects, radio buttons and checkboxes); anything else falls back to the
templates. tradepacts/tests/test_form_renderer.py renders forms both ways and
compares them, so a Django upgrade that changes a template fails there first.

Each function mirrors one template of django/forms/templates/django/forms/; the
template engine's ``{{ value }}`` is ``conditional_escape`` (safe strings pass as
they are), and the renderer strips the result as Django's does.
"""

from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

# Escaping is the standard library's ``html.escape``, which Django's ``escape`` calls behind a
# lazy-string check that cost more than the escaping (some 600 values for the agreement list's form).


def _text(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: a safe string as it is, anything else as text, escaped."""
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def autoescape(value: Any) -> str:
    """``{{ value }}`` with autoescaping: a plain string escaped, a safe one (or anything with
    ``__html__``, a bound field, an error list) as it says, anything else as text, escaped."""
    if type(value) is str:
        return escape(value)
    return str(conditional_escape(value))


_e = autoescape  # short, for the markup below


def attrs_html(attrs: Mapping[str, Any] | None) -> str:
    """django/forms/attrs.html and django/forms/widgets/attrs.html: ``False`` leaves an
    attribute out, ``True`` writes its name alone."""
    if not attrs:
        return ""
    return "".join(
        f" {_e(name)}" if value is True else f' {_e(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def input_html(widget: Mapping[str, Any]) -> str:
    """django/forms/widgets/input.html (text.html includes it), newline included."""
    value = f' value="{_text(widget["value"])}"' if widget["value"] is not None else ""
    return f'<input type="{_e(widget["type"])}" name="{_e(widget["name"])}"{value}{attrs_html(widget["attrs"])}>\n'


def input_option_html(option: Mapping[str, Any]) -> str:
    """django/forms/widgets/checkbox_option.html and radio_option.html (each includes
    input_option.html and adds its own newline)."""
    if not option["wrap_label"]:
        return input_html(option) + "\n\n"
    option_id = option["attrs"].get("id")
    label_for = f' for="{_e(option_id)}"' if option_id else ""
    return f"<label{label_for}>{input_html(option)} {_e(option['label'])}</label>\n\n"


def select_option_html(option: Mapping[str, Any]) -> str:
    """django/forms/widgets/select_option.html."""
    return f'<option value="{_text(option["value"])}"{attrs_html(option["attrs"])}>{_e(option["label"])}</option>\n'


OPTION_TEMPLATES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "django/forms/widgets/checkbox_option.html": input_option_html,
    "django/forms/widgets/radio_option.html": input_option_html,
    "django/forms/widgets/select_option.html": select_option_html,
}


def multiple_input_html(context: Mapping[str, Any]) -> str:
    """django/forms/widgets/multiple_input.html (checkbox_select.html and radio.html include it)."""
    widget = context["widget"]
    widget_id, css_class = widget["attrs"].get("id"), widget["attrs"].get("class")
    id_attr = f' id="{_e(widget_id)}"' if widget_id else ""
    class_attr = f' class="{_e(css_class)}"' if css_class else ""
    parts = [f"<div{id_attr}{class_attr}>"]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_e(group)}</label>")
        parts.extend(f"<div>\n    {OPTION_TEMPLATES[option['template_name']](option)}</div>" for option in options)
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


def select_html(context: Mapping[str, Any]) -> str:
    """django/forms/widgets/select.html."""
    widget = context["widget"]
    parts = [f'<select name="{_e(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f'\n  <optgroup label="{_e(group)}">')
        parts.extend(f"\n  {OPTION_TEMPLATES[option['template_name']](option)}" for option in options)
        if group:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def text_input_html(context: Mapping[str, Any]) -> str:
    return input_html(context["widget"])


def label_html(context: Mapping[str, Any]) -> str:
    """django/forms/label.html: the field's <label> or <legend>."""
    if not context["use_tag"]:
        return _e(context["label"])
    tag = _e(context["tag"])
    return f"<{tag}{attrs_html(context['attrs'])}>{_e(context['label'])}</{tag}>"


def error_list_html(context: Mapping[str, Any]) -> str:
    """django/forms/errors/list/default.html (ul.html)."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    list_id = f' id="{_e(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{_e(error)}</li>" for error in errors)
    return f'<ul class="{_e(context["error_class"])}"{list_id}>{items}</ul>'


def field_group_html(context: Mapping[str, Any]) -> str:
    """django/forms/field.html: a field's label (or fieldset and legend), help text, errors and widget."""
    field = context["field"]
    parts = []
    if field.use_fieldset:
        described = field.aria_describedby
        described_attr = f' aria-describedby="{_e(described)}"' if described else ""
        parts.append(f"\n  <fieldset{described_attr}>\n  ")
        if field.label:
            parts.append(_e(field.legend_tag()))
    else:
        parts.append("\n  ")
        if field.label:
            parts.append(_e(field.label_tag()))
    parts.append("\n\n")
    if field.help_text:
        help_id = f' id="{_e(field.auto_id)}_helptext"' if field.auto_id else ""
        parts.append(f'<div class="helptext"{help_id}>{field.help_text}</div>')
    parts.append(f"\n{_e(field.errors)}\n{_e(field)}")
    if field.use_fieldset:
        parts.append("</fieldset>")
    return "".join(parts)


TEMPLATES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "django/forms/field.html": field_group_html,
    "django/forms/label.html": label_html,
    "django/forms/errors/list/default.html": error_list_html,
    "django/forms/errors/list/ul.html": error_list_html,
    "django/forms/widgets/text.html": text_input_html,
    "django/forms/widgets/input.html": text_input_html,
    "django/forms/widgets/number.html": text_input_html,
    "django/forms/widgets/select.html": select_html,
    "django/forms/widgets/checkbox_select.html": multiple_input_html,
    "django/forms/widgets/radio.html": multiple_input_html,
    "django/forms/widgets/multiple_input.html": multiple_input_html,
}


class PythonFormRenderer(DjangoTemplates):
    """Django's default form renderer, with the templates above written in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        write = TEMPLATES.get(template_name)
        if write is None or not _options_known(context):
            return super().render(template_name, context, request)
        return write(context).strip()


def _options_known(context: Mapping[str, Any]) -> bool:
    """Every option of a choice widget has a template written here (a custom option template: the engine)."""
    widget = context.get("widget")
    if not isinstance(widget, Mapping) or "optgroups" not in widget:
        return True
    return all(
        option["template_name"] in OPTION_TEMPLATES for _, options, _ in widget["optgroups"] for option in options
    )


# One instance: a renderer builds its template engine once, for the fallbacks.
PYTHON_FORM_RENDERER = PythonFormRenderer()
