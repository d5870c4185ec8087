"""tradepacts.form_renderer writes Django's form templates in Python: for every widget,
state and error it supports, its HTML is exactly the templates' (a Django upgrade that
changes a template fails here, not on a page)."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from tradepacts.form_renderer import PYTHON_FORM_RENDERER, TEMPLATES, PythonFormRenderer


class WithoutEngine(PythonFormRenderer):
    """Fails on any template it would hand to the engine: the comparison is of the Python."""

    def get_template(self, template_name):
        raise AssertionError(f"{template_name} went to the template engine")


CHOICES = [("a", "Alpha & <b>"), ("b", 'Beta "quoted"'), ("c", "Gamma")]
GROUPED = [("Group <1>", [("x", "Ex"), ("y", "Why")]), ("z", "Zed")]


class Everything(forms.Form):
    text = forms.CharField(help_text="Help with <em>markup</em>", widget=forms.TextInput(attrs={"size": 10}))
    optional = forms.CharField(required=False, label="Optional?", widget=forms.TextInput(attrs={"disabled": True}))
    pick = forms.ChoiceField(choices=CHOICES, required=False, help_text="One of them.")
    grouped = forms.ChoiceField(choices=GROUPED, required=False)
    radio = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect, help_text="Radio help.")
    boxes = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple, required=False)
    grouped_boxes = forms.MultipleChoiceField(
        choices=GROUPED, widget=forms.CheckboxSelectMultiple(attrs={"class": "boxes"}), required=False
    )
    number = forms.IntegerField(required=False, label=mark_safe("<abbr>No.</abbr>"))
    hidden_label = forms.CharField(required=False, label="")

    def clean(self):
        data = super().clean()
        if data.get("text") == "whole":
            raise forms.ValidationError("The whole form is <wrong>.")
        return data


STATES = [
    None,  # unbound
    {},  # every required field missing
    {"text": "<script>", "pick": "b", "grouped": "y", "radio": "c", "boxes": ["a", "c"], "grouped_boxes": ["x", "z"]},
    {"text": "whole", "radio": "a", "number": "not a number", "pick": "nope"},
    {"text": 'a "b" & c', "radio": "b", "optional": "x", "hidden_label": "y"},
]


def render_both(form_class, data, renderer=None, **kwargs) -> tuple[list[str], list[str]]:
    with_templates = form_class(data, renderer=DjangoTemplates(), **kwargs)
    in_python = form_class(data, renderer=renderer or WithoutEngine(), **kwargs)
    if data is not None:
        with_templates.is_valid(), in_python.is_valid()
    pages = []
    for form in (with_templates, in_python):
        fields = [str(field.as_field_group()) for field in form]
        fields += [str(form.non_field_errors()), str(form.errors.get("text", ""))]
        pages.append(fields)
    return pages[0], pages[1]


@pytest.mark.parametrize("data", STATES)
@pytest.mark.parametrize("label_suffix", [None, ""])
def test_every_field_renders_exactly_as_the_templates_do(data, label_suffix):
    expected, written = render_both(Everything, data, label_suffix=label_suffix)
    assert written == expected


def test_the_fields_ids_follow_the_forms_auto_id_or_none():
    for auto_id in ("custom_%s", False):
        expected, written = render_both(Everything, {"radio": "a"}, auto_id=auto_id)
        assert written == expected


def test_a_template_it_does_not_write_falls_back_to_the_engine():
    class Other(forms.Form):
        when = forms.DateField(widget=forms.SelectDateWidget(years=[2020, 2021]))
        note = forms.CharField(widget=forms.Textarea)

    expected, written = render_both(Other, {"when_year": "2021"}, renderer=PYTHON_FORM_RENDERER)
    assert written == expected
    assert "django/forms/widgets/textarea.html" not in TEMPLATES
