"""What every API view shares: key authentication, scopes, per-key throttle, problem bodies."""

from __future__ import annotations

from rest_framework import permissions

from fairclaim.api.scopes import READ, WORKS_WRITE


class ScopedView:
    # Reads need `read_scope`, other methods `write_scope` (permissions.HasScope checks it; the
    # OpenAPI document names it per operation). No docstring: views' docstrings describe them.

    read_scope = READ
    write_scope = WORKS_WRITE

    def scope_for(self, request) -> str:
        return self.read_scope if request.method in permissions.SAFE_METHODS else self.write_scope


def refusals(outcome) -> list[dict]:
    return [{"source": r.filename, "reason": r.reason} for r in outcome.refused]
