"""A node's country is a member of its corridor: on PostgreSQL, a composite
foreign key onto the member's unique (corridor, country) pair, checked at
commit. SQLite relies on the admin's check across the two inlines."""

from django.db import migrations

from tradepacts.db import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("corridors", "0001_initial")]

    operations = [
        PostgresOnlySQL(
            """
            ALTER TABLE corridors_node
              ADD CONSTRAINT corridors_node_country_is_member
              FOREIGN KEY (corridor_id, country_id) REFERENCES corridors_corridormember (corridor_id, country_id)
              DEFERRABLE INITIALLY DEFERRED;
            """,
            "ALTER TABLE corridors_node DROP CONSTRAINT corridors_node_country_is_member;",
        ),
    ]
