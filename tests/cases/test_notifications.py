"""Notifications over a real SMTP server on loopback: every decision and reply to the recipient,
every recipient action to the rights holder and the manager (e-mail and the in-app list), the
escalation to the law firm; immediate or a daily digest; each sent once and logged on the case."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fairclaim.cases.access_codes import new_access_code
from fairclaim.cases.models import Case, Defence, Notification, NotificationPreference
from fairclaim.cases.notifications import do_send_digests, do_send_notification
from fairclaim.cases.responses import do_decide_defence, do_post_message, do_raise_defence
from tests.cast import PASSWORD

PUBLIC = "http://127.0.0.1:8765"


@pytest.fixture
def open_case(cast, settings):
    settings.FAIRCLAIM_PUBLIC_URL = PUBLIC
    for user, email in [
        (cast.alice, "alice@photo.example"),
        (cast.manager, "manager@ops.example"),
        (cast.lawfirm, "lawyer@firm.example"),
    ]:
        user.email = email
        user.save()
    Case.objects.filter(pk=cast.case.pk).update(
        state="notice_sent",
        law_firm=None,
        recipient_email="info@shop.example",
        deadline=timezone.localdate() + dt.timedelta(days=14),
    )
    case = Case.objects.get(pk=cast.case.pk)
    new_access_code(case)
    return case


def send_all(now=None):
    now = now or timezone.now()
    pks = Notification.objects.filter(digest=False, status="queued").values_list("pk", flat=True)
    return [do_send_notification(pk, now) for pk in list(pks)]


def mails_to(inbox, address):
    return [m for m in inbox.messages if m["To"] == address]


def test_a_defence_tells_the_rights_holder_and_the_manager_once(cast, open_case, inbox):
    do_raise_defence(open_case, "licence_elsewhere", "We have a licence.", None, timezone.now())
    # Alice, her read-only assistant (no e-mail: in-app only) and the manager.
    assert send_all() == [True, True, True]
    assert send_all() == []  # nothing left: each is sent exactly once
    for address in ("alice@photo.example", "manager@ops.example"):
        [mail] = mails_to(inbox, address)
        assert mail["Subject"] == (
            f"{open_case.reference} (shop.example): the recipient raised a defence"
        )
        body = mail.get_body(("plain",)).get_content()
        assert f"{PUBLIC}/cases/{open_case.reference}/" in body
    assert not mails_to(inbox, "info@shop.example")  # the recipient is not told of their own act
    logged = open_case.events.filter(kind="notification_sent")
    audiences = sorted(e.payload["audience"] for e in logged)
    assert audiences == ["case_manager", "rights_holder", "rights_holder"]
    # The in-app list with its unread count.
    client = Client()
    client.login(username="alice", password=PASSWORD)
    page = client.get(reverse("cases:notifications")).content.decode()
    assert "1 unread" in page
    assert "the recipient raised a defence" in page
    client.post(reverse("cases:notifications_read"))
    assert "unread" not in client.get(reverse("cases:notifications")).content.decode()


def test_the_decision_reaches_the_recipient_with_reasons_and_a_working_link(cast, open_case, inbox):
    do_raise_defence(open_case, "licence_elsewhere", "We have a licence.", None, timezone.now())
    defence = Defence.objects.get(case=open_case)
    open_case.refresh_from_db()
    do_decide_defence(
        defence, uphold=False, reasons="The licence covers print only.", user=cast.manager,
        now=timezone.now(),
    )  # fmt: skip
    send_all()
    [mail] = mails_to(inbox, "info@shop.example")
    assert mail["Subject"] == f"{open_case.reference}: your defence was rejected"
    body = mail.get_body(("plain",)).get_content()
    assert "Reasons: The licence covers print only." in body
    link = re.search(rf"{re.escape(PUBLIC)}/portal/link/\S+/", body)[0]
    html = mail.get_body(("html",)).get_content()
    assert f'href="{link}"' in html
    recipient = Client()
    opened = recipient.get(link.removeprefix(PUBLIC))
    assert opened["Location"] == reverse("portal:case", args=[open_case.reference])
    assert "The licence covers print only." in recipient.get(opened["Location"]).content.decode()


def test_a_reply_reaches_the_recipient_and_their_message_reaches_staff(cast, open_case, inbox):
    do_post_message(
        open_case, "Can I pay in instalments?", author_kind="recipient", author=None,
        now=timezone.now(),
    )  # fmt: skip
    do_post_message(
        open_case, "Yes, up to six.", author_kind="case_manager", author=cast.manager,
        now=timezone.now(),
    )  # fmt: skip
    send_all()
    [to_alice] = mails_to(inbox, "alice@photo.example")
    assert "Can I pay in instalments?" in to_alice.get_body(("plain",)).get_content()
    [to_recipient] = mails_to(inbox, "info@shop.example")
    assert "Yes, up to six." in to_recipient.get_body(("plain",)).get_content()


def test_the_german_recipient_is_told_in_german(cast, open_case, inbox):
    Case.objects.filter(pk=open_case.pk).update(language="de")
    open_case.refresh_from_db()
    do_post_message(
        open_case, "Ja, in Raten.", author_kind="case_manager", author=cast.manager,
        now=timezone.now(),
    )  # fmt: skip
    send_all()
    [mail] = mails_to(inbox, "info@shop.example")
    assert mail["Subject"] == f"{open_case.reference}: Neue Antwort zu Ihrem Fall"
    assert "Fall öffnen (einmaliger Link)" in mail.get_body(("plain",)).get_content()


@pytest.mark.parametrize(
    ("language", "subject", "opening"),
    [
        (
            "fr",
            "une nouvelle réponse dans votre dossier",
            "Ouvrir votre dossier (lien à usage unique)",
        ),
        (
            "es",
            "una nueva respuesta en su expediente",
            "Abrir su expediente (enlace de un solo uso)",
        ),
        (
            "it",
            "una nuova risposta nella Sua pratica",
            "Apra la Sua pratica (collegamento monouso)",
        ),
    ],
)
def test_a_recipient_is_told_in_the_cases_language(
    cast, open_case, inbox, language, subject, opening
):
    Case.objects.filter(pk=open_case.pk).update(language=language)
    open_case.refresh_from_db()
    do_post_message(
        open_case, "Oui.", author_kind="case_manager", author=cast.manager, now=timezone.now()
    )
    send_all()
    [mail] = mails_to(inbox, "info@shop.example")
    assert mail["Subject"].strip() == f"{open_case.reference}: {subject}"  # folded when encoded
    assert opening in mail.get_body(("plain",)).get_content()


def test_a_signed_in_party_is_told_in_the_language_they_chose(cast, open_case, inbox):
    cast.manager.language = "de"
    cast.manager.save()
    do_raise_defence(open_case, "licence_elsewhere", "Wir haben eine Lizenz.", None, timezone.now())
    send_all()
    [to_manager] = mails_to(inbox, "manager@ops.example")
    [to_alice] = mails_to(inbox, "alice@photo.example")
    assert to_manager["Subject"].endswith("der Empfänger hat einen Einwand erhoben")
    assert "Die Frist ist angehalten" in to_manager.get_body(("plain",)).get_content()
    assert to_alice["Subject"].endswith("the recipient raised a defence")  # no choice: English


def test_a_daily_digest_collects_everything_into_one_mail_once(cast, open_case, inbox):
    NotificationPreference.objects.create(user=cast.alice, frequency="daily")
    now = timezone.now()
    do_raise_defence(open_case, "licence_elsewhere", "We have a licence.", None, now)
    do_post_message(open_case, "Hello?", author_kind="recipient", author=None, now=now)
    send_all()
    assert not mails_to(inbox, "alice@photo.example")  # nothing immediate for a digest reader
    assert len(mails_to(inbox, "manager@ops.example")) == 2  # the manager chose immediate
    due = Notification.objects.filter(user=cast.alice).values_list("queued_at", flat=True)
    later = max(due) + dt.timedelta(minutes=1)
    assert do_send_digests(min(due) - dt.timedelta(minutes=1)) == 0
    assert do_send_digests(later) == 1
    assert do_send_digests(later) == 0
    [digest] = mails_to(inbox, "alice@photo.example")
    text = digest.get_body(("plain",)).get_content()
    assert "the recipient raised a defence" in text
    assert "the recipient wrote" in text


def test_the_law_firm_hears_of_the_escalation_and_later_recipient_actions(cast, open_case, inbox):
    from fairclaim.cases.actions import do_transition

    Case.objects.filter(pk=open_case.pk).update(state="overdue")
    open_case.refresh_from_db()
    firm = cast.lawfirm.organisation
    do_transition(
        open_case, "escalated", actor="manager", now=timezone.now(),
        payload={"law_firm": firm.pk, "law_firm_name": firm.name},
    )  # fmt: skip
    Case.objects.filter(pk=open_case.pk).update(law_firm=firm)
    open_case.refresh_from_db()
    do_post_message(open_case, "Still disputed.", author_kind="recipient", author=None,
                    now=timezone.now())  # fmt: skip
    send_all()
    subjects = [m["Subject"] for m in mails_to(inbox, "lawyer@firm.example")]
    assert subjects == [
        f"{open_case.reference} (shop.example): escalated to your firm",
        f"{open_case.reference} (shop.example): the recipient wrote",
    ]


def test_a_refused_connection_is_retried_and_never_lost(cast, open_case, settings):
    from tests.webserver import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    do_post_message(open_case, "Hi", author_kind="case_manager", author=cast.manager,
                    now=timezone.now())  # fmt: skip
    [pending] = Notification.objects.filter(audience="recipient")
    assert do_send_notification(pending.pk, timezone.now()) is False
    pending.refresh_from_db()
    assert (pending.status, pending.attempts) == ("queued", 1)
    assert pending.last_error
    assert not open_case.events.filter(kind="notification_sent").exists()
