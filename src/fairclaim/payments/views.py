"""Payout pages: agreements, payout runs (draft, review, make final, discard) and statements
with their PDF, CSV and the run's SEPA file. Every view starts with its access function."""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from .access import (
    agreement_organisations_for,
    can_change_payout_account,
    can_change_terms,
    can_run_payouts,
    get_agreement_organisation_for_user,
    get_run_for_user,
    get_statement_for_user,
    payout_runs_for,
    statements_for,
)
from .forms import AgreementForm, DraftRunForm
from .journal import agreement_for
from .models import PayoutRun
from .payouts import PayoutError, do_discard_run, do_draft_run, do_finalise_run
from .statements import statement_context, statement_csv, statement_pdf


@login_required
@require_http_methods(["GET", "POST"])
def list_payouts(request):
    form = DraftRunForm(request.POST or None, today=timezone.localdate())
    if request.method == "POST":
        if not can_run_payouts(request.user):
            raise PermissionDenied(_("You may view payouts but not start a payout run."))
        if form.is_valid():
            cutoff = datetime.combine(
                form.cleaned_data["cutoff"], time.max, tzinfo=timezone.get_current_timezone()
            )
            try:
                run = do_draft_run(
                    operator=request.user.organisation,
                    cutoff=cutoff,
                    execution_date=form.cleaned_data["execution_date"],
                    actor=request.user.get_username(),
                    now=timezone.now(),
                )
            except PayoutError as problem:
                messages.error(request, str(problem))
            else:
                messages.success(request, _("Draft made: review it, then make it final."))
                return redirect(run)
    context = {
        "runs": payout_runs_for(request.user).select_related("operator")[:100],
        "statements": statements_for(request.user)
        .filter(run__status=PayoutRun.Status.FINAL)
        .select_related("run", "organisation")[:200],
        "organisations": agreement_organisations_for(request.user),
        "form": form,
        "can_run": can_run_payouts(request.user),
    }
    return render(request, "payments/payouts.html", context)


@login_required
def show_run(request, pk):
    run = get_run_for_user(request, pk)
    statements = list(run.statements.select_related("organisation"))
    context = {
        "run": run,
        "statements": statements,
        "total_paid": sum(s.paid for s in statements),
        "can_run": can_run_payouts(request.user),
    }
    return render(request, "payments/run.html", context)


@login_required
@require_POST
def finalise_run(request, pk):
    run = get_run_for_user(request, pk, write=True)
    try:
        do_finalise_run(
            run,
            actor=request.user.get_username(),
            now=timezone.now(),
            debtor=settings.BANK_TRANSFER_ACCOUNT,
        )
    except PayoutError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(
            request, _("The payout run is final. Download the SEPA file for the bank.")
        )
    return redirect(run)


@login_required
@require_POST
def discard_run(request, pk):
    run = get_run_for_user(request, pk, write=True)
    try:
        do_discard_run(run)
    except PayoutError as problem:
        messages.error(request, str(problem))
    return redirect("payments:payouts")


@login_required
def download_sepa(request, pk):
    run = get_run_for_user(request, pk)
    if run.status != PayoutRun.Status.FINAL or not run.sepa_xml:
        raise Http404(_("This run has no SEPA file (it is not final or pays nothing)."))
    response = HttpResponse(run.sepa_xml, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="payout-run-{run.pk}-pain001.xml"'
    return response


@login_required
def show_statement(request, pk):
    statement = get_statement_for_user(request, pk)
    return render(request, "payments/statement.html", statement_context(statement))


@login_required
def download_statement(request, pk, fmt):
    if fmt not in {"csv", "pdf"}:
        raise Http404(_("Statements are downloaded as PDF or CSV."))
    statement = get_statement_for_user(request, pk)
    name = f"statement-{statement.run_id}-{statement.organisation.slug}-{statement.currency}"
    if fmt == "csv":
        response = HttpResponse(statement_csv(statement), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def edit_agreement(request, slug):
    organisation = get_agreement_organisation_for_user(
        request, slug, write=request.method == "POST"
    )
    agreement = agreement_for(organisation)
    form = AgreementForm(
        request.POST or None,
        instance=agreement,
        terms=can_change_terms(request.user),
        account=can_change_payout_account(request.user),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Agreement saved. It applies to money booked from now on."))
        return redirect("payments:agreement", slug=organisation.slug)
    context = {
        "organisation": organisation,
        "agreement": agreement,
        "form": form,
        "can_save": can_change_payout_account(request.user),
    }
    return render(request, "payments/agreement.html", context)
