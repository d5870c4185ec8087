"""Who signs and where facts come from: organisations, sources, topics."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from agreements.models.countries import Country
from tradepacts.models import TimeStampedModel


class Organisation(TimeStampedModel):
    """An institution that signs or implements: a ministry, a port authority,
    a state department, or an intergovernmental body (which has no country)."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "Head of state or government"
        MINISTRY = "ministry", "Ministry"
        STATE_DEPARTMENT = "state_department", "State department"
        AGENCY = "agency", "Public agency or authority"
        PORT_AUTHORITY = "port_authority", "Port authority"
        INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental body"
        COMPANY = "company", "Company"
        OTHER = "other", "Other"

    name = models.CharField(max_length=300)
    acronym = models.CharField(max_length=30, blank=True)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.AGENCY)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text="Empty for intergovernmental bodies.",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The body it belongs to, e.g. the ministry of a state department.",
    )
    website = models.URLField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="agreements_org_name")]
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="%(app_label)s_%(class)s_unique_name"),
            # NULLs are distinct in a unique index: bodies without a country need their own rule.
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(country__isnull=True),
                name="%(app_label)s_%(class)s_unique_name_without_country",
            ),
            models.CheckConstraint(
                condition=~Q(kind="intergovernmental") | Q(country__isnull=True),
                name="%(app_label)s_%(class)s_intergovernmental_has_no_country",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="%(app_label)s_%(class)s_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def clean(self) -> None:
        if self.kind == self.Kind.INTERGOVERNMENTAL and self.country_id:
            raise ValidationError({"country": "An intergovernmental body belongs to no single country."})
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": "An organisation cannot be its own parent."})


class Source(TimeStampedModel):
    """Where a fact comes from: an official release, a news report, a treaty text, a dataset."""

    class Kind(models.TextChoices):
        OFFICIAL_RELEASE = "official_release", "Official release"
        NEWS_REPORT = "news_report", "News report"
        TREATY_TEXT = "treaty_text", "Treaty text"
        DATASET = "dataset", "Dataset"
        OTHER = "other", "Other"

    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=300, blank=True)
    url = models.URLField("URL", max_length=1000, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEWS_REPORT)
    published_on = models.DateField(null=True, blank=True)
    accessed_on = models.DateField(null=True, blank=True)
    citation = models.TextField(blank=True, help_text="How to cite it, for datasets and publications.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "title"]
        indexes = [models.Index(fields=["-published_on", "title"], name="agreements_source_order")]
        constraints = [
            models.UniqueConstraint(fields=["url"], condition=~Q(url=""), name="%(app_label)s_%(class)s_unique_url"),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True)
                | Q(accessed_on__isnull=True)
                | Q(published_on__lte=models.F("accessed_on")),
                name="%(app_label)s_%(class)s_published_not_after_accessed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.published_on and self.accessed_on and self.published_on > self.accessed_on:
            raise ValidationError({"accessed_on": "A source cannot be accessed before it was published."})


class Topic(models.Model):
    """What an agreement is about: trade facilitation, ports and logistics, energy ..."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
