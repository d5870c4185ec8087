from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

USERNAME = PASSWORD = "admin"


class Command(BaseCommand):
    help = (
        "For local development only: create the superuser admin with password admin, or reset its password. "
        "Refuses unless DEBUG is on and the database is SQLite."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: %(default)s).")

    def handle(self, *args: Any, **options: Any) -> None:
        database = options["database"]
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to create a superuser with a well-known password while DEBUG is off: "
                "use createsuperuser in production."
            )
        vendor = connections[database].vendor
        if vendor != "sqlite":
            raise CommandError(
                f"Refusing to create a superuser with a well-known password on a {vendor} database: the demo "
                "admin is for the local SQLite database only; use createsuperuser in production."
            )
        User = get_user_model()
        user, created = User._default_manager.db_manager(database).get_or_create(
            **{User.USERNAME_FIELD: USERNAME}, defaults={"is_staff": True, "is_superuser": True}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(PASSWORD)
        user.save(using=database)
        action = "Created" if created else "Reset"
        self.stdout.write(self.style.SUCCESS(f"{action} the superuser {USERNAME} (password {PASSWORD}) on SQLite."))
