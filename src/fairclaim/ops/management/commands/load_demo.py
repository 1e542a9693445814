from django.core.management.base import BaseCommand

from fairclaim.ops.demo import DEMO_USERS, demo_password, demo_totp_secret, load_demo


class Command(BaseCommand):
    help = "Load demo organisations, users (one per role), the demo photos and a sample case."

    def add_arguments(self, parser):
        parser.add_argument("--photos", help="folder with manifest.csv and the photos")
        parser.add_argument("--limit", type=int, help="load at most this many photos")

    def handle(self, *args, photos=None, limit=None, **options):
        summary = load_demo(photos, limit=limit)
        if summary.photos_dir is None:
            self.stderr.write(
                "Demo photos not found (set FAIRCLAIM_DEMO_PHOTOS to a folder with manifest.csv); "
                "the registry starts empty."
            )
        self.stdout.write(
            f"Demo data ready: {summary.works_added} works added, "
            f"{summary.works_skipped} already present."
        )
        if options["verbosity"] < 1:
            return
        for username, role, _org, _staff in DEMO_USERS:
            self.stdout.write(f"  {role:14} {username} / {demo_password(username)}")
        self.stdout.write(f"  second step for staff roles: authenticator key {demo_totp_secret()}")
