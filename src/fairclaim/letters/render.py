"""Rendering a notice: one template per language (with its law paragraphs per jurisdiction)
gives the HTML e-mail, the plain-text part and, through WeasyPrint, the PDF.

Every PDF we issue (`issue_pdf`) is PDF/A-3b (archival: fonts embedded, XMP metadata) and tagged
(accessible: structure a screen reader follows), carries its machine-readable data as PDF/A-3
associated files (the fee statement, the case-log extract), and is signed (PAdES) by the
platform's document certificate, with an RFC 3161 timestamp when a TSA is configured. A reader
checks it in any PDF viewer; the detached Ed25519 signature over the PDF's SHA-256 (kept on the
notice) still lets `/verify/` find the notice by its exact bytes."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import strip_tags

from fairclaim.evidence.keys import Signer, signature_holds
from fairclaim.evidence.pdfsign import sign_pdf as pades_sign
from fairclaim.rules.money import Money

from . import formats
from .context import NoticeContext
from .fee_section import build_fee_section
from .signing import platform_signer

LANGUAGES = set(formats.LETTER_LANGUAGES)
JURISDICTIONS = {"DE", "US", "GB"}  # others fall back to the neutral English/German text
PDF_VARIANT = "pdf/a-3b"  # ISO 19005-3: archival, and allows embedded data files
# The reason a PDF reader shows beside the signature.
SIGNING_REASON = "Issued by the fairclaim platform; any later change breaks this signature"
FEE_STATEMENT_FILE = "fee-statement.json"
CASE_LOG_FILE = "case-log-extract.json"


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    text: str
    html: str
    pdf: bytes

    @property
    def pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


@dataclass(frozen=True)
class PdfAttachment:
    """A data file embedded as a PDF/A-3 associated file (AFRelationship /Data)."""

    name: str
    data: bytes
    description: str


def render_notice(context: NoticeContext, kind: str = "demand") -> RenderedNotice:
    language = context.language if context.language in LANGUAGES else "en"
    law = context.jurisdiction if context.jurisdiction in JURISDICTIONS else "other"
    law_template = f"letters/{language}/law_{law.lower()}.html"
    locale = formats.locale_for(language, context.jurisdiction)
    with translation.override(language):
        data = {
            "n": context,
            "law_template": law_template,
            "fees": build_fee_section(context.statements, context.jurisdiction, locale),
            "amounts": shown_amounts(context, locale),
        }
        # The legal basis in the plain-text part too: the same paragraphs, without markup.
        data["law_text"] = plain(render_to_string(law_template, data))
        subject = render_to_string(f"letters/{language}/{kind}_subject.txt", data).strip()
        html = render_to_string(f"letters/{language}/{kind}.html", {**data, "subject": subject})
        text = render_to_string(f"letters/{language}/{kind}.txt", {**data, "subject": subject})
    subject = " ".join(subject.split())
    pdf = issue_pdf(html, attachments=notice_attachments(context, kind))
    return RenderedNotice(subject=subject, text=text, html=html, pdf=pdf)


def shown_amounts(context: NoticeContext, locale: str) -> dict[str, str]:
    """The offers' gross totals and the amount paid, formatted for the letter's locale."""
    shown = {
        name: formats.money(Money(Decimal(total["gross"]), context.currency), locale)
        for name, total in context.totals.items()
    }
    if context.paid_total is not None:
        shown["paid_total"] = formats.money(Money(context.paid_total, context.currency), locale)
    return shown


def plain(html: str) -> str:
    """HTML paragraphs as plain text: headings and paragraphs on lines of their own."""
    text = html.replace("</h2>", "\n").replace("</p>", "\n\n")
    lines = (" ".join(line.split()) for line in strip_tags(text).splitlines())
    return "\n".join(lines).strip().replace("\n\n\n", "\n\n")


def notice_attachments(context: NoticeContext, kind: str) -> list[PdfAttachment]:
    """The fee statement (when the document states an amount) and the case-log extract."""
    attachments = []
    if context.damages or context.expenses or context.offer_lines or context.paid_total is not None:
        statement = {
            "format": "fairclaim-fee-statement/1",
            "reference": context.reference,
            "document": kind,
            "currency": context.currency,
            "damages": context.damages,
            "expenses": context.expenses,
            "offer_lines": context.offer_lines,
            "totals": context.totals,
            "paid_total": context.paid_total,
            "offer": context.offer or None,
            "licence_until": context.licence_until,
        }
        attachments.append(
            PdfAttachment(
                FEE_STATEMENT_FILE,
                _json(statement),
                "Itemised fee statement: every amount with its legal basis",
            )
        )
    if context.case_log:
        attachments.append(
            PdfAttachment(
                CASE_LOG_FILE,
                _json({"format": "fairclaim-case-log-extract/1", **context.case_log}),
                "Case log at issue: each entry's kind, time and chain hash",
            )
        )
    return attachments


def _json(document: Mapping[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n").encode()


def pdf_of(html: str, attachments: Mapping[str, bytes] | None = None) -> bytes:
    """A signed PDF/A-3b of `html` (the case-file summary and other documents we issue);
    `attachments` maps file names to JSON bytes embedded as associated files."""
    files = [
        PdfAttachment(name, data, f"{name}, as of this document")
        for name, data in (attachments or {}).items()
    ]
    return issue_pdf(html, attachments=files)


def issue_pdf(
    html: str, *, attachments: list[PdfAttachment] | tuple = (), signer: Signer | None = None
) -> bytes:
    """Render tagged PDF/A-3b with embedded data files, then sign it (PAdES, timestamped when
    FAIRCLAIM_TSA_URL is set). The signature is an incremental update: the PDF/A bytes stay."""
    pdf = render_pdf_a(html, attachments)
    signer = signer or platform_signer()
    if signer.document is None:
        return pdf
    return pades_sign(
        pdf,
        signer.document,
        reason=SIGNING_REASON,
        location=settings.FAIRCLAIM_PUBLIC_URL,
        contact=settings.DEFAULT_FROM_EMAIL,
        tsa_url=settings.FAIRCLAIM_TSA_URL or None,
        allow_loopback=settings.FAIRCLAIM_ALLOW_LOOPBACK,
    )


def render_pdf_a(html: str, attachments: list[PdfAttachment] | tuple = ()) -> bytes:
    from weasyprint import HTML, Attachment

    files = [
        Attachment(
            string=item.data,
            name=item.name,
            description=item.description,
            relationship="Data",
        )
        for item in attachments
    ]
    return HTML(string=html, base_url=".").write_pdf(
        presentational_hints=True, pdf_variant=PDF_VARIANT, pdf_tags=True, attachments=files
    )


def sign_pdf(signer: Signer, pdf: bytes) -> str:
    """Ed25519 signature over the PDF's SHA-256 digest, base64."""
    return base64.b64encode(signer.sign(hashlib.sha256(pdf).digest())).decode()


def pdf_signature_holds(signer_public_key, pdf: bytes, signature: str) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
    except ValueError:
        return False
    return signature_holds(signer_public_key, raw, hashlib.sha256(pdf).digest())
