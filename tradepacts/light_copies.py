"""Per-request copies of a FilterSet's filters and of its form's fields that share what no request
changes (their choices, help texts, widgets' options), where Django and django-filters deep-copy
everything for every request.

Each bound FilterSet deep-copies its class's filters (``BaseFilterSet.__init__``), and each form its
class's fields (``BaseForm.__init__``): with the agreement list's thirteen filters and some sixty
options, about a thousand ``deepcopy`` calls a request (with the form class django-filters builds
for every FilterSet, 1.5 ms against 0.4 ms now for the FilterSet and its validation). Both copy through ``copy.deepcopy(<class attribute>)``, so these mappings, set
as that attribute, decide how: each filter or field is copied (``copy.copy``) with the parts a
request does change copied too, the rest shared.

What a request may change, and so is copied: a filter's ``parent`` and ``model`` (set by the
FilterSet) and the method bound to it; a field's widget (its ``attrs``, and its ``choices`` when
the field's are replaced: ``field.choices = ...`` sets both on the copy), error messages and
validators. What is shared: the lists of choices themselves, which Django and django-filters
replace rather than change in place (the agreement list's counts are a new list each time,
agreements.facets.label_with_counts), so no request sees another's, in any thread.
"""

import copy
from typing import Any

from django import forms


def field_copy(field: forms.Field) -> forms.Field:
    """``Field.__deepcopy__`` without copying the choices (``ChoiceField.__deepcopy__`` copies them)."""
    copied = copy.copy(field)
    copied.widget = copy.copy(field.widget)
    copied.widget.attrs = field.widget.attrs.copy()
    copied.error_messages = field.error_messages.copy()
    copied.validators = field.validators[:]
    choices: Any = getattr(field, "_choices", None)
    if getattr(choices, "field", None) is field:
        # django-filters' choice iterator reads its field's empty and null labels: the copy's own.
        choices = copy.copy(choices)
        choices.field = copied
        copied._choices = copied.widget.choices = choices  # type: ignore[attr-defined]  # a ChoiceField's
    return copied


class LightlyCopiedFields(dict):
    """A form class's ``base_fields``: each form gets its own fields, sharing their choices."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return {name: field_copy(field) for name, field in self.items()}


def filter_copy(filter_: Any) -> Any:
    """A filter of its own for a FilterSet: ``parent`` and ``model`` are set on it afterwards, and a
    filter by ``method`` gets its own FilterMethod (it holds the filter, hence its parent)."""
    copied = copy.copy(filter_)
    if getattr(filter_, "_method", None) is not None:
        copied.method = filter_._method  # the setter binds a new FilterMethod to the copy
    return copied


class LightlyCopiedFilters(dict):
    """A FilterSet class's ``base_filters``: each FilterSet gets its own filters, sharing their options."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {name: filter_copy(filter_) for name, filter_ in self.items()}
