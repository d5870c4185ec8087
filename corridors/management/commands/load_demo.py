from typing import Any

from django.core.management.base import BaseCommand
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

    def handle(self, *args: Any, **options: Any) -> None:
        # Lives in the corridors app, which may import agreements (never the reverse).
        with transaction.atomic():
            counts = load_agreements_demo() | load_corridors_demo() | load_indicator_demo()
            counts |= load_trade_demo()
            reindex(Agreement.objects.values_list("pk", flat=True))
        summary = ", ".join(f"{count} {label}" for label, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data up to date: {summary}."))
