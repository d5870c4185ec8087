"""One agreement as the country and corridor pages list it: its entry (parties,
principal date, every date), the queryset helpers that load a page of them in
a fixed number of queries, and the URLs they link to.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, Field, OuterRef, Prefetch, QuerySet, Subquery, TextChoices
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString

from agreements.models import Agreement, Country, Party
from agreements.models.dates import ShownDate
from agreements.models.ordering import PRINCIPAL_DATES
from agreements.views.entry_html import compact_html, full_html, timeline_html

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations  # a development requirement: for the type checker only

# Party codes shown for one agreement; a regional one says how many more.
MAX_PARTY_CODES = 8

# An agreement's place in time: when it was signed, else announced, else entered into force.
# Long texts no list shows.
HEAVY_FIELDS = ["summary", "search_text"]
ALL_DATES = [("announced_on", "Announced"), ("signed_on", "Signed"), ("in_force_on", "In force"), ("ended_on", "Ended")]


def with_party(country: Country, outer: str = "pk") -> Exists:
    """True for agreements (``outer`` names their id) that ``country`` is a party to."""
    return Exists(Party.objects.filter(agreement=OuterRef(outer), country=country))


class FirstParties(TypedDict):
    """What ``with_first_parties`` adds to each agreement."""

    party_count: int
    first_parties: list[Party]


def with_first_parties(queryset: QuerySet[Agreement]) -> "QuerySet[WithAnnotations[Agreement, FirstParties]]":
    """Each agreement's first MAX_PARTY_CODES parties (one query for the whole page, a window
    per agreement) and how many it has in all: a regional agreement's 54 parties are not loaded."""
    count = Party.objects.filter(agreement=OuterRef("pk")).order_by().values("agreement").annotate(n=Count("pk"))
    first = Party.objects.select_related("country", "institution").order_by("id")[:MAX_PARTY_CODES]
    return queryset.annotate(party_count=Coalesce(Subquery(count.values("n")), 0)).prefetch_related(
        Prefetch("parties", queryset=first, to_attr="first_parties")
    )


# The agreement's own fields an entry shows (agreements.views.entry_html), the pair page's place too.
ENTRY_FIELDS = [
    "title",
    "slug",
    "kind",
    "status",
    "place",
    *(name for date, _ in ALL_DATES for name in (date, date.removesuffix("_on") + "_precision")),
]


