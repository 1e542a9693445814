"""The law firm's side: record an outcome, add notes and write to the manager, each logged and
only by the firm that holds the case; the manager is told (real SMTP)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fairclaim.cases.firm import FirmActionRefused, do_record_outcome
from fairclaim.cases.log import verify_case_log
from fairclaim.cases.models import Case, Notification
from fairclaim.cases.notifications import do_send_notification
from tests.cast import sign_in


@pytest.fixture
def firm_client(client, cast):
    sign_in(client, cast.lawfirm)
    return client


def test_a_settlement_records_the_amount_closes_the_case_and_is_logged(firm_client, cast):
    case = cast.case
    response = firm_client.post(
        reverse("cases:firm", args=[case.reference, "outcome"]),
        {"outcome": "settled", "amount": "850,00", "note": "Agreed by phone."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "resolved_paid"
    assert case.settlement_amount == Decimal("850.00")
    outcome = case.events.get(kind="law_firm_outcome")
    assert outcome.payload == {
        "outcome": "settled", "note": "Agreed by phone.", "amount": "850.00", "currency": "EUR",
    }  # fmt: skip
    assert outcome.actor == "lawyer"
    assert verify_case_log(case).ok


def test_court_keeps_the_case_with_the_firm_and_withdrawn_closes_it(firm_client, cast):
    case = cast.case
    firm_client.post(reverse("cases:firm", args=[case.reference, "outcome"]), {"outcome": "court"})
    case.refresh_from_db()
    assert case.state == "escalated"
    firm_client.post(
        reverse("cases:firm", args=[case.reference, "outcome"]), {"outcome": "withdrawn"}
    )
    case.refresh_from_db()
    assert case.state == "withdrawn"
    assert [e.payload["outcome"] for e in case.events.filter(kind="law_firm_outcome")] == [
        "court", "withdrawn",
    ]  # fmt: skip


def test_notes_and_messages_are_logged_and_the_manager_is_told(firm_client, cast, inbox):
    cast.manager.email = "manager@ops.example"
    cast.manager.save()
    case = cast.case
    firm_client.post(reverse("cases:firm", args=[case.reference, "note"]), {"note": "Call Tue."})
    firm_client.post(
        reverse("cases:firm", args=[case.reference, "message"]), {"body": "Please send the RAW."}
    )
    assert case.events.get(kind="law_firm_note").payload == {"note": "Call Tue."}
    assert case.events.get(kind="law_firm_message").payload == {"body": "Please send the RAW."}
    [told] = Notification.objects.filter(case=case, audience="case_manager")
    assert do_send_notification(told.pk, timezone.now())
    [mail] = inbox.messages
    assert mail["To"] == "manager@ops.example"
    assert "Please send the RAW." in mail.get_body(("plain",)).get_content()
    assert not case.messages.exists()  # never in the recipient's thread


def test_another_firm_or_a_rights_holder_cannot_act(client, cast):
    case = cast.case
    sign_in(client, cast.other_lawfirm)
    response = client.post(reverse("cases:firm", args=[case.reference, "note"]), {"note": "x"})
    assert response.status_code == 404
    with pytest.raises(FirmActionRefused):
        do_record_outcome(case, "withdrawn", user=cast.alice, now=timezone.now())
    assert Case.objects.get(pk=case.pk).state == "escalated"


def test_a_settlement_needs_a_positive_amount(firm_client, cast):
    firm_client.post(
        reverse("cases:firm", args=[cast.case.reference, "outcome"]),
        {"outcome": "settled", "amount": "lots"},
    )
    cast.case.refresh_from_db()
    assert cast.case.state == "escalated"
    assert not cast.case.events.filter(kind="law_firm_outcome").exists()
