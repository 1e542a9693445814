"""A DMCA takedown notification to a host's designated agent (17 U.S.C. § 512(c)(3))."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from fairclaim.letters.render import render_notice
from fairclaim.rules.case_events import LogKind
from fairclaim.rules.send_gate import NoticeKind

from .log import append_event
from .models import Case, Notice
from .notice_context import build_context
from .outbox import NoticeNotAllowed, enqueue_notice, require_gate, store_notice


def do_create_dmca(
    case: Case, *, host_name: str, agent_email: str, signatory: str, now: datetime, actor: str
) -> Notice:
    """A DMCA takedown notification (17 USC 512(c)(3)) to the host's designated agent, the
    alternative to a demand when the rights holder only wants the copy gone. It asks for removal,
    not money, so it never carries a fee statement."""
    if not (host_name and agent_email and signatory):
        raise NoticeNotAllowed(
            "A DMCA notice needs the host, its designated agent and a signatory."
        )
    require_gate(case, NoticeKind.DMCA, now, recipient_email=agent_email)
    context = build_context(case, access_code="", link_token="", today=now.date())
    context.language = "en"  # 512(c)(3) is US law, sent to US hosts
    context.host_name, context.agent_email, context.signatory = host_name, agent_email, signatory
    rendered = render_notice(context, kind="dmca")
    with transaction.atomic():
        notice = store_notice(
            case, Notice.Kind.DMCA_TAKEDOWN, f"{case.reference}-dmca.pdf", rendered, "en", None, now
        )
        Notice.objects.filter(pk=notice.pk).update(recipient_email=agent_email)
        notice.recipient_email = agent_email
        append_event(
            case,
            LogKind.DMCA_QUEUED,
            {
                "notice": notice.pk,
                "host": host_name,
                "agent": agent_email,
                "pdf_sha256": rendered.pdf_sha256,
            },
            actor=actor,
            at=now,
        )
        transaction.on_commit(lambda: enqueue_notice(notice.pk))
    return notice
