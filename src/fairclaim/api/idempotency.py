"""`Idempotency-Key` on every create: a retried request gets the first response again.

The request is fingerprinted from what was parsed (form fields, JSON, and each file's SHA-256),
not from raw bytes: a client retrying a multipart upload sends a new boundary each time. The same
key with a different request is refused with 422; a retry while the first is still running gets
409. Keys are remembered for IDEMPOTENCY_WINDOW per API key.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from .models import ApiKey, IdempotencyRecord
from .problems import problem_response

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
IDEMPOTENCY_WINDOW = timedelta(hours=24)  # as Stripe: long enough for any retry schedule


def request_fingerprint(request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    data = request.data
    if hasattr(data, "lists"):  # a QueryDict (form or multipart): fields without files
        fields = sorted((k, v) for k, v in data.lists() if k not in request.FILES)
    else:
        fields = data
    digest.update(json.dumps(fields, sort_keys=True, default=str).encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            file_digest = hashlib.sha256()
            for chunk in upload.chunks():
                file_digest.update(chunk)
            upload.seek(0)
            digest.update(f"\n{name}:{upload.name}:{file_digest.hexdigest()}".encode())
    return digest.hexdigest()


def idempotent(method):
    """Decorate a view's `post`: honour `Idempotency-Key` when the client sends one."""

    @functools.wraps(method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER, "")
        if not key or not isinstance(request.auth, ApiKey):
            return method(view, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return problem_response(
                400, f"{HEADER} must be 1–{MAX_KEY_LENGTH} printable characters.", request
            )
        now = timezone.now()
        fingerprint = request_fingerprint(request)
        IdempotencyRecord.objects.filter(
            api_key=request.auth, key=key, created_at__lt=now - IDEMPOTENCY_WINDOW
        ).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    api_key=request.auth, key=key, request_sha256=fingerprint, created_at=now
                )
        except IntegrityError:
            return _replay(request, key, fingerprint)
        try:
            response = method(view, request, *args, **kwargs)
        except Exception:
            record.delete()  # nothing was done for sure; let the client retry with the same key
            raise
        if response.status_code >= 500:
            record.delete()
            return response
        record.status = response.status_code
        record.body = json.dumps(response.data, cls=DjangoJSONEncoder)
        record.location = response.get("Location", "")
        record.save(update_fields=["status", "body", "location"])
        return response

    return wrapper


def _replay(request, key: str, fingerprint: str):
    record = IdempotencyRecord.objects.get(api_key=request.auth, key=key)
    if record.request_sha256 != fingerprint:
        return problem_response(
            422,
            f"{HEADER} {key!r} was used for a different request; use a new key.",
            request,
            slug="idempotency-key-reused",
            title="Idempotency key reused",
        )
    if record.status is None:
        return problem_response(
            409,
            f"A request with {HEADER} {key!r} is still being processed; retry shortly.",
            request,
            slug="idempotency-in-progress",
            title="Request in progress",
        )
    headers = {"Idempotent-Replayed": "true"}
    if record.location:
        headers["Location"] = record.location
    content_type = "application/problem+json" if record.status >= 400 else None
    body = json.loads(record.body)
    return Response(body, status=record.status, headers=headers, content_type=content_type)


def forget_old_records(now) -> int:
    """Scheduler step: idempotency records past their window are deleted."""
    IdempotencyRecord.objects.filter(created_at__lt=now - IDEMPOTENCY_WINDOW).delete()
    return 0  # the scheduler counts queued tasks; housekeeping queues none
