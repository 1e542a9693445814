"""Stripe's webhook endpoint: verify the signature, process the event once, answer fast."""

from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fairclaim.payments.providers.base import ProviderNotConfigured

from .backend import InvalidWebhook, StripeProvider, process_event


@csrf_exempt  # Stripe cannot send a CSRF token; the signature is the authentication
@require_POST
def stripe_webhook(request):
    try:
        event = StripeProvider().verify_event(request.body, request.headers.get("Stripe-Signature"))
    except InvalidWebhook as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain")
    except ProviderNotConfigured as exc:
        # 503: Stripe retries for three days, so nothing is lost while the secret is set up.
        return HttpResponse(str(exc), status=503, content_type="text/plain")
    outcome = process_event(event, now=timezone.now())
    return JsonResponse({"received": True, "outcome": outcome})
