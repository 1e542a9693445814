"""What an API key may do: its scopes, each a named right on top of its creator's own access.

A key never reaches more than the member who made it: access functions decide which objects it
sees, scopes narrow which kinds of request it may make.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

READ = "read"  # works, licences, sightings, matches
WORKS_WRITE = "works:write"  # register works, edit metadata and registrations, record licences
TRIAGE = "triage"  # decide on matches
CASES_READ = "cases:read"  # claims, cases, their statements and logs
PAYMENTS_READ = "payments:read"

SCOPES = {
    READ: gettext_noop("Read works, licences, sightings and matches"),
    WORKS_WRITE: gettext_noop("Register works, edit their metadata, record and import licences"),
    TRIAGE: gettext_noop("Decide on matches (claim, licensed, ignore, not mine, whitelist)"),
    CASES_READ: gettext_noop("Read claims, cases, their statements and case logs"),
    PAYMENTS_READ: gettext_noop("Read payments on cases"),
}
# Scopes that change something: a read-only member cannot grant them to a key.
WRITE_SCOPES = frozenset({WORKS_WRITE, TRIAGE})


def unknown_scopes(scopes: list[str]) -> list[str]:
    return [scope for scope in scopes if scope not in SCOPES]
