"""Agreements of every kind (an MoU is one kind). Their parties, signatories,
citations, relations and identifiers: agreements.models.parties."""

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agreements.models.countries import Country
from agreements.models.dates import (
    format_partial_date,
    order_constraint,
    order_errors,
    partial_date,
    precision_constraint,
    precision_errors,
)
from agreements.models.ordering import newest_first
from agreements.models.reference import Source, Topic
from agreements.models.slugs import DEFERRED_SLUG, AgreementSlug, StoredSlug, short_slug
from tradepacts.models import TimeStampedModel

if TYPE_CHECKING:
    from agreements.models.parties import AgreementSource  # below this module: it imports Agreement

# Module level, because a model's Meta cannot see names in the model's body.
AGREEMENT_DATES = ["announced_on", "signed_on", "in_force_on", "ended_on"]
AGREEMENT_DATE_ORDER = [
    ("announced_on", "signed_on"),
    ("announced_on", "in_force_on"),
    ("announced_on", "ended_on"),
    ("signed_on", "in_force_on"),
    ("signed_on", "ended_on"),
    ("in_force_on", "ended_on"),
]


# Module level so the MoU proxy can be wired to the same handlers (see below).
# Change reasons name every inline change too, so they need more than 100 characters.
AGREEMENT_HISTORY = HistoricalRecords(
    history_change_reason_field=models.TextField(null=True), excluded_fields=["search_text"]
)


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def published(self) -> "AgreementQuerySet":
        """What the public may see: drafts are staff-only."""
        return self.filter(is_published=True)

    def listed(self) -> "AgreementQuerySet":
        """What default lists show: no accession instruments nor consolidated versions."""
        return self.filter(in_default_lists=True)

    def drafts(self) -> "AgreementQuerySet":
        return self.filter(is_published=False)

    def with_parties(self, *countries: Country, match: str = "all") -> "AgreementQuerySet":
        """Agreements by their parties, through EXISTS (no join, so no DISTINCT):

        - ``all``: every one of ``countries`` is a party (one EXISTS each);
        - ``any``: at least one of them is;
        - ``exactly``: every one is, and there is no other party (another
          country, or an institution acting alone): with two countries, the
          agreements between just those two.
        """
        from agreements.models.parties import Party  # below this module: it imports Agreement

        if not countries:
            return self
        parties = Party.objects.filter(agreement=models.OuterRef("pk"))
        if match == "any":
            return self.filter(models.Exists(parties.filter(country__in=countries)))
        queryset = self
        for country in countries:
            queryset = queryset.filter(models.Exists(parties.filter(country=country)))
        if match == "exactly":
            # exclude() keeps a party with no country as "another party".
            queryset = queryset.filter(~models.Exists(parties.exclude(country__in=countries)))
        return queryset

    def search(self, text: str) -> "AgreementQuerySet":
        """Full-text search, ranked on PostgreSQL; see agreements.search."""
        from agreements.search import search

        return search(self, text)

    def for_listing(self) -> "AgreementQuerySet":
        """What the list page reads of each agreement: not its long texts. (Its parties are read
        as plain values for the page's rows, agreements.party_codes; the export reads values.)"""
        return self.defer("search_text", "summary")

    def publish(self) -> int:
        """Publish every draft in the queryset; returns how many changed.

        Saved one by one so each publication lands in the record's history; in one
        transaction, so the refresh they queue is one, sent at commit.
        """
        with transaction.atomic():
            drafts = list(self.drafts())
            for agreement in drafts:
                agreement.publish()
        return len(drafts)

    def unpublish(self) -> int:
        """Return every published agreement in the queryset to draft (one transaction, one refresh)."""
        with transaction.atomic():
            published = list(self.published())
            for agreement in published:
                agreement.unpublish()
        return len(published)


