"""Files recipients upload (licence proofs, defence evidence): PDF, JPEG or PNG, checked by content.

Images are re-encoded, which drops anything hidden after or inside them (a polyglot that is also
HTML or a script); PDFs are kept byte for byte (they are evidence) and only ever served as
downloads with their sniffed type, so a browser never renders them as a page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

MAX_PROOF_BYTES = 20 * 1024 * 1024  # a scanned multi-page invoice fits; a video does not
MAX_PROOF_PIXELS = 80_000_000
# Markup that must never be in an accepted file, whatever it claims to be.
MARKUP = (b"<html", b"<script", b"<svg", b"<!doctype html", b"<?xml", b"<iframe", b"javascript:")


class ProofRefused(Exception):
    pass


@dataclass(frozen=True)
class CheckedProof:
    data: bytes
    content_type: str
    extension: str


def check_proof(name: str, data: bytes) -> CheckedProof:
    if not data:
        raise ProofRefused(f"{name}: the file is empty.")
    if len(data) > MAX_PROOF_BYTES:
        raise ProofRefused(f"{name}: the file is larger than {MAX_PROOF_BYTES // 1_000_000} MB.")
    head = data[:1024].lower()
    if data.startswith(b"%PDF-"):
        if any(marker in head for marker in MARKUP):
            raise ProofRefused(f"{name}: this PDF also contains web page code; upload a plain PDF.")
        return CheckedProof(data, "application/pdf", ".pdf")
    if any(head.lstrip().startswith(marker) for marker in MARKUP):
        raise ProofRefused(
            f"{name}: web pages and SVG drawings are not accepted; upload a PDF, JPEG or PNG."
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in {"JPEG", "PNG"}:
                raise ProofRefused(
                    f"{name}: {image.format} files are not accepted; upload a PDF, JPEG or PNG."
                )
            if image.width * image.height > MAX_PROOF_PIXELS:
                raise ProofRefused(f"{name}: the image has too many pixels.")
            image.load()
            out = io.BytesIO()
            if image.format == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=92)
                return CheckedProof(out.getvalue(), "image/jpeg", ".jpg")
            image.save(out, "PNG")
            return CheckedProof(out.getvalue(), "image/png", ".png")
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise ProofRefused(f"{name}: this is not a PDF, JPEG or PNG file.") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ProofRefused(f"{name}: the file is damaged ({exc}).") from None
