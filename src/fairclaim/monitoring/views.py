from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from fairclaim.accounts.access import (
    can_change_matches,
    get_match_for_user,
    matches_for,
    sightings_for,
)

from .forms import SubmitPageForm
from .tasks import scan_submitted_page

PAGE_SIZE = 50


@login_required
def list_matches(request):
    matches = matches_for(request.user).select_related("work", "sighting")
    status = request.GET.get("status", "")
    if status:
        matches = matches.filter(status=status)
    page = Paginator(matches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/list.html", {"page": page, "status": status})


@login_required
def show_match(request, pk):
    match = get_match_for_user(request, pk)
    return render(request, "monitoring/detail.html", {"match": match})


@login_required
def match_report_image(request, pk):
    match = get_match_for_user(request, pk)
    if not match.report_image:
        raise Http404("This match has no report picture.")
    response = FileResponse(match.report_image.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def list_sightings(request):
    sightings = sightings_for(request.user)
    page = Paginator(sightings, PAGE_SIZE).get_page(request.GET.get("page"))
    may_submit = can_change_matches(request.user) and request.user.organisation_id is not None
    form = SubmitPageForm() if may_submit else None
    return render(request, "monitoring/sightings.html", {"page": page, "form": form})


@login_required
@require_http_methods(["POST"])
def submit_page(request):
    if not (request.user.organisation_id and request.user.role == "rights_holder"):
        raise PermissionDenied("Only a rights holder's members submit pages for their works.")
    if request.user.read_only:
        raise PermissionDenied("You may view sightings but not submit pages.")
    form = SubmitPageForm(request.POST)
    if not form.is_valid():
        page = Paginator(sightings_for(request.user), PAGE_SIZE).get_page(1)
        return render(
            request, "monitoring/sightings.html", {"page": page, "form": form}, status=400
        )
    args = (
        request.user.organisation_id,
        request.user.pk,
        form.cleaned_data["page_url"],
        form.cleaned_data["image_url"] or None,
    )
    transaction.on_commit(lambda: scan_submitted_page.enqueue(*args))
    messages.info(
        request,
        f"Checking {form.cleaned_data['page_url']} — its images appear here when the check ends.",
    )
    return redirect("monitoring:sightings")
