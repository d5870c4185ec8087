"""The agreement list's filter fields (agreements.filters): parameters as the FilterSet cleans them.

- ``CountryCodesField``: repeated ISO alpha-3 codes, to the reference lists' Country rows;
- ``PartialDateBoundField``: a year, month or day, as the first or last day of that period;
- ``ReferenceFilter`` and ``ReferenceMultipleFilter``: topics, blocs and linked records by key
  (agreements.reference_lists' fields);
- ``ChoiceFilter`` and ``MultipleChoiceFilter``: django-filters' own, their choices normalized once
  when set rather than at every iteration (validation, the facets' counts, each option rendered).
"""

import calendar
import datetime as dt
from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.choices import normalize_choices
from django_filters.fields import ChoiceIterator

from agreements.country_picker import CountryPickerWidget
from agreements.models import Country
from agreements.models.dates import parse_partial_date
from agreements.reference_lists import ReferenceChoiceField, ReferenceMultipleChoiceField, reference_lists

MAX_PARTIES = 10


class CountryCodesField(forms.Field):
    """Repeated ISO alpha-3 codes (``party=RWA&party=KEN``), to Country rows."""

    widget = CountryPickerWidget
    # The known countries by code: the process's reference lists, or the FilterSet's version of them.
    countries: Callable[[], dict[str, Country]] = staticmethod(lambda: reference_lists().countries)

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        codes = [value] if isinstance(value, str) else list(value)
        return list(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        if len(value) > MAX_PARTIES:
            raise ValidationError(f"Choose at most {MAX_PARTIES} countries.")
        unknown = [code for code in value if len(code) != 3 or not code.isalpha()]
        if unknown:
            raise ValidationError(f"Not an ISO 3166 alpha-3 code: {', '.join(unknown[:5])}.")

    def clean(self, value: Any) -> list[Country]:
        codes = super().clean(value)
        found = self.countries() if codes else {}
        missing = [code for code in codes if code not in found]
        if missing:
            raise ValidationError(f"Unknown country code: {', '.join(missing[:5])}.")
        return [found[code] for code in codes]


class PartialDateBoundField(forms.CharField):
    """YYYY, YYYY-MM or YYYY-MM-DD as the first (``start``) or last day of that period."""

    def __init__(self, *, end: bool, **kwargs: Any) -> None:
        self.end = end
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "YYYY or YYYY-MM-DD", "size": 10}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dt.date | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            day, precision = parse_partial_date(value)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        if not self.end or precision == "day":
            return day
        if precision == "month":
            return day.replace(day=calendar.monthrange(day.year, day.month)[1])
        return day.replace(month=12, day=31)


class CountryCodesFilter(django_filters.Filter):
    field_class = CountryCodesField


class DateBoundFilter(django_filters.Filter):
    field_class = PartialDateBoundField


class ReferenceFilter(django_filters.Filter):
    """One topic, bloc or linked record by its key, from the process's reference lists."""

    field_class = ReferenceChoiceField


class ReferenceMultipleFilter(django_filters.Filter):
    field_class = ReferenceMultipleChoiceField


class PairsIterator(ChoiceIterator):
    """django-filters' choices (its empty and null options first), normalized to (value, label)
    pairs when the field's choices are set: on Django 5 its ChoiceIterator normalizes them at
    every iteration, a few times a page for each of the list's seven choice fields."""

    def __init__(self, field: forms.Field, choices: Any) -> None:
        super().__init__(field, normalize_choices(choices))  # a callable stays lazy

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        yield from self.choices


class PairsChoiceField(django_filters.fields.ChoiceField):
    iterator = PairsIterator


class PairsMultipleChoiceField(django_filters.fields.MultipleChoiceField):
    iterator = PairsIterator


class ChoiceFilter(django_filters.ChoiceFilter):
    field_class = PairsChoiceField


class MultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = PairsMultipleChoiceField
