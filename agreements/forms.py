"""Form pieces shared by the admin and the importers."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst

from agreements.models.dates import DatePrecision, iso_partial_date, parse_partial_date


class PartialDateField(forms.CharField):
    """One text box for a date known to the day, month or year.

    Cleans to a ``(date, precision)`` pair, or None when left empty.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "YYYY, YYYY-MM or YYYY-MM-DD: as precisely as the source says.")
        kwargs.setdefault("widget", forms.TextInput(attrs={"size": 10, "placeholder": "YYYY-MM-DD"}))
        super().__init__(max_length=10, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return parse_partial_date(value)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None


if TYPE_CHECKING:
    _ModelForm = forms.ModelForm
else:
    _ModelForm = object  # a mixin: the model form it is mixed into comes after it


class PartialDateFormMixin(_ModelForm):
    """Shows each ``<name>_on`` date with its ``<name>_precision`` as one text box.

    The model keeps two columns (a date and how precise it is); a curator types
    "2007" or "2026-01-22" and the form fills both.
    """

    partial_dates: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.partial_dates:
            if name not in self.fields:
                continue
            model_field = self._meta.model._meta.get_field(name)
            self.fields[name] = PartialDateField(label=capfirst(model_field.verbose_name))
            if model_field.help_text:
                self.fields[name].help_text = f"{model_field.help_text} {self.fields[name].help_text}"
            if getattr(self.instance, name) is not None or not isinstance(self.initial.get(name), str):
                # A new form's initial text ("2026-01", from a draft) is kept as given.
                self.initial[name] = iso_partial_date(getattr(self.instance, name), self._precision_of(name))

    def _precision_of(self, name: str) -> str:
        return getattr(self.instance, name.removesuffix("_on") + "_precision")

    def _post_clean(self) -> None:
        # Set both columns on the instance ourselves and hide the pairs from
        # construct_instance, which would try to store a tuple in a DateField.
        parsed = {name: self.cleaned_data.pop(name) for name in self.partial_dates if name in self.cleaned_data}
        for name, value in parsed.items():
            date, precision = value or (None, DatePrecision.DAY)
            setattr(self.instance, name, date)
            setattr(self.instance, name.removesuffix("_on") + "_precision", precision)
        super()._post_clean()  # type: ignore[misc]  # django-stubs does not declare BaseModelForm._post_clean
        self.cleaned_data.update(parsed)
