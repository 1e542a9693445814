"""Demo data: organisations, one user per role, the shared demo photos as works, rate cards.

Development only: the demo passwords are public, so production settings refuse to load them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from fairclaim.accounts.models import Organisation, User
from fairclaim.cases.models import RateCard
from fairclaim.works.actions import (
    LicenceTerms,
    do_record_licence,
    do_register_image,
    upload_limits,
)
from fairclaim.works.intake import UploadRefused, check_image

DEMO_USERS = [
    # username, role, organisation slug, staff
    ("demo-photographer", User.Role.RIGHTS_HOLDER, "demo-photography", False),
    ("demo-agency", User.Role.RIGHTS_HOLDER, "demo-agency", False),
    ("demo-manager", User.Role.CASE_MANAGER, "fairclaim-operations", True),
    ("demo-lawfirm", User.Role.LAW_FIRM, "kanzlei-beispiel", False),
]
# Which photo sources each demo rights holder "owns" (manifest column source_package).
OWNERS_BY_SOURCE = {
    "mate-backgrounds": "demo-photography",
    "plasma-workspace-wallpapers": "demo-photography",
    "scikit-image": "demo-photography",
    "opencv-doc": "demo-agency",
}


@dataclass
class DemoSummary:
    works_added: int
    works_skipped: int
    photos_dir: Path | None


def demo_password(username: str) -> str:
    return f"{username}-pass"


# The demo's staff must pass a second factor like everyone's; their authenticator key is public
# like their passwords (add it to any authenticator app). Demo only: production refuses it.
DEMO_TOTP_KEY = "64656d6f2d66616972636c61696d2d746f74702d6b6579"  # b"demo-fairclaim-totp-key"


def demo_totp_secret() -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from fairclaim.accounts.two_factor import secret_text

    return secret_text(TOTPDevice(key=DEMO_TOTP_KEY))


def _enrol_demo_staff(user: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from fairclaim.accounts.two_factor import required_for

    if required_for(user) and not TOTPDevice.objects.filter(user=user).exists():
        TOTPDevice.objects.create(user=user, name="demo key", key=DEMO_TOTP_KEY, confirmed=True)


def load_demo(photos_dir: Path | None = None, *, limit: int | None = None) -> DemoSummary:
    if settings.PRODUCTION:
        raise ImproperlyConfigured("Demo data (with public passwords) is refused in production.")
    orgs = _organisations()
    _users(orgs)
    photos_dir = photos_dir or settings.FAIRCLAIM_DEMO_PHOTOS
    added, skipped = _works(orgs, Path(photos_dir), limit)
    _rate_cards(orgs)
    # No ready-made case: a case is only sound with a verified match, a checked claim and a capture
    # of the page (product rule 1, docs/architecture.md), so the demo's cases come from its demo
    # web, claimed in the app like any other (an earlier hand-made case sent an empty notice).
    return DemoSummary(added, skipped, Path(photos_dir) if Path(photos_dir).is_dir() else None)


def _organisations() -> dict[str, Organisation]:
    kind = Organisation.Kind
    operator, _ = Organisation.objects.get_or_create(
        slug="fairclaim-operations",
        defaults={"name": "fairclaim Operations", "kind": kind.OPERATOR, "country": "DE"},
    )
    specs = [
        ("demo-photography", "Demo Photography (Ada Lens)", kind.RIGHTS_HOLDER, "DE", operator),
        ("demo-agency", "Demo Picture Agency", kind.RIGHTS_HOLDER, "US", operator),
        ("kanzlei-beispiel", "Kanzlei Beispiel Rechtsanwälte", kind.LAW_FIRM, "DE", None),
    ]
    orgs = {"fairclaim-operations": operator}
    for slug, name, org_kind, country, handled_by in specs:
        orgs[slug], _ = Organisation.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "kind": org_kind, "country": country, "operator": handled_by},
        )
    return orgs


def _users(orgs: dict[str, Organisation]) -> None:
    for username, role, org_slug, staff in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"role": role, "organisation": orgs[org_slug], "is_staff": staff,
                      "email": f"{username}@example.org", "team_admin": True},
        )  # fmt: skip
        _enrol_demo_staff(user)
        if created:
            user.set_password(demo_password(username))
            user.save()
            if staff:
                from django.contrib.auth.models import Permission

                user.user_permissions.set(
                    Permission.objects.filter(
                        content_type__app_label__in=["works", "monitoring", "cases", "payments"]
                    )
                )


def _works(orgs: dict[str, Organisation], photos_dir: Path, limit: int | None) -> tuple[int, int]:
    manifest = photos_dir / "manifest.csv"
    if not manifest.is_file():
        return 0, 0
    added = skipped = 0
    with manifest.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows[:limit]:
        path = photos_dir / row["file"]
        owner = orgs[OWNERS_BY_SOURCE.get(row["source_package"], "demo-photography")]
        if not path.is_file():
            continue
        credit = row["credit"].strip().rstrip("´").strip()
        title = Path(row["source_path"]).stem.replace("_", " ").replace("-", " ")
        if title in {"2560x1600", "contents"}:
            title = Path(row["source_path"]).parts[-4]
        try:
            checked = check_image(row["file"], path.read_bytes(), upload_limits())
            do_register_image(
                owner,
                None,
                checked,
                title=title.title(),
                creator=_creator_from_credit(credit),
                # The demo plays the photographer's own, all-rights-reserved work; where the
                # sample really comes from goes in the description. A notice naming an open
                # licence (CC0, GPL) would rightly stop every claim on it (rules.linter).
                copyright_notice=f"© {credit}. All rights reserved.",
                description=f"Demo sample ({row['source_package']}, {row['licence']}).",
            )
            added += 1
        except UploadRefused:
            skipped += 1  # already registered by an earlier demo run
    return added, skipped


def _creator_from_credit(credit: str) -> str:
    # "2008, Charles Barbin <barbinch@free.fr>" → "Charles Barbin"
    name = credit.split(",", 1)[1] if credit[:4].isdigit() and "," in credit else credit
    return name.split("<", 1)[0].strip().strip('"') or credit


def _rate_cards(orgs: dict[str, Organisation]) -> None:
    from fairclaim.cases.views import EXAMPLE_PRICING

    for slug, currency in (("demo-photography", "EUR"), ("demo-agency", "USD")):
        RateCard.objects.get_or_create(
            owner=orgs[slug], defaults={"pricing": {**EXAMPLE_PRICING, "currency": currency}}
        )


def demo_web_photos(photos_dir: Path) -> list[Path]:
    """Four of the demo photographer's photos, then two of the agency's (unrelated to her)."""
    manifest = Path(photos_dir) / "manifest.csv"
    if not manifest.is_file():
        return []
    with manifest.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    mine = [
        r["file"] for r in rows if OWNERS_BY_SOURCE.get(r["source_package"]) == "demo-photography"
    ]
    theirs = [r["file"] for r in rows if OWNERS_BY_SOURCE.get(r["source_package"]) == "demo-agency"]
    return [Path(photos_dir) / name for name in mine[:4] + theirs[:2]]


def watch_demo_web(bases: dict[str, str], now) -> None:
    """The demo photographer watches the demo sites (scanned at once by the scheduler) and has a
    licence for the licensee's site, so that site's copy shows up as licensed, not claimable."""
    from fairclaim.monitoring.models import WatchList
    from fairclaim.works.models import Licence

    owner = Organisation.objects.get(slug="demo-photography")
    WatchList.objects.update_or_create(
        organisation=owner,
        name="Demo web",
        defaults={"start_urls": [f"{base}/" for base in bases.values()], "max_pages": 50,
                  "interval_hours": 24, "next_scan_at": now},
    )  # fmt: skip
    licensee_host = bases["licensee"].split("//", 1)[1].split(":", 1)[0]
    if not Licence.objects.filter(owner=owner, licensee_name="Licensed Ltd").exists():
        do_record_licence(
            owner.pk,
            LicenceTerms(licensee_name="Licensed Ltd", domains=[licensee_host],
                         source=Licence.Source.OWN_SALE, reference="INV-2026-017",
                         usage=Licence.Usage.COMMERCIAL),
        )  # fmt: skip
