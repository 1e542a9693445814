"""Issuing a case's ways into the recipient portal: the access code printed on a notice and the
one-time link token in it. The portal checks them (`fairclaim.portal.access`); notices issue them.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.hashers import make_password
from django.core import signing

from .models import Case

# 16 characters from 31 unambiguous ones (no 0/O, 1/I/L): 79 bits, typed from paper in 4 groups.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16
LINK_SALT = "fairclaim.portal.link"


def new_access_code(case: Case) -> str:
    """Create the case's access code; only its hash is stored. Returns `XXXX-XXXX-XXXX-XXXX`."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    Case.objects.filter(pk=case.pk).update(access_code_hash=make_password(raw))
    case.access_code_hash = Case.objects.values_list("access_code_hash", flat=True).get(pk=case.pk)
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def one_time_link_token(case: Case) -> str:
    """A signed token for a link in the notice; it opens the portal once (the nonce rotates)."""
    nonce = secrets.token_urlsafe(12)
    Case.objects.filter(pk=case.pk).update(portal_link_nonce=nonce)
    return signing.dumps({"case": case.pk, "nonce": nonce}, salt=LINK_SALT, compress=True)
