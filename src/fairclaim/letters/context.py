"""Everything a notice says, as plain values for the templates (`fairclaim.cases.notice_context`
gathers them from a case). Letters render these values and never read the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from fairclaim.rules.fees import FeeStatement

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
