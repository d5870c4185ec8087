from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from agreements.trade.datasets import FILES as TRADE_FILES
from agreements.trade.datasets import load_datasets
from corridors.datasets import FILES as CORRIDOR_FILES


class Command(BaseCommand):
    help = (
        "Import the real datasets kept in the repository (agreements/trade/data/: WTO trade and its HS2 detail, "
        "Correlates of War trade, World Bank exchange rates; corridors/data/: the corridor authorities' figures). "
        "A file whose SHA-256 its dataset record holds is skipped; the statistics are refreshed once, at commit."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # Lives in corridors, which may import agreements. One transaction: one refresh of each kind at commit.
        with transaction.atomic():
            imported = load_datasets([*TRADE_FILES, *CORRIDOR_FILES], self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Datasets up to date ({len(imported)} imported)."))
