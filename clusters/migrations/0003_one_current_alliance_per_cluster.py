"""#14.5: a cluster sits in at most one alliance at a time (alliance totals would count its schools twice).

Before the constraint is added, existing data is checked: if any cluster is currently in two or more alliances,
the migration stops and names each one, so an officer ends the wrong memberships first (nothing is changed or
guessed here: which alliance is right is the partnership's decision).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import migrations, models


def duplicates_report(rows: Iterable[dict]) -> list[str]:
    """One sentence per cluster currently in two or more alliances (rows: cluster_id, cluster__name,
    alliance__name of current memberships)."""
    names: dict[int, str] = {}
    alliances: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        names[row["cluster_id"]] = row["cluster__name"]
        alliances[row["cluster_id"]].append(row["alliance__name"])
    return [
        f"{names[pk]} is in {len(found)} alliances at once ({', '.join(sorted(found))})"
        for pk, found in sorted(alliances.items(), key=lambda item: names[item[0]])
        if len(found) > 1
    ]


def refuse_duplicates(apps, schema_editor) -> None:
    membership = apps.get_model("clusters", "AllianceMembership")
    rows = membership.objects.filter(left_on__isnull=True).values("cluster_id", "cluster__name", "alliance__name")
    problems = duplicates_report(rows)
    if problems:
        raise RuntimeError(
            "Cannot add the rule 'a cluster sits in one alliance at a time': "
            + "; ".join(problems)
            + ". End the memberships that are wrong (the alliance page, 'End membership'), then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clusters", "0002_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="alliancemembership",
            constraint=models.UniqueConstraint(
                condition=models.Q(("left_on__isnull", True)),
                fields=("cluster",),
                name="one_current_alliance_per_cluster",
            ),
        ),
    ]