class Agreement(TimeStampedModel):
    """One instrument between countries or institutions: a treaty, an FTA, an MoU,
    a joint communiqué ... Drafts (``is_published=False``) are visible to staff only."""

    class Kind(models.TextChoices):
        TREATY = "treaty", "Treaty"
        FTA = "fta", "Free trade agreement"
        CUSTOMS_UNION = "customs_union", "Customs union"
        EPA = "epa", "Economic partnership agreement"
        BIT = "bit", "Bilateral investment treaty"
        MOU = "mou", "Memorandum of understanding"
        MOC = "moc", "Memorandum of cooperation"
        PROTOCOL = "protocol", "Protocol"
        FRAMEWORK = "framework", "Framework agreement"
        COMMUNIQUE = "communique", "Joint communiqué or declaration"
        ACCESSION = "accession", "Accession"
        # The WTO's types (its RTA list's "Type" column) and their combinations.
        EIA = "eia", "Economic integration agreement (services)"
        FTA_EIA = "fta_eia", "Free trade agreement & economic integration agreement"
        CU_EIA = "cu_eia", "Customs union & economic integration agreement"
        PSA = "psa", "Partial scope agreement"
        PSA_EIA = "psa_eia", "Partial scope agreement & economic integration agreement"
        # No source says what it is: never guessed as a free trade agreement.
        UNKNOWN = "unknown", "Kind not known"

    class Status(models.TextChoices):
        ANNOUNCED = "announced", "Announced"
        NEGOTIATING = "negotiating", "Under negotiation"
        SIGNED = "signed", "Signed"
        IN_FORCE = "in_force", "In force"
        SUSPENDED = "suspended", "Suspended"
        TERMINATED = "terminated", "Terminated"
        EXPIRED = "expired", "Expired"
        SUPERSEDED = "superseded", "Superseded"

    class Scope(models.TextChoices):
        BILATERAL = "bilateral", "Bilateral (two countries)"
        PLURILATERAL = "plurilateral", "Plurilateral (several countries, across regions)"
        # Several countries of one continent: DESTA's region, the WTO's "Cross-regional: No".
        REGIONAL = "regional", "Regional (several countries of one region)"
        BLOC = "bloc", "Region-to-region (a bloc with countries or blocs)"
        INSTITUTIONAL = "institutional", "Between institutions"

    # Which dates each status needs (True), forbids (False) or leaves open (absent).
    STATUS_DATES: dict[str, dict[str, bool]] = {
        Status.ANNOUNCED: {"signed_on": False, "in_force_on": False, "ended_on": False},
        Status.NEGOTIATING: {"signed_on": False, "in_force_on": False, "ended_on": False},
        # Signed, date unknown, happens: "a recently signed memorandum".
        Status.SIGNED: {"in_force_on": False, "ended_on": False},
        Status.IN_FORCE: {"in_force_on": True, "ended_on": False},
        Status.SUSPENDED: {"in_force_on": True, "ended_on": False},
        # Ended, date unknown, happens too: GPTAD lists agreements as "expired" without a date.
        Status.TERMINATED: {},
        Status.EXPIRED: {},
        Status.SUPERSEDED: {},
    }
    DATE_FIELDS = AGREEMENT_DATES
    DATE_ORDER = AGREEMENT_DATE_ORDER

    title = models.CharField(max_length=500)
    slug = models.SlugField(
        max_length=220,
        unique=True,
        blank=True,
        help_text="Left empty, made short from the title. It stays: an old one redirects.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.BILATERAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SIGNED)
    is_binding = models.BooleanField("legally binding", default=True, help_text="MoUs and communiqués usually are not.")
    summary = models.TextField(blank=True)

    announced_on, announced_precision = partial_date("date announced")
    signed_on, signed_precision = partial_date("date signed")
    place = models.CharField("place signed or announced", max_length=200, blank=True, help_text="City, e.g. Kigali.")
    in_force_on, in_force_precision = partial_date("date of entry into force")
    ended_on, ended_precision = partial_date("date ended", "Expired, terminated or superseded.")
    # The WTO lists goods and services separately: in_force_on is the first (goods, or services alone).
    services_in_force_on, services_in_force_precision = partial_date(
        "services entry into force", "When the agreement's services part took effect, if it has one."
    )
    wto_notification = models.CharField(
        "WTO notification", max_length=100, blank=True, help_text="E.g. GATT Art. XXIV, Enabling Clause, GATS Art. V."
    )
    notified_on = models.DateField("date notified to the WTO", null=True, blank=True)
    in_default_lists = models.BooleanField(
        default=True,
        db_index=True,
        help_text="Accessions and consolidated versions are left out of the default lists (their base shows them).",
    )
    # Fields a curator set by hand: imports record what their sources say about them, never write them.
    curated_fields = models.JSONField(default=list, blank=True, editable=False)

    topics = models.ManyToManyField(Topic, blank=True, related_name="agreements")
    sources: "models.ManyToManyField[Source, AgreementSource]" = models.ManyToManyField(
        Source, through="AgreementSource", blank=True, related_name="agreements"
    )

    is_published = models.BooleanField(
        "published", default=False, help_text="Drafts are visible to staff only.", db_index=True
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_verified_on = models.DateField(
        null=True, blank=True, help_text="When a curator last checked the record against its sources."
    )
    # Derived from the agreement and its relations by agreements.search.reindex.
    search_text = models.TextField(blank=True, editable=False)
    # Raised by every save (admin, its inlines, the CSV import): a form opened at an
    # older version is refused instead of silently undoing what was saved meanwhile.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AgreementQuerySet.as_manager()
    history = AGREEMENT_HISTORY
    _stored_slug: StoredSlug  # set by from_db and save: a slug changed since is an old address kept

    class Meta:
        ordering = newest_first()  # its index is PostgreSQL-only: SQLite cannot index NULLS LAST
        permissions = [("publish_agreement", "Can publish agreements or return them to draft")]
        indexes = [
            models.Index(fields=["kind", "status"], name="agreements_kind_status"),
            # The public only ever sees published rows: small indexes for its counts and footers.
            models.Index(fields=["updated_at"], condition=Q(is_published=True), name="agreements_published_updated"),
            models.Index(fields=["kind"], condition=Q(is_published=True), name="agreements_published_kind"),
            models.Index(fields=["status"], condition=Q(is_published=True), name="agreements_published_status"),
        ]
        constraints = [
            *(order_constraint(earlier, later) for earlier, later in AGREEMENT_DATE_ORDER),
            *(precision_constraint(field) for field in AGREEMENT_DATES),
            precision_constraint("services_in_force_on"),
            models.CheckConstraint(
                condition=(
                    (Q(status__in=["announced", "negotiating"]) & Q(signed_on=None, in_force_on=None, ended_on=None))
                    | (Q(status="signed") & Q(in_force_on=None, ended_on=None))
                    | (Q(status__in=["in_force", "suspended"]) & Q(in_force_on__isnull=False, ended_on=None))
                    | Q(status__in=["terminated", "expired", "superseded"])
                ),
                name="%(app_label)s_%(class)s_status_matches_dates",
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_at__isnull=False),
                name="%(app_label)s_%(class)s_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:detail", args=[self.slug])

    @classmethod
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any]) -> Self:
        instance = super().from_db(db, field_names, values)
        instance._stored_slug = instance.__dict__.get("slug", DEFERRED_SLUG)
        return instance

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = self.unique_slug()
        if self.is_published and self.published_at is None:
            self.published_at = timezone.now()
        if self.kind == self.Kind.ACCESSION:
            self.in_default_lists = False
        adding = self._state.adding
        if not adding:
            self.version = (self.version or 0) + 1
            if (fields := kwargs.get("update_fields")) is not None:
                kwargs["update_fields"] = {*fields, "version"}
        old_slug: StoredSlug | None = None if adding else getattr(self, "_stored_slug", DEFERRED_SLUG)
        super().save(*args, **kwargs)
        if old_slug is not DEFERRED_SLUG and old_slug != self.slug:
            AgreementSlug.moved(self, old_slug)
        self._stored_slug = self.slug

    def unique_slug(self) -> str:
        """A short slug from the title (at most SLUG_LENGTH), with the signing year and a counter when taken."""
        base = short_slug(self.title)
        if self.signed_on:
            base = f"{base}-{self.signed_on.year}"
        candidate, n = base, 1
        while Agreement.objects.filter(slug=candidate).exclude(pk=self.pk).exists():
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def publish(self) -> None:
        """Publish; the trade figures of its parties' pairs (which count published agreements) are
        refreshed when the transaction commits."""
        self.is_published, self.published_at = True, timezone.now()
        self._change_reason = "Published."
        self.save(update_fields=["is_published", "published_at", "updated_at"])
        self._queue_trade_refresh()

    def unpublish(self) -> None:
        self.is_published, self.published_at = False, None
        self._change_reason = "Returned to draft."
        self.save(update_fields=["is_published", "published_at", "updated_at"])
        self._queue_trade_refresh()

    def _queue_trade_refresh(self) -> None:
        from agreements.tasks import queue_trade_refresh  # the tasks build on these models
        from agreements.trade.refresh import agreement_pairs

        if pairs := agreement_pairs(self.pk):
            queue_trade_refresh(pairs)

    def clean(self) -> None:
        errors = order_errors(self, self.DATE_ORDER) | precision_errors(self, self.DATE_FIELDS)
        for field, required in self.STATUS_DATES.get(self.status, {}).items():
            label = self._meta.get_field(field).verbose_name  # type: ignore[union-attr]  # STATUS_DATES names concrete fields
            status = self.get_status_display().lower()
            if required and getattr(self, field) is None:
                errors.setdefault(field, f"An agreement that is {status} needs its {label} (the year is enough).")
            elif not required and getattr(self, field) is not None:
                errors.setdefault(
                    field, f"An agreement that is {status} has no {label} yet; change the status or clear this date."
                )
        if errors:
            raise ValidationError(errors)

    def party_errors(self, parties: Iterable[tuple[int | None, int | None]]) -> list[str]:
        """Problems with a proposed set of (country id, institution id) parties.

        Used by the admin before anything is saved; PostgreSQL checks the same
        rules again at commit.
        """
        parties = list(parties)
        countries = [country for country, _ in parties if country is not None]
        errors = []
        if len(countries) != len(set(countries)):
            errors.append("A country can be a party only once.")
        if self.scope == self.Scope.BILATERAL and (len(parties) != 2 or len(set(countries)) != 2):
            errors.append(
                "A bilateral agreement has exactly two parties, two different countries; "
                f"this one has {len(parties)} parties and {len(set(countries))} countries."
            )
        return errors

    def date_display(self, field: str) -> str:
        return format_partial_date(getattr(self, field), getattr(self, field.removesuffix("_on") + "_precision"))


