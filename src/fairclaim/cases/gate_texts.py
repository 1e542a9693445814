"""The send gate's reasons in the reader's language.

`rules.send_gate` is pure and words its reasons in English, with the details it knows (states,
the linter's own reasons). In English the page shows those sentences unchanged; in any other
language each reason is said by its code, so no English sentence reaches a German page.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from fairclaim.rules.send_gate import Code, Reason

TEXTS = {
    Code.STATE: (_("this notice cannot go out in the case's present state."), ""),
    Code.NO_LINES: (_("the case has no work left to claim."), ""),
    Code.NO_RECIPIENT_EMAIL: (
        _("the recipient's e-mail address is missing."),
        _("Enter it under “Recipient details”."),
    ),
    Code.CLAIM_NOT_CHECKED: (
        _("the claim cannot be checked on today's facts."),
        _("Complete the claim, or drop the line."),
    ),
    Code.LINTER_NOT_CLEAR: (
        _("the claim check re-run today is not clear."),
        _("Resolve the findings, or drop the line."),
    ),
    Code.NO_AMOUNT: (
        _("there is no positive itemised amount to demand."),
        _("Check the claim's fee statement, or drop the line."),
    ),
    Code.EVIDENCE_WAITING: (
        _("no finished evidence capture yet."),
        _("The capture is queued first; sending follows it."),
    ),
    Code.EVIDENCE_NOT_VERIFIED: (
        _("the latest evidence bundle does not verify."),
        _("Capture again."),
    ),
    Code.EVIDENCE_ABSENT: (
        _("the latest capture does not show the image on the page."),
        _("Drop the line, or record why the earlier evidence stands."),
    ),
    Code.RECIPIENT_ENGAGED: (
        _(
            "the recipient has an open licence proof, defence or message; "
            "a reminder would ignore it."
        ),
        _("Decide or answer it; reminders resume on their own afterwards."),
    ),
}


def reason_text(reason: Reason) -> tuple[str, str]:
    """(message, remedy) of `reason` for the active language."""
    if translation.get_language() == "en" or reason.code not in TEXTS:
        return reason.message, reason.remedy
    message, remedy = TEXTS[reason.code]
    return str(message), str(remedy)
