"""``{% filter_form form "Filter agreements" %}``: a FilterSet's form as a GET form to the page
itself (tradepacts.filter_form writes it)."""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from tradepacts.filter_form import filter_form_html

register = template.Library()


@register.simple_tag(takes_context=True)
def filter_form(context: Any, form: Any, label: str = "") -> SafeString:
    return filter_form_html(form, context["request"].path, label)
