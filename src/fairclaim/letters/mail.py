"""The e-mail form of a rendered document. The PDF renderer wants its images embedded as
`data:` URIs; many mail clients block those, so the mail carries each image as an inline
attachment (multipart/related) that the HTML names by `cid:`."""

from __future__ import annotations

import base64
import hashlib
import re
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart

DATA_URI = re.compile(
    r"""data:image/(?P<subtype>png|jpeg|gif|webp);base64,(?P<data>[A-Za-z0-9+/=\s]+)"""
)


def inline_images(html: str) -> tuple[str, list[MIMEImage]]:
    """`html` with each `data:` image replaced by a `cid:` reference, and the images to attach.
    The same image twice is attached once."""
    images: dict[str, MIMEImage] = {}

    def to_cid(match: re.Match) -> str:
        data = base64.b64decode(re.sub(r"\s", "", match["data"]))
        cid = hashlib.sha256(data).hexdigest()[:24] + "@fairclaim"
        if cid not in images:
            image = MIMEImage(data, _subtype=match["subtype"])
            image.add_header("Content-ID", f"<{cid}>")
            image.add_header(
                "Content-Disposition", "inline", filename=f"{cid[:12]}.{match['subtype']}"
            )
            images[cid] = image
        return f"cid:{cid}"

    return DATA_URI.sub(to_cid, html), list(images.values())


class MailWithInlineImages(EmailMultiAlternatives):
    """multipart/mixed [ multipart/related [ multipart/alternative [text, html], images ], files ]:
    the images sit beside the HTML that names them, and files stay ordinary attachments."""

    def __init__(self, *args, inline: list[MIMEImage] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.inline = list(inline)

    def _create_alternatives(self, msg):
        alternatives = super()._create_alternatives(msg)
        if not self.inline:
            return alternatives
        related = SafeMIMEMultipart(
            _subtype="related", encoding=self.encoding or settings.DEFAULT_CHARSET
        )
        related.attach(alternatives)
        for image in self.inline:
            related.attach(image)
        return related


def build_mail(
    *,
    subject: str,
    text: str,
    html: str,
    from_email: str,
    to: list[str],
    headers: dict[str, str],
    attachments: list[tuple[str, bytes, str]] = (),
) -> EmailMultiAlternatives:
    """A plain-text + HTML message whose images travel as inline parts."""
    html, images = inline_images(html)
    message = MailWithInlineImages(
        subject=subject, body=text, from_email=from_email, to=to, headers=headers, inline=images
    )
    message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    return message
