"""A FilterSet's form as a plain GET form, written in Python: ``{% filter_form form "Filter agreements" %}``
(tradepacts.templatetags.filter_forms).

Every field has its label; checkbox groups are a fieldset with a legend, folded in a <details> unless
something in them is chosen or wrong. Help text and errors are tied to their field (aria-describedby),
and a summary of the errors links to each field. The whole form is a <details>, served open when no
filter is set or there are errors to correct, else folded under its count ("Filter agreements (2
active)": the results of the filters just applied start on the first screen, not 1,350 px down);
static/js/filter-form.js folds it on a narrow screen too unless there are errors to correct, and submits only the fields set to something else than empty or the
form's ``defaults_query`` (data-defaults).

It was an included template (includes/filter_form.html): with a dozen fields, resolving its
variables and tags per field took about 0.6 ms of the agreement list's template render (6.1 ms
before, 5.6 ms after, on the 100,000-agreement bench). The whitespace is that template's, so the
page is unchanged byte for byte.
The fields themselves are their renderer's (tradepacts.form_renderer).
"""

from functools import cached_property
from html import escape
from typing import Any

from django.forms import BoundField, Form, Media
from django.utils.safestring import SafeString, mark_safe

from tradepacts.form_renderer import autoescape as _e


class WrittenMedia(Media):
    """A form's scripts and styles whose HTML is written once, for a form class whose widgets are the
    same for every form (agreements.filters.AgreementFilterForm.media): Django resolves each static
    URL at every render."""

    def __init__(self, media: Media) -> None:
        # Its lists as Django merges them (Media's own properties: no public way to read them).
        super().__init__(css=media._css, js=media._js)  # type: ignore[attr-defined]

    @cached_property
    def html(self) -> SafeString:
        return super().render()

    def render(self) -> SafeString:
        return self.html


def error_summary_html(form: Form) -> str:
    """The summary above the fields: each field's errors, linked to the field, then the form's own."""
    items = "".join(
        f'\n      <li><a href="#{_e(field.auto_id)}">{_e(field.label)}: {_e(error)}</a></li>\n      '
        for field in form
        for error in field.errors
    )
    whole = "".join(f"<li>{_e(error)}</li>" for error in form.non_field_errors())
    return (
        '\n  <div class="error-summary" role="alert" aria-labelledby="error-summary-heading">'
        '\n    <h3 id="error-summary-heading">The filters could not be applied</h3>'
        "\n    <p>Correct what is marked below and apply them again. No results are shown until then.</p>"
        f"\n    <ul>\n      {items}\n      {whole}\n    </ul>\n  </div>\n  "
    )


def field_html(field: BoundField) -> str:
    """One field in its cell: a group of boxes folded in a <details> (open when something in it is
    chosen or wrong), anything else as it is."""
    errors = field.errors
    group = field.use_fieldset
    classes = f"filters__field filters__field--{_e(field.name)}"
    classes += " filters__field--group" if group else ""
    classes += " filters__field--error" if errors else ""
    widget = field.field.widget
    if group and not getattr(widget, "keep_open", False):
        value = field.value()
        chosen = ""
        if value and getattr(widget, "allow_multiple_selected", False):
            chosen = f' <span class="filters__chosen">({len(value)} chosen)</span>'
        inner = (
            f'\n      <details class="filters__details"{" open" if value or errors else ""}>'
            f"\n        <summary>{_e(field.label)}{chosen}</summary>"
            f"\n        {_e(field.as_field_group())}"
            "\n      </details>\n      "
        )
    else:
        inner = f"\n      {_e(field.as_field_group())}\n      "
    return f'\n    <div class="{classes}">\n      {inner}\n    </div>\n    '


def _fold_state(active: int, errors: bool) -> str:
    """The form's <details> attributes: open with errors (marked, never folded by the script) or no
    filter set; folded when filters are set (marked, for the script to fold it again on widening)."""
    if errors:
        return " open data-errors"
    return " data-active" if active else " open"


def filter_form_html(form: Any, action: str, label: str = "") -> SafeString:
    """The form (a FilterSet's), submitted to ``action``; ``label`` names it ("Filters" by default)."""
    defaults = getattr(form, "defaults_query", "")
    defaults_attr = f' data-defaults="{escape(str(defaults))}"' if defaults else ""
    errors = form.errors
    active = getattr(form, "active_count", 0)
    active_html = f' <span class="filters__active">({_e(active)} active)</span>' if active else ""
    action = escape(action)
    fields = "".join(field_html(field) for field in form)
    return mark_safe(  # every value above is escaped
        f"\n{_e(form.media)}"
        f'\n<form method="get" action="{action}" class="filters" aria-labelledby="filters-heading"{defaults_attr}>'
        f'\n  <details class="filters__fold"{_fold_state(active, bool(errors))}>'
        f'\n  <summary class="filters__summary"><h2 id="filters-heading">{_e(label or "Filters")}{active_html}</h2></summary>'
        f"\n  {error_summary_html(form) if errors else ''}"
        f'\n  <div class="filters__grid">\n    {fields}\n  </div>'
        '\n  <div class="filters__actions">'
        '\n    <button type="submit">Apply filters</button>'
        f'\n    <a href="{action}">Clear all filters</a>'
        "\n  </div>\n  </details>\n</form>\n"
    )
