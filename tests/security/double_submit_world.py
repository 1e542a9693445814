"""The data for the double-submit test (tests/security/test_double_submits.py), in a child process:
`setup BASE_URL` (a sound case in review and its case manager), `code REFERENCE` (a fresh access
code), `show REFERENCE` (what the case holds, as JSON)."""

import json
import sys

from tests.security.kill_world import _case  # sets Django up first

PASSWORD = "correct horse battery staple"
# The case manager's authenticator (staff pass a second step at sign-in).
MANAGER_TOTP_KEY = "3132333435363738393031323334353637383930"


def setup(base: str) -> None:
    from fairclaim.accounts.models import Organisation, User

    case = _case(base, captured=True)
    operator = Organisation.objects.create(name="Ops", slug="ops", kind="operator")
    Organisation.objects.filter(pk=case.rights_holder_id).update(operator=operator)
    manager = User.objects.create_user("manager", password=PASSWORD, role="case_manager",
                                       organisation=operator, is_staff=True)  # fmt: skip
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=manager, name="app", confirmed=True, key=MANAGER_TOTP_KEY)
    print(case.reference)


def code(reference: str) -> None:
    from fairclaim.cases.access_codes import new_access_code
    from fairclaim.cases.models import Case

    print(new_access_code(Case.objects.get(reference=reference)))


def show(reference: str) -> None:
    from fairclaim.cases.log import verify_case_log
    from fairclaim.cases.models import Case

    case = Case.objects.get(reference=reference)
    print(json.dumps({
        "state": case.state,
        "demands": case.notices.filter(kind="demand").count(),
        "payments": case.payments.filter(cancelled_at__isnull=True).count(),
        "licences": case.licence_submissions.count(),
        "undecided_licences": case.licence_submissions.filter(decided_at__isnull=True).count(),
        "defences": case.defences.count(),
        "messages": case.messages.count(),
        "chain": verify_case_log(case).ok,
    }))  # fmt: skip


if __name__ == "__main__":
    {"setup": setup, "code": code, "show": show}[sys.argv[1]](sys.argv[2])
