"""Notifications: every party hears of what happened on a case (rules.notify decides who).

Each is an outbox row written in the same transaction as the case-log entry it is about, so a
rolled-back action tells nobody and a committed one is never forgotten. Sending reuses the
notice outbox's guarantees (cases.sending: a conditional-UPDATE claim, backoff, one Message-ID
per notification, a send interrupted after the server accepted it repeats with the same
Message-ID). A party who chose the daily digest gets one e-mail a day listing everything due;
signed-in parties also see each notification in their in-app list. Every delivered notification
is logged on its case (`notification_sent`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from fairclaim.accounts.models import User
from fairclaim.letters.mail import build_mail
from fairclaim.links import public_url
from fairclaim.rules.case_events import LogKind
from fairclaim.rules.case_states import CaseEvent as FlowEvent
from fairclaim.rules.case_states import CaseState
from fairclaim.rules.notify import parties_to_tell

from .access_codes import one_time_link_token
from .models import Case, CaseEvent, Notification, NotificationPreference

log = logging.getLogger(__name__)

# Digests go out once a day at this time (UTC), covering everything queued before it.
DIGEST_AT = time(7, 0)
STAFF_ROLES = {
    "rights_holder": User.Role.RIGHTS_HOLDER,
    "case_manager": User.Role.CASE_MANAGER,
    "law_firm": User.Role.LAW_FIRM,
}


# Set while past events are recorded (see `recording_the_past`).
_PAST = ContextVar("fairclaim_recording_the_past", default=False)


@contextmanager
def recording_the_past() -> Iterator[None]:
    """Write case-log entries for things that happened long ago (a demo's history, an import of
    old cases) without telling anyone now: the log is complete, nobody gets news of last year."""
    token = _PAST.set(True)
    try:
        yield
    finally:
        _PAST.reset(token)


def queue_for_event(case: Case, event: CaseEvent) -> list[Notification]:
    """Queue the notifications one case-log entry calls for (called by `append_event`, inside
    its transaction)."""
    if _PAST.get():
        return []
    parties = parties_to_tell(
        event.kind, event.payload, escalated=case.state == CaseState.ESCALATED
    )
    if not parties:
        return []
    queued = []
    for party in sorted(parties):
        if party == "recipient":
            if case.recipient_email:
                queued.append(_queue(case, event, party, None, case.recipient_email))
            continue
        for user in _staff_for(case, party, event):
            queued.append(_queue(case, event, party, user, user.email))
    transaction.on_commit(lambda: _enqueue_immediate([n.pk for n in queued if not n.digest]))
    return queued


def _staff_for(case: Case, party: str, event: CaseEvent):
    from fairclaim.accounts.models import Organisation

    users = User.objects.filter(is_active=True, role=STAFF_ROLES[party])
    if party == "law_firm":
        # On escalation the firm is named in the entry (the case row is updated just after).
        firm = (
            event.payload.get("law_firm") if event.kind == FlowEvent.ESCALATED else case.law_firm_id
        )
        return list(users.filter(organisation_id=firm)) if firm else []
    # Those `cases_for` lets see this case, in one query (not one per staff member of the
    # platform): superusers, the rights holder's own members, its operator's case managers.
    holder = case.rights_holder_id
    sees = Q(is_superuser=True) | Q(role=User.Role.RIGHTS_HOLDER, organisation_id=holder)
    operator = (
        Organisation.objects.filter(pk=holder).values_list("operator_id", flat=True)
    ).first()
    if operator is not None:
        sees |= Q(role=User.Role.CASE_MANAGER, organisation_id=operator)
    return list(users.filter(sees).order_by("pk"))


def _frequency(user: User | None) -> str:
    if user is None:
        return NotificationPreference.Frequency.IMMEDIATE
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference.frequency if preference else NotificationPreference.Frequency.IMMEDIATE


def next_digest_time(now: datetime) -> datetime:
    today = datetime.combine(now.date(), DIGEST_AT, tzinfo=now.tzinfo)
    return today if now < today else today + timedelta(days=1)


def notification_language(case: Case, party: str, user: User | None) -> str:
    """The recipient reads the case's language (any of `settings.LANGUAGES`); a signed-in party
    the language they chose for the application (English until they choose)."""
    if party == "recipient":
        language = case.language
        return language if language in dict(settings.LANGUAGES) else "en"
    return (user.language if user else "") or "en"


def _queue(case, event, party, user, email) -> Notification:
    digest = _frequency(user) == NotificationPreference.Frequency.DAILY
    language = notification_language(case, party, user)
    link = _link_for(case, party)
    with translation.override(language):
        context = {
            "case": case,
            "event": event,
            "party": party,
            "link": link,
            "message": _message_text(event),
            "frequency": "daily" if digest else "immediate",
        }
        subject = " ".join(render_to_string("cases/notifications/subject.txt", context).split())
        body = render_to_string("cases/notifications/body.txt", context)
    key = f"{case.reference}-{event.seq}-{party}-{user.pk if user else 'r'}"
    notification = Notification.objects.create(
        case=case,
        audience=party,
        user=user,
        event_seq=event.seq,
        kind=event.kind,
        email=email or "",
        language=language,
        subject=subject[:300],
        body_text=body,
        link=link,
        digest=digest,
        idempotency_key=key,
        message_id=f"<{key}@{_mail_domain()}>",
        created_at=event.at,
        queued_at=next_digest_time(event.at) if digest else event.at,
    )
    return notification


def _message_text(event: CaseEvent) -> str:
    from .models import Message

    if event.kind != "message_posted":
        return ""
    message = Message.objects.filter(pk=event.payload.get("message")).first()
    return message.body if message else ""


def _link_for(case: Case, party: str) -> str:
    if party == "recipient":
        return public_url(f"/portal/link/{one_time_link_token(case)}/")
    return public_url(reverse("cases:detail", args=[case.reference]))


def _mail_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "fairclaim.invalid"


def _enqueue_immediate(pks: list[int]) -> None:
    from .tasks import send_notification

    for pk in pks:
        send_notification.enqueue(pk)


def do_send_notification(notification_id: int, now: datetime) -> bool:
    """Send one immediate notification (the notice outbox's claim and retry rules)."""
    from .sending import claim_for_sending, record_failed_attempt

    if not claim_for_sending(Notification, notification_id, now, digest=False):
        return False
    notification = Notification.objects.select_related("case").get(pk=notification_id)
    if not notification.email:
        _mark_sent([notification], now)  # in-app only
        return True
    try:
        build_mail(
            subject=notification.subject,
            text=notification.body_text,
            html=_html(notification.body_text, notification.link, notification.language),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.email],
            headers={
                "Message-ID": notification.message_id,
                "X-Fairclaim-Reference": notification.case.reference,
            },
        ).send(fail_silently=False)
    except OSError as exc:
        record_failed_attempt(Notification, notification, exc, now)
        return False
    _mark_sent([notification], now)
    return True


