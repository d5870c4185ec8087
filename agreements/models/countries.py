"""Countries (ISO 3166, loaded from pycountry) and the blocs they belong to."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from agreements.models.dates import order_constraint, order_errors, partial_date, precision_constraint, precision_errors


class Country(models.Model):
    """A country or territory of ISO 3166-1, current or historic (ISO 3166-3).

    Looked up by ``iso3`` only, never by name: names change (Türkiye) and the
    same numeric code was reused (Zaire and DR Congo are both 180).
    """

    iso3 = models.CharField("ISO alpha-3", max_length=3, unique=True)
    iso2 = models.CharField("ISO alpha-2", max_length=2, blank=True)
    numeric = models.CharField("ISO numeric", max_length=3, blank=True, db_index=True)
    name = models.CharField(max_length=100)
    official_name = models.CharField(max_length=200, blank=True)
    is_historic = models.BooleanField(
        "historic", default=False, help_text="No longer exists (ISO 3166-3), e.g. Zaire, Yugoslavia."
    )
    withdrawn_on = models.DateField(null=True, blank=True, help_text="When the code was withdrawn from ISO 3166-1.")

    class Meta:
        verbose_name_plural = "countries"
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="agreements_country_name")]
        constraints = [
            models.CheckConstraint(condition=Q(iso3__regex=r"^[A-Z]{3}$"), name="%(app_label)s_%(class)s_iso3_format"),
            models.CheckConstraint(
                condition=Q(numeric="") | Q(numeric__regex=r"^[0-9]{3}$"),
                name="%(app_label)s_%(class)s_numeric_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Bloc(models.Model):
    """A regional economic community or grouping: EAC, COMESA, SADC, AfCFTA ..."""

    code = models.CharField(max_length=20, unique=True, help_text="Short code used in URLs and filters, e.g. EAC.")
    name = models.CharField(max_length=200)
    founded_on = models.DateField(null=True, blank=True)
    website = models.URLField(blank=True)
    members: "models.ManyToManyField[Country, BlocMembership]" = models.ManyToManyField(
        Country, through="BlocMembership", related_name="blocs"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Za-z0-9-]+$"), name="%(app_label)s_%(class)s_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class BlocMembership(models.Model):
    """A country's membership of a bloc between two (possibly partial) dates."""

    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="memberships")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="bloc_memberships")
    joined_on, joined_precision = partial_date("date joined")
    left_on, left_precision = partial_date("date left")

    history = HistoricalRecords()

    class Meta:
        ordering = ["bloc", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "country", "joined_on"], name="%(app_label)s_%(class)s_unique_spell"
            ),
            # NULLs are distinct in a unique index: undated spells need their own rule.
            models.UniqueConstraint(
                fields=["bloc", "country"],
                condition=Q(joined_on__isnull=True),
                name="%(app_label)s_%(class)s_unique_undated_spell",
            ),
            order_constraint("joined_on", "left_on"),
            precision_constraint("joined_on"),
            precision_constraint("left_on"),
        ]

    def __str__(self) -> str:
        return f"Membership #{self.pk}"

    def clean(self) -> None:
        errors = order_errors(self, [("joined_on", "left_on")]) | precision_errors(self, ["joined_on", "left_on"])
        if errors:
            raise ValidationError(errors)
