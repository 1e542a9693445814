# The portal's LicenceSubmission model now lives in cases; its table keeps its name, so this
# changes Django's state only (portal 0002 removes it from the portal's state).

import django.db.models.deletion
from django.db import migrations, models

import fairclaim.cases.models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0008_notifications"),
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LicenceSubmission",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("licensee", models.CharField(max_length=200)),
                        ("source", models.CharField(help_text="Where the licence came from", max_length=200)),
                        ("reference", models.CharField(blank=True, max_length=200)),
                        ("licensed_on", models.DateField(blank=True, null=True)),
                        ("details", models.TextField(blank=True)),
                        ("proof", models.FileField(max_length=300, upload_to=fairclaim.cases.models.submission_path)),
                        ("proof_content_type", models.CharField(max_length=50)),
                        ("status", models.CharField(choices=[("open", "Under review"), ("accepted", "Accepted"), ("rejected", "Rejected")], default="open", max_length=10)),
                        ("decision_reasons", models.TextField(blank=True)),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("case", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="licence_submissions", to="cases.case")),
                    ],
                    options={
                        "ordering": ["-created_at"],
                        "db_table": "portal_licencesubmission",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
