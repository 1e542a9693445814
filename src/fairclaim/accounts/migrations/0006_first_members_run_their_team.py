"""Every organisation that already has members gets a team admin: its earliest active member
(who may then invite others and hand the role on)."""

from django.db import migrations


def first_members_run_their_team(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Organisation = apps.get_model("accounts", "Organisation")
    for organisation in Organisation.objects.all():
        members = User.objects.filter(organisation=organisation, is_active=True)
        if members.filter(team_admin=True).exists():
            continue
        first = members.filter(read_only=False).order_by("date_joined", "pk").first()
        if first is not None:
            User.objects.filter(pk=first.pk).update(team_admin=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_team_and_sign_in_audit")]

    operations = [migrations.RunPython(first_members_run_their_team, migrations.RunPython.noop)]
