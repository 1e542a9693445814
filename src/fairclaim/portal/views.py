"""The recipient portal (no account: reference + access code) and the public checks."""

from __future__ import annotations

import logging
import tempfile
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db.models import Max
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fairclaim.accounts.clients import client_address
from fairclaim.accounts.throttle import (
    PORTAL_MESSAGES_PER_CASE,
    VERIFY_PER_ADDRESS,
    locked_until,
    record_failure,
)
from fairclaim.cases.actions import CaseChanged
from fairclaim.cases.evidence import bundle_download, timeline_for
from fairclaim.cases.proofs import ProofRefused, check_proof, read_proof
from fairclaim.cases.responses import (
    StepNotAllowed,
    do_post_message,
    do_raise_defence,
    do_submit_licence,
)
from fairclaim.cases.statements import case_offers, latest_statements, statement_lines
from fairclaim.payments.actions import open_plan
from fairclaim.rules.case_status import case_status

from .access import (
    AccessRefused,
    AccessThrottled,
    grant,
    has_access,
    open_with_code,
    open_with_link,
    recipient_cases,
)
from .forms import (
    AccessForm,
    DefenceForm,
    EvidenceUploadForm,
    LicenceForm,
    MessageForm,
    NoticeCheckForm,
    PaymentForm,
)
from .signing import document_certificates, published_keyring

log = logging.getLogger(__name__)

CHANGED_MEANWHILE = gettext_lazy(
    "The case changed while you were sending this (perhaps it was sent twice). "
    "Please check the case page and try again if needed."
)


SESSION_ENDED = gettext_lazy(
    "Your session has ended, or this case is not open in this browser. Please enter the case "
    "reference and access code from your notice (or use the link in it) to continue."
)


def recipient_page(view):
    """A portal page of one case: without access in this session, back to the code form with the
    reference filled in (the same answer whether or not the case exists), never a bare 404."""

    @wraps(view)
    def page(request, reference, *args, **kwargs):
        if not recipient_cases(request.session).filter(reference=reference).exists():
            messages.info(request, SESSION_ENDED)
            return redirect(f"{reverse('portal:enter')}?{urlencode({'reference': reference[:40]})}")
        return view(request, reference, *args, **kwargs)

    return page


def status_of(case):
    return case_status(case.state, case.deadline, timezone.localdate())


def recipient_may_pay(case) -> bool:
    return status_of(case).may_pay


def _step_closed(request, case):
    """A step the case no longer offers (decided, closed): say so on the case page."""
    messages.info(
        request, _("This step is not open in this case any more; the case page says why.")
    )
    return redirect("portal:case", reference=case.reference)


def get_case_for_recipient(request, reference: str):
    """The one access function of the portal: 404 unless this session showed the code (or a
    one-time link) for this case."""
    cases = recipient_cases(request.session).annotate(last_event=Max("events__seq"))
    return get_object_or_404(cases, reference=reference)


