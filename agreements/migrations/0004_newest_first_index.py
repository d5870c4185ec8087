"""The index behind the default order (newest signed first, unsigned last).

PostgreSQL only: SQLite cannot index ``DESC NULLS LAST``.
"""

from django.db import migrations

from tradepacts.db import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("agreements", "0003_load_countries")]

    operations = [
        PostgresOnlySQL(
            "CREATE INDEX agreements_newest_first ON agreements_agreement (signed_on DESC NULLS LAST, id DESC);",
            "DROP INDEX agreements_newest_first;",
        ),
    ]
