"""Case operations in the app: each writes one hash-chained log entry with who, what and
before → after; strangers get 404, those who may only read get 403."""

from decimal import Decimal

import pytest
from django.urls import reverse

from fairclaim.cases.claims import case_offers, do_check_claim
from fairclaim.cases.log import verify_case_log
from fairclaim.cases.models import Case, CaseLine, Claim
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.works.models import Licence
from tests.cases.sound import case_with_claim
from tests.cast import register, sign_in

EXAMPLE = "de-send-shop-missing-credit.json"


def operate(client, case, operation, **data):
    return client.post(reverse("cases:operate", args=[case.reference, operation]), data)


def last_event(case):
    return case.events.order_by("-seq").first()


@pytest.fixture
def open_case(cast):
    Case.objects.filter(pk=cast.case.pk).update(state="review", law_firm=None)
    cast.case.refresh_from_db()
    return cast.case


def test_the_manager_edits_the_recipient_with_the_imprint_suggested(client, cast, open_case):
    Sighting.objects.filter(pk=cast.sighting.pk).update(
        context={"company": "Laden GmbH", "contact_emails": ["info@laden.example"],
                 "imprint_url": "https://shop.example/impressum"}
    )  # fmt: skip
    sign_in(client, cast.manager)
    page = client.get(open_case.get_absolute_url()).content.decode()
    assert 'value="info@laden.example"' in page  # prefilled from the imprint
    assert "https://shop.example/impressum" in page
    response = operate(
        client, open_case, "recipient", recipient_name="Laden GmbH",
        recipient_email="info@laden.example", recipient_address="Hafenstr. 1\n20457 Hamburg",
        recipient_country="de", jurisdiction="DE",
    )  # fmt: skip
    assert response.status_code == 302
    open_case.refresh_from_db()
    assert (open_case.recipient_email, open_case.recipient_country) == ("info@laden.example", "DE")
    event = last_event(open_case)
    assert (event.kind, event.actor) == ("recipient_changed", "manager")
    assert event.payload["changes"]["recipient_email"] == {
        "before": "",
        "after": "info@laden.example",
    }
    assert "recipient_name" in event.payload["changes"]
    assert "jurisdiction" not in event.payload["changes"]  # unchanged fields are not logged


def test_the_law_is_fixed_once_the_case_is_submitted(client, cast, open_case):
    sign_in(client, cast.manager)
    before = open_case.events.count()
    response = operate(client, open_case, "recipient", jurisdiction="US", recipient_email="")
    assert response.status_code == 302
    open_case.refresh_from_db()
    assert open_case.jurisdiction == "DE"
    assert open_case.events.count() == before


def test_withdraw_note_and_every_entry_in_the_chain(client, cast, open_case):
    sign_in(client, cast.alice)  # the rights holder decides on its own case
    operate(client, open_case, "note", text="Recipient called; they will write.")
    assert last_event(open_case).payload == {"text": "Recipient called; they will write."}
    assert operate(client, open_case, "withdraw", reason="").status_code == 302
    open_case.refresh_from_db()
    assert open_case.state == "review"  # no reason, no withdrawal
    operate(client, open_case, "withdraw", reason="Settled privately with the photographer.")
    open_case.refresh_from_db()
    assert open_case.state == "withdrawn"
    event = last_event(open_case)
    assert (event.kind, event.actor) == ("withdrawn", "alice")
    assert event.payload == {
        "from": "review",
        "to": "withdrawn",
        "reason": "Settled privately with the photographer.",
    }
    assert verify_case_log(open_case).ok


def test_dropping_a_line_takes_its_amount_out_of_the_offers(client, cast, evidence_site, signing):
    case = case_with_claim(cast, EXAMPLE, language="en", capture=False)
    first_line = case.lines.get()
    work = register(cast.alice.organisation, cast.alice, seed=3)  # a second photo on the page
    other = Match.objects.create(work=work, sighting=cast.sighting, score=0.9)
    claim = Claim.objects.create(match=other, inputs=Claim.objects.get().inputs, case=case)
    do_check_claim(claim, cast.sighting.first_seen.date())
    second = CaseLine.objects.create(case=case, work=work, match=other)
    both = case_offers(case)["past_only"].gross.amount
    sign_in(client, cast.manager)
    operate(client, case, "drop_line", line=second.pk, reason="Not her photo after all.")
    second.refresh_from_db()
    assert second.dropped_at is not None
    assert list(case.lines.all()) == [first_line]
    claim.refresh_from_db()
    assert (claim.status, claim.case_id) == ("withdrawn", None)
    event = last_event(case)
    assert event.kind == "line_dropped"
    assert Decimal(event.payload["past_only_before"]) == both
    assert Decimal(event.payload["past_only_after"]) < both
    assert case_offers(case)["past_only"].gross.amount == Decimal(event.payload["past_only_after"])
    refused = operate(client, case, "drop_line", line=first_line.pk, reason="x")
    assert refused.status_code == 302
    assert case.lines.count() == 1  # the last work: withdraw the case instead


