from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from agreements.demo import load_demo as load_agreements_demo
from agreements.models import Agreement
from agreements.search import reindex
from agreements.trade.demo import load_trade_demo
from corridors.demo import load_demo as load_corridors_demo
from corridors.demo import load_indicator_demo


class Command(BaseCommand):
    help = (
        "Load the demo data built from the seed documents: topics, organisations, sources, blocs, agreements "
        "and corridors with their indicator figures (the corridor statistics are refreshed on commit). Safe to run again: it changes nothing the second time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--synthetic",
            action="store_true",
            help="Also load the synthetic figures (trade 2012-2024, corridor cargo), marked as such. The default "
            "run leaves them out (and deletes any an earlier run loaded): it loads the real datasets (load_data).",
        )

    def handle(self, *args: Any, synthetic: bool = False, **options: Any) -> None:
        # Lives in the corridors app, which may import agreements (never the reverse).
        with transaction.atomic():
            counts = load_agreements_demo() | load_corridors_demo() | load_indicator_demo(synthetic)
            counts |= load_trade_demo(synthetic)
            reindex(Agreement.objects.values_list("pk", flat=True))
        summary = ", ".join(f"{count} {label}" for label, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data up to date: {summary}."))
