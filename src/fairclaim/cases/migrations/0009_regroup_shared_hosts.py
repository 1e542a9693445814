"""Regroup recipients recorded under a shared-hosting suffix (github.io, blogspot.com, …) by
registrable domain, the Public Suffix List's private section included (cases/regroup.py)."""

from django.db import migrations


def regroup(apps, schema_editor):
    from fairclaim.cases.regroup import regroup_shared_hosts

    regroup_shared_hosts(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_notifications"),
        ("monitoring", "0006_page_check"),
        ("works", "0004_work_licence_proven_in_case"),
    ]

    operations = [migrations.RunPython(regroup, migrations.RunPython.noop)]
