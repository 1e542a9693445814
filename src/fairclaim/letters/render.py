"""Rendering a notice: one template per language (with its law paragraphs per jurisdiction)
gives the HTML e-mail, the plain-text part and, through WeasyPrint, the PDF."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from fairclaim.evidence.keys import Signer, signature_holds

from .context import NoticeContext

LANGUAGES = {"en", "de"}
JURISDICTIONS = {"DE", "US", "GB"}  # others fall back to the neutral English/German text


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    text: str
    html: str
    pdf: bytes

    @property
    def pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def render_notice(context: NoticeContext, kind: str = "demand") -> RenderedNotice:
    language = context.language if context.language in LANGUAGES else "en"
    law = context.jurisdiction if context.jurisdiction in JURISDICTIONS else "other"
    data = {"n": context, "law_template": f"letters/{language}/law_{law.lower()}.html"}
    with translation.override(language):
        subject = render_to_string(f"letters/{language}/{kind}_subject.txt", data).strip()
        html = render_to_string(f"letters/{language}/{kind}.html", {**data, "subject": subject})
        text = render_to_string(f"letters/{language}/{kind}.txt", {**data, "subject": subject})
    return RenderedNotice(subject=" ".join(subject.split()), text=text, html=html, pdf=pdf_of(html))


def pdf_of(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=".").write_pdf(presentational_hints=True)


def sign_pdf(signer: Signer, pdf: bytes) -> str:
    """Ed25519 signature over the PDF's SHA-256 digest, base64."""
    return base64.b64encode(signer.sign(hashlib.sha256(pdf).digest())).decode()


def pdf_signature_holds(signer_public_key, pdf: bytes, signature: str) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
    except ValueError:
        return False
    return signature_holds(signer_public_key, raw, hashlib.sha256(pdf).digest())
