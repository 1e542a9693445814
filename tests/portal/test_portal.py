"""The recipient portal: access by reference + code or one-time link, the steps, and its guards."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from fairclaim.cases.access_codes import new_access_code, one_time_link_token
from fairclaim.cases.models import Case, CaseLine, LicenceSubmission
from fairclaim.cases.responses import do_decide_defence, do_decide_licence
from fairclaim.monitoring.triage import suppression_for
from tests.cast import sign_in
from tests.webserver import drain

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def noticed(cast):
    """Alice's case against shop.example, notice sent, deadline Monday 14 Dec 2026."""
    case = cast.case
    Case.objects.filter(pk=case.pk).update(
        state="notice_sent", deadline=dt.date(2026, 12, 14), recipient_country="DE", law_firm=None
    )
    case.refresh_from_db()
    return case, new_access_code(case)


def enter(client, reference, code, address="198.51.100.1"):
    return client.post(
        reverse("portal:enter"), {"reference": reference, "code": code}, REMOTE_ADDR=address
    )


def test_the_reference_and_code_open_the_case_and_its_evidence(client, noticed):
    case, code = noticed
    response = enter(client, case.reference.lower().replace("-", " "), code.lower())
    assert response["Location"] == reverse("portal:case", args=[case.reference])
    page = client.get(response["Location"]).content.decode()
    assert case.reference in page
    assert "https://shop.example/p/1" in page
    line = case.lines.get()
    picture = client.get(reverse("portal:picture", args=[case.reference, line.pk]))
    assert picture.status_code == 200
    assert drain(picture).startswith(b"\x89PNG")


def test_a_wrong_reference_reads_exactly_like_a_wrong_code(client, noticed):
    case, code = noticed
    wrong_code = enter(client, case.reference, "AAAA-BBBB-CCCC-DDDD").content.decode()
    wrong_ref = enter(client, "FC-2026-999999", code).content.decode()
    message = "The reference or the access code is not right. Please check both."
    assert message in wrong_code
    assert message in wrong_ref


def test_guessing_slows_the_guesser_and_never_the_recipient(client, noticed):
    case, code = noticed
    for i in range(6):
        enter(client, case.reference, f"WRONG-{i}", address="203.0.113.7")
    page = enter(client, case.reference, code, address="203.0.113.7")
    assert page.status_code == 200
    assert "Too many attempts from your connection. Please wait" in page.content.decode()
    assert enter(Client(), case.reference, code, address="198.51.100.20").status_code == 302


def test_a_one_time_link_opens_the_case_once(client, noticed):
    case, _ = noticed
    token = one_time_link_token(case)
    assert client.get(reverse("portal:link", args=[token]))["Location"].endswith(
        f"/portal/{case.reference}/"
    )
    again = Client().get(reverse("portal:link", args=[token]))
    assert again.status_code == 403
    assert "already been used" in again.content.decode()


def test_another_recipients_case_is_not_found(client, noticed, cast):
    case, code = noticed
    other = Case.objects.create(
        rights_holder=case.rights_holder,
        jurisdiction="DE",
        recipient_domain="elsewhere.example",
        state="notice_sent",
    )
    CaseLine.objects.create(case=other, work=cast.work)
    enter(client, case.reference, code)
    # Not shown: back to the code form, the same answer as for a reference that does not exist.
    enter_url = reverse("portal:enter")
    assert client.get(reverse("portal:case", args=[other.reference]))["Location"].startswith(
        enter_url
    )
    assert (
        Client()
        .get(reverse("portal:case", args=[case.reference]))["Location"]
        .startswith(enter_url)
    )


def test_the_sign_in_form_needs_its_csrf_token(noticed):
    case, code = noticed
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("portal:enter"), {"reference": case.reference, "code": code})
    assert response.status_code == 403


def polyglot_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "JPEG")
    return out.getvalue() + b"<html><script>alert(document.cookie)</script></html>"


