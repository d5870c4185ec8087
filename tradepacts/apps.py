from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TradepactsConfig(AppConfig):
    """Project glue: shared bases, staff roles, the home page."""

    name = "tradepacts"
    verbose_name = "tradepacts"

    def ready(self) -> None:
        from tradepacts.roles import ensure_roles

        # After every migrate (tests included) the Editors group has the
        # permissions of the models that exist at that point.
        post_migrate.connect(ensure_roles, dispatch_uid="tradepacts.ensure_roles")
