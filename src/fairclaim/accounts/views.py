"""Your account: password reset and change, the second factor, recent sign-ins.

The password views are Django's, with the sign-in audit, the reset throttle and links built on
the one public base URL. The second-factor views are thin shells over `two_factor`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice

from . import audit, two_factor
from .clients import client_address
from .forms import CodeForm
from .throttle import (
    LOGIN_PER_ACCOUNT,
    RESET_PER_CLIENT,
    RESET_PER_EMAIL,
    clear,
    first_wait,
    record_failure,
    wait_text,
)

Kind = audit.Kind


@login_required
def home(request):
    context = {
        "enrolled": two_factor.is_enrolled(request.user),
        "required": two_factor.required_for(request.user),
        "sign_ins": audit.recent_for_user(request.user),
    }
    return render(request, "accounts/home.html", context)


class ResetPasswordView(auth_views.PasswordResetView):
    """Django's reset request, throttled per address and per client, counting every request the
    same whether or not an account has that address (no enumeration through the throttle)."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        now = timezone.now()
        email = form.cleaned_data["email"].strip().lower()
        checks = [(RESET_PER_EMAIL, email), (RESET_PER_CLIENT, client_address(self.request))]
        until = first_wait(checks, now)
        if until:
            form.add_error(
                None,
                _("Too many reset requests. Try again in %(wait)s.")
                % {"wait": wait_text(until, now)},
            )
            return self.form_invalid(form)
        for policy, subject in checks:
            record_failure(policy, subject, now)
        users = list(form.get_users(email))
        for user in users or [None]:
            audit.record(Kind.PASSWORD_RESET_REQUESTED, self.request, user=user,
                         attempted=email, now=now)  # fmt: skip
        self.extra_email_context = {"base_url": settings.FAIRCLAIM_PUBLIC_URL}
        return super().form_valid(form)


class ConfirmResetView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(Kind.PASSWORD_RESET, self.request, user=form.user)
        # The owner proved the mailbox: their own earlier typos no longer slow them down.
        clear(LOGIN_PER_ACCOUNT, form.user.get_username().lower())
        return response


class ChangePasswordView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(Kind.PASSWORD_CHANGED, self.request, user=form.user)
        return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_settings(request):
    user = request.user
    if request.method == "POST":
        if request.POST.get("action") == "recovery" and two_factor.is_enrolled(user):
            codes = two_factor.do_new_recovery_codes(user)
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        if request.POST.get("action") == "remove" and not two_factor.required_for(user):
            two_factor.do_remove(user)
            audit.record(Kind.TWO_FACTOR_REMOVED, request, user=user)
            messages.success(request, _("Two-step sign-in is off."))
        return redirect("accounts:two_factor")
    recovery = two_factor.recovery_device_of(user)
    context = {
        "enrolled": two_factor.is_enrolled(user),
        "required": two_factor.required_for(user),
        # An account enrolled before recovery codes existed (or set up by an admin) has none.
        "recovery_left": recovery.token_set.count() if recovery else 0,
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request):
    device = two_factor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.do_confirm_enrolment(request, form.cleaned_data["code"])
        if codes is not None:
            audit.record(Kind.TWO_FACTOR_ENROLLED, request, user=request.user)
            context = {"codes": codes, "next": _safe_next(request)}
            return render(request, "accounts/recovery_codes.html", context)
        form.add_error("code", _("That code is not right. Check the clock of your phone."))
    context = {
        "form": form,
        "qr": two_factor.qr_data_uri(device),
        "secret": two_factor.secret_text(device),
        "required": two_factor.required_for(request.user),
        "next": _safe_next(request),
    }
    return render(request, "accounts/enrol.html", context, status=400 if form.errors else 200)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    if request.user.is_verified() or not two_factor.is_enrolled(request.user):
        return redirect(_safe_next(request) or settings.LOGIN_REDIRECT_URL)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.check_code(request, form.cleaned_data["code"])
        if device is not None:
            recovery = isinstance(device, StaticDevice)
            audit.record(Kind.RECOVERY_CODE_USED if recovery else Kind.SECOND_FACTOR_PASSED,
                         request, user=request.user)  # fmt: skip
            if recovery:
                messages.warning(request, _("You used a recovery code; each works only once."))
            return redirect(_safe_next(request) or settings.LOGIN_REDIRECT_URL)
        audit.record(Kind.SECOND_FACTOR_FAILED, request, user=request.user)
        form.add_error("code", _("That code is not right, or you tried too often: wait a moment."))
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "accounts/verify.html", context, status=400 if form.errors else 200)


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else ""
