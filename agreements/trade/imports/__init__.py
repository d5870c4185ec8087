"""Trade figures and exchange rates read from CSV: UN Comtrade downloads, a
plain layout for national sources, and yearly exchange rates.

Validation is whole-file, as in the agreements import (agreements.imports.agreements):
every row is read and checked first, and if any is wrong nothing of the file is
written; the caller gets every error, each with its line as a spreadsheet
numbers it (the header is line 1) and its column. Then every row is written in
one transaction, upserted on its natural key, so importing a file again changes
nothing, not even ``updated_at``.

The layout is recognised from the header: a UN Comtrade download (see
``comtrade``), the plain layout for national sources or exchange rates (see
``plain_and_rates``).

Speed (a million rows in about 30 seconds on PostgreSQL): rows stream through
the csv module, codes resolve through dicts loaded once, each row is kept as a
small tuple, and the writing loads a temporary table (COPY on PostgreSQL), then
runs one UPDATE of the stored rows that differ and one INSERT of the missing
ones, in key order, under a table lock that keeps other writers (not readers)
out until commit. The ORM's ``bulk_create(update_conflicts=True)`` cannot serve:
TradeFlow's unique keys are partial indexes (the World has its own), which ON
CONFLICT must name with their WHERE clause, and it rewrites unchanged rows.

After writing, the pairs whose figures were created or changed (for a rate:
the pairs with figures in its currency and year) are handed to
``agreements.tasks.queue_trade_refresh``, which queues their refresh on commit.

The entry points, ``import_trade_flows`` and ``import_exchange_rates``, are
here, and the modules' public names are imported from here:

- ``importer``: ``TradeImporter``, one import from the header to the writing
  (sources, lookups, the checks every layout shares);
- ``result``: the kinds (FLOWS, RATES) and the layouts' names;
- ``reading``: the file's lines and cells (encoding, numbers, source texts);
- ``comtrade``: the UN Comtrade layout, its columns, codes and rows;
- ``plain_and_rates``: the plain layout's rows and the exchange rates' rows;
- ``state``: what those row mixins use of ``TradeImporter`` (a Protocol, for the type
  checker) and the row tuples kept between reading and writing;
- ``upserts``: the writing of figures and rates (also used by the demo data)
  and the refresh queued after it.
"""

from typing import Any

from agreements.trade.imports.comtrade import COMTRADE_URL
from agreements.trade.imports.importer import TradeImporter
from agreements.trade.imports.reading import check_source_text, parse_amount
from agreements.trade.imports.result import FLOWS, RATES
from agreements.trade.imports.upserts import pairs_for_rates, queue_refresh, write_flows, write_rates
from tradepacts.imports import ImportResult

# What the rest of the project imports from here; the modules' other names stay theirs.
__all__ = [
    "COMTRADE_URL",
    "FLOWS",
    "RATES",
    "check_source_text",
    "import_exchange_rates",
    "import_trade_flows",
    "pairs_for_rates",
    "parse_amount",
    "queue_refresh",
    "write_flows",
    "write_rates",
]


def import_trade_flows(
    data: Any, *, source: str = "", filename: str = "a CSV file", can_change: bool = True, origin: int = 10
) -> ImportResult:
    """Import trade figures (Comtrade or plain layout); raises ImportFailed with every error.

    ``can_change=False`` refuses a file that would change figures already stored
    (a curator allowed to add only); figures it repeats unchanged are fine.
    ``origin`` (TradeFlow.Origin, a curator's national figure by default) says who
    published the file's figures: figures of other origins are kept beside them.
    """
    importer = TradeImporter(FLOWS, source=source, filename=filename, can_change=can_change, origin=origin)
    return importer.run(data)


def import_exchange_rates(
    data: Any, *, source: str = "", filename: str = "a CSV file", can_change: bool = True
) -> ImportResult:
    """Import exchange rates (currency, year, units_per_usd); raises ImportFailed with every error."""
    return TradeImporter(RATES, source=source, filename=filename, can_change=can_change).run(data)
