from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("peerreview", "0002_shipped_frameworks")]

    operations = [
        migrations.AlterField(
            model_name="finding",
            name="agreed",
            field=models.BooleanField(blank=True, help_text="None = not answered by the host yet.", null=True),
        ),
    ]
