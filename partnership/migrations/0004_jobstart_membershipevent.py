"""The people change log, the shared job start counter, and verified addresses for existing accounts (ADR 0015).

An existing account's address counts as verified when an invitation to that address was accepted (its link was
followed, which proves the address); any other address stays unverified until its owner verifies it.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def verify_invited_addresses(apps, schema_editor):
    User = apps.get_model("partnership", "User")
    Invitation = apps.get_model("partnership", "Invitation")
    EmailAddress = apps.get_model("account", "EmailAddress")
    accepted = {e.lower() for e in Invitation.objects.filter(state="accepted").values_list("email", flat=True)}
    for user in User.objects.all().only("pk", "email"):
        if user.email.lower() not in accepted:
            continue
        address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
        if address is None:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        elif not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])


class Migration(migrations.Migration):

    dependencies = [
        ('partnership', '0003_chair_of_governors_role'),
        ('account', '0009_emailaddress_unique_primary_email'),
    ]

    operations = [
        migrations.CreateModel(
            name='JobStart',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('job_model', models.CharField(max_length=100)),
                ('job_id', models.BigIntegerField()),
                ('starts', models.PositiveIntegerField(default=0)),
                ('last_started_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('job_model', 'job_id'), name='one_start_count_per_job')],
            },
        ),
        migrations.CreateModel(
            name='MembershipEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('joined', 'Joined (accepted an invitation)'), ('rejoined', 'Rejoined (accepted an invitation)'), ('roles', 'Roles changed'), ('school', 'School changed'), ('leads', 'Clusters and alliances led changed'), ('archived', 'Archived'), ('restored', 'Restored'), ('mfa_reset', 'Two-factor authentication reset')], max_length=20)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('before', models.JSONField(blank=True, null=True)),
                ('after', models.JSONField(blank=True, null=True)),
                ('note', models.CharField(blank=True, max_length=500)),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('membership', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='partnership.membership')),
            ],
            options={
                'ordering': ['-at', '-pk'],
            },
        ),
        migrations.RunPython(verify_invited_addresses, migrations.RunPython.noop),
    ]
