"""Load the two shipped review frameworks (see peerreview/frameworks_default.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from peerreview.frameworks_default import SHIPPED

    Framework = apps.get_model("peerreview", "Framework")
    Theme = apps.get_model("peerreview", "FrameworkTheme")
    Question = apps.get_model("peerreview", "FrameworkQuestion")
    for spec in SHIPPED:
        framework, created = Framework.objects.get_or_create(
            partnership=None,
            slug=spec["slug"],
            version=1,
            defaults={
                "name": spec["name"],
                "kind": spec["kind"],
                "description": spec["description"],
                "estimate_scale": spec["estimate_scale"],
            },
        )
        if not created:
            continue
        for order, (title, questions) in enumerate(spec["themes"], 1):
            theme = Theme.objects.create(framework=framework, order=order, title=title)
            Question.objects.bulk_create(
                Question(theme=theme, order=i, text=text) for i, text in enumerate(questions, 1)
            )


def unload(apps, schema_editor):
    apps.get_model("peerreview", "Framework").objects.filter(partnership=None, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("peerreview", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
