"""DRF authentication by API key: `Authorization: Bearer fck_…`."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .keys import find_active_key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates as the key's creator; `request.auth` is the ApiKey (its scopes apply)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the key as: Authorization: Bearer <key>.")
        key = find_active_key(header[1], timezone.now())
        if key is None:
            raise exceptions.AuthenticationFailed("This API key is unknown or was revoked.")
        return key.created_by, key

    def authenticate_header(self, request):
        return f'{self.keyword} realm="fairclaim"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from Account → API keys, e.g. `fck_…`.",
        }
