"""Notices: rendered per jurisdiction and language, signed, sent through SMTP exactly once."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fairclaim.cases.models import Case, Claim
from fairclaim.cases.sending import do_create_demand, do_send_notice, verify_notice_pdf
from tests.cases.sound import REPO, case_with_claim
from tests.cast import sign_in
from tests.webserver import free_port


@pytest.fixture(autouse=True)
def _site(evidence_site):
    """Every notice here needs the recipient's page, captured (see `case_with_claim`)."""


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(done.stdout.split())


def test_a_german_notice_has_the_97a_elements_in_mail_and_pdf(cast, inbox, signing, tmp_path):
    case = case_with_claim(
        cast,
        "de-send-shop-missing-credit.json",
        language="de",
        jurisdiction="DE",
        recipient_country="DE",
    )
    notice = do_create_demand(case, now=timezone.now(), actor="manager")
    assert do_send_notice(notice.pk, timezone.now()) is True
    [mail] = inbox.messages
    assert mail["Message-ID"] == notice.message_id
    assert mail["Subject"].startswith(f"{case.reference}: Nicht lizenzierte Nutzung")
    text = mail.get_body(("plain",)).get_content()
    assert "Schadensersatz:" in text
    assert notice.deadline.weekday() < 5
    [attachment] = list(mail.iter_attachments())
    pdf = attachment.get_content()
    words = pdf_text(pdf, tmp_path)
    for element in (
        "Verletzter ist Alice Photo",
        "Schadensersatz",
        "Aufwendungsersatz",
        "nicht erheblich über die abgemahnte Rechtsverletzung hinaus",
        case.reference,
        "Zugangscode",
    ):
        assert element in words, element
    assert verify_notice_pdf(pdf).pk == notice.pk
    assert verify_notice_pdf(pdf[:-10] + b"tampered!!") is None
    case.refresh_from_db()
    assert case.state == "notice_sent"
    assert case.events.filter(kind="notice_sent").count() == 1


@pytest.mark.parametrize("registered", [False, True], ids=["unregistered", "registered-in-time"])
def test_a_us_notice_mentions_statutory_damages_only_where_the_linter_found_them_available(
    cast, inbox, signing, tmp_path, registered
):
    case = case_with_claim(
        cast,
        "us-send-registered.json",
        registered=registered,
        language="en",
        jurisdiction="US",
        recipient_country="US",
        currency="USD",
    )
    codes = {f["code"] for f in Claim.objects.get().result["findings"]}
    assert ("US_412_AVAILABLE" in codes) is registered
    notice = do_create_demand(case, now=timezone.now(), actor="manager")
    do_send_notice(notice.pk, timezone.now())
    [mail] = inbox.messages
    pdf = next(mail.iter_attachments()).get_content()
    everything = (
        mail.get_body(("plain",)).get_content()
        + mail.get_body(("html",)).get_content()
        + pdf_text(pdf, tmp_path)
    ).lower()
    assert ("statutory" in everything) is registered
    assert "17 u.s.c. § 504(b)" in everything


def test_a_refused_connection_is_retried_later_not_lost(cast, settings, signing):
    case = case_with_claim(cast, "de-send-shop-missing-credit.json", language="de")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    notice = do_create_demand(case, now=timezone.now(), actor="manager")
    assert do_send_notice(notice.pk, timezone.now()) is False
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("queued", 1)
    assert notice.last_error
    assert notice.queued_at > timezone.now()


def test_the_public_check_recognises_a_genuine_notice_pdf(client, cast, inbox, signing):
    case = case_with_claim(cast, "de-send-shop-missing-credit.json", language="de")
    notice = do_create_demand(case, now=timezone.now(), actor="manager")
    with notice.pdf.open("rb") as handle:
        pdf = handle.read()
    from django.core.files.uploadedfile import SimpleUploadedFile

    genuine = client.post(reverse("verify:notice"), {"pdf": SimpleUploadedFile("n.pdf", pdf)})
    assert "This notice is genuine" in genuine.content.decode()
    forged = client.post(
        reverse("verify:notice"),
        {"pdf": SimpleUploadedFile("n.pdf", pdf[:500] + bytes([pdf[500] ^ 1]) + pdf[501:])},
    )
    assert "not a notice fairclaim sent" in forged.content.decode()


