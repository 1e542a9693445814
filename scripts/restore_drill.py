"""The restore drill's two halves, run by scripts/restore-drill.sh with Django set up.

`seed`: on the live instance, a case with a hash-chained log and a signed evidence bundle.
`check`: on the restored instance, the old bundle verifies against the restored platform key
(the same key id as before), the case log verifies, and a new event continues the chain.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import django

django.setup()

from django.conf import settings  # noqa: E402

from fairclaim.accounts.models import Organisation  # noqa: E402
from fairclaim.cases.log import append_event, verify_case_log  # noqa: E402
from fairclaim.cases.models import Case  # noqa: E402
from fairclaim.evidence import wacz  # noqa: E402
from fairclaim.evidence.bundle import write_bundle  # noqa: E402
from fairclaim.evidence.verify import verify_bundle  # noqa: E402
from fairclaim.portal.signing import platform_signer  # noqa: E402

BUNDLE = "drill/evidence.wacz"


def seed() -> None:
    org = Organisation.objects.create(name="Drill Photo", slug="drill", kind="rights_holder")
    case = Case.objects.create(rights_holder=org, jurisdiction="DE", recipient_domain="r.example")
    for n in range(3):
        append_event(case, "note_added", {"n": n}, actor="drill")
    signer = platform_signer()
    path = Path(settings.DATA_DIR) / "private" / BUNDLE
    path.parent.mkdir(parents=True, exist_ok=True)
    screenshot = wacz.Attachment(
        "fairclaim/screenshot-full.png",
        b"\x89PNG drill",
        "image/png",
        "urn:view:drill",
        "screenshot-full",
    )
    write_bundle(
        str(path), exchanges=[], attachments=[screenshot], facts={"page_url": "https://r.example/"},
        signer=signer, created=datetime.now(UTC), page_url="https://r.example/", title="drill",
    )  # fmt: skip
    print(json.dumps({"case": case.reference, "key_id": signer.key_id}))


def check(expected: dict) -> int:
    problems = []
    signer = platform_signer()
    if signer.key_id != expected["key_id"]:
        problems.append(f"the signing key changed: {signer.key_id} != {expected['key_id']}")
    bundle = Path(settings.DATA_DIR) / "private" / BUNDLE
    verification = verify_bundle(bundle, public_key=signer.private_key.public_key())
    if not verification.ok:
        problems.append("the old bundle does not verify: " + "; ".join(verification.lines()))
    case = Case.objects.get(reference=expected["case"])
    if not verify_case_log(case).ok:
        problems.append("the restored case log does not verify")
    append_event(case, "note_added", {"after": "restore"}, actor="drill")
    verdict = verify_case_log(case)
    if not verdict.ok or verdict.entries_checked != case.events.count():
        problems.append("the case log does not continue after the restore")
    for problem in problems:
        print(f"restore drill: {problem}", file=sys.stderr)
    if not problems:
        print(f"restore drill: OK ({verdict.entries_checked} log entries, key {signer.key_id})")
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed()
    else:
        sys.exit(check(json.loads(sys.argv[2])))
