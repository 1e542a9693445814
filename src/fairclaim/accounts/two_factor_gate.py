"""Second factor first: a signed-in session that has not passed its second factor reaches only
the code page (accounts that have one) or the enrolment pages (accounts that must have one), and
sign-out. Everything else, the admin included, redirects there and comes back afterwards.

Pages that do not use the signed-in user (the recipient portal, public verification, the API
with its own keys, health checks, static files) are not held up.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from . import two_factor

# Views open to a session still owing its second factor.
VERIFY_VIEWS = frozenset({"accounts:verify", "logout"})
ENROL_VIEWS = frozenset({"accounts:two_factor", "accounts:enrol", "logout"})
PUBLIC_PREFIXES = (
    "/static/", "/portal/", "/verify/", "/.well-known/", "/api/v1/", "/i18n/",
    "/healthz", "/readyz", "/metrics",
)  # fmt: skip


class TwoFactorGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        if request.path.startswith(PUBLIC_PREFIXES):
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if two_factor.is_enrolled(user):
            allowed, target = VERIFY_VIEWS, "accounts:verify"
        elif two_factor.required_for(user):
            allowed, target = ENROL_VIEWS, "accounts:enrol"
        else:
            return None
        if view_name in allowed:
            return None
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(reverse(target) + (f"?{query}" if query else ""))
