import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("peerreview", "0003_finding_agreed_blank")]

    operations = [
        migrations.CreateModel(
            name="ReminderSent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=120, unique=True)),
                ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
    ]
