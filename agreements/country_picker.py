"""The Parties filter's control: a checkbox per country that works without JavaScript,
and that static/js/filter-form.js turns into a type-to-filter box with removable chips.

Without JavaScript a click on a box adds a country without clearing the others (a plain
multi-select drops them), the countries already chosen come first, then the current
countries, then the historic ones (ISO 3166-3, ``Country.is_historic``: the German
Democratic Republic, Johnston Island) in a group of their own, each marked "(historic)".
With JavaScript the same boxes stay the form's values (hidden), so the URL contract
(``?party=RWA&party=KEN``) is unchanged whichever way the analyst chose.
"""

import functools
import unicodedata
from collections.abc import Callable, Iterable
from html import escape
from typing import Any, NamedTuple

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


class CountryChoice(NamedTuple):
    iso3: str
    name: str
    historic: bool


@functools.lru_cache(maxsize=4096)
def folded(name: str) -> str:
    """A name with accents folded and case ignored: Åland sorts with the As, Côte d'Ivoire with the Cs.
    Kept per name: a country's page sorts its 250 partners by it."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def country_choices(countries: Iterable[Any]) -> list[CountryChoice]:
    """Countries (anything with ``iso3``, ``name`` and ``is_historic``) as the picker's choices,
    current ones first, each group by name with accents folded."""
    rows = [CountryChoice(c.iso3, c.name, c.is_historic) for c in countries]
    return sorted(rows, key=lambda c: (c.historic, folded(c.name), c.iso3))


def choice_label(choice: CountryChoice) -> str:
    return f"{choice.name} (historic)" if choice.historic else choice.name


class CountryPickerWidget(forms.Widget):
    """Repeated ``name=ISO3`` values as one checkbox each, in a box that scrolls.

    ``choices`` are CountryChoice rows, or a callable giving them (agreements.filters: the
    process's reference lists). The root
    element has the field's id, so the error summary's link lands on it.
    """

    allow_multiple_selected = True
    use_fieldset = True
    # tradepacts.filter_form folds fieldsets into a <details>; this one stays open (the script's text
    # box lives in it).
    keep_open = True

    class Media:
        css = {"all": ["css/filter-form.css"]}
        js = [forms.Script("js/filter-form.js", defer=True)]

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        choices: Iterable[CountryChoice] | Callable[[], Iterable[CountryChoice]] = (),
    ) -> None:
        super().__init__(attrs)
        # A callable is read when the widget is rendered: the JSON and the export never read it.
        self.choices = choices if callable(choices) else list(choices)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # no box ticked is a value: none chosen

    def format_value(self, value: Any) -> list[str]:  # type: ignore[override]  # several values: a list
        """The chosen codes in upper case (``party=ken`` shows as Kenya chosen), in the URL's order."""
        if value is None:
            return []
        values = [value] if isinstance(value, str) else value
        return list(dict.fromkeys(str(v).strip().upper() for v in values if str(v).strip()))

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        chosen_codes = self.format_value(value)
        choices = list(self.choices() if callable(self.choices) else self.choices)
        by_code = {choice.iso3: choice for choice in choices}
        chosen = tuple(by_code[code] for code in chosen_codes if code in by_code)
        chosen_set = set(chosen_codes)
        rest = [choice for choice in choices if choice.iso3 not in chosen_set]
        root = self.build_attrs(self.attrs, attrs)
        classes = " ".join(filter(None, ["country-picker", root.pop("class", "")]))
        groups = [
            ("Chosen", chosen, True),
            ("Current countries", tuple(c for c in rest if not c.historic), False),
            ("Historic countries and territories (no longer exist)", tuple(c for c in rest if c.historic), False),
        ]
        return format_html(
            '<div class="{}"{}><div class="country-picker__boxes">{}</div></div>',
            classes,
            flatatt(root),
            # The chosen group is there even when empty: the script moves boxes into it, so the
            # URL lists the countries in the order they were chosen.
            format_html_join(
                "",
                "{}",
                ((group_html(name, root.get("id", name), *group),) for group in groups if group[1] or group[2]),
            ),
        )


@functools.lru_cache(maxsize=64)
def group_html(name: str, id_: str, legend: str, choices: tuple[CountryChoice, ...], checked: bool) -> SafeString:
    """One fieldset of boxes, all ticked or none; the chosen ones' group is marked for the script.

    Plain string formatting, every value escaped: format_html per box took four times as long
    (6.6 ms against 1.6 ms for the ~280 countries every list page shows). Each group is written
    once per process: the current and the historic countries' are the same on every page that
    chooses none of them (the choices are the key: a renamed country is another group)."""
    boxes = "".join(box(name, id_, choice, checked) for choice in choices)
    marker = " data-chosen" if checked else ""
    if checked and not choices:
        marker = " data-chosen hidden"
    return mark_safe(  # every value above is escaped
        f'<fieldset class="country-picker__group"{marker}><legend>{escape(legend)}</legend><ul>{boxes}</ul></fieldset>'
    )


@functools.lru_cache(maxsize=4096)
def box(name: str, id_: str, choice: CountryChoice, checked: bool) -> str:
    """One country's box, each written once per process (a country's name or code changed is
    another choice, so another entry): only which are ticked changes from page to page."""
    prefix, field, code = escape(id_), escape(name), escape(choice.iso3)
    return (
        f'<li><label for="{prefix}_{code}"><input type="checkbox" id="{prefix}_{code}" name="{field}" '
        f'value="{code}" data-name="{escape(choice.name)}"{" data-historic" if choice.historic else ""}'
        f"{' checked' if checked else ''}> {escape(choice_label(choice))}</label></li>"
    )
