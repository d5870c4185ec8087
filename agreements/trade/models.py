"""Trade between countries: reported flows, exchange rates, and the statistics
derived from them by the refresh (agreements.trade.refresh), never by hand."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from agreements.models.agreements import Agreement
from agreements.models.countries import Country
from agreements.models.reference import Source
from tradepacts.models import TimeStampedModel

FIRST_YEAR, LAST_YEAR = 1900, 2100


class Origin(models.IntegerChoices):
    """Who published a trade figure, in the one order of precedence (lower first).

    Several sources may give the same reporter, partner, year and flow; the
    refresh uses the figure of the first origin here and never adds figures of
    different origins. A curator's national figure (a national statistics
    office or a head of state, entered in the admin or imported as a plain
    file) comes first, then the WTO's, then UN Comtrade's, then the Correlates
    of War's (whole millions of dollars); synthetic figures only where no
    other exists.
    """

    NATIONAL = 10, "National figure (curated)"
    WTO = 20, "WTO"
    COMTRADE = 30, "UN Comtrade"
    COW = 40, "Correlates of War"
    SYNTHETIC = 90, "Synthetic (not observed)"


# How precise each origin's figures are, where it matters: said wherever one is shown.
ORIGIN_PRECISION = {Origin.COW: "published in whole millions of US dollars"}


class TradeFlow(TimeStampedModel):
    """One figure as a source reports it: what ``reporter`` exported to (or
    imported from) ``partner`` in ``year``, in the reporter's currency.

    ``partner`` empty means the World. ``flow`` "total" is a reported total of
    both directions (a head of state's "bilateral trade reached ..."), used
    only where the two directions are not known. ``origin`` says who published
    it: one figure per origin, chosen among by ``Origin``'s precedence.
    """

    class Flow(models.TextChoices):
        EXPORTS = "exports", "Exports"
        IMPORTS = "imports", "Imports"
        TOTAL = "total", "Total trade (both directions)"

    reporter = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="reported_flows")
    partner = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_flows",
        help_text="Empty for the World.",
    )
    year = models.PositiveSmallIntegerField()
    flow = models.CharField(max_length=7, choices=Flow.choices)
    value = models.DecimalField(max_digits=22, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217, e.g. USD, TZS.")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, null=True, blank=True, related_name="trade_flows")
    is_synthetic = models.BooleanField(default=False, help_text="Generated for demonstration, not observed.")
    origin = models.PositiveSmallIntegerField(
        choices=Origin.choices,
        default=Origin.NATIONAL,
        db_default=Origin.NATIONAL,
        help_text="Who published it; decides which figure is used when several give the same flow.",
    )

    class Meta:
        ordering = ["reporter", "partner", "year", "flow", "origin"]
        indexes = [models.Index(fields=["partner", "reporter", "year"], name="agreements_flow_mirror")]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "partner", "year", "flow", "origin"],
                condition=Q(partner__isnull=False),
                name="%(app_label)s_%(class)s_one_figure",
            ),
            models.UniqueConstraint(
                fields=["reporter", "year", "flow", "origin"],
                condition=Q(partner__isnull=True),
                name="%(app_label)s_%(class)s_one_world_figure",
            ),
            models.CheckConstraint(
                condition=~Q(partner=models.F("reporter")), name="%(app_label)s_%(class)s_not_with_itself"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR), name="%(app_label)s_%(class)s_year_range"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="%(app_label)s_%(class)s_value_not_negative"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="%(app_label)s_%(class)s_currency_format"
            ),
        ]

    def __str__(self) -> str:
        return f"Flow #{self.pk}"

    def clean(self) -> None:
        if self.partner_id and self.partner_id == self.reporter_id:
            raise ValidationError({"partner": "A country does not trade with itself."})


class ExchangeRate(TimeStampedModel):
    """How many units of a currency bought one US dollar, on average, in a year."""

    currency = models.CharField(max_length=3, help_text="ISO 4217.")
    year = models.PositiveSmallIntegerField()
    # Eighteen places: a currency before its redenominations (the CDF of 1960: 0.00000000000017 per US$) keeps
    # its value rather than rounding to zero.
    units_per_usd = models.DecimalField(max_digits=32, decimal_places=18)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, null=True, blank=True, related_name="exchange_rates")

    class Meta:
        ordering = ["currency", "year"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "year"], name="%(app_label)s_%(class)s_one_rate"),
            models.CheckConstraint(condition=Q(units_per_usd__gt=0), name="%(app_label)s_%(class)s_positive"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="%(app_label)s_%(class)s_currency_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.year}"


class Basis(models.TextChoices):
    """Where a derived figure comes from."""

    REPORTED = "reported", "Exporter's own report"
    MIRROR = "mirror", "Importer's mirror report"
    REPORTED_TOTAL = "reported_total", "Reported total of both directions"
    MISSING = "missing", "Not available"


def flow_pointer(help_text: str) -> models.ForeignKey:
    """A derived row's pointer to the flow it was computed from.

    No database constraint and no index: a full refresh writes some 300,000
    rows, and three deferred foreign-key checks per row (each locking a flow
    row) cost more than the rest of the refresh. The pointer cannot go stale
    for long: deleting a flow through Django sets it to NULL (on_delete runs in
    Python), and every refresh rewrites it.
    """
    return models.ForeignKey(
        TradeFlow,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
        help_text=help_text,
    )


class PairYearStatistic(models.Model):
    """Trade between two countries in a year, in US dollars. Derived: rebuilt
    by the refresh, never edited. Each unordered pair is stored once, the
    country with the lower id as ``country_a``."""

    # No database constraint (as for the flow pointers): both are the ids of a flow's countries,
    # which flows' own constraints check; deleting a country (which its flows PROTECT) cascades in
    # Django. country_a has no index of its own: the unique (country_a, country_b, year) one serves it.
    country_a = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    country_b = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    year = models.PositiveSmallIntegerField()
    a_to_b_usd = models.DecimalField(max_digits=22, decimal_places=2, null=True)
    a_to_b_basis = models.CharField(max_length=14, choices=Basis.choices, default=Basis.MISSING)
    a_to_b_flow = flow_pointer(help_text="The flow the figure comes from.")
    b_to_a_usd = models.DecimalField(max_digits=22, decimal_places=2, null=True)
    b_to_a_basis = models.CharField(max_length=14, choices=Basis.choices, default=Basis.MISSING)
    b_to_a_flow = flow_pointer(help_text="The flow the figure comes from.")
    # The other partner's report of each direction, where both report it (the importer's when the
    # figure is the exporter's, and the reverse): pages show the two and their gap.
    a_to_b_check_usd = models.DecimalField(max_digits=22, decimal_places=2, null=True)
    a_to_b_check_flow = flow_pointer(help_text="The other partner's report of the same direction.")
    b_to_a_check_usd = models.DecimalField(max_digits=22, decimal_places=2, null=True)
    b_to_a_check_flow = flow_pointer(help_text="The other partner's report of the same direction.")
    total_usd = models.DecimalField(max_digits=22, decimal_places=2, null=True)
    total_basis = models.CharField(max_length=14, choices=Basis.choices, default=Basis.MISSING)
    total_flow = flow_pointer(help_text="Set for a reported total.")
    growth = models.DecimalField(
        max_digits=12, decimal_places=6, null=True, help_text="Total on the previous year's: 0.25 is +25%."
    )
    agreements_in_force = models.PositiveIntegerField(default=0, help_text="Between the two, at the year's end.")
    notes = models.TextField(blank=True, help_text="Why a figure is missing, e.g. no exchange rate.")
    is_synthetic = models.BooleanField(default=False)
    inputs_digest = models.BigIntegerField(
        null=True, editable=False, help_text="What the figures were computed from (agreements.trade_sql)."
    )

    class Meta:
        ordering = ["country_a", "country_b", "year"]
        # The full refresh checks the rows with agreements in force against the agreements.
        indexes = [
            models.Index(
                fields=["country_a", "country_b", "year"],
                condition=Q(agreements_in_force__gt=0),
                name="agreements_pair_years_in_force",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["country_a", "country_b", "year"], name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(
                condition=Q(country_a__lt=models.F("country_b")), name="%(app_label)s_%(class)s_ordered_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"Pair statistic #{self.pk}"


class AgreementTradeStatistic(models.Model):
    """Average annual trade between an agreement's parties in the years before
    and after it entered into force (or was signed, if it never did). Derived."""

    agreement = models.OneToOneField(Agreement, on_delete=models.CASCADE, related_name="trade_statistic")
    reference_year = models.PositiveSmallIntegerField()
    reference_event = models.CharField(max_length=10, help_text="in_force or signed")
    window = models.PositiveSmallIntegerField(default=3)
    average_before_usd = models.DecimalField(max_digits=22, decimal_places=2, null=True)
    years_before = models.PositiveSmallIntegerField(default=0, help_text="Years with figures in the window.")
    average_after_usd = models.DecimalField(max_digits=22, decimal_places=2, null=True)
    years_after = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["agreement"]

    def __str__(self) -> str:
        return f"Agreement statistic #{self.pk}"

    @property
    def change(self) -> Decimal | None:
        if self.average_before_usd and self.average_after_usd is not None:
            return self.average_after_usd / self.average_before_usd - 1
        return None


class RefreshRun(models.Model):
    """One run of a statistics refresh: what it covered, when, and how it ended."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (another run held the lock)"

    class Failure(models.TextChoices):
        """Why a FAILED run failed: what the catch-up and the pages act on (``error`` is for people)."""

        NONE = "", "Not failed"
        ERROR = "error", "The refresh raised an error"
        NOT_QUEUED = "not_queued", "Not queued: the broker was unreachable"
        INTERRUPTED = "interrupted", "Interrupted: its worker stopped"
        ABANDONED = "abandoned", "Abandoned: still running after its time limit"

    kind = models.CharField(max_length=30, default="trade", help_text="Which statistics, e.g. trade.")
    scope = models.CharField(max_length=200, default="all", help_text='"all" or the pairs refreshed, e.g. KEN-RWA.')
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    failure = models.CharField(max_length=12, choices=Failure.choices, default=Failure.NONE, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_written = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["-started_at"], name="agreements_refreshrun_recent")]

    def __str__(self) -> str:
        return f"Refresh #{self.pk}"