@pytest.mark.parametrize(
    ("name", "data", "accepted"),
    [
        ("licence.pdf", PDF, True),
        ("scan.jpg", polyglot_jpeg(), True),
        ("page.html", b"<!doctype html><html><script>x()</script></html>", False),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>', False),
        ("trick.pdf", b"%PDF-1.4\n<html><script>x()</script>", False),
        ("empty.pdf", b"", False),
    ],
)
def test_licence_proofs_are_sniffed_and_neutralised(client, noticed, name, data, accepted):
    case, code = noticed
    enter(client, case.reference, code)
    response = client.post(
        reverse("portal:licence", args=[case.reference]),
        {
            "licensee": "Shop GmbH",
            "source": "Stock agency",
            "reference": "INV-1",
            "proof": SimpleUploadedFile(name, data),
        },
    )
    case.refresh_from_db()
    if not accepted:
        assert response.status_code == 200
        assert case.state == "notice_sent"
        assert not LicenceSubmission.objects.exists()
        return
    assert response.status_code == 302
    assert case.state == "licence_review"
    submission = LicenceSubmission.objects.get()
    with submission.proof.open("rb") as handle:
        stored = handle.read()
    assert b"<script" not in stored


def test_an_accepted_licence_closes_the_case_and_protects_the_licensee(client, noticed, cast):
    case, code = noticed
    enter(client, case.reference, code)
    client.post(
        reverse("portal:licence", args=[case.reference]),
        {"licensee": "Shop GmbH", "source": "Stock", "proof": SimpleUploadedFile("l.pdf", PDF)},
    )
    submission = LicenceSubmission.objects.get()
    do_decide_licence(
        submission,
        accept=True,
        reasons="Valid stock licence for this photo.",
        user=cast.manager,
        now=timezone.now(),
    )
    case.refresh_from_db()
    assert case.state == "resolved_licensed"
    assert suppression_for(cast.work, "shop.example") == "licensed"
    page = client.get(reverse("portal:case", args=[case.reference])).content.decode()
    assert "Valid stock licence for this photo." in page


def test_a_rejected_defence_restarts_the_clock_with_the_paused_days_given_back(
    client, noticed, cast
):
    case, code = noticed
    enter(client, case.reference, code)
    response = client.post(
        reverse("portal:defence", args=[case.reference]),
        {"kind": "de_minimis", "statement": "It was a tiny thumbnail."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "defence_review"
    defence = case.defences.get()
    paused_on = case.events.get(kind="defence_raised").payload["paused_on"]
    decided = dt.datetime.combine(
        dt.date.fromisoformat(paused_on) + dt.timedelta(days=10), dt.time(12), tzinfo=dt.UTC
    )
    do_decide_defence(
        defence, uphold=False, reasons="Shown at 900 px wide.", user=cast.manager, now=decided
    )
    case.refresh_from_db()
    assert case.state == "notice_sent"
    assert case.deadline >= dt.date(2026, 12, 24)  # ten paused days given back, then an open day
    assert case.deadline.weekday() < 5
    assert case.events.filter(kind="deadline_extended").exists()


def test_a_decision_needs_written_reasons(noticed, cast):
    from fairclaim.cases.responses import StepNotAllowed, do_raise_defence

    case, _ = noticed
    defence = do_raise_defence(case, "hardship", "We are a tiny charity.", None, timezone.now())
    with pytest.raises(StepNotAllowed, match="reasons in writing"):
        do_decide_defence(defence, uphold=True, reasons=" ", user=cast.manager, now=timezone.now())


def test_messages_reach_the_thread_and_the_case_log(client, noticed, cast):
    case, code = noticed
    enter(client, case.reference, code)
    client.post(reverse("portal:messages", args=[case.reference]), {"body": "Can I pay in May?"})
    sign_in(client, cast.manager)
    client.post(reverse("cases:reply", args=[case.reference]), {"body": "Yes, in instalments."})
    thread = [(m.author_kind, m.body) for m in case.messages.order_by("created_at")]
    assert thread == [("recipient", "Can I pay in May?"), ("case_manager", "Yes, in instalments.")]
    assert case.events.filter(kind="message_posted").count() == 2
