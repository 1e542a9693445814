"""Files recipients upload (licence proofs, defence evidence): PDF, JPEG or PNG, checked by content.

Images are re-encoded, which drops anything hidden after or inside them (a polyglot that is also
HTML or a script); PDFs are kept byte for byte (they are evidence) and only ever served as
downloads with their sniffed type, so a browser never renders them as a page. A PDF that asks a
reader to run code (JavaScript, launching programs) is refused: the case manager opens it.

Django spools uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file; `read_proof`
refuses an oversized one by its size and never reads more than the limit into memory.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image

from fairclaim.matching.decode import truncation_is_an_error
from fairclaim.matching.errors import DecompressionBomb, ImageDecodeError, NotAnImage
from fairclaim.matching.untrusted import open_untrusted_image

MAX_PROOF_BYTES = 20 * 1024 * 1024  # a scanned multi-page invoice fits; a video does not
MAX_PROOF_PIXELS = 80_000_000
# Markup that must never be in an accepted file, whatever it claims to be.
MARKUP = (b"<html", b"<script", b"<svg", b"<!doctype html", b"<?xml", b"<iframe", b"javascript:")
# PDF actions that make a reader run something; a licence or an invoice needs none of them.
# A byte scan: names inside compressed object streams escape it, so PDFs are still only ever
# served as downloads; it stops the plain case a reader would run on opening.
PDF_ACTIONS = re.compile(rb"/(javascript|js|launch|richmedia|embeddedfile|xfa)(?![a-z0-9#])")
MIN_PDF_BYTES = 64  # the smallest real one-page PDF is larger; "%PDF-" alone is not a document


class ProofRefused(Exception):
    pass


@dataclass(frozen=True)
class CheckedProof:
    data: bytes
    content_type: str
    extension: str


def read_proof(upload) -> bytes:
    """The uploaded file's bytes, or ProofRefused when it is larger than MAX_PROOF_BYTES (then
    nothing is read: the upload stays in Django's temporary file until the request ends)."""
    if upload.size is not None and upload.size > MAX_PROOF_BYTES:
        raise ProofRefused(_too_large(upload.name))
    upload.seek(0)
    return upload.read(MAX_PROOF_BYTES + 1)


def _too_large(name: str) -> str:
    return _("%(name)s: the file is larger than %(mb)s MB.") % {
        "name": name,
        "mb": MAX_PROOF_BYTES // 1_000_000,
    }


def check_proof(name: str, data: bytes) -> CheckedProof:
    if not data:
        raise ProofRefused(_("%(name)s: the file is empty.") % {"name": name})
    if len(data) > MAX_PROOF_BYTES:
        raise ProofRefused(_too_large(name))
    head = data[:1024].lower()
    if data.startswith(b"%PDF-"):
        if any(marker in head for marker in MARKUP):
            raise ProofRefused(
                _("%(name)s: this PDF also contains web page code; upload a plain PDF.")
                % {"name": name}
            )
        if len(data) < MIN_PDF_BYTES or b"%%EOF" not in data[-2048:]:
            raise ProofRefused(
                _("%(name)s: this PDF is incomplete or damaged; upload it again.") % {"name": name}
            )
        if PDF_ACTIONS.search(data.lower()):
            raise ProofRefused(
                _(
                    "%(name)s: this PDF contains scripts or embedded programs; "
                    "print it to a new PDF (or take a screenshot) and upload that."
                )
                % {"name": name}
            )
        return CheckedProof(data, "application/pdf", ".pdf")
    if any(head.lstrip().startswith(marker) for marker in MARKUP):
        raise ProofRefused(
            _("%(name)s: web pages and SVG drawings are not accepted; upload a PDF, JPEG or PNG.")
            % {"name": name}
        )
    try:
        with open_untrusted_image(data, max_pixels=MAX_PROOF_PIXELS) as image:
            if image.format not in {"JPEG", "PNG"}:
                raise ProofRefused(
                    _("%(name)s: %(format)s files are not accepted; upload a PDF, JPEG or PNG.")
                    % {"name": name, "format": image.format}
                )
            with truncation_is_an_error():  # whatever another import did to Pillow's global flag
                image.load()
            out = io.BytesIO()
            if image.format == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=92)
                return CheckedProof(out.getvalue(), "image/jpeg", ".jpg")
            image.save(out, "PNG")
            return CheckedProof(out.getvalue(), "image/png", ".png")
    except (DecompressionBomb, Image.DecompressionBombError):
        raise ProofRefused(_("%(name)s: the image has too many pixels.") % {"name": name}) from None
    except NotAnImage:
        raise ProofRefused(
            _("%(name)s: this is not a PDF, JPEG or PNG file.") % {"name": name}
        ) from None
    except (ImageDecodeError, OSError, SyntaxError, ValueError) as exc:
        raise ProofRefused(
            _("%(name)s: the file is damaged (%(problem)s).")
            % {"name": name, "problem": exc.__cause__ or exc}
        ) from None
