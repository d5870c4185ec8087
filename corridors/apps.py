from django.apps import AppConfig


class CorridorsConfig(AppConfig):
    name = "corridors"
    verbose_name = "Corridors"

    def ready(self) -> None:
        from corridors import extensions, signals

        signals.connect()
        extensions.register()  # into agreements' filters, CSV, search and pages

        from corridors.models import Corridor
        from tradepacts.imports import name_in_previews

        name_in_previews(Corridor, "corridor")  # an import's preview names the corridors it would create
