from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class TradepactsConfig(AppConfig):
    """Project glue: shared bases, staff roles, the home page."""

    name = "tradepacts"
    verbose_name = "tradepacts"

    def ready(self) -> None:
        from tradepacts.roles import ensure_roles

        # After every migrate (tests included) the Editors group has the
        # permissions of the models that exist at that point.
        post_migrate.connect(ensure_roles, dispatch_uid="tradepacts.ensure_roles")

        from tradepacts.pagecache import bump_on_write

        # Cached public pages are keyed on a data version every write bumps.
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(bump_on_write, dispatch_uid=f"tradepacts.pagecache.{signal}")
