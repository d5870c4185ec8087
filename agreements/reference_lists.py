"""The reference lists the agreement list's filters offer and check against: countries,
topics, blocs and other apps' linked records (corridors, agreements.extensions); and when a
published agreement last changed (the list's "dataset last updated", a query per page before).

Loaded once per process and kept until the data changes: they are read under the page
cache's data version (tradepacts.pagecache), which every write to the agreements and
corridors apps bumps, so a list is never older than the last write in any process.
With the cache unreachable they are read afresh for every request. Each list page once
read them all (280 Country objects and three cursors for the options), and checked each
chosen topic, corridor and bloc with a query of its own.

``ReferenceChoiceField`` and ``ReferenceMultipleChoiceField`` are the FilterSet's fields
for them: the options and validation of Django's model choice fields (the same values,
labels and messages), from these lists instead of a query.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Max, Model

from agreements.country_picker import CountryChoice, country_choices
from agreements.extensions import linked
from agreements.models import Agreement, Bloc, Country, Topic
from tradepacts.pagecache import kept_until_change


@dataclass(frozen=True)
class ReferenceLists:
    countries: dict[str, Country]  # by ISO alpha-3 code
    country_choices: list[CountryChoice]  # the picker's order
    topics: list[Topic]  # by name
    blocs: list[Bloc]  # by code
    linked: dict[str, list[Any]] = field(default_factory=dict)  # by GET parameter, each by name
    agreements_updated: dt.datetime | None = None  # the latest updated_at of a published agreement

    def records(self, name: str) -> list[Any]:
        """The records a filter parameter chooses among: ``topic``, ``bloc`` or a linked one's."""
        if name == "topic":
            return self.topics
        if name == "bloc":
            return self.blocs
        return self.linked[name]


def load() -> ReferenceLists:
    countries = list(Country.objects.all())
    return ReferenceLists(
        countries={country.iso3: country for country in countries},
        country_choices=country_choices(countries),
        topics=list(Topic.objects.order_by("name")),
        blocs=list(Bloc.objects.order_by("code")),
        linked={records.parameter: list(records.records()) for records in linked()},
        agreements_updated=Agreement.objects.published().aggregate(last=Max("updated_at"))["last"],
    )


def reference_lists() -> ReferenceLists:
    """This process's lists, read again when the data version has moved since."""
    return kept_until_change("reference-lists", load)


class ReferenceChoiceField(forms.ChoiceField):
    """One record of a reference list by its readable key (``?bloc=EAC``), cleaned to the record.

    As forms.ModelChoiceField (its options: an empty one, then each record as ``str()``; its
    message for an unknown key), without its query."""

    default_error_messages = {
        "invalid_choice": "Select a valid choice. That choice is not one of the available choices.",
    }

    def __init__(
        self,
        *,
        parameter: str,
        key: str,
        empty_label: str | None = "---------",
        records: Callable[[str], Sequence[Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        self.parameter, self.key, self.empty_label = parameter, key, empty_label
        self.records = records or (lambda name: reference_lists().records(name))
        super().__init__(choices=self.options, **kwargs)

    def read_from(self, records: Callable[[str], Sequence[Any]]) -> None:
        """Take the records from ``records`` (a FilterSet's one version of the lists), options included."""
        self.records = records
        self.choices = self.options  # bound to this field: a copy of another field's would read that one's

    def options(self) -> list[tuple[str, str]]:
        empty = [("", self.empty_label)] if self.empty_label is not None else []
        return empty + [(str(getattr(record, self.key)), str(record)) for record in self.records(self.parameter)]

    def by_key(self) -> dict[str, Any]:
        return {str(getattr(record, self.key)): record for record in self.records(self.parameter)}

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        record = self.by_key().get(str(value))
        if record is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return record

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)  # required or not; to_python has checked the key


class ReferenceMultipleChoiceField(ReferenceChoiceField):
    """Several records by key (``?topic=ports&topic=roads``), cleaned to a list in the list's order;
    as forms.ModelMultipleChoiceField (no empty option; its messages)."""

    widget = forms.SelectMultiple
    hidden_widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid_list": "Enter a list of values.",
        "invalid_choice": "Select a valid choice. %(value)s is not one of the available choices.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(empty_label=None, **kwargs)

    def to_python(self, value: Any) -> list[Any]:
        if not value:
            return []
        if not isinstance(value, (list, tuple)):
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        by_key = self.by_key()
        for key in value:
            if str(key) not in by_key:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": key}
                )
        chosen = {str(key) for key in value}
        return [record for key, record in by_key.items() if key in chosen]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return set(map(str, initial or [])) != set(map(str, data or []))


def ids_to_keys(records: Iterable[Model], key: str) -> dict[Any, str]:
    """{record's id: its key}: a facet grouped by id, read back as the options' keys without a join."""
    return {record.pk: str(getattr(record, key)) for record in records}
