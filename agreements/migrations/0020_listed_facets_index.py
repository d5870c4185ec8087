from django.db import migrations

from tradepacts.db import PostgresOnlySQL


class Migration(migrations.Migration):
    """A narrow index for the list's count and facet counts (agreements.facets): the
    agreement table is wide (search text and vector, summary: about 1.4 kB a row), so
    counting 95,000 published rows from it read 140 MB; from this index, a few MB, index
    only. Covering (INCLUDE) indexes are PostgreSQL's: SQLite scans its small tables."""

    dependencies = [
        ("agreements", "0019_scope_regional"),
    ]

    operations = [
        PostgresOnlySQL(
            "CREATE INDEX agreements_listed_facets ON agreements_agreement "
            "(is_published, in_default_lists, id) INCLUDE (kind, status, scope, signed_on, announced_on, in_force_on);",
            "DROP INDEX agreements_listed_facets;",
        ),
    ]
