"""Load the three shipped frameworks (text and sources in clusters/health/frameworks_default.py)."""

from django.db import migrations

from clusters.health.frameworks_default import load_shipped


def forwards(apps, schema_editor):
    load_shipped(
        apps.get_model("cluster_health", "Framework"),
        apps.get_model("cluster_health", "FrameworkVersion"),
        apps.get_model("cluster_health", "Dimension"),
        apps.get_model("cluster_health", "Strand"),
        apps.get_model("cluster_health", "LevelDescriptor"),
    )


class Migration(migrations.Migration):
    dependencies = [("cluster_health", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
