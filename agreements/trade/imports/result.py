"""What a trade import is of (FLOWS or RATES), the layouts it reads, and what it wrote."""

from collections import Counter
from dataclasses import dataclass, field

FLOWS, RATES = "flows", "rates"
COMTRADE, PLAIN, RATE_LAYOUT = "UN Comtrade", "plain", "exchange rates"


@dataclass
class TradeImportResult:
    """What an import wrote: ``rows`` figures, of which some were new or changed."""

    kind: str
    layout: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: Counter = field(default_factory=Counter)
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (lower id, higher id) with changed figures

    @property
    def unchanged(self) -> int:
        return self.rows - self.created - self.updated

    def __str__(self) -> str:
        what = "trade figure(s)" if self.kind == FLOWS else "exchange rate(s)"
        text = (
            f"{self.rows:,} {what} ({self.layout} layout): {self.created:,} created, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged."
        )
        if self.skipped:
            text += " Skipped " + "; ".join(f"{n:,} {reason}" for reason, n in self.skipped.most_common()) + "."
        return text
