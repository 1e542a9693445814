from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from fairclaim.accounts.access import can_approve_claims, can_change_cases
from fairclaim.accounts.models import Organisation
from fairclaim.rules.case_states import CaseEvent as FlowEvent

from .access import cases_for, claims_for, get_case_for_user, get_claim_for_user
from .actions import (
    CaseChanged,
    EscalationNotAllowed,
    IllegalTransition,
    do_escalate,
    do_transition,
)
from .claim_page import claim_check_context
from .claims import ClaimNotReady, do_approve_claim, do_check_claim, do_open_cases
from .evidence import bundle_download
from .forms import ClaimInputsForm, CloseClaimForm
from .log import export_case_log
from .models import Notice, RateCard
from .operations import OperationRefused, do_close_claim, get_case_for_operation
from .page import case_page_context, perform_operation
from .prices import EXAMPLE_PRICING as EXAMPLE_PRICING  # the demo's prices start from it
from .prices import (
    add_row,
    claim_usages,
    do_save_price_list,
    get_price_list_owner_for_user,
    price_list_forms,
    pricing_from,
)
from .responses import StepNotAllowed, do_decide_defence, do_decide_licence, do_post_message

PAGE_SIZE = 50


@login_required
def list_cases(request):
    cases = cases_for(request.user).select_related("rights_holder")
    state = request.GET.get("state", "")
    if state:
        cases = cases.filter(state=state)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/list.html", {"page": page, "state": state})


@login_required
def show_case(request, reference):
    case = get_case_for_user(request, reference)
    context = case_page_context(case, request.user, timezone.now())
    return render(request, "cases/detail.html", context)


@login_required
@require_http_methods(["POST"])
def operate(request, reference, operation):
    """One case operation (recipient, withdraw, drop a line, note, settle, evidence decision)."""
    case = get_case_for_operation(request, reference, operation)
    try:
        done = perform_operation(case, operation, request.POST, request.user, timezone.now())
    except OperationRefused as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, done)
    return redirect(case)


@login_required
def list_claims(request):
    claims = claims_for(request.user).select_related("match__work", "match__sighting", "case")
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/claims.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def show_claim(request, pk):
    claim = get_claim_for_user(request, pk, write=request.method == "POST")
    form = ClaimInputsForm(request.POST or None, initial=claim.inputs, usages=claim_usages(claim))
    if request.method == "POST" and request.POST.get("do") == "approve":
        try:
            do_approve_claim(claim, request.user, timezone.now())
            [case] = do_open_cases([claim], actor=request.user.get_username(), now=timezone.now())
        except ClaimNotReady as problem:
            messages.error(request, str(problem))
            return redirect(claim)
        done = _("Approved: the claim is in case %(reference)s.")
        messages.success(request, done % {"reference": case.reference})
        return redirect(case)
    if request.method == "POST" and form.is_valid():
        claim.inputs = form.as_inputs()
        claim.save(update_fields=["inputs", "updated_at"])
        try:
            do_check_claim(claim, timezone.localdate())
        except ClaimNotReady as problem:
            messages.error(request, str(problem))
        return redirect(claim)
    context = {
        "claim": claim,
        "form": form,
        "check": claim_check_context(claim.check_result(), claim.inputs.get("usage", "")),
        "can_edit": can_approve_claims(request.user)
        and claim.status in {"draft", "checked", "approved"},
        "can_close": can_approve_claims(request.user)
        and claim.case_id is None
        and claim.status in {"draft", "checked", "approved"},
    }
    return render(request, "cases/claim.html", context)


@login_required
@require_http_methods(["POST"])
def close_claim(request, pk):
    """The rights holder's way out of a claim that is not going on: withdraw, dismiss, licensed."""
    claim = get_claim_for_user(request, pk, write=True)
    form = CloseClaimForm(request.POST)
    try:
        if not form.is_valid():
            raise OperationRefused("Choose a decision and give a reason.")
        how = form.cleaned_data["how"]
        do_close_claim(
            claim, how, form.cleaned_data["reason"], user=request.user, now=timezone.now()
        )
    except OperationRefused as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"Claim closed: {claim.get_status_display().lower()}.")
    return redirect(claim)


@login_required
@require_http_methods(["GET", "POST"])
def edit_rate_card(request, organisation_id=None):
    """The price list as rows of use, duration, price and currency; a bad row keeps every row."""
    owner = get_price_list_owner_for_user(request, organisation_id)
    card = RateCard.objects.filter(owner=owner).first()
    form, rows = price_list_forms(owner, card, request.POST or None)
    if "add_row" in request.POST:
        rows = add_row(rows, request.POST)
    elif request.method == "POST" and form.is_valid() and rows.is_valid():
        pricing = pricing_from(card, form, rows)
        if pricing is not None:
            do_save_price_list(owner, pricing, form.cleaned_data["creator_type"], request.user)
            form.save_sites(owner)
            messages.success(request, _("Prices saved. Claims checked from now on use them."))
            return redirect(request.path)
    context = {"form": form, "rows": rows, "card": card, "owner": owner}
    return render(request, "cases/rate_card.html", context)


