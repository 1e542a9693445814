"""Replies and bounces to notices: matched to their notice by Message-ID and kept on the case."""

from __future__ import annotations

import email
import re
from datetime import datetime
from email import policy

from django.db import transaction

from fairclaim.rules.case_events import LogKind

from .log import append_event
from .models import Message, Notice

MESSAGE_ID = re.compile(r"<[^<>\s]+>")
MAX_BODY = 20_000  # characters kept of a reply; the raw mail is the recipient's, not evidence


def record_inbound(raw: bytes, now: datetime) -> Notice | None:
    """Record a reply or a delivery-status report against the notice it refers to. Returns the
    notice, or None when the mail refers to no notice of ours (then nothing is stored)."""
    mail = email.message_from_bytes(raw, policy=policy.default)
    ids = MESSAGE_ID.findall(f"{mail.get('In-Reply-To', '')} {mail.get('References', '')}")
    bounce = mail.get_content_type() == "multipart/report"
    if bounce:
        for part in mail.walk():
            if part.get_content_type() in {
                "message/rfc822",
                "text/rfc822-headers",
                "message/rfc822-headers",
            }:
                ids += MESSAGE_ID.findall(str(part.get("Message-ID", "")))
                ids += MESSAGE_ID.findall(part.as_string())
    notice = Notice.objects.select_related("case").filter(message_id__in=ids).first()
    if notice is None:
        return None
    body = mail.get_body(("plain",))
    text = body.get_content()[:MAX_BODY] if body is not None else ""
    with transaction.atomic():
        if bounce:
            Notice.objects.filter(pk=notice.pk).update(
                status=Notice.Status.FAILED, last_error=f"bounced: {text[:500]}"
            )
            append_event(
                notice.case,
                LogKind.NOTICE_BOUNCED,
                {"notice": notice.pk, "report": text[:500]},
                actor="mail",
                at=now,
            )
        else:
            message = Message.objects.create(
                case=notice.case,
                author_kind=Message.Author.RECIPIENT,
                body=f"(by e-mail, {mail.get('From', '')})\n\n{text}",
            )
            append_event(
                notice.case,
                LogKind.REPLY_RECEIVED,
                {"notice": notice.pk, "message": message.pk},
                actor="mail",
                at=now,
            )
    return notice
