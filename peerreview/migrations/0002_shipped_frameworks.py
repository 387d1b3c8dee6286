"""Load the two shipped review frameworks (see peerreview/frameworks_default.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from peerreview.frameworks_default import load_shipped

    load_shipped(
        apps.get_model("peerreview", "Framework"),
        apps.get_model("peerreview", "FrameworkTheme"),
        apps.get_model("peerreview", "FrameworkQuestion"),
    )


def unload(apps, schema_editor):
    apps.get_model("peerreview", "Framework").objects.filter(partnership=None, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("peerreview", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
