"""Trade corridors: the route from a seaport inland, its countries and nodes,
and the agreements that concern it."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from agreements.models import Agreement, Country, Organisation, Source
from corridors.periods import Period, PeriodKind, is_period_start
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
    members: "models.ManyToManyField[Country, CorridorMember]" = models.ManyToManyField(
        Country, through="CorridorMember", related_name="corridors"
    )
    agreements: "models.ManyToManyField[Agreement, CorridorAgreement]" = models.ManyToManyField(
        Agreement, through="CorridorAgreement", blank=True, related_name="corridors"
    )
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


# --- indicators: what is measured on a corridor, and the figures -----------------------------


class Indicator(models.Model):
    """Something measured on corridors: cargo throughput (t), transit time (hours), port dwell time ...

    ``additive`` marks volumes that add up across corridors (tonnes of cargo):
    for them the refresh derives each destination's share by corridor.
    """

    class Better(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    unit = models.CharField(max_length=30, help_text="As figures are given in it, e.g. t, hours, days, %.")
    better = models.CharField("better when", max_length=6, choices=Better.choices, default=Better.HIGHER)
    additive = models.BooleanField(
        default=False,
        help_text="A volume that adds up across corridors (cargo in tonnes): each destination's share of it by "
        "corridor is derived.",
    )
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(better__in=["higher", "lower"]), name="%(app_label)s_%(class)s_better_valid"
            ),
            models.CheckConstraint(condition=~models.Q(unit=""), name="%(app_label)s_%(class)s_unit_required"),
        ]

    def __str__(self) -> str:
        return self.name


PERIOD_STARTS = models.Q(period_start__day=1) & (
    models.Q(period_kind=PeriodKind.MONTH)
    | models.Q(period_kind=PeriodKind.QUARTER, period_start__month__in=[1, 4, 7, 10])
    | models.Q(period_kind=PeriodKind.YEAR, period_start__month=1)
    | models.Q(period_kind=PeriodKind.FISCAL_YEAR, period_start__month=7)
)


def natural_key_constraints(*fields: str) -> list[models.BaseConstraint]:
    """One row per key, with a destination country or without one (NULLs are distinct in SQL)."""
    return [
        models.UniqueConstraint(
            fields=[*fields[:2], "destination", *fields[2:]],
            condition=models.Q(destination__isnull=False),
            name="%(app_label)s_%(class)s_one_per_destination",
        ),
        models.UniqueConstraint(
            fields=list(fields),
            condition=models.Q(destination__isnull=True),
            name="%(app_label)s_%(class)s_one_for_all_destinations",
        ),
    ]


class IndicatorObservation(TimeStampedModel):
    """One figure as a source gives it: ``indicator`` on ``corridor`` in a period,
    for cargo bound for ``destination`` (empty: the corridor as a whole).

    ``qualifier`` keeps how the source hedged it ("about 600,000 t", "more than
    800,000 t"); ``is_synthetic`` marks figures made up for the demo.
    """

    class Qualifier(models.TextChoices):
        EXACT = "", "As given"
        ABOUT = "about", "About"
        MORE_THAN = "more_than", "More than"
        LESS_THAN = "less_than", "Less than"

    corridor = models.ForeignKey(Corridor, on_delete=models.CASCADE, related_name="observations")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="observations")
    destination = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corridor_observations",
        help_text="The country the cargo is bound for (a member of the corridor); empty for the whole corridor.",
    )
    period_kind = models.CharField(max_length=7, choices=PeriodKind.choices, default=PeriodKind.YEAR)
    period_start = models.DateField(help_text="The period's first day: 1 January for a year, 1 July for 2024-Q3.")
    value = models.DecimalField(max_digits=20, decimal_places=4)
    # As the source gave it, when the import converted it to the indicator's unit (by an exact factor
    # only, e.g. 19.06 million tonnes is 19,060,000 t): shown beside the figure.
    reported_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    reported_unit = models.CharField(max_length=30, blank=True)
    qualifier = models.CharField(max_length=9, choices=Qualifier.choices, blank=True, default=Qualifier.EXACT)
    note = models.TextField(blank=True, help_text="How the source words it, or what the figure covers.")
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="corridor_observations"
    )
    is_synthetic = models.BooleanField(default=False, help_text="Generated for demonstration, not observed.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["corridor", "indicator", "destination", "period_kind", "period_start"]
        constraints = [
            *natural_key_constraints("corridor", "indicator", "period_kind", "period_start"),
            models.CheckConstraint(condition=PERIOD_STARTS, name="%(app_label)s_%(class)s_period_start_valid"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="%(app_label)s_%(class)s_value_not_negative"),
            models.CheckConstraint(
                condition=models.Q(qualifier__in=["", "about", "more_than", "less_than"]),
                name="%(app_label)s_%(class)s_qualifier_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Figure #{self.pk}"

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.period_kind)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.period_start and not is_period_start(self.period_start, self.period_kind):
            errors["period_start"] = f"A {self.period_kind} starts on the 1st of its first month."
        if self.value is not None and self.value < 0:
            errors["value"] = "A figure is never below zero."
        if self.corridor_id and self.destination_id:
            members = CorridorMember.objects.filter(corridor_id=self.corridor_id, country_id=self.destination_id)
            if not members.exists():
                errors["destination"] = "Not a member country of this corridor."
        if errors:
            raise ValidationError(errors)


# --- derived: rebuilt by corridors.stats.refresh_corridor_statistics, never edited ------------


class ObservationStatistic(models.Model):
    """What the refresh derives from one figure: growth on the previous period of
    the same kind, and (additive indicators, per destination) its corridor's share
    of that destination's total over every corridor with a figure for the period."""

    observation = models.OneToOneField(IndicatorObservation, on_delete=models.CASCADE, related_name="statistic")
    previous_value = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    growth = models.DecimalField(
        max_digits=12, decimal_places=6, null=True, help_text="On the previous period's value: 0.25 is +25%."
    )
    share = models.DecimalField(
        max_digits=7,
        decimal_places=6,
        null=True,
        help_text="Of the destination's total over all corridors: 0.3 is 30%.",
    )
    corridors_counted = models.PositiveSmallIntegerField(default=0, help_text="Corridors in the share's total.")
    is_synthetic = models.BooleanField(default=False, help_text="A synthetic figure went into it.")

    class Meta:
        ordering = ["observation"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share__isnull=True) | models.Q(share__gte=0, share__lte=1),
                name="%(app_label)s_%(class)s_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Figure statistic #{self.pk}"


class AgreementIndicatorChange(models.Model):
    """An indicator on a corridor in the periods before and after an agreement
    concerning it entered into force (or was signed, if it never did): the
    averages over up to ``window`` periods each side; the periods overlapping
    the agreement's date are in neither. Derived."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="corridor_indicator_changes")
    corridor = models.ForeignKey(Corridor, on_delete=models.CASCADE, related_name="agreement_changes")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="agreement_changes")
    destination = models.ForeignKey(Country, on_delete=models.CASCADE, null=True, related_name="+")
    period_kind = models.CharField(max_length=7, choices=PeriodKind.choices)
    reference_date = models.DateField()
    reference_event = models.CharField(max_length=10, help_text="in_force or signed")
    window = models.PositiveSmallIntegerField(default=3)
    average_before = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    periods_before = models.PositiveSmallIntegerField(default=0)
    average_after = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    periods_after = models.PositiveSmallIntegerField(default=0)
    share_before = models.DecimalField(max_digits=7, decimal_places=6, null=True)
    share_after = models.DecimalField(max_digits=7, decimal_places=6, null=True)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["agreement", "corridor", "indicator", "destination", "period_kind"]
        constraints = natural_key_constraints("agreement", "corridor", "indicator", "period_kind")

    def __str__(self) -> str:
        return f"Agreement change #{self.pk}"

    @property
    def change(self) -> Decimal | None:
        """After on before, minus one: 0.25 is +25%."""
        if self.average_before and self.average_after is not None:
            return self.average_after / self.average_before - 1
        return None
