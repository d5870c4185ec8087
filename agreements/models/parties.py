"""What belongs to one agreement: its parties and their dates, signatories,
citations of sources, relations to other agreements, and identifiers in other
databases."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from agreements.models.agreements import Agreement
from agreements.models.countries import Country
from agreements.models.dates import (
    order_constraint,
    order_errors,
    partial_date,
    precision_constraint,
    precision_errors,
)
from agreements.models.reference import Organisation, Source

PARTY_DATES = ["signed_on", "ratified_on", "joined_on", "withdrew_on"]
PARTY_DATE_ORDER = [("signed_on", "ratified_on"), ("signed_on", "withdrew_on"), ("joined_on", "withdrew_on")]


class Party(models.Model):
    """A party to an agreement: a country, the institution acting for it, or
    an institution alone (an intergovernmental body). Per-party dates record
    who signed, ratified, joined later (accession) or withdrew, and when."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, null=True, blank=True, related_name="parties")
    institution = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parties",
        help_text="The body acting for the country, e.g. the Kenya Ports Authority.",
    )
    signed_on, signed_precision = partial_date("date signed")
    ratified_on, ratified_precision = partial_date("date ratified")
    joined_on, joined_precision = partial_date("date joined", "For a party that acceded after the others.")
    withdrew_on, withdrew_precision = partial_date("date withdrew")

    history = HistoricalRecords()

    DATE_FIELDS = PARTY_DATES
    DATE_ORDER = PARTY_DATE_ORDER

    class Meta:
        verbose_name_plural = "parties"
        ordering = ["agreement", "id"]
        indexes = [models.Index(fields=["country", "agreement"], name="agreements_party_country_agr")]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "country"], name="%(app_label)s_%(class)s_country_once"),
            models.CheckConstraint(
                condition=Q(country__isnull=False) | Q(institution__isnull=False),
                name="%(app_label)s_%(class)s_country_or_institution",
            ),
            *(order_constraint(earlier, later) for earlier, later in PARTY_DATE_ORDER),
            *(precision_constraint(field) for field in PARTY_DATES),
        ]

    def __str__(self) -> str:
        return f"Party #{self.pk}"

    def history_label(self) -> str:
        """How the agreement's history names this party (follows relations: one row at a time)."""
        return " acting through ".join(str(x) for x in (self.country, self.institution) if x)

    def clean(self) -> None:
        errors = order_errors(self, self.DATE_ORDER) | precision_errors(self, self.DATE_FIELDS)
        if self.country_id is None and self.institution_id is None:
            errors["country"] = "Choose a country, an institution, or both."
        elif (
            self.country_id
            and (institution := self.institution) is not None
            and institution.country_id not in (None, self.country_id)
        ):
            errors["institution"] = f"{institution} belongs to {institution.country}, not to this party's country."
        if errors:
            raise ValidationError(errors)


class Signatory(models.Model):
    """A person who signed or presided, with the position held at that time."""

    class Role(models.TextChoices):
        SIGNED = "signed", "Signed"
        PRESIDED = "presided", "Presided"
        WITNESSED = "witnessed", "Witnessed"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatories")
    name = models.CharField(max_length=200)
    position = models.CharField(max_length=300, blank=True, help_text="As held at the time, e.g. Permanent Secretary.")
    honorific = models.CharField(max_length=60, blank=True, help_text="Post-nominals as published, e.g. CBS.")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.SIGNED)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatories",
        help_text="Must be one of the agreement's parties.",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="signatories"
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "signatories"
        ordering = ["agreement", "order", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        organisation = self.organisation
        if organisation is not None and self.country_id and organisation.country_id not in (None, self.country_id):
            raise ValidationError(
                {"organisation": f"{organisation} belongs to {organisation.country}, not to this signatory's country."}
            )


class AgreementSource(models.Model):
    """A source cited for an agreement, with what it supports."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    note = models.CharField(max_length=300, blank=True, help_text="What it supports, or where in it.")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "source"
        ordering = ["agreement", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "source"], name="%(app_label)s_%(class)s_cited_once"),
        ]

    def __str__(self) -> str:
        return f"Citation #{self.pk}"

    def history_label(self) -> str:
        return str(self.source)


class AgreementRelation(models.Model):
    """How one agreement stands to another: it amends, supersedes, accedes to ..."""

    class Kind(models.TextChoices):
        AMENDS = "amends", "Amends"
        SUPERSEDES = "supersedes", "Supersedes"
        ACCESSION_TO = "accession_to", "Is an accession to"
        IMPLEMENTS = "implements", "Implements"
        CONSOLIDATES = "consolidates", "Is a consolidated version of"
        RELATED = "related", "Is related to"

    from_agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="relations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    to_agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="inbound_relations")

    history = HistoricalRecords()

    class Meta:
        ordering = ["from_agreement", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_agreement", "kind", "to_agreement"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_agreement=models.F("to_agreement")), name="%(app_label)s_%(class)s_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"Relation #{self.pk}"

    def history_label(self) -> str:
        return f"{self.get_kind_display().lower()} {self.to_agreement}"

    def clean(self) -> None:
        if self.from_agreement_id and self.from_agreement_id == self.to_agreement_id:
            raise ValidationError({"to_agreement": "An agreement cannot be related to itself."})


class ExternalIdentifier(models.Model):
    """The agreement's number in another database (WTO RTA, DESTA, UN Treaty Series)."""

    class Scheme(models.TextChoices):
        WTO_RTA = "wto_rta", "WTO RTA ID"
        DESTA = "desta", "DESTA number"
        UNTS = "unts", "UNTS registration number"
        GPTAD = "gptad", "GPTAD name"

    class Method(models.TextChoices):
        """How a dataset's record was matched to this agreement (agreements.imports.merge)."""

        CREATED = "created", "Created from this record"
        IDENTIFIER = "identifier", "Its identifier, already on the agreement"
        DESTA_WTO_NAME = "desta_wto_name", "DESTA's wto_name column"
        PARTIES_YEAR_NAME = "parties_year_name", "Same parties, signature year and name"
        CURATOR = "curator", "Entered by a curator"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=10, choices=Scheme.choices)
    # WTO RTA names run to 150 characters.
    value = models.CharField(max_length=300)
    matched_by = models.CharField(max_length=20, choices=Method.choices, default=Method.CURATOR)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "scheme"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="%(app_label)s_%(class)s_unique_value"),
            models.UniqueConstraint(fields=["agreement", "scheme"], name="%(app_label)s_%(class)s_one_per_scheme"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"
