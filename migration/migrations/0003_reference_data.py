from django.db import migrations


def load_reference_data(apps, schema_editor):
    from migration.reference_data import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [("migration", "0002_initial")]

    operations = [migrations.RunPython(load_reference_data, migrations.RunPython.noop)]
