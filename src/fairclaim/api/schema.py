"""OpenAPI document hooks: every operation documents its problem-details error responses."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "refused": {"type": "array", "items": {"$ref": "#/components/schemas/Refusal"}},
        "retry_after": {"type": "integer"},
    },
    "required": ["type", "title", "status", "detail"],
}
ERRORS = {
    "400": "The request is not valid (`errors` names each field)",
    "401": "No API key, or an unknown or revoked one",
    "403": "The key lacks the scope, or its member may not do this",
    "404": "No such object, or not your organisation's",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "409": "Conflict (a request with this Idempotency-Key is still running, or a duplicate)",
    "413": "Request too large",
    "415": "Unsupported media type",
    "422": "Cannot be processed (nothing registered; idempotency key reused with another body)",
    "429": "Rate limit reached: retry after `Retry-After` seconds",
    "500": "Server error (logged on our side)",
    "503": "Busy: retry after `Retry-After` seconds",
}
IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string (e.g. a UUID): a retry with the same key and body gets the "
    "first response again; with another body, 422.",
    "schema": {"type": "string", "maxLength": 255},
}


def add_problem_responses(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOK."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    components.setdefault(
        "Refusal",
        {
            "type": "object",
            "properties": {"source": {"type": "string"}, "reason": {"type": "string"}},
            "required": ["source", "reason"],
        },
    )
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(code, {"description": description, "content": problem})
            if method == "post":
                operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
    return result


class ScopedAutoSchema(AutoSchema):
    """Each operation's description ends with the API-key scope it needs."""

    def get_description(self):
        text = super().get_description()
        view = self.view
        if not hasattr(view, "scope_for"):
            return text
        scope = view.read_scope if self.method in ("GET", "HEAD") else view.write_scope
        needed = f"Needs an API key with the `{scope}` scope."
        return f"{text}\n\n{needed}" if text else needed
