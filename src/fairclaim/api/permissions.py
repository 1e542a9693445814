"""Scope checks: each view names the scope a request needs; the key must hold it."""

from __future__ import annotations

from rest_framework import permissions

from .models import ApiKey
from .scopes import READ


class HasScope(permissions.BasePermission):
    """A request needs an API key holding the view's `scope_for(request)` (default: read)."""

    message = "This API key does not have the scope this request needs."

    def has_permission(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey):
            return False
        needed = view.scope_for(request) if hasattr(view, "scope_for") else READ
        if needed not in key.scopes:
            self.message = f"This API key lacks the “{needed}” scope this request needs."
            return False
        return True
