from django.apps import AppConfig


class CorridorsConfig(AppConfig):
    name = "corridors"
    verbose_name = "Corridors"

    def ready(self) -> None:
        from corridors import extensions, signals

        signals.connect()
        extensions.register()  # into agreements' filters, CSV, search and pages
