"""The Django side of the case flow: allowed steps change the state and are logged."""

import pytest
from django.utils import timezone

from fairclaim.cases.actions import CaseChanged, IllegalTransition, do_transition
from fairclaim.cases.log import verify_case_log
from fairclaim.cases.models import STATE_CHOICES, Case
from fairclaim.rules.case_states import CaseState


def test_every_state_of_the_flow_can_be_stored():
    assert [value for value, _label in STATE_CHOICES] == [s.value for s in CaseState]


def test_an_allowed_step_changes_the_state_and_is_logged(cast):
    case = Case.objects.create(
        rights_holder=cast.case.rights_holder, jurisdiction="DE", recipient_domain="x.example"
    )
    do_transition(case, "submitted_for_review", actor="alice", now=timezone.now())
    assert Case.objects.get(pk=case.pk).state == "review"
    [event] = case.events.all()
    assert (event.kind, event.payload) == (
        "submitted_for_review",
        {"from": "draft", "to": "review"},
    )
    assert verify_case_log(case).ok


def test_a_forbidden_step_changes_nothing(cast):
    case = Case.objects.create(
        rights_holder=cast.case.rights_holder, jurisdiction="DE", recipient_domain="y.example"
    )
    with pytest.raises(IllegalTransition):
        do_transition(case, "payment_completed", actor="x", now=timezone.now())
    assert Case.objects.get(pk=case.pk).state == "draft"
    assert not case.events.exists()


def test_a_stale_decision_loses_to_the_first(cast):
    case = Case.objects.create(
        rights_holder=cast.case.rights_holder, jurisdiction="DE", recipient_domain="z.example"
    )
    stale = Case.objects.get(pk=case.pk)
    do_transition(case, "withdrawn", actor="manager", now=timezone.now())
    with pytest.raises(CaseChanged):
        do_transition(stale, "submitted_for_review", actor="alice", now=timezone.now())
    assert Case.objects.get(pk=case.pk).state == "withdrawn"
