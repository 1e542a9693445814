"""Account pages: the organisation's API keys and webhook endpoints with their delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fairclaim.accounts.models import Organisation

from .delivery import PLANNED_EVENTS, do_replay, new_secret
from .forms import ApiKeyForm, WebhookEndpointForm
from .keys import KeyRefused, can_revoke, do_issue_key, do_revoke_key, keys_visible_to
from .models import WebhookDelivery, WebhookEndpoint
from .scopes import SCOPES

DELIVERY_LOG_SIZE = 100


@login_required
@never_cache  # the page that shows a new token must not be kept by any cache
@require_http_methods(["GET", "POST"])
def list_keys(request):
    if request.user.organisation_id is None:
        raise PermissionDenied(_("Only members of an organisation have API keys."))
    form = ApiKeyForm(request.POST or None)
    token = None
    if request.method == "POST" and form.is_valid():
        try:
            key, token = do_issue_key(
                request.user, form.cleaned_data["name"], form.cleaned_data["scopes"]
            )
        except KeyRefused as refusal:
            form.add_error("scopes", str(refusal))
        else:
            messages.success(request, f"Created “{key.name}”. Copy the key now: it is shown once.")
            form = ApiKeyForm()
    keys = keys_visible_to(request.user)
    context = {"form": form, "keys": keys, "token": token, "scopes": SCOPES}
    return render(request, "api/keys.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def revoke_key(request, pk):
    key = get_object_or_404(keys_visible_to(request.user), pk=pk)
    if not can_revoke(request.user, key):
        raise PermissionDenied(_("A read-only member can revoke only keys they created."))
    if do_revoke_key(key, request.user, timezone.now()):
        messages.success(request, f"Revoked “{key.name}”: requests with it are refused from now.")
    return redirect("api:keys")


def _check_webhook_member(user, *, write: bool) -> None:
    org = user.organisation
    if org is None or org.kind != Organisation.Kind.RIGHTS_HOLDER:
        raise PermissionDenied(_("Webhooks report a rights holder's matches, cases and payments."))
    if write and user.read_only:
        raise PermissionDenied(_("You may view webhooks but not change them."))


def _endpoints_for(user):
    return WebhookEndpoint.objects.filter(organisation_id=user.organisation_id)


@login_required
@require_http_methods(["GET", "POST"])
def list_webhooks(request):
    _check_webhook_member(request.user, write=request.method == "POST")
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint = WebhookEndpoint.objects.create(
            organisation_id=request.user.organisation_id,
            url=form.cleaned_data["url"],
            events=sorted(form.cleaned_data["events"]),
            secret=new_secret(),
            created_by=request.user,
        )
        messages.success(request, _("Endpoint added. Use its signing secret to check deliveries."))
        return redirect("api:webhook", pk=endpoint.pk)
    context = {
        "form": form,
        "endpoints": _endpoints_for(request.user),
        "planned": PLANNED_EVENTS,
        "can_edit": not request.user.read_only,
    }
    return render(request, "api/webhooks.html", context, status=400 if form.errors else 200)


@login_required
@never_cache
def show_webhook(request, pk):
    _check_webhook_member(request.user, write=False)
    endpoint = get_object_or_404(_endpoints_for(request.user), pk=pk)
    deliveries = endpoint.deliveries.order_by("-id")[:DELIVERY_LOG_SIZE]
    context = {
        "endpoint": endpoint,
        "deliveries": deliveries,
        "can_edit": not request.user.read_only,
    }
    return render(request, "api/webhook.html", context)


@login_required
@require_POST
def disable_webhook(request, pk):
    _check_webhook_member(request.user, write=True)
    endpoint = get_object_or_404(_endpoints_for(request.user), pk=pk)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    messages.success(request, _("Endpoint switched off: no further events are sent to it."))
    return redirect("api:webhook", pk=endpoint.pk)


@login_required
@require_POST
def replay_delivery(request, pk):
    _check_webhook_member(request.user, write=True)
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint").filter(
            endpoint__organisation_id=request.user.organisation_id
        ),
        pk=pk,
    )
    if not delivery.endpoint.active:
        messages.error(request, _("This endpoint is switched off; nothing was sent."))
    else:
        do_replay(delivery, timezone.now())
        messages.success(request, f"Event {delivery.event_id} queued to be sent again.")
    return redirect("api:webhook", pk=delivery.endpoint_id)
