"""The agreement admin's inlines: parties and signatories (light rows for agreements of
a hundred parties, a signatory's defaults from its party), citations, identifiers, relations."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from agreements.admin.widgets import (
    FAST_RENDERER,
    PARTY_LIST_ID,
    CountryCodeField,
    country_codes,
    label_raw_id,
    use_country_code,
)
from agreements.forms import PartialDateFormMixin
from agreements.models import (
    AgreementRelation,
    AgreementSource,
    Country,
    ExternalIdentifier,
    Organisation,
    Party,
    Signatory,
)
from agreements.models.parties import PARTY_DATES

admin.site.site_header = "tradepacts curation"
admin.site.site_title = "tradepacts admin"
admin.site.index_title = "Agreements, corridors and sources"


def surviving_values(formset: BaseInlineFormSet, field: str) -> list:
    """``field`` of every form that will be saved (not deleted, not left empty)."""
    return [
        form.cleaned_data.get(field)
        for form in formset.forms
        if form.has_changed() or form.instance.pk
        if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
    ]


class LightRowsFormSet(BaseInlineFormSet):
    """Rows whose country is an ISO3 box: the codes are looked up once for all rows."""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.BaseForm:
        form: forms.BaseForm = super()._construct_form(i, **kwargs)  # type: ignore[misc]  # django-stubs does not declare BaseFormSet._construct_form
        if self.is_bound and isinstance(field := form.fields.get("country"), CountryCodeField):
            if not hasattr(self, "_countries"):
                self._countries = country_codes()
            field.known = self._countries
        return form


class PartyFormSet(LightRowsFormSet):
    """Checks the parties as a whole against the agreement's scope."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        countries = [country.pk if country else None for country in surviving_values(self, "country")]
        institutions = [inst.pk if inst else None for inst in surviving_values(self, "institution")]
        for message in self.instance.party_errors(zip(countries, institutions, strict=True)):
            raise ValidationError(message)

    def chosen(self) -> dict[str, tuple[Country | None, Organisation | None]]:
        """The parties that will be saved, as a signatory's ``party`` choice names them."""
        parties = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not (form.has_changed() or form.instance.pk):
                continue
            country, institution = data.get("country"), data.get("institution")
            if country or institution:
                parties[party_key(country, institution)] = (country, institution)
        return parties


def party_key(country: Country | None, institution: Organisation | None) -> str:
    """How a signatory's ``party`` choice names a party: its country's code, or its institution."""
    return country.iso3 if country else f"institution-{institution.pk if institution else ''}"


def party_label(country: Country | None, institution: Organisation | None) -> str:
    names = [country.name if country else "", institution.acronym or institution.name if institution else ""]
    return " – ".join(name for name in names if name)


class SignatoryFormSet(LightRowsFormSet):
    """A signatory's country must be among the parties submitted on the same page.

    A signatory takes its country and organisation from the party chosen in its
    ``party`` box, and a signatory given only a country takes that party's
    institution: neither has to be typed twice.
    """

    party_formset: PartyFormSet | None = None

    def __init__(self, *args: Any, party_choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if party_choices is None:
            party_choices = self.existing_party_choices()
        self.party_choices = party_choices  # one <datalist> for every row (the change form's template)

    def existing_party_choices(self) -> list[tuple[str, str]]:
        if not self.instance.pk:
            return []
        parties = Party.objects.filter(agreement=self.instance).select_related("country", "institution")
        return [(party_key(p.country, p.institution), party_label(p.country, p.institution)) for p in parties]

    def clean(self) -> None:
        super().clean()
        if self.party_formset is None or not self.party_formset.is_valid():
            return
        parties = self.party_formset.chosen()
        party_countries = {country for country, _ in parties.values() if country}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            self.take_from_party(form, data, parties)
            if data.get("country") and data["country"] not in party_countries:
                form.add_error(
                    "country", f"{data['country']} is not a party to this agreement: add it under Parties first."
                )

    @staticmethod
    def take_from_party(
        form: forms.ModelForm, data: dict[str, Any], parties: dict[str, tuple[Country | None, Organisation | None]]
    ) -> None:
        """The chosen party's country and institution, where the row leaves them empty."""
        key = data.get("party") or (data["country"].iso3 if data.get("country") else "")
        if not key:
            return
        if key not in parties:
            if data.get("party"):
                form.add_error("party", "Not a party to this agreement: add it under Parties first.")
            return
        country, institution = parties[key]
        if not data.get("country") and country:
            data["country"] = form.instance.country = country
        if not data.get("organisation") and institution:
            data["organisation"] = form.instance.organisation = institution


class PartyForm(PartialDateFormMixin, forms.ModelForm):
    partial_dates = tuple(PARTY_DATES)
    default_renderer = FAST_RENDERER

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_country_code(self)
        label_raw_id(self, "institution")


class SignatoryForm(forms.ModelForm):
    default_renderer = FAST_RENDERER
    party = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"list": PARTY_LIST_ID, "size": 6, "class": "vPartyChoice"}),
        help_text="A party's code: fills an empty country and organisation from that party.",
    )

    class Meta:
        model = Signatory
        fields = ["name", "honorific", "position", "role", "country", "organisation", "order"]
        widgets = {
            "name": forms.TextInput(attrs={"size": 22}),
            "honorific": forms.TextInput(attrs={"size": 5}),
            "position": forms.TextInput(attrs={"size": 22}),
            "order": forms.NumberInput(attrs={"class": "vOrderField"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_country_code(self)
        label_raw_id(self, "organisation")
        if self.instance.country_id:
            self.initial.setdefault("party", self.instance.country.iso3)


class PartyInline(admin.TabularInline):
    model = Party
    form = PartyForm
    formset = PartyFormSet
    fields = ["country", "institution", "signed_on", "ratified_on", "joined_on", "withdrew_on"]
    # Raw ids and ISO3 boxes, not autocomplete: a select2 box per row cost a query
    # and a script each, 200 of them on a large agreement (widgets.py).
    raw_id_fields = ["institution"]
    min_num = 1
    classes = ["compact-inline"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country", "institution")

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0  # two rows for a new bilateral record


class SignatoryInline(admin.TabularInline):
    model = Signatory
    form = SignatoryForm
    formset = SignatoryFormSet
    fields = ["name", "honorific", "position", "role", "party", "country", "organisation", "order"]
    raw_id_fields = ["organisation"]
    classes = ["compact-inline"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country", "organisation")

    def get_extra(self, request, obj=None, **kwargs):
        return 2 if obj is None else 0


class AgreementSourceInline(admin.TabularInline):
    model = AgreementSource
    fields = ["source", "note"]
    autocomplete_fields = ["source"]
    extra = 0


class ExternalIdentifierInline(admin.TabularInline):
    model = ExternalIdentifier
    fields = ["scheme", "value"]
    extra = 0


class AgreementRelationInline(admin.TabularInline):
    model = AgreementRelation
    fk_name = "from_agreement"
    fields = ["kind", "to_agreement"]
    autocomplete_fields = ["to_agreement"]
    verbose_name = "relation to another agreement"
    extra = 0