# Named, so that django-stubs can build the manager class (it cannot from a call in a class's bases).
AgreementManager = models.Manager.from_queryset(AgreementQuerySet)


class MemorandumManager(AgreementManager["Memorandum"]):
    # An AgreementQuerySet at run time: django-stubs types a from_queryset manager's get_queryset as the base's.
    def get_queryset(self) -> "models.QuerySet[Memorandum]":
        return super().get_queryset().filter(kind=Agreement.Kind.MOU)


class Memorandum(Agreement):
    """Memoranda of understanding: staff's own admin entry, the same table."""

    objects: ClassVar[MemorandumManager] = MemorandumManager()

    class Meta:
        proxy = True
        verbose_name = "memorandum of understanding"
        verbose_name_plural = "memoranda of understanding"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.kind = self.kind or Agreement.Kind.MOU
        super().save(*args, **kwargs)


# The proxy shares Agreement's history table. simple-history registers its
# handlers for Agreement's own signals only, and looks the history up through
# _meta: saves and deletes made through the proxy must be recorded too.
Memorandum._meta.simple_history_manager_attribute = "history"  # type: ignore[attr-defined]  # simple-history's own
models.signals.post_save.connect(AGREEMENT_HISTORY.post_save, sender=Memorandum, weak=False)
models.signals.pre_delete.connect(AGREEMENT_HISTORY.pre_delete, sender=Memorandum, weak=False)
models.signals.post_delete.connect(AGREEMENT_HISTORY.post_delete, sender=Memorandum, weak=False)
