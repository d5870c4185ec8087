from typing import Any

from django.core.management.base import BaseCommand

from agreements.imports.registry import load_registry


class Command(BaseCommand):
    help = "Import the registry's datasets (agreements/data/: DESTA, WTO RTA list, GPTAD); unchanged files are skipped."

    def handle(self, *args: Any, **options: Any) -> None:
        load_registry(self.stdout.write)
