"""Every API error as an RFC 9457 problem-details document (`application/problem+json`).

`type` is a stable URI naming the kind of problem (documented in docs/api/README.md), `title` a
short summary, `detail` the message for this occurrence, `status` the HTTP status; validation
problems add `errors` ({field: [messages]}).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_TYPE_BASE = "https://fairclaim.example/problems/"
CONTENT_TYPE = "application/problem+json"
log = logging.getLogger(__name__)

TITLES = {
    400: ("invalid-request", "The request is not valid"),
    401: ("not-authenticated", "An API key is needed"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    413: ("too-large", "Request too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("unprocessable", "The request cannot be processed"),
    429: ("rate-limited", "Too many requests"),
    500: ("server-error", "Server error"),
    503: ("busy", "Busy; retry shortly"),
}
# A database too busy to answer in time (SQLite's lock wait ran out) is worth a retry.
BUSY_RETRY_AFTER_SECONDS = 2


def problem(status_code: int, detail: str, *, instance: str = "", **extra) -> dict:
    slug, title = TITLES.get(status_code, ("error", "Error"))
    body = {
        "type": PROBLEM_TYPE_BASE + extra.pop("slug", slug),
        "title": extra.pop("title", title),
        "status": status_code,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def problem_response(status_code: int, detail: str, request=None, **extra) -> Response:
    instance = request.path if request is not None else ""
    return Response(
        problem(status_code, detail, instance=instance, **extra),
        status=status_code,
        content_type=CONTENT_TYPE,
    )


def _flatten(detail) -> tuple[str, dict | None]:
    """DRF's error detail as (one readable sentence, {field: [messages]} or None)."""
    if isinstance(detail, dict):
        errors = {key: [str(m) for m in _as_list(value)] for key, value in detail.items()}
        first_field, messages = next(iter(errors.items()), ("", []))
        where = "" if first_field == "non_field_errors" else f"{first_field}: "
        return f"{where}{messages[0] if messages else 'invalid'}", errors
    if isinstance(detail, list):
        messages = [str(m) for m in _as_list(detail)]
        return "; ".join(messages), {"non_field_errors": messages}
    return str(detail), None


def _as_list(value) -> list:
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _as_list(v)]
    if isinstance(value, list):
        return [m for item in value for m in _as_list(item)]
    return [value]


def handle_exception(exc, context):
    """REST_FRAMEWORK's EXCEPTION_HANDLER: DRF's own handling, re-shaped as a problem."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if str(exc) else "No such object, or not yours.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    request = context.get("request")
    if response is None:
        return _unexpected(exc, request)
    detail, errors = _flatten(exc.detail if isinstance(exc, exceptions.APIException) else "")
    extra = {"errors": errors} if errors and response.status_code == 400 else {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        extra["retry_after"] = int(exc.wait + 0.999)
    body = problem(response.status_code, detail, instance=request.path if request else "", **extra)
    response.data = body
    response.content_type = CONTENT_TYPE
    return response


def _unexpected(exc, request) -> Response:
    """Anything DRF does not handle: logged with its traceback, answered as a problem."""
    instance = request.path if request is not None else ""
    if isinstance(exc, OperationalError):
        log.warning("API request %s: database busy: %s", instance, exc)
        response = Response(
            problem(503, "The service is busy; retry shortly.", instance=instance),
            status=503,
            content_type=CONTENT_TYPE,
        )
        response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
        return response
    log.exception("API request %s failed", instance, exc_info=exc)
    return Response(
        problem(500, "Something went wrong on our side; it has been logged.", instance=instance),
        status=500,
        content_type=CONTENT_TYPE,
    )


def not_found(request, *args, **kwargs):
    """Any /api/ path that names no endpoint: a problem, not Django's HTML page."""
    detail = "No API endpoint here."
    if not request.path.endswith("/") and _is_endpoint(request.path + "/"):
        detail += f" Did you mean {request.path}/ (with a trailing slash)?"
    body = problem(status.HTTP_404_NOT_FOUND, detail, instance=request.path)
    return JsonResponse(body, status=404, content_type=CONTENT_TYPE)


def _is_endpoint(path: str) -> bool:
    try:
        return resolve(path).func is not not_found
    except Resolver404:
        return False