def do_send_digests(now: datetime) -> int:
    """One e-mail per address with every digest notification due; returns the e-mails sent."""
    from .sending import stale_sending

    due = Notification.objects.filter(
        Q(status=Notification.Status.QUEUED, queued_at__lte=now)
        | Q(status=Notification.Status.SENDING, sending_started_at__lt=now - stale_sending()),
        digest=True,
    )
    sent = 0
    for email in sorted(set(due.values_list("email", flat=True))):
        batch = list(due.filter(email=email).order_by("created_at").values_list("pk", flat=True))
        claimed = Notification.objects.filter(
            Q(status=Notification.Status.QUEUED)
            | Q(status=Notification.Status.SENDING, sending_started_at__lt=now - stale_sending()),
            pk__in=batch,
        ).update(status=Notification.Status.SENDING, sending_started_at=now)
        if not claimed:
            continue
        items = list(
            Notification.objects.select_related("case").filter(
                pk__in=batch, status=Notification.Status.SENDING, sending_started_at=now
            )
        )
        if not email:
            _mark_sent(items, now)
            continue
        language = items[0].language  # the user's language when the first item was queued
        with translation.override(language):
            text = render_to_string("cases/notifications/digest.txt", {"items": items, "now": now})
            subject = ngettext(
                "fairclaim: %(n)s update on your cases",
                "fairclaim: %(n)s updates on your cases",
                len(items),
            ) % {"n": len(items)}
        try:
            build_mail(
                subject=subject,
                text=text,
                html=_html(text, "", language),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[email],
                headers={"Message-ID": f"<digest-{items[0].idempotency_key}@{_mail_domain()}>"},
            ).send(fail_silently=False)
        except OSError as exc:
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(
                status=Notification.Status.QUEUED, last_error=str(exc)[:2000]
            )
            continue
        _mark_sent(items, now)
        sent += 1
    return sent


def _mark_sent(items: list[Notification], now: datetime) -> None:
    from .log import append_event

    with transaction.atomic():
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(
            status=Notification.Status.SENT, sent_at=now, last_error=""
        )
        for n in items:
            append_event(
                n.case,
                LogKind.NOTIFICATION_SENT,
                {
                    "notification": n.pk,
                    "about": n.event_seq,
                    "audience": n.audience,
                    "digest": n.digest,
                    "message_id": n.message_id if n.email else "",
                },
                actor="system",
                at=now,
            )


def _html(text: str, link: str, language: str) -> str:
    return render_to_string(
        "cases/notifications/body.html", {"text": text, "link": link, "language": language}
    )


def due_notifications(now: datetime) -> list[int]:
    """Immediate notifications to retry after backoff, or whose sender died mid-send."""
    from .sending import MAX_ATTEMPTS, stale_sending

    return list(
        Notification.objects.filter(
            Q(status=Notification.Status.QUEUED, queued_at__lte=now)
            | Q(status=Notification.Status.SENDING, sending_started_at__lt=now - stale_sending()),
            digest=False,
            attempts__lt=MAX_ATTEMPTS,
        ).values_list("pk", flat=True)[:200]
    )
