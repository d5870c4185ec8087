from django.db import migrations

from tradepacts.db import PostgresOnlySQL


class Migration(migrations.Migration):
    """PostgreSQL keeps each agreement's tsvector in a stored generated column.

    The GIN index of 0005 was on the expression: matching used it, but ranking
    and counting recomputed to_tsvector for every matching row (6.4 s to rank
    "trade" over 69,000 matches at 100,000 agreements). Stored, it is computed
    once per write. agreements.search.SEARCH_VECTOR reads the column; Django's
    model does not know it, so it never writes it.
    """

    dependencies = [
        ("agreements", "0008_derived_flow_pointers_without_constraints"),
    ]

    operations = [
        PostgresOnlySQL(
            [
                "ALTER TABLE agreements_agreement ADD COLUMN search_vector tsvector "
                "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, search_text)) STORED;",
                "CREATE INDEX agreements_search_vector ON agreements_agreement USING gin (search_vector);",
                "DROP INDEX agreements_search;",
            ],
            [
                "CREATE INDEX agreements_search ON agreements_agreement "
                "USING gin (to_tsvector('english'::regconfig, search_text));",
                "ALTER TABLE agreements_agreement DROP COLUMN search_vector;",
            ],
        ),
    ]