def test_a_discounted_settlement_is_logged_and_offered(client, cast, evidence_site, signing):
    case = case_with_claim(cast, EXAMPLE, language="en", capture=False)
    Case.objects.filter(pk=case.pk).update(state="notice_sent")
    case.refresh_from_db()
    demanded = case_offers(case)["past_only"].gross.amount
    sign_in(client, cast.manager)
    operate(client, case, "settle", amount=str(demanded + 1), reason="more")
    assert not case.events.filter(kind="settlement_agreed").exists()
    operate(client, case, "settle", amount="100.00", reason="Small charity, agreed by phone.")
    case.refresh_from_db()
    assert case.settlement_amount == Decimal("100.00")
    event = last_event(case)
    assert event.kind == "settlement_agreed"
    assert (event.payload["before"], event.payload["after"]) == (str(demanded), "100.00")
    assert case_offers(case)["past_only"].gross.amount == Decimal("100.00")


@pytest.mark.parametrize("how", ["withdraw", "dismiss", "licensed"])
def test_a_held_claim_has_a_next_step(client, cast, how):
    claim = Claim.objects.create(match=cast.match, status="checked", decision="hold")
    sign_in(client, cast.alice)
    url = reverse("cases:close_claim", args=[claim.pk])
    assert client.post(url, {"how": how, "reason": ""}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == "checked"
    client.post(url, {"how": how, "reason": "CC BY with credit: allowed."})
    claim.refresh_from_db()
    assert claim.status == {"withdraw": "withdrawn", "dismiss": "dismissed"}.get(how, "licensed")
    assert (claim.closed_by, claim.closed_reason) == ("alice", "CC BY with credit: allowed.")
    match = Match.objects.get(pk=cast.match.pk)
    if how == "licensed":
        assert match.status == "licensed"
        assert Licence.objects.filter(work=cast.work, domains=["shop.example"]).exists()
    if how == "dismiss":
        assert match.status == "ignored"


def test_permissions_stranger_404_reader_403(client, cast, open_case):
    cases = [
        (cast.charlie, "note", 404),
        (cast.outside_manager, "note", 404),
        (cast.alice_viewer, "note", 403),
        (cast.alice, "recipient", 403),  # the manager's job
        (cast.alice, "evidence_stands", 403),
        (cast.manager, "nonsense", 403),
    ]
    for user, operation, status in cases:
        sign_in(client, user)
        assert operate(client, open_case, operation, text="x").status_code == status, user
    Case.objects.filter(pk=open_case.pk).update(law_firm=cast.lawfirm.organisation)
    Case.objects.filter(pk=open_case.pk).update(state="escalated")
    sign_in(client, cast.lawfirm)
    assert operate(client, open_case, "note", text="x").status_code == 403
    assert not open_case.events.filter(kind="note_added").exists()
    claim = Claim.objects.create(match=cast.match, status="checked", decision="hold")
    url = reverse("cases:close_claim", args=[claim.pk])
    for user, status in [(cast.charlie, 404), (cast.alice_viewer, 403), (cast.manager, 403)]:
        sign_in(client, user)
        assert client.post(url, {"how": "withdraw", "reason": "x"}).status_code == status


def test_a_new_law_in_draft_re_checks_every_claim_under_it(client, cast, evidence_site, signing):
    case = case_with_claim(cast, EXAMPLE, language="de", capture=False)
    Case.objects.filter(pk=case.pk).update(state="draft")
    sign_in(client, cast.manager)
    operate(client, case, "recipient", jurisdiction="US", recipient_country="US")
    case.refresh_from_db()
    assert (case.jurisdiction, case.currency, case.language) == ("US", "USD", "en")
    claim = Claim.objects.get()
    assert claim.inputs["jurisdiction"] == "US"
    assert claim.statements.count() == 2  # the earlier statement stays on record
    assert claim.result["jurisdiction"] == "US"
    change = last_event(case).payload["changes"]["jurisdiction"]
    assert change == {"before": "DE", "after": "US"}
