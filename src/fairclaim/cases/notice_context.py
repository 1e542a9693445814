"""A notice's context built from a case: what the letters render (`fairclaim.letters.context`)."""

from __future__ import annotations

import base64
import io
from datetime import date

from django.conf import settings

from fairclaim.letters.context import NoticeContext, WorkUse
from fairclaim.links import public_url

from .claims import case_offers, latest_statements, statement_lines
from .log import export_case_log
from .models import Case

# Expense lines are "Aufwendungsersatz" under §97a(2) no. 3 UrhG; everything else is damages.
EXPENSE_CODES = {"documentation", "lawyer_fee"}


def build_context(case: Case, *, access_code: str, link_token: str, today: date) -> NoticeContext:
    link = public_url(f"/portal/link/{link_token}/" if link_token else "/portal/")
    statements = latest_statements(case)
    damages, expenses = [], []
    for line in statement_lines(case, statements):
        (expenses if line["code"] in EXPENSE_CODES else damages).append(line)
    context = NoticeContext(
        reference=case.reference,
        language=case.language,
        jurisdiction=case.jurisdiction,
        rights_holder=case.rights_holder.name,
        rights_holder_country=case.rights_holder.country,
        recipient_name=case.recipient_name or case.recipient_domain,
        recipient_domain=case.recipient_domain,
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


def _history(case: Case) -> tuple[dict, date | None]:
    rejection = (
        case.events.filter(kind__in=["defence_rejected", "licence_rejected"])
        .order_by("-seq")
        .first()
    )
    last = {}
    if rejection is not None:
        last = {
            "what": "defence" if rejection.kind == "defence_rejected" else "licence",
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
