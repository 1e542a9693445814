"""Everything a notice says, gathered from the database into plain values for the templates."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings

from fairclaim.accounts.models import Organisation, User
from fairclaim.cases.models import Case
from fairclaim.cases.statements import case_offers, latest_statements, statement_lines, work_title
from fairclaim.links import public_url
from fairclaim.rules.fees import EXPENSE_CODES, OFFER_CODES, FeeStatement

# Who signs for the platform when a rights holder has no operator acting for it.
PLATFORM_NAME = "fairclaim"


@dataclass
class Sender:
    """Who writes: the rights holder, the organisation acting for it, and a person to ask."""

    rights_holder: str
    rights_holder_address: str = ""
    rights_holder_country: str = ""
    agent: str = PLATFORM_NAME
    agent_address: str = ""
    agent_country: str = ""
    contact_name: str = ""
    contact_email: str = ""

    @property
    def agent_address_line(self) -> str:
        return _one_line(self.agent_address)

    @property
    def rights_holder_address_line(self) -> str:
        return _one_line(self.rights_holder_address)


@dataclass
class WorkUse:
    title: str
    creator: str
    copyright_notice: str
    sha256: str
    thumbnail_uri: str
    page_url: str
    image_url: str
    first_seen: date | None
    last_seen: date | None
    still_online: bool
    how_used: str
    match_score: float | None


@dataclass
class NoticeContext:
    reference: str
    language: str
    jurisdiction: str
    rights_holder: str
    rights_holder_country: str
    recipient_name: str
    recipient_domain: str
    deadline: date | None
    portal_url: str
    link_url: str  # the one-time link into this case (the plain portal when there is none)
    verify_url: str
    key_url: str
    access_code: str
    qr_uri: str
    currency: str
    uses: list[WorkUse] = field(default_factory=list)
    damages: list[dict] = field(default_factory=list)
    expenses: list[dict] = field(default_factory=list)
    # The future licence: part of the second offer, never of the damages.
    offer_lines: list[dict] = field(default_factory=list)
    # The typed statement of each work (title, latest statement): the letter's fee section is
    # worded from them in the letter's language when it is rendered.
    statements: list[tuple[str, FeeStatement]] = field(default_factory=list)
    sender: Sender | None = None
    totals: dict[str, dict] = field(default_factory=dict)
    statutory_damages_available: bool = False
    consumer: bool = False
    today: date | None = None
    # A DMCA notification goes to the host's designated agent, signed by a person.
    host_name: str = ""
    agent_email: str = ""
    signatory: str = ""
    sender_email: str = ""
    recipient_address: str = ""  # postal, as in the imprint
    # Settlement documents.
    paid_total: Decimal | None = None
    offer: str = ""
    licence_until: date | None = None
    # The case log as it stands when the document is issued: kind, time and chain hash of each
    # entry (no payloads: those may hold the rights holder's internal notes). Embedded in the PDF.
    case_log: dict = field(default_factory=dict)
    # What happened since the first notice, so a reminder never says "we have not heard from
    # you" to someone who wrote or defended: the latest rejection with its reasons, and the day
    # the recipient last wrote.
    last_rejection: dict = field(default_factory=dict)
    recipient_wrote_on: date | None = None

    @property
    def recipient_address_line(self) -> str:
        return _one_line(self.recipient_address)


def _one_line(address: str) -> str:
    return ", ".join(line.strip() for line in address.splitlines() if line.strip())


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
    from fairclaim.cases.log import export_case_log

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
