from typing import Any

from django.core.management.base import BaseCommand

from agreements.countries import sync_countries


class Command(BaseCommand):
    help = "Load or update every ISO 3166 country (current and historic) and Kosovo from pycountry."

    def handle(self, *args: Any, **options: Any) -> None:
        count = sync_countries()
        self.stdout.write(self.style.SUCCESS(f"{count} countries up to date."))