def _concrete(model: Any, name: str) -> Field:
    """A model's own column (get_field's type allows relations from the other side too)."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field), name
    return field


def _entries_sql(count: int) -> str:
    """``entries_of``'s query for ``count`` ids: the window ranks the narrow party rows alone, then
    the ranked rows are joined to their codes, and the first to its agreement's fields. Joined
    before the window (the ORM's only way), every party row carried the agreement's columns
    through the sort: 2,900 wide rows for a pair's 100 entries on the 100,000-agreement bench, and
    8.4 ms of execution where this takes 4.8."""
    columns = ", ".join(f"a.{_concrete(Agreement, name).column}" for name in ENTRY_FIELDS)
    institutions = _concrete(Party, "institution").related_model._meta.db_table  # type: ignore[union-attr]
    return (
        f"SELECT p.agreement_id, p.total, c.iso3, i.acronym, i.name, {columns} "
        "FROM (SELECT agreement_id, country_id, institution_id,"
        " ROW_NUMBER() OVER (PARTITION BY agreement_id ORDER BY id) AS rank,"
        " COUNT(*) OVER (PARTITION BY agreement_id) AS total"
        f" FROM {Party._meta.db_table} WHERE agreement_id IN ({', '.join(['%s'] * count)})) p "
        # Its first party's row alone gets the agreement's fields: the CASE, not an AND, so that
        # the others are not looked up in the agreements' index at all (752 look-ups for 100).
        f"LEFT JOIN {Agreement._meta.db_table} a ON a.id = CASE WHEN p.rank = 1 THEN p.agreement_id END "
        f"LEFT JOIN {Country._meta.db_table} c ON c.id = p.country_id "
        f"LEFT JOIN {institutions} i ON i.id = p.institution_id "
        f"WHERE p.rank <= {MAX_PARTY_CODES} ORDER BY p.agreement_id, p.rank"
    )


def entries_of(ids: Iterable[int]) -> "dict[int, AgreementEntry]":
    """The entries of these agreements (each has a party: a country page's all have the
    country), by id, in one query of plain values (``_entries_sql``): each agreement's first
    MAX_PARTY_CODES parties (a window per agreement, as ``with_first_parties``), how many it has,
    and its own fields. No Party, Country nor Institution object is built."""
    ids = list(ids)
    if not ids:
        return {}
    # The database's values as the ORM would give them (SQLite's dates are text).
    compiler = Agreement.objects.none().query.get_compiler(connection=connection)
    fields = [_concrete(Agreement, name) for name in ENTRY_FIELDS]
    converters = compiler.get_converters([field.get_col("a") for field in fields])
    with connection.cursor() as cursor:
        cursor.execute(_entries_sql(len(ids)), ids)
        rows = cursor.fetchall()
    codes: dict[int, list[str]] = {}
    counts: dict[int, int] = {}
    agreements: dict[int, Agreement] = {}
    for agreement_id, total, iso3, acronym, name, *values in rows:
        if agreement_id not in agreements:  # its first party's row: the agreement's fields
            if converters:
                values = next(compiler.apply_converters([values], converters))
            agreements[agreement_id] = Agreement(id=agreement_id, **dict(zip(ENTRY_FIELDS, values, strict=True)))
            codes[agreement_id], counts[agreement_id] = [], total
        codes[agreement_id].append(iso3 or acronym or name)  # as party_code: a country, else its institution
    # One reverse() for all: a slug (the URL's <slug:slug>) needs no quoting.
    prefix = agreement_url("-").removesuffix("-/")
    return {
        pk: AgreementEntry.of_values(agreement, codes[pk], counts[pk], f"{prefix}{agreement.slug}/")
        for pk, agreement in agreements.items()
    }


def party_code(party: Party) -> str:
    """A country's ISO3 code; an institution acting alone, its acronym (else its name)."""
    if party.country is not None:
        return party.country.iso3
    if party.institution is None:  # a party is a country, an institution or both (a constraint)
        raise ValueError(f"Party {party.pk} has neither a country nor an institution.")
    return party.institution.acronym or party.institution.name


# --- URLs of pages other engineers build: reversed when they exist, else the interface contract's path.


def _reverse_or(name: str, args: Iterable[str], path: str) -> str:
    try:
        return reverse(name, args=list(args))
    except NoReverseMatch:
        return f"{get_script_prefix()}{path}"


def agreement_url(slug: str) -> str:
    return _reverse_or("agreements:detail", [slug], f"agreements/{quote(slug)}/")


@functools.lru_cache(maxsize=16)
def _fixed_url(name: str, path: str, prefix: str, urlconf: str) -> str:
    """A URL without arguments, reversed once for each script prefix and URLconf: a country's page
    links to the list some 26 times (its summary's counts, its years), a reverse() each."""
    return _reverse_or(name, [], path)


def _list_url(name: str, path: str) -> str:
    return _fixed_url(name, path, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def agreement_list_url(**params: str | list[str]) -> str:
    return f"{_list_url('agreements:list', 'agreements/')}?{urlencode(params, doseq=True)}"


def agreement_export_url(**params: str | list[str]) -> str:
    return f"{_list_url('agreements:export', 'agreements/export.csv')}?{urlencode(params, doseq=True)}"


# --- One agreement in a list or on a timeline.


def _label(choices: type[TextChoices], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:  # as get_FOO_display(): a value that is not a choice is shown as it is
        return value


@dataclass(frozen=True)
class AgreementEntry:
    """An agreement as the country and corridor pages list it."""

    agreement: Agreement
    url: str
    # The first MAX_PARTY_CODES parties: ISO3 codes, an institution acting alone by its acronym.
    parties: list[str]
    party_count: int
    # The principal date (signed, else announced, else in force), or None.
    date: ShownDate | None
    # Every known date, in lifecycle order.
    dates: list[ShownDate]

    @property
    def more_parties(self) -> int:
        return max(self.party_count - len(self.parties), 0)

    @property
    def status_note(self) -> str:
        """The status, unless the date already says it ("Signed 22 January 2026") or there is no date
        (then the page says "Signed, date unknown")."""
        status = self.status
        return "" if self.date is None or self.date.label == status else status

    @property
    def status(self) -> str:
        """The status's label: as ``get_status_display()``, without its dictionary of every choice built per call."""
        return _label(Agreement.Status, self.agreement.status)

    @property
    def kind(self) -> str:
        return _label(Agreement.Kind, self.agreement.kind)

    @property
    def html(self) -> SafeString:
        return full_html(self)

    @property
    def compact_html(self) -> SafeString:
        return compact_html(self)

    @property
    def timeline_html(self) -> SafeString:
        return timeline_html(self)

    @classmethod
    def of(cls, agreement: "WithAnnotations[Agreement, FirstParties]") -> "AgreementEntry":
        """``agreement`` comes from a queryset passed through ``with_first_parties()``."""
        return cls.of_values(agreement, [party_code(p) for p in agreement.first_parties], agreement.party_count)

    @classmethod
    def of_values(
        cls, agreement: Agreement, parties: list[str], party_count: int, url: str | None = None
    ) -> "AgreementEntry":
        """``parties``: the first MAX_PARTY_CODES parties' codes; ``party_count``: how many in all;
        ``url``: the agreement's page, when known."""
        shown = {
            name: date for name, label in ALL_DATES if (date := ShownDate.of_field(agreement, name, label)) is not None
        }
        # The principal date is one of them, under the same label: not formatted twice.
        principal = next((shown[name] for name, _ in PRINCIPAL_DATES if name in shown), None)
        dates = list(shown.values())
        return cls(agreement, url or agreement_url(agreement.slug), parties, party_count, principal, dates)