class TradeRefreshState(models.Model):
    """What the PostgreSQL refresh knows between runs (one row; agreements.trade.sql).

    ``agreements_digest``: the digest of the agreements and parties that every stored count of
    agreements in force was computed from; a full refresh checks those counts only when the
    agreements' digest differs. ``rates_digest``: the digest of the exchange rates and rules that
    every stored row was computed under, every change of a flow since being in the queue of changed
    pair-years; a full refresh reads only that queue while the rates' digest is the same. Empty:
    not known, check everything (every count, every flow's digest)."""

    agreements_digest = models.BigIntegerField(null=True, editable=False)
    rates_digest = models.BigIntegerField(null=True, editable=False)

    def __str__(self) -> str:
        return "Trade refresh state"


class ProductTrade(models.Model):
    """A reporter's imports from a partner in a year of one HS chapter (two digits), in US dollars,
    as the WTO publishes them (its HS2 detail): what two countries trade, not only how much.

    Reference data for the pair page's "what they trade"; no derived figure is computed from it.
    ``partner`` empty is the World.
    """

    reporter = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField()
    chapter = models.CharField(max_length=2, help_text="HS chapter, two digits, e.g. 27.")
    value_usd = models.DecimalField(max_digits=22, decimal_places=2)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["reporter", "partner", "year", "chapter"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "partner", "year", "chapter"],
                condition=Q(partner__isnull=False),
                name="%(app_label)s_%(class)s_one_figure",
            ),
            models.UniqueConstraint(
                fields=["reporter", "year", "chapter"],
                condition=Q(partner__isnull=True),
                name="%(app_label)s_%(class)s_one_world_figure",
            ),
            models.CheckConstraint(condition=Q(chapter__regex=r"^[0-9]{2}$"), name="%(app_label)s_%(class)s_chapter"),
            models.CheckConstraint(condition=Q(value_usd__gte=0), name="%(app_label)s_%(class)s_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Product figure #{self.pk}"
