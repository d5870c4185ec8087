"""An agreement entry (agreements.views.entries.AgreementEntry) as HTML, written in one pass.

A country's page once listed some 270 entries (twelve partners' and every year's newest few): an
included template per entry, resolving a dozen variables each, was about a third of its server
time on the 100,000-agreement bench. The markup is written here once, for the country and
corridor pages alike (``templates/countries/agreement_entry.html`` shows it), and a pair's
timeline (50 items a page); every value is escaped (the standard library's ``html.escape``, as Django's ``escape`` without its
lazy-string wrapper: 20,000 calls a page), the rest is fixed text.
"""

from html import escape
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from agreements.models.dates import ShownDate
    from agreements.views.entries import AgreementEntry


def time_html(date: "ShownDate") -> str:
    """A date as shown, in a <time> element machines can read ('2026-01' for a month)."""
    return f'<time datetime="{escape(date.iso)}">{escape(date.text)}</time>'


def _when(entry: "AgreementEntry") -> str:
    """The principal date ("Signed <time>22 January 2026</time>"), else the status and "date unknown"."""
    date = entry.date
    if date is None:
        return f"{escape(entry.status)}, date unknown"
    return f"{escape(date.label)} {time_html(date)}"


def compact_html(entry: "AgreementEntry") -> SafeString:
    """On one line: title, date (or status), the status when the date does not say it, and how
    many parties a plurilateral agreement has."""
    note = f" · {escape(entry.status_note)}" if entry.status_note else ""
    parties = f" · {entry.party_count} parties" if entry.party_count > 2 else ""
    return mark_safe(
        f'<li class="entry entry--compact"><a href="{escape(entry.url)}">{escape(entry.agreement.title)}</a> '
        f'<span class="entry__when">{_when(entry)}{note}{parties}</span></li>'
    )


def full_html(entry: "AgreementEntry") -> SafeString:
    """Title, then kind, date (or status), the status when the date does not say it, and the party codes."""
    parts = [
        f'<li class="entry">\n  <p class="entry__title"><a href="{escape(entry.url)}">{escape(entry.agreement.title)}</a></p>',
        f'  <p class="entry__meta">\n    <span>{escape(entry.kind)}</span>',
        f"    <span>{_when(entry)}</span>",
    ]
    if entry.status_note:
        parts.append(f"    <span>{escape(entry.status_note)}</span>")
    if entry.parties:
        parts.append(f"    {_parties(entry)}")
    parts.append("  </p>\n</li>")
    return mark_safe("\n".join(parts))


def _parties(entry: "AgreementEntry") -> str:
    more = f" and {entry.more_parties} more" if entry.more_parties else ""
    codes = " · ".join(escape(code) for code in entry.parties)
    return f'<span class="entry__parties"><span class="visually-hidden">Parties: </span>{codes}{more}</span>'


def timeline_html(entry: "AgreementEntry") -> SafeString:
    """An item of a pair's timeline: the principal date, the title, kind, status, parties and
    place, then every date when there are several."""
    agreement = entry.agreement
    parts = [
        '<li class="timeline__item">',
        f'  <p class="timeline__date">{_when(entry)}</p>',
        f'  <h3 class="timeline__title"><a href="{escape(entry.url)}">{escape(agreement.title)}</a></h3>',
        f'  <p class="entry__meta">\n    <span>{escape(entry.kind)}</span>',
    ]
    if entry.status_note:
        parts.append(f"    <span>{escape(entry.status_note)}</span>")
    parts.append(f"    {_parties(entry)}")
    if agreement.place:
        parts.append(f"    <span>{escape(agreement.place)}</span>")
    parts.append("  </p>")
    if len(entry.dates) > 1:
        dates = "".join(f"<li>{escape(d.label)} {time_html(d)}</li>" for d in entry.dates)
        parts.append(f'  <ul class="timeline__dates">\n    {dates}\n  </ul>')
    parts.append("</li>")
    return mark_safe("\n".join(parts))
