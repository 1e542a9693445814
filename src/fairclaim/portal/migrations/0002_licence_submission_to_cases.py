# LicenceSubmission moved to cases (cases 0009 takes it over with its table): state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0001_initial"),
        ("cases", "0009_licence_submission_from_portal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="LicenceSubmission")],
            database_operations=[],
        ),
    ]
