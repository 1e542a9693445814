from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render

from fairclaim.accounts.access import get_match_for_user, matches_for

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
