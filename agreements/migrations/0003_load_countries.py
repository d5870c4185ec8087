from django.db import migrations

from agreements.countries import sync_countries


def load(apps, schema_editor):
    sync_countries(apps.get_model("agreements", "Country"))


class Migration(migrations.Migration):
    dependencies = [("agreements", "0002_cross_row_rules")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
