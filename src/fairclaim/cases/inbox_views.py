"""A signed-in party's notifications: the in-app list (unread first), mark read, and the choice
between an e-mail per event and one daily digest."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from .access import cases_for
from .models import Notification, NotificationPreference


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    preference, _ = NotificationPreference.objects.get_or_create(user=request.user)
    if request.method == "POST":
        choice = request.POST.get("frequency")
        if choice in NotificationPreference.Frequency.values:
            preference.frequency = choice
            preference.save(update_fields=["frequency"])
            messages.success(
                request, f"Saved: e-mails {preference.get_frequency_display().lower()}."
            )
        return redirect("cases:notifications")
    # Only notifications about cases this person may still see (a firm's mandate can end).
    mine = Notification.objects.filter(
        user=request.user, case__in=cases_for(request.user)
    ).select_related("case")
    items = list(mine.order_by("read_at", "-created_at")[:200])
    return render(
        request,
        "cases/notifications.html",
        {"items": items, "preference": preference, "choices": NotificationPreference.Frequency},
    )


@login_required
@require_POST
def mark_read(request, pk=None):
    mine = Notification.objects.filter(user=request.user, read_at__isnull=True)
    if pk is not None:
        item = get_object_or_404(Notification, pk=pk, user=request.user)
        mine.filter(pk=item.pk).update(read_at=timezone.now())
        return redirect("cases:detail", reference=item.case.reference)
    mine.update(read_at=timezone.now())
    return redirect("cases:notifications")


def unread_count(request) -> dict:
    """Context processor: the unread count beside "Notifications" in the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()
    }