def test_a_worker_killed_mid_send_leads_to_one_notice_under_one_message_id(inbox, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "FAIRCLAIM_DATA_DIR": str(tmp_path / "data"),
        "FAIRCLAIM_SIGNING_KEY": str(tmp_path / "key.pem"),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(inbox.port),
        "EMAIL_TIMEOUT": "60",
        "FAIRCLAIM_ALLOW_LOOPBACK": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    script = [sys.executable, "-m", "tests.cases.notice_worker"]

    def run(*args):
        done = subprocess.run(
            [*script, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    notice_id = run("setup")
    inbox.hold.set()
    worker = subprocess.Popen([*script, "send", notice_id, "0"], env=env, cwd=REPO)
    assert inbox.received.wait(60), "the worker never delivered"
    time.sleep(0.5)
    worker.send_signal(signal.SIGKILL)  # dies after DATA, before hearing "250" and recording it
    worker.wait(10)
    inbox.hold.clear()
    interrupted = json.loads(run("show", notice_id))
    assert interrupted["status"] == "sending"

    assert run("send", notice_id, "0") == "False"  # too soon: another worker may still be at it
    assert run("send", notice_id, "11") == "True"  # stale: finish the send, same Message-ID
    assert run("send", notice_id, "30") == "False"  # done: never again
    final = json.loads(run("show", notice_id))
    assert (final["status"], final["attempts"], final["state"]) == ("sent", 2, "notice_sent")
    assert final["events"].count("notice_sent") == 1
    assert [m["Message-ID"] for m in inbox.messages] == [final["message_id"]] * 2


def test_notices_are_dkim_signed_when_a_key_is_configured(cast, inbox, signing, settings, tmp_path):
    import base64

    import dkim
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "dkim.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    public = base64.b64encode(
        key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    ).decode()
    settings.EMAIL_BACKEND = "fairclaim.letters.dkim.DKIMEmailBackend"
    settings.FAIRCLAIM_DKIM_KEY_FILE = str(pem)
    settings.FAIRCLAIM_DKIM_SELECTOR, settings.FAIRCLAIM_DKIM_DOMAIN = "fc", "claims.example"
    case = case_with_claim(cast, "de-send-shop-missing-credit.json", language="de")
    notice = do_create_demand(case, now=timezone.now(), actor="manager")
    assert do_send_notice(notice.pk, timezone.now())
    raw = inbox.messages[0].as_bytes()

    def dns(name, timeout=5):
        assert name == b"fc._domainkey.claims.example."
        return f"v=DKIM1; k=rsa; p={public}".encode()

    assert dkim.verify(raw, dnsfunc=dns)
    assert b"Subject: FC-" in raw
    assert not dkim.verify(raw.replace(b"Subject: FC-", b"Subject: FX-", 1), dnsfunc=dns)


def test_replies_and_bounces_are_recorded_on_the_case(cast, inbox, signing):
    from fairclaim.cases.inbound import record_inbound

    case = case_with_claim(cast, "de-send-shop-missing-credit.json", language="de")
    notice = do_create_demand(case, now=timezone.now(), actor="manager")
    do_send_notice(notice.pk, timezone.now())
    reply = (
        f"From: info@laden.example\r\nTo: notices@fairclaim.invalid\r\n"
        f"Subject: Re: {notice.subject}\r\nIn-Reply-To: {notice.message_id}\r\n\r\n"
        "Wir haben eine Lizenz von der Agentur.\r\n"
    ).encode()
    assert record_inbound(reply, timezone.now()).pk == notice.pk
    assert "Wir haben eine Lizenz" in case.messages.get().body
    bounce = (
        "From: MAILER-DAEMON@mx.example\r\nTo: notices@fairclaim.invalid\r\nSubject: failure\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; "
        'boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nMailbox unknown.\r\n'
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {notice.message_id}\r\n\r\n--B--\r\n"
    ).encode()
    assert record_inbound(bounce, timezone.now()).pk == notice.pk
    notice.refresh_from_db()
    assert notice.status == "failed"
    assert notice.last_error.startswith("bounced:")
    kinds = list(case.events.values_list("kind", flat=True))
    assert "reply_received" in kinds
    assert "notice_bounced" in kinds
    assert record_inbound(b"From: x@y\r\nSubject: spam\r\n\r\nhello", timezone.now()) is None


def test_missed_deadlines_bring_at_most_two_growing_reminders_then_overdue(cast, signing):
    from fairclaim.cases.sending import do_follow_up

    case = case_with_claim(cast, "de-send-shop-missing-credit.json", language="en")
    Case.objects.filter(pk=case.pk).update(
        state="notice_sent", deadline=date(2026, 12, 14), recipient_country="DE"
    )

    def at(day):
        return datetime.combine(day, datetime.min.time(), tzinfo=UTC)

    assert do_follow_up(case.pk, at(date(2026, 12, 14))) == "nothing"  # the deadline day itself
    assert do_follow_up(case.pk, at(date(2026, 12, 15))) == "reminded"
    assert do_follow_up(case.pk, at(date(2026, 12, 15))) == "nothing"  # claimed once
    assert Case.objects.get(pk=case.pk).deadline == date(2026, 12, 22)  # +7 days
    assert do_follow_up(case.pk, at(date(2026, 12, 23))) == "reminded"
    assert Case.objects.get(pk=case.pk).deadline == date(2027, 1, 6)  # +14 days
    assert do_follow_up(case.pk, at(date(2027, 1, 7))) == "overdue"
    case.refresh_from_db()
    assert case.state == "overdue"
    reminders = case.notices.filter(kind="reminder").order_by("created_at")
    assert [n.deadline for n in reminders] == [date(2026, 12, 22), date(2027, 1, 6)]
    assert reminders[0].subject.startswith(f"Reminder {case.reference}: unlicensed use")


def test_a_paused_clock_sends_no_reminder(cast, signing):
    from fairclaim.cases.sending import do_follow_up

    Case.objects.filter(pk=cast.case.pk).update(state="defence_review", deadline=date(2026, 12, 14))
    assert do_follow_up(cast.case.pk, datetime(2027, 2, 1, tzinfo=UTC)) == "nothing"
    assert not cast.case.notices.exists()


def test_escalation_gives_the_law_firm_a_complete_verifiable_case_file(
    client, cast, inbox, signing
):
    import hashlib
    import io
    import zipfile

    from fairclaim.cases.actions import do_escalate

    case = case_with_claim(cast, "de-send-shop-missing-credit.json", language="de")
    notice = do_create_demand(case, now=timezone.now(), actor="manager")
    do_send_notice(notice.pk, timezone.now())
    Case.objects.filter(pk=case.pk).update(state="overdue")
    case.refresh_from_db()
    firm = cast.lawfirm.organisation
    do_escalate(case, firm, actor="manager", now=timezone.now())
    sign_in(client, cast.lawfirm)
    response = client.get(reverse("cases:case_file", args=[case.reference]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = {n.split("/", 1)[1] for n in archive.namelist()}
    assert {"summary.pdf", "case-log.json", "chain-of-title.json", "MANIFEST.json"} <= names
    assert any(n.startswith("notices/") and n.endswith(".pdf") for n in names)
    assert any(n.startswith("fee-statements/") for n in names)
    manifest = json.loads(archive.read(f"{case.reference}/MANIFEST.json"))
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(archive.read(f"{case.reference}/{name}")).hexdigest() == digest
    sign_in(client, cast.other_lawfirm)
    assert client.get(reverse("cases:case_file", args=[case.reference])).status_code == 404


def test_a_dmca_notice_goes_to_the_designated_agent_with_the_512c3_elements(
    cast, inbox, signing, tmp_path
):
    from fairclaim.cases.sending import do_create_dmca

    case = case_with_claim(cast, "us-send-registered.json", language="en", jurisdiction="US")
    notice = do_create_dmca(
        case,
        host_name="Example Hosting Inc.",
        agent_email="dmca@host.example",
        signatory="Ada Lens",
        now=timezone.now(),
        actor="alice",
    )
    assert do_send_notice(notice.pk, timezone.now())
    [mail] = inbox.messages
    assert mail["To"] == "dmca@host.example"
    words = pdf_text(next(mail.iter_attachments()).get_content(), tmp_path)
    for element in (
        "/s/ Ada Lens",
        f"{cast.site[0]}/i/1.jpg",
        "good faith belief that use of the material in the manner complained of is not "
        "authorized by the copyright owner, its agent, or the law",
        "under penalty of perjury",
        "designated agent",
    ):
        assert element in words, element
    assert "USD" not in words  # a takedown asks for removal, not money
    case.refresh_from_db()
    assert case.state == "review"  # the demand flow is untouched
    assert case.events.filter(kind="dmca_queued").exists()
