"""Extension points: how an app built on agreements (corridors) adds itself to
agreements' list filters, CSV, search, pages and admin while agreements never
names it. ``corridors`` may import ``agreements``, never the reverse: that rule
holds in the code (import-linter checks it), not only in import lines.

The other app registers, from its ``AppConfig.ready()``:

- ``link(LinkedRecords(...))``: records of its own linked to agreements
  through a many-to-many it declares (a corridor concerning an agreement).
  Agreements then filters by them (a GET parameter of the list and its
  exports), exports and imports them by name in a CSV column, searches their
  text and lists them on the agreement's page.
- ``add_section(page, PageSection(...))``: a section (its template and its
  context) shown on one of agreements' pages: ``AGREEMENT_PAGE`` (the
  agreement's detail) or ``COUNTRY_PAGE`` (a country's page).
- ``add_agreement_inline(inline)``: an inline on the agreement's admin page.
- ``on_agreements_changed_in_bulk(callback)``: told which agreements a bulk
  write (the registry's imports, the agreements CSV) created or changed, since
  bulk writes send no model signals; the callback queues what follows from
  them (corridors: its statistics refresh) for the commit.

With nothing registered, the filters, columns and sections are simply absent
or empty: agreements works alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Model, QuerySet

if TYPE_CHECKING:  # the admin is not loaded where models are
    from django.contrib.admin.options import InlineModelAdmin

AGREEMENT_PAGE = "agreement"
COUNTRY_PAGE = "country"


@dataclass(frozen=True)
class LinkedRecords:
    """Another app's records linked to agreements, as agreements uses them.

    ``column`` is the CSV column and the accessor on Agreement (``corridors``);
    ``parameter`` the list filter's GET parameter (``corridor``, by ``slug``);
    ``link_model`` the many-to-many's through model, with foreign keys
    ``agreement`` and ``link_field``; ``new(name, taken_slugs)`` an unsaved
    record for a name the agreements import does not know; ``search_text`` a
    record's searchable words.
    """

    column: str
    parameter: str
    label: str
    any_label: str
    model: type[Model]
    link_model: type[Model]
    link_field: str
    new: Callable[[str, set[str]], Model]
    search_text: Callable[[Any], str]
    # For the synthetic data (agreements.synthetic): the records with their member
    # countries' ids in order, creating a few synthetic ones (slugs with this prefix)
    # where there are none; an agreement linked to one is between its members.
    groups: Callable[[str], list[tuple[Any, list[int]]]] | None = None

    def records(self) -> QuerySet[Any]:
        return self.model._default_manager.order_by("name")

    def links(self) -> QuerySet[Any]:
        return self.link_model._default_manager.all()


@dataclass(frozen=True)
class PageSection:
    """A section of one of agreements' pages: ``context(obj)`` (the agreement or the
    country) gives the template's context, or None to leave the section out."""

    template: str
    context: Callable[[Any], dict[str, Any] | None]
    anchor: str = ""  # listed in the page's "On this page" navigation when set
    title: str = ""
    # A template of one <div><dt>..</dt><dd>..</dd></div> for the page's summary (a country's
    # page opens on one), given the same context: no query of its own.
    summary: str = ""


_LINKED: dict[str, LinkedRecords] = {}
_SECTIONS: dict[str, list[PageSection]] = {AGREEMENT_PAGE: [], COUNTRY_PAGE: []}
_AGREEMENT_INLINES: list[type[InlineModelAdmin]] = []


def link(records: LinkedRecords) -> None:
    _LINKED[records.column] = records


def linked() -> list[LinkedRecords]:
    """Every registered kind of linked records, in registration order."""
    return list(_LINKED.values())


def linked_by_column(column: str) -> LinkedRecords | None:
    return _LINKED.get(column)


def add_section(page: str, section: PageSection) -> None:
    if section not in _SECTIONS[page]:
        _SECTIONS[page].append(section)


@dataclass(frozen=True)
class ShownSection:
    """A section as a page includes it: ``{% include section.template with section=section %}``."""

    template: str
    context: dict[str, Any]
    anchor: str
    title: str
    summary: str = ""


def sections(page: str, obj: Any) -> list[ShownSection]:
    """The page's extra sections for ``obj``, those whose context is not None."""
    shown = []
    for section in _SECTIONS[page]:
        context = section.context(obj)
        if context is not None:
            shown.append(ShownSection(section.template, context, section.anchor, section.title, section.summary))
    return shown


def add_agreement_inline(inline: type[InlineModelAdmin]) -> None:
    if inline not in _AGREEMENT_INLINES:
        _AGREEMENT_INLINES.append(inline)


def agreement_inlines() -> list[type[InlineModelAdmin]]:
    return list(_AGREEMENT_INLINES)


# --- bulk writes


BulkChangeCallback = Callable[[frozenset[int], "str | None"], None]
_BULK_CHANGE_CALLBACKS: list[BulkChangeCallback] = []


def on_agreements_changed_in_bulk(callback: BulkChangeCallback) -> None:
    """Register ``callback(agreement_ids, using)``, called by every bulk write of agreements inside
    its transaction. It must defer its work to the commit (``transaction.on_commit``, or a queue
    that does, like agreements.runs' on-commit batches), so a rollback does nothing, and it must
    not write: it runs in the middle of an import."""
    if callback not in _BULK_CHANGE_CALLBACKS:
        _BULK_CHANGE_CALLBACKS.append(callback)


def agreements_changed_in_bulk(agreement_ids: Iterable[int], using: str | None = None) -> None:
    """Called by a write that creates or changes agreements without model signals (bulk_create,
    bulk_update): the registered apps queue, for the commit, what follows from them."""
    ids = frozenset(agreement_ids)
    if ids:
        for callback in _BULK_CHANGE_CALLBACKS:
            callback(ids, using)
