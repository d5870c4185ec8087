"""The list's column facets (agreements.facets) from one small index, in its order: kind,
status, scope and the decade signed of the published rows, the decade stored by PostgreSQL in
a generated column (``signed_decade``, 1990 for 1990-1999) instead of computed for every row.
The facets' GROUP BY becomes a streamed aggregate over an index-only scan (on the
100,000-agreement bench, 42 ms -> 12 ms for the bare list, 3 ms for kind=mou), and counting a
filter on these columns reads the same index (kind=mou: 15 ms -> 2 ms); B-tree deduplication
keeps it at about 100 pages. SQLite computes the decade (agreements.facets.SignedDecade)."""

from django.db import migrations

from tradepacts.db import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("agreements", "0023_pair_years_fillfactor")]

    operations = [
        PostgresOnlySQL(
            sql=[
                "ALTER TABLE agreements_agreement ADD COLUMN signed_decade smallint "
                "GENERATED ALWAYS AS ((EXTRACT(YEAR FROM signed_on)::integer / 10) * 10) STORED;",
                "CREATE INDEX agreements_listed_facet_groups ON agreements_agreement "
                "(is_published, in_default_lists, kind, status, scope, signed_decade);",
            ],
            reverse_sql=[
                "DROP INDEX agreements_listed_facet_groups;",
                "ALTER TABLE agreements_agreement DROP COLUMN signed_decade;",
            ],
        )
    ]
