"""Who is told about what: every decision and reply to the recipient, every recipient action to
the rights holder and manager (and the law firm once escalated), the escalation to the firm."""

import pytest

from fairclaim.rules.notify import parties_to_tell

STAFF = {"rights_holder", "case_manager"}


@pytest.mark.parametrize(
    "kind", ["defence_upheld", "defence_rejected", "licence_accepted", "licence_rejected"]
)
def test_every_decision_goes_to_the_recipient(kind):
    assert parties_to_tell(kind, {}, escalated=False) == {"recipient"}


@pytest.mark.parametrize(
    "kind", ["defence_raised", "licence_uploaded", "payment_plan_created", "payment_plan_cancelled"]
)
def test_every_recipient_action_goes_to_staff_and_the_firm_once_escalated(kind):
    assert parties_to_tell(kind, {}, escalated=False) == STAFF
    assert parties_to_tell(kind, {}, escalated=True) == STAFF | {"law_firm"}


def test_messages_go_to_the_other_side():
    assert parties_to_tell("message_posted", {"author": "recipient"}, escalated=False) == STAFF
    assert parties_to_tell("message_posted", {"author": "case_manager"}, escalated=False) == {
        "recipient"
    }


def test_the_escalation_goes_to_the_law_firm_and_bookkeeping_to_nobody():
    assert parties_to_tell("escalated", {}, escalated=True) == {"law_firm"}
    assert parties_to_tell("notice_queued", {}, escalated=False) == set()
    assert parties_to_tell("notification_sent", {}, escalated=False) == set()


def test_the_firms_message_goes_to_the_manager_and_its_outcome_to_staff():
    assert parties_to_tell("law_firm_message", {}, escalated=True) == {"case_manager"}
    assert parties_to_tell("law_firm_outcome", {}, escalated=True) == STAFF
    assert parties_to_tell("law_firm_note", {}, escalated=True) == set()
