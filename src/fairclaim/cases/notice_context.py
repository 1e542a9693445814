"""A notice's context built from a case: what the letters render (`fairclaim.letters.context`)."""

from __future__ import annotations

import base64
import io
from datetime import date

from django.conf import settings

from fairclaim.accounts.models import Organisation, User
from fairclaim.letters.context import PLATFORM_NAME, NoticeContext, Sender, WorkUse
from fairclaim.links import public_url
from fairclaim.rules.case_states import CaseEvent as FlowEvent
from fairclaim.rules.fees import EXPENSE_CODES, OFFER_CODES

from .log import export_case_log
from .models import Case
from .statements import case_offers, latest_statements, statement_lines, work_title


def build_context(case: Case, *, access_code: str, link_token: str, today: date) -> NoticeContext:
    link = public_url(f"/portal/link/{link_token}/" if link_token else "/portal/")
    statements = latest_statements(case)
    damages, expenses, offer_lines = [], [], []
    for line in statement_lines(case, statements):
        if line["code"] in EXPENSE_CODES:
            expenses.append(line)
        elif line["code"] in OFFER_CODES or "past_only" not in line["offers"]:
            offer_lines.append(line)
        else:
            damages.append(line)
    context = NoticeContext(
        reference=case.reference,
        language=case.language,
        jurisdiction=case.jurisdiction,
        rights_holder=case.rights_holder.name,
        rights_holder_country=case.rights_holder.country,
        recipient_name=case.recipient_name or case.recipient_domain,
        recipient_domain=case.recipient_domain,
        recipient_address=case.recipient_address.strip(),
        deadline=case.deadline,
        portal_url=public_url("/portal/"),
        link_url=link,
        verify_url=public_url("/verify/"),
        key_url=public_url("/.well-known/fairclaim-signing-key"),
        access_code=access_code,
        qr_uri=_qr(link),
        currency=case.currency,
        damages=damages,
        expenses=expenses,
        offer_lines=offer_lines,
        statements=[(work_title(s), s.value()) for s in statements],
        sender=sender_of(case),
        totals={
            name: {"net": o.net.amount, "vat": o.vat.amount, "gross": o.gross.amount}
            for name, o in case_offers(case, statements).items()
        },
        statutory_damages_available=_statutory_available(case),
        consumer=case.recipient_type == Case.RecipientType.CONSUMER,
        today=today,
        sender_email=settings.DEFAULT_FROM_EMAIL,
        case_log=_case_log_extract(case),
    )
    for line in case.lines.select_related("work", "match__sighting"):
        sighting = line.match.sighting if line.match else None
        context.uses.append(
            WorkUse(
                title=line.work.title or line.work.original_filename,
                creator=line.work.creator,
                copyright_notice=line.work.copyright_notice,
                sha256=line.work.sha256,
                thumbnail_uri=_thumbnail(line.work),
                page_url=sighting.page_url if sighting else "",
                image_url=sighting.image_url if sighting else "",
                first_seen=sighting.first_seen.date() if sighting else None,
                last_seen=sighting.last_seen.date() if sighting else None,
                still_online=bool(sighting and sighting.gone_at is None),
                how_used=(line.match.report or {}).get("summary", "") if line.match else "",
                match_score=line.match.score if line.match else None,
            )
        )
    context.last_rejection, context.recipient_wrote_on = _history(case)
    return context


def sender_of(case: Case) -> Sender:
    """The rights holder, the operator acting for it (the platform when none) and the named
    person to contact: the operator's first active case manager."""
    holder = case.rights_holder
    agent: Organisation | None = holder.operator
    contact = None
    if agent is not None:
        contact = (
            agent.members.filter(role=User.Role.CASE_MANAGER, is_active=True).order_by("id").first()
        )
    return Sender(
        rights_holder=holder.name,
        rights_holder_address=holder.address.strip(),
        rights_holder_country=holder.country,
        agent=agent.name if agent else PLATFORM_NAME,
        agent_address=agent.address.strip() if agent else "",
        agent_country=agent.country if agent else "",
        contact_name=(contact.get_full_name() or contact.get_username()) if contact else "",
        contact_email=(agent.email if agent and agent.email else "")
        or (contact.email if contact else "")
        or settings.DEFAULT_FROM_EMAIL,
    )


def _history(case: Case) -> tuple[dict, date | None]:
    rejection = (
        case.events.filter(kind__in=[FlowEvent.DEFENCE_REJECTED, FlowEvent.LICENCE_REJECTED])
        .order_by("-seq")
        .first()
    )
    last = {}
    if rejection is not None:
        last = {
            "what": "defence" if rejection.kind == FlowEvent.DEFENCE_REJECTED else "licence",
            "on": rejection.at.date(),
            "reasons": rejection.payload.get("reasons", ""),
        }
    wrote = case.messages.filter(author_kind="recipient").order_by("-created_at").first()
    return last, wrote.created_at.date() if wrote else None


def _case_log_extract(case: Case) -> dict:
    events = export_case_log(case)["events"]
    return {
        "case": case.reference,
        "head": events[-1]["hash"] if events else None,
        "entries": [
            {"seq": e["seq"], "kind": e["kind"], "at": e["at"], "hash": e["hash"]} for e in events
        ],
    }


def _statutory_available(case: Case) -> bool:
    """Only when every claim's check found US statutory damages available (17 USC 412)."""
    codes = [{f["code"] for f in claim.result.get("findings", [])} for claim in case.claims.all()]
    return bool(codes) and all("US_412_AVAILABLE" in found for found in codes)


def _thumbnail(work) -> str:
    if not work.thumbnail:
        return ""
    with work.thumbnail.open("rb") as handle:
        return "data:image/jpeg;base64," + base64.b64encode(handle.read()).decode()


def _qr(url: str) -> str:
    import qrcode

    out = io.BytesIO()
    qrcode.make(url, box_size=4, border=2).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
