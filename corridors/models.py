"""Trade corridors: the route from a seaport inland, its countries and nodes,
and the agreements that concern it."""

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from agreements.models import Agreement, Country, Organisation, Source
from tradepacts.models import TimeStampedModel


class Corridor(TimeStampedModel):
    """A transport corridor such as the Northern Corridor from Mombasa."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    gateway_port = models.CharField(max_length=100, blank=True, help_text="The seaport it starts from, e.g. Mombasa.")
    coordinating_authority = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="coordinated_corridors"
    )
    length_km = models.PositiveIntegerField("length (km)", null=True, blank=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(Country, through="CorridorMember", related_name="corridors")
    agreements = models.ManyToManyField(Agreement, through="CorridorAgreement", blank=True, related_name="corridors")
    sources = models.ManyToManyField(Source, blank=True, related_name="corridors")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("corridors:detail", args=[self.slug])


class CorridorMember(models.Model):
    """A country on a corridor, in route order from the gateway."""

    class Role(models.TextChoices):
        GATEWAY = "gateway", "Gateway (seaport country)"
        TRANSIT = "transit", "Transit"
        DESTINATION = "destination", "Destination"

    corridor = models.ForeignKey(Corridor, on_delete=models.CASCADE, related_name="memberships")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="corridor_memberships")
    position = models.PositiveSmallIntegerField(help_text="1 for the gateway country, then along the route.")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.DESTINATION)

    history = HistoricalRecords()

    class Meta:
        ordering = ["corridor", "position"]
        constraints = [
            models.UniqueConstraint(fields=["corridor", "country"], name="%(app_label)s_%(class)s_country_once"),
            models.UniqueConstraint(fields=["corridor", "position"], name="%(app_label)s_%(class)s_unique_position"),
        ]

    def __str__(self) -> str:
        return f"Member #{self.pk}"


class Node(models.Model):
    """A place on a corridor's route: a port, a dry port, a border post, a rail line ...

    Its country must be a member of the corridor: checked by the admin across
    both inlines, and on PostgreSQL by a composite foreign key at commit.
    """

    class Kind(models.TextChoices):
        SEAPORT = "seaport", "Seaport"
        ICD = "icd", "Inland container depot"
        DRY_PORT = "dry_port", "Dry port"
        LOGISTICS_PLATFORM = "logistics_platform", "Logistics platform"
        OIL_TERMINAL = "oil_terminal", "Oil terminal"
        BORDER_POST = "border_post", "Border post"
        RAIL_LINE = "rail_line", "Rail line"
        CITY = "city", "City"

    class Status(models.TextChoices):
        OPERATIONAL = "operational", "Operational"
        UNDER_CONSTRUCTION = "under_construction", "Under construction"
        PLANNED = "planned", "Planned"
        CLOSED = "closed", "Closed"

    corridor = models.ForeignKey(Corridor, on_delete=models.CASCADE, related_name="nodes")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="corridor_nodes", help_text="Must be a member of the corridor."
    )
    position = models.PositiveSmallIntegerField(help_text="Order along the route, from the gateway.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPERATIONAL)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["corridor", "position"]
        constraints = [
            models.UniqueConstraint(fields=["corridor", "position"], name="%(app_label)s_%(class)s_unique_position"),
            models.UniqueConstraint(fields=["corridor", "name"], name="%(app_label)s_%(class)s_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class CorridorAgreement(models.Model):
    """An agreement that concerns a corridor."""

    corridor = models.ForeignKey(Corridor, on_delete=models.CASCADE, related_name="agreement_links")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="corridor_links")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "corridor"
        ordering = ["corridor", "id"]
        constraints = [
            models.UniqueConstraint(fields=["corridor", "agreement"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"Link #{self.pk}"

    def history_label(self) -> str:
        return str(self.corridor)