@login_required
def download_capture(request, reference, pk):
    """A capture's signed evidence bundle, for the case's parties only."""
    return bundle_download(get_case_for_user(request, reference), pk)


@login_required
@require_http_methods(["POST"])
def decide(request, reference, kind, pk):
    """A case manager's decision on a licence proof or a defence, with written reasons."""
    case = get_case_for_user(request, reference, write=True)
    yes = request.POST.get("decision") in {"accept", "uphold"}
    reasons = request.POST.get("reasons", "")
    try:
        if kind == "licence":
            submission = get_object_or_404(case.licence_submissions, pk=pk)
            do_decide_licence(
                submission, accept=yes, reasons=reasons, user=request.user, now=timezone.now()
            )
        else:
            defence = get_object_or_404(case.defences, pk=pk)
            do_decide_defence(
                defence, uphold=yes, reasons=reasons, user=request.user, now=timezone.now()
            )
    except StepNotAllowed as problem:
        messages.error(request, str(problem))
    except (CaseChanged, IllegalTransition):  # a double submit, or another manager was quicker
        messages.error(request, "The case changed meanwhile (already decided?); nothing was done.")
    else:
        messages.success(request, _("Decided; the recipient sees the decision and its reasons."))
    return redirect(case)


@login_required
@require_http_methods(["POST"])
def reply(request, reference):
    case = get_case_for_user(request, reference, write=True)
    body = request.POST.get("body", "").strip()
    if body:
        do_post_message(
            case, body[:10_000], author_kind="case_manager", author=request.user, now=timezone.now()
        )
    return redirect(case)


@login_required
def download_upload(request, reference, kind, pk):
    """A recipient's uploaded proof, for the case's parties; always a download, never rendered."""
    case = get_case_for_user(request, reference)
    if kind == "licence":
        stored = get_object_or_404(case.licence_submissions, pk=pk).proof
    else:
        stored = get_object_or_404(case.defences, pk=pk).evidence
    if not stored:
        raise Http404(_("No file."))
    response = FileResponse(
        stored.open("rb"), as_attachment=True, filename=stored.name.rsplit("/")[-1]
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def download_case_log(request, reference):
    """The case log as JSON, checkable by anyone with `fairclaim evidence verify FILE`."""
    case = get_case_for_user(request, reference)
    response = JsonResponse(export_case_log(case), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-case-log.json"'
    return response


@login_required
@require_http_methods(["POST"])
def act_on_case(request, reference):
    """The case manager's next steps: submit for review, send the notice, escalate."""
    from .sending import NoticeNotAllowed, do_request_demand

    action = request.POST.get("action")
    case = get_case_for_user(request, reference, write=action != "submit_for_review")
    now = timezone.now()
    try:
        if action == "submit_for_review":
            if not (can_change_cases(request.user) or can_approve_claims(request.user)):
                raise PermissionDenied(_("You may not submit this case."))
            do_transition(
                case, FlowEvent.SUBMITTED_FOR_REVIEW, actor=request.user.get_username(), now=now
            )
        elif action == "send_notice":
            notice = do_request_demand(case, now=now, actor=request.user.get_username())
            if notice is None:
                messages.success(request, _("Capturing the evidence first; the notice follows it."))
            else:
                messages.success(request, f"Notice queued for {notice.recipient_email}.")
        elif action == "dmca":
            from .sending import do_create_dmca

            notice = do_create_dmca(
                case,
                host_name=request.POST.get("host_name", "").strip(),
                agent_email=request.POST.get("agent_email", "").strip(),
                signatory=request.user.get_full_name() or request.user.get_username(),
                now=now,
                actor=request.user.get_username(),
            )
            messages.success(request, f"DMCA notice queued for {notice.recipient_email}.")
        elif action == "escalate":
            firm = get_object_or_404(Organisation, pk=request.POST.get("law_firm"), kind="law_firm")
            do_escalate(case, firm, actor=request.user.get_username(), now=now)
            messages.success(request, f"Escalated to {firm.name}; the firm sees the case file.")
        else:
            messages.error(request, _("Unknown action."))
    except (IllegalTransition, NoticeNotAllowed, CaseChanged, EscalationNotAllowed) as problem:
        messages.error(request, str(problem))
    return redirect(case)


@login_required
def list_notices(request):
    notices = Notice.objects.filter(case__in=cases_for(request.user)).select_related("case")
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/notices.html", {"page": page})


@login_required
def show_notice(request, pk):
    notice = get_object_or_404(Notice.objects.filter(case__in=cases_for(request.user)), pk=pk)
    if request.GET.get("pdf"):
        return FileResponse(
            notice.pdf.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"{notice.case.reference}.pdf",
        )
    return render(request, "cases/notice.html", {"notice": notice})


@login_required
def download_case_file(request, reference):
    """The complete case file (zip) for the law firm and the case's other parties."""
    from django.http import HttpResponse

    from .casefile import build_case_file

    case = get_case_for_user(request, reference)
    response = HttpResponse(build_case_file(case, timezone.now()), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-case-file.zip"'
    return response
