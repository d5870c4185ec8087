"""The public datasets agreements are imported from, and what each says (its claims).

DESTA, the WTO's RTA list and GPTAD each describe many of the same agreements,
in their own words: a year here, a day there, a party one lists and another
does not. The import (agreements.imports.merge) keeps each dataset's word as a
claim on the agreement it matched, and sets the agreement's fields from the
claims in a fixed order of trust, except the fields a curator set by hand
(``Agreement.curated_fields``), which no import writes. The detail page shows
the value in use and every claim that differs from it.
"""

from django.db import models

from agreements.models.agreements import Agreement
from agreements.models.countries import Country
from agreements.models.reference import Source


class Dataset(models.Model):
    """A published dataset as imported (a list of agreements, trade figures, exchange rates,
    corridor figures): its credits, what it covers and the file last imported.

    The "Sources and coverage" page lists every one."""

    slug = models.SlugField(max_length=30, unique=True, help_text="desta, wto_rta, gptad, wto_trade ...")
    title = models.CharField(max_length=300)
    version = models.CharField(max_length=100, blank=True)
    licence = models.CharField(max_length=300, blank=True)
    citation = models.TextField(blank=True)
    url = models.URLField("URL", blank=True)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="datasets", help_text="As cited."
    )
    filename = models.CharField(max_length=300, blank=True)
    sha256 = models.CharField(
        "SHA-256 of the file last imported", max_length=64, blank=True, help_text="The same file is not read again."
    )
    imported_at = models.DateTimeField(null=True, blank=True)
    records = models.PositiveIntegerField(default=0, help_text="Records in the file last imported.")
    description = models.TextField(blank=True, help_text="What it is, in a sentence or two.")
    first_year = models.PositiveSmallIntegerField(null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(null=True, blank=True)
    countries = models.PositiveIntegerField(null=True, blank=True, help_text="Countries it has figures for.")

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.title


class Claim(models.Model):
    """What one dataset's record says about one fact of an agreement.

    ``field`` names an Agreement field (its value as text: a date in ISO form,
    partial dates as 2007 or 2007-07, a kind or status value), or ``party``
    (the country is a party; the value says when it joined or left, if given).
    """

    class Field(models.TextChoices):
        TITLE = "title", "Title"
        KIND = "kind", "Kind"
        STATUS = "status", "Status"
        SIGNED_ON = "signed_on", "Date signed"
        IN_FORCE_ON = "in_force_on", "Entry into force"
        SERVICES_IN_FORCE_ON = "services_in_force_on", "Services entry into force"
        ENDED_ON = "ended_on", "Date ended"
        NOTIFIED_ON = "notified_on", "Notified to the WTO"
        WTO_NOTIFICATION = "wto_notification", "WTO notification"
        PARTY = "party", "Party"
        INSTITUTION = "institution", "Party (bloc or institution)"
        WTO_NAME = "wto_name", "Name in the WTO RTA list"
        SUPERSEDED_BY = "superseded_by", "Superseded by"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="claims")
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="claims")
    record = models.CharField(max_length=300, help_text="The record's identifier in the dataset.")
    line = models.PositiveIntegerField(default=0, help_text="Its (first) line in the file.")
    field = models.CharField(max_length=30, choices=Field.choices)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, null=True, blank=True, related_name="claims")
    value = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["agreement", "field", "dataset", "id"]
        indexes = [models.Index(fields=["agreement", "field"], name="agreements_claim_agr_field")]

    def __str__(self) -> str:
        return f"Claim #{self.pk}"

    def key(self) -> tuple:
        return (self.agreement_id, self.dataset_id, self.record, self.field, self.country_id, self.value)
