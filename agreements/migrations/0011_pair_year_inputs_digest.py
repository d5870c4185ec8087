from django.db import migrations, models


def leave_room_for_updates(apps, schema_editor):
    # A refresh rewrites rows in place; with room on their page, PostgreSQL updates them
    # without touching the indexes (a "HOT" update), which is most of an update's cost.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE agreements_pairyearstatistic SET (fillfactor = 80)")


def fill_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE agreements_pairyearstatistic RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0010_derived_pairs_without_country_constraints"),
    ]

    operations = [
        migrations.AddField(
            model_name="pairyearstatistic",
            name="inputs_digest",
            field=models.BigIntegerField(
                editable=False,
                help_text="What the figures were computed from (agreements.trade_sql).",
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="pairyearstatistic",
            index=models.Index(
                condition=models.Q(("agreements_in_force__gt", 0)),
                fields=["country_a", "country_b", "year"],
                name="agreements_pair_years_in_force",
            ),
        ),
        migrations.RunPython(leave_room_for_updates, fill_pages),
    ]
