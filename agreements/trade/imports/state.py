"""What the layouts' row mixins (``comtrade``, ``plain_and_rates``) use of ``TradeImporter``.

The mixins read rows into the importer's state and call its checks; ``ImporterState``
declares those for the type checker, and ``RowsMixinBase`` is their base: ``Importer``
(``errors``, ``error``) and the protocol when type checking, ``object`` at run time (so
nothing in it shadows ``TradeImporter`` or ``Importer`` in the method resolution order).
"""

from collections import Counter
from typing import TYPE_CHECKING, Protocol

from tradepacts.imports import Importer

if TYPE_CHECKING:
    from agreements.trade.imports.staging import FlowStage

# A trade figure as kept between reading and writing:
# (reporter, partner or None for the World, year, flow, value, currency, position in ``sources`` or None).
FlowRow = tuple[int, int | None, int, str, str, str, int | None]
# An exchange rate: (currency, year, units_per_usd, position in ``sources`` or None).
RateRow = tuple[str, int, str, int | None]


class ImporterState(Protocol):
    """The attributes and checks of ``TradeImporter`` the row mixins rely on (besides ``Importer``'s)."""

    layout: str
    skipped: Counter[str]
    stage: "FlowStage | None"
    rate_rows: list[RateRow]
    seen: dict[int | tuple[str, int], int]  # a rate's key to its first line
    monthly: list[int]
    width: int
    needed_width: int
    columns: dict[str, int]
    by_iso3: dict[str, int]
    by_numeric: dict[str, int]
    years: dict[str, int]
    currencies: dict[str, str]
    source_index: dict[str, int]
    default_source: int | None

    def name(self, column: str) -> str: ...

    def wrong_width(self, line: int, cells: list[str], needed: int) -> bool: ...

    def not_itself(self, line: int, column: str, reporter: int | None, partner: int | None) -> None: ...

    def country(self, line: int, column: str, cell: str) -> int | None: ...

    def year(self, line: int, column: str, cell: str) -> int | None: ...

    def amount(self, line: int, column: str, cell: str, places: int, digits: int) -> str | None: ...

    def currency(self, line: int, column: str, cell: str) -> str | None: ...

    def source_cell(self, line: int, cell: str) -> int | None: ...

    def add_flow(
        self,
        line: int,
        reporter: int,
        partner: int | None,
        year: int,
        flow: str,
        value: str,
        currency: str,
        source: int | None,
    ) -> None: ...


if TYPE_CHECKING:

    class RowsMixinBase(Importer, ImporterState):
        """The row mixins' base for the type checker: the framework's importer and TradeImporter's state."""

else:
    RowsMixinBase = object
