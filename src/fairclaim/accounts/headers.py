"""Response headers every page gets: a Content-Security-Policy on HTML, and no caching of the
recipient portal (its pages and PDFs are one recipient's case, often read on shared computers).

A view that sets its own Content-Security-Policy or Cache-Control keeps it (file downloads are
sandboxed more tightly; the public signing key is cacheable on purpose).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import patch_cache_control

# Our pages load only our own scripts, styles and images (plus data: images such as QR codes);
# no inline script can run, nothing may frame us, no plugin may load. form-action is left open:
# the payment form's answer redirects to the card provider's checkout page.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
PRIVATE_PREFIXES = ("/portal/",)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = getattr(
                settings, "FAIRCLAIM_CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY
            )
        if request.path.startswith(PRIVATE_PREFIXES) and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
