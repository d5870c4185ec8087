"""The list's Parties column: each agreement's parties as ISO3 codes, each with its name
(and the institution acting for it) in the abbr's title; an institution acting alone by its
acronym; after PARTY_LIMIT parties, how many more.

Read as plain values in one query for the page's agreements and written in one pass: the
page once built a Party and a Country object per party and rendered an included template
for each row (about a third of the list's server time on the 100,000-agreement bench).
"""

from collections import defaultdict
from collections.abc import Iterable

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from agreements.models import Party

PARTY_LIMIT = 12
BETWEEN = mark_safe('<span aria-hidden="true"> · </span><span class="visually-hidden">, </span>')


def party_code(iso3: str | None, country: str | None, institution: str | None, acronym: str | None) -> SafeString:
    if iso3:
        title = f"{country}, acting through {institution}" if institution else country
        return format_html('<abbr title="{}">{}</abbr>', title, iso3)
    return format_html('<abbr title="{}">{}</abbr>', institution, acronym or institution)


def party_codes(agreement_ids: Iterable[int], limit: int = PARTY_LIMIT) -> dict[int, SafeString]:
    """Each agreement's Parties cell, by agreement id (an agreement without parties has none)."""
    rows = (
        Party.objects.filter(agreement_id__in=list(agreement_ids))
        .order_by("agreement_id", "id")
        .values_list("agreement_id", "country__iso3", "country__name", "institution__name", "institution__acronym")
    )
    codes: dict[int, list[SafeString]] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    for agreement_id, *party in rows:
        counts[agreement_id] += 1
        if len(codes[agreement_id]) < limit:
            codes[agreement_id].append(party_code(*party))
    cells = {}
    for agreement_id, shown in codes.items():
        more = counts[agreement_id] - len(shown)
        tail = format_html(' <span class="party-codes__more">and {} more</span>', more) if more else ""
        # Each code is escaped already (format_html): the separators join them as they are.
        cells[agreement_id] = format_html('<span class="party-codes">{}{}</span>', mark_safe(BETWEEN.join(shown)), tail)
    return cells
