"""17 U.S.C. §412: are statutory damages and attorney's fees available for this infringement?

Source: 17 U.S.C. §412:
(1) an infringement of an unpublished work commenced before the effective date of registration, or
(2) an infringement commenced after first publication and before the effective date of
registration, bars statutory damages (§504(c)) and fees (§505), "unless such registration is made
within three months after the first publication of the work". Registration counts from its
*effective date* (Fourth Estate v. Wall-Street.com, 586 U.S. 296 (2019): registration must be
completed).

Pure; the §106A, preregistration and §411(c) exceptions are not modelled (they need facts we do not
collect) and are named in the verdict's reason when statutory damages come out unavailable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fairclaim.rules.periods import add_months

GRACE_MONTHS = 3  # §412(2): registration "within three months after the first publication"

SOURCE = "17 U.S.C. §412; Fourth Estate v. Wall-Street.com, 586 U.S. 296 (2019)"


@dataclass(frozen=True)
class StatutoryDamagesVerdict:
    available: bool
    reason: str
    grace_ends: date | None  # last effective date that still counts under the 3-month grace


def statutory_damages_available(
    infringement_commenced: date,
    first_published_on: date | None,
    registration_effective: date | None,
) -> StatutoryDamagesVerdict:
    """§412 per work and infringement; `first_published_on=None` means the work is unpublished."""
    grace_ends = (
        add_months(first_published_on, GRACE_MONTHS) if first_published_on is not None else None
    )
    if registration_effective is None:
        return StatutoryDamagesVerdict(
            False,
            "the work has no registration with an effective date; §412 bars statutory damages "
            "and attorney's fees until it is registered, and then only for infringements "
            "commenced after the effective date (or within the 3-month grace after publication)",
            grace_ends,
        )
    if infringement_commenced >= registration_effective:
        return StatutoryDamagesVerdict(
            True,
            f"the infringement commenced on {infringement_commenced}, on or after the "
            f"registration's effective date {registration_effective}",
            grace_ends,
        )
    published_before = first_published_on is not None and first_published_on <= (
        infringement_commenced
    )
    if not published_before:
        return StatutoryDamagesVerdict(
            False,
            f"§412(1): the work was unpublished when the infringement commenced on "
            f"{infringement_commenced}, before registration took effect on "
            f"{registration_effective}",
            grace_ends,
        )
    assert grace_ends is not None  # published_before implies a publication date
    if registration_effective <= grace_ends:
        return StatutoryDamagesVerdict(
            True,
            f"registration took effect on {registration_effective}, within three months after "
            f"first publication on {first_published_on} (grace ends {grace_ends})",
            grace_ends,
        )
    return StatutoryDamagesVerdict(
        False,
        f"§412(2): the infringement commenced on {infringement_commenced}, after first "
        f"publication on {first_published_on} and before registration took effect on "
        f"{registration_effective}, which was later than three months after publication "
        f"(grace ended {grace_ends}); exceptions (§106A, preregistration, §411(c)) not assessed",
        grace_ends,
    )
