# A daily statistic, not a shareable object: per organisation, no longer an OwnedModel. The rows are
# recomputed by the next match, so the table is recreated rather than converted.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
        ("sbom", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="FindingSnapshot"),
        migrations.CreateModel(
            name="FindingSnapshot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("by_severity", models.JSONField(blank=True, default=dict)),
                ("kev", models.PositiveIntegerField(default=0)),
                ("total", models.PositiveIntegerField(default=0)),
                ("organization", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                                   to="core.organization")),
            ],
            options={
                "ordering": ["organization", "day"],
                "constraints": [models.UniqueConstraint(fields=("organization", "day"), name="one_snapshot_per_day")],
            },
        ),
    ]