@require_http_methods(["GET", "POST"])
def enter(request):
    form = AccessForm(
        request.POST or None, initial={"reference": request.GET.get("reference", "")[:40]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = open_with_code(
                form.cleaned_data["reference"],
                form.cleaned_data["code"],
                client_address(request),
                timezone.now(),
            )
        except AccessRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            grant(request.session, case)
            return redirect("portal:case", reference=case.reference)
    if has_access(request.session) and request.method == "GET":
        return render(request, "portal/enter.html", {"form": form, "cases": _my_cases(request)})
    return render(request, "portal/enter.html", {"form": form})


@require_GET
def follow_link(request, token):
    try:
        case = open_with_link(token)
    except AccessRefused as refusal:
        return render(
            request,
            "portal/enter.html",
            {"form": AccessForm(), "refused": str(refusal)},
            status=403,
        )
    grant(request.session, case)
    return redirect("portal:case", reference=case.reference)


@require_POST
def leave(request):
    request.session.flush()
    return redirect("portal:enter")


@require_GET
@recipient_page
def show_case(request, reference):
    case = get_case_for_recipient(request, reference)
    return render(request, "portal/case.html", {"case": case, "body": case_body(request, case)})


# Long enough to absorb a recipient reloading or many readers of one case; any new case event
# (decision, payment, capture, message) changes the key, so nothing stale is ever shown.
CASE_BODY_SECONDS = 300


def case_body(request, case) -> str:
    """The evidence and offers part of the case page, rendered once per case version and language:
    it is the same for everyone allowed to see the case, and it costs a dozen queries."""
    # Today is part of the version: a deadline that passes changes what the status says.
    version = f"{case.last_event or 0}:{case.updated_at.timestamp()}:{timezone.localdate()}"
    key = f"portal-case:{case.pk}:{version}:{get_language()}"
    body = cache.get(key)
    if body is None:
        lines = list(case.lines.select_related("work", "match__sighting"))
        for line in lines:
            line.timeline = timeline_for(line)
            line.latest_capture = (
                line.captures.filter(status="captured").order_by("-captured_at").first()
            )
        statements = latest_statements(case)
        context = {
            "case": case,
            "lines": lines,
            "offers": case_offers(case, statements),
            "statement": statement_lines(case, statements),
            "submissions": case.licence_submissions.all(),
            "defences": case.defences.all(),
            "documents": case.notices.exclude(kind="dmca").filter(status="sent"),
            "status": status_of(case),
            "law_firm": case.law_firm.name if case.law_firm_id else "",
            "plan": open_plan(case),
        }
        body = render_to_string("portal/_case_body.html", context)
        cache.set(key, body, CASE_BODY_SECONDS)
    return mark_safe(body)  # noqa: S308 - our own template's output, escaped when rendered


@require_GET
def match_picture(request, reference, line):
    case = get_case_for_recipient(request, reference)
    line = get_object_or_404(case.lines, pk=line)
    if not (line.match and line.match.report_image):
        raise Http404
    return FileResponse(line.match.report_image.open("rb"), content_type="image/png")


@require_GET
def capture_bundle(request, reference, pk):
    return bundle_download(get_case_for_recipient(request, reference), pk)


@require_http_methods(["GET", "POST"])
@recipient_page
def show_licence(request, reference):
    case = get_case_for_recipient(request, reference)
    if not status_of(case).may_show_licence:
        return _step_closed(request, case)
    form = LicenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.pop("proof")
        try:
            proof = check_proof(upload.name, read_proof(upload))
            do_submit_licence(case, form.cleaned_data, proof, timezone.now())
        except (ProofRefused, StepNotAllowed) as problem:
            form.add_error(None, str(problem))
        except CaseChanged:  # a double submit or a decision at the same moment
            form.add_error(None, CHANGED_MEANWHILE)
        else:
            messages.success(
                request,
                _(
                    "Thank you. Your licence is being reviewed; "
                    "the deadline is paused until it is decided."
                ),
            )
            return redirect("portal:case", reference=case.reference)
    return render(request, "portal/licence.html", {"case": case, "form": form})


@require_http_methods(["GET", "POST"])
@recipient_page
def show_defence(request, reference):
    case = get_case_for_recipient(request, reference)
    if not status_of(case).may_raise_defence:
        return _step_closed(request, case)
    form = DefenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["evidence"]
        try:
            proof = check_proof(upload.name, read_proof(upload)) if upload else None
            do_raise_defence(
                case,
                form.cleaned_data["kind"],
                form.cleaned_data["statement"],
                proof,
                timezone.now(),
            )
        except (ProofRefused, StepNotAllowed) as problem:
            form.add_error(None, str(problem))
        except CaseChanged:  # a double submit or a decision at the same moment
            form.add_error(None, CHANGED_MEANWHILE)
        else:
            messages.success(
                request,
                _(
                    "Your defence has been received. Reminders are paused "
                    "until a case manager decides it, with reasons."
                ),
            )
            return redirect("portal:case", reference=case.reference)
    return render(request, "portal/defence.html", {"case": case, "form": form})


@require_http_methods(["GET", "POST"])
@recipient_page
def show_messages(request, reference):
    case = get_case_for_recipient(request, reference)
    form = MessageForm(request.POST or None)
    now = timezone.now()
    if request.method == "POST" and locked_until(PORTAL_MESSAGES_PER_CASE, case.reference, now):
        form.add_error(
            "body", _("You have sent many messages in a short time. Please wait an hour.")
        )
    elif request.method == "POST" and form.is_valid():
        record_failure(PORTAL_MESSAGES_PER_CASE, case.reference, now)  # counts every message
        do_post_message(
            case,
            form.cleaned_data["body"],
            author_kind="recipient",
            author=None,
            now=timezone.now(),
        )
        return redirect("portal:messages", reference=case.reference)
    thread = case.messages.order_by("created_at")
    return render(request, "portal/messages.html", {"case": case, "form": form, "thread": thread})


def _my_cases(request):
    return recipient_cases(request.session).order_by("-created_at")[:50]


def _count_public_check(request) -> bool:
    """Count one public check against the address; False once the address has used its share.
    Every check counts, not just failed ones: each does real work."""
    address, now = client_address(request), timezone.now()
    if locked_until(VERIFY_PER_ADDRESS, address, now):
        return False
    record_failure(VERIFY_PER_ADDRESS, address, now)
    return True


@require_http_methods(["GET", "POST"])
def verify_evidence(request):
    """Public: check an evidence bundle's hashes, signature and timestamp against our key."""
    form = EvidenceUploadForm(request.POST or None, request.FILES or None)
    verification = None
    if request.method == "POST":
        if not _count_public_check(request):
            return render(
                request,
                "portal/verify_evidence.html",
                {"form": form, "throttled": True},
                status=429,
            )
        if form.is_valid():
            upload = form.cleaned_data["bundle"]
            if upload.size > settings.FAIRCLAIM_MAX_EVIDENCE_BYTES:
                form.add_error("bundle", _("The file is larger than any fairclaim bundle can be."))
            else:
                verification = check_uploaded_bundle(upload)
    return render(
        request, "portal/verify_evidence.html", {"form": form, "verification": verification}
    )


def check_uploaded_bundle(upload):
    from fairclaim.evidence.verify import verify_bundle

    with tempfile.NamedTemporaryFile(suffix=".wacz") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        # Trust = the published key list: a bundle signed before a key rotation still verifies.
        verification = verify_bundle(handle.name, keyring=published_keyring())
    verification.subject = upload.name
    return verification


PAYMENT_UNAVAILABLE = gettext_lazy(
    "This payment method is not available right now. Please choose another one or try again "
    "later; your case is unchanged."
)


@require_http_methods(["GET", "POST"])
@recipient_page
def show_payment(request, reference):
    from fairclaim.payments.actions import (
        OfferError,
        available_methods,
        do_cancel_plan,
        do_choose_offer,
        do_start_bank_transfer,
        do_start_card_payment,
    )
    from fairclaim.payments.providers.base import PaymentError

    case = get_case_for_recipient(request, reference)
    if not recipient_may_pay(case):
        messages.info(request, _("There is nothing to pay in this case."))
        return redirect("portal:case", reference=case.reference)
    offers = case_offers(case)
    methods = available_methods()
    form = PaymentForm(request.POST or None, methods=methods)
    if request.method == "POST" and request.POST.get("cancel_plan"):
        try:
            do_cancel_plan(case, timezone.now())
        except OfferError as problem:
            messages.error(request, str(problem))
        else:
            messages.success(request, _("Your payment plan is cancelled. Nothing was charged."))
        return redirect("portal:case", reference=case.reference)
    if request.method == "POST" and form.is_valid() and form.cleaned_data["offer"] in offers:
        data = form.cleaned_data
        try:
            plan = do_choose_offer(case, offers[data["offer"]], data["instalments"], timezone.now())
            first = plan[0]
            if data["method"] == "card":
                back = request.build_absolute_uri(reverse("portal:case", args=[case.reference]))
                return redirect(do_start_card_payment(first, f"{back}?paid=1", back))
            instructions = do_start_bank_transfer(first).instructions
        except OfferError as problem:
            form.add_error(None, str(problem))
        except PaymentError as problem:
            # Provider trouble (not configured, unreachable, refused) is ours to fix: the
            # recipient gets a plain sentence, the log gets the detail.
            log.warning("payment start failed for %s: %s", case.reference, problem)
            form.add_error(None, PAYMENT_UNAVAILABLE)
        else:
            return render(
                request,
                "portal/bank_transfer.html",
                {"case": case, "plan": plan, "instructions": instructions},
            )
    context = {
        "case": case,
        "form": form,
        "offers": offers,
        "methods": methods,
        "schedules": instalment_previews(offers),
        "plan": open_plan(case),
    }
    return render(request, "portal/payment.html", context)


def instalment_previews(offers) -> list[dict]:
    """For each offer and number of instalments, what each instalment would be (shown before
    choosing): the parts always sum exactly to the total."""
    from fairclaim.payments.plan import MAX_INSTALMENTS, PlanError, split_amount

    rows = []
    for count in range(1, MAX_INSTALMENTS + 1):
        row = {"count": count, "cells": []}
        for name, total in offers.items():
            try:
                parts = split_amount(total.gross, count)
            except PlanError:
                row["cells"].append({"offer": name, "parts": None})
                continue
            row["cells"].append(
                {
                    "offer": name,
                    "first": parts[0].amount,
                    "rest": parts[-1].amount,
                    "same": parts[0].amount == parts[-1].amount,
                    "total": total.gross.amount,
                    "currency": total.gross.currency,
                    "parts": parts,
                }
            )
        rows.append(row)
    return rows


@require_http_methods(["GET", "POST"])
def verify_notice(request):
    """Public: is this notice genuine? By reference + access code, or by the PDF itself."""
    from fairclaim.cases.sending import verify_notice_pdf
    from fairclaim.evidence.pdfsign import verify_pdf

    form = NoticeCheckForm(request.POST or None, request.FILES or None)
    verdict = None
    if request.method == "POST":
        if not _count_public_check(request):
            return render(
                request, "portal/verify_notice.html", {"form": form, "throttled": True}, status=429
            )
        address, now = client_address(request), timezone.now()
        if form.is_valid():
            upload = form.cleaned_data.get("pdf")
            if upload:
                pdf = upload.read(settings.FAIRCLAIM_MAX_UPLOAD_BYTES)
                notice = verify_notice_pdf(pdf)
                verdict = {
                    "genuine": notice is not None,
                    "notice": notice,
                    "case": notice.case if notice else None,
                    "pdf_check": verify_pdf(pdf, keyring=published_keyring()),
                }
            else:
                try:
                    case = open_with_code(
                        form.cleaned_data["reference"], form.cleaned_data["code"], address, now
                    )
                    verdict = {"genuine": True, "case": case}
                except AccessThrottled as wait:  # says "try later", never "not genuine"
                    context = {"form": form, "throttled": True, "throttled_reason": str(wait)}
                    return render(request, "portal/verify_notice.html", context, status=429)
                except AccessRefused as refusal:
                    verdict = {"genuine": False, "reason": str(refusal)}
    context = {"form": form, "verdict": verdict, "certificates": document_certificates()}
    return render(request, "portal/verify_notice.html", context)


@require_GET
def document(request, reference, pk):
    """A letter the recipient received on this case (notice, reminder, release, certificate)."""
    case = get_case_for_recipient(request, reference)
    notice = get_object_or_404(case.notices.exclude(kind="dmca"), pk=pk, status="sent")
    return FileResponse(
        notice.pdf.open("rb"),
        as_attachment=True,
        content_type="application/pdf",
        filename=f"{case.reference}-{notice.kind}.pdf",
    )
