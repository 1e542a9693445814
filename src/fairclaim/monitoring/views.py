import contextlib
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from fairclaim.accounts.access import can_change_matches, handled_organisations

from .access import get_match_for_user, matches_for, sightings_for
from .actions import do_request_scan, do_settle_stale_check, do_settle_stale_scan
from .forms import SubmitPageForm, WatchListForm
from .models import Match, PageCheck, ScanStatus, WatchList
from .tasks import check_submitted_page
from .triage import ACTIONS, do_triage

PAGE_SIZE = 50


SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "score": ("-score", "-id"),
    "domain": ("sighting__page_domain", "-id"),
}
SORT_LABELS = {
    "newest": _("newest"),
    "oldest": _("oldest"),
    "score": _("score"),
    "domain": _("domain"),
}
OPEN_STATUSES = [Match.Status.NEW, Match.Status.SEEN]


def filtered_matches(user, params):
    """The inbox query: every filter is an indexed column or a join on one."""
    matches = matches_for(user).select_related("work", "sighting")
    status = params.get("status", "open")
    if status == "open":
        matches = matches.filter(status__in=OPEN_STATUSES)
    elif status in Match.Status.values:
        matches = matches.filter(status=status)
    if domain := params.get("domain", "").strip().lower():
        matches = matches.filter(sighting__page_domain__icontains=domain)
    if country := params.get("country", "").strip().lower():
        matches = matches.filter(sighting__page_domain__iendswith=f".{country}")
    if (work := params.get("work", "")).isdigit():
        matches = matches.filter(work_id=int(work))
    if params.get("commercial") == "1":
        # A site naming a company or an imprint page is run as a business.
        matches = matches.exclude(sighting__context__company="").exclude(
            sighting__context__company__isnull=True
        )
    with contextlib.suppress(ValueError):
        matches = matches.filter(score__gte=float(params.get("min_score") or 0))
    return matches.order_by(*SORTS.get(params.get("sort", "newest"), SORTS["newest"]))


@login_required
def list_matches(request):
    page = Paginator(filtered_matches(request.user, request.GET), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "params": request.GET,
        "query": request.GET.urlencode(),
        "statuses": Match.Status.choices,
        "sorts": [(key, SORT_LABELS[key]) for key in SORTS],
        "actions": ACTIONS,
        "can_triage": can_change_matches(request.user),
    }
    return render(request, "monitoring/list.html", context)


@login_required
@require_http_methods(["POST"])
def triage_matches(request):
    if not can_change_matches(request.user):
        raise PermissionDenied(_("You may view matches but not decide on them."))
    action = request.POST.get("action", "")
    ids = [int(i) for i in request.POST.getlist("match") if i.isdigit()]
    if action not in ACTIONS or not ids:
        messages.error(request, _("Choose one or more matches and an action."))
    else:
        # Only matches this user may see; anything else in the form is silently not there.
        chosen = matches_for(request.user).filter(pk__in=ids)
        done = do_triage(chosen, action, request.user, timezone.now())
        summary = ", ".join(f"{count} {status.replace('_', ' ')}" for status, count in done.items())
        messages.success(request, f"Done: {summary}." if done else "Nothing changed.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return redirect(back or "monitoring:list")


@login_required
def show_match(request, pk):
    match = get_match_for_user(request, pk)
    context = {
        "match": match,
        "actions": ACTIONS,
        "can_triage": can_change_matches(request.user),
        "work_url": match.work.get_absolute_url(),
    }
    return render(request, "monitoring/detail.html", context)


@login_required
def match_report_image(request, pk, variant="report"):
    match = get_match_for_user(request, pk)
    stored = match.overlay_image if variant == "overlay" else match.report_image
    if not stored:
        raise Http404(_("This match has no such picture."))
    response = FileResponse(stored.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def list_sightings(request):
    # Each sighting with the matches it led to (and their works, for the thumbnail).
    sightings = sightings_for(request.user).prefetch_related(
        Prefetch("matches", queryset=Match.objects.select_related("work").order_by("-score"))
    )
    page = Paginator(sightings, PAGE_SIZE).get_page(request.GET.get("page"))
    may_submit = can_change_matches(request.user) and request.user.organisation_id is not None
    form = SubmitPageForm() if may_submit else None
    return render(request, "monitoring/sightings.html", {"page": page, "form": form})


@login_required
@require_http_methods(["POST"])
def submit_page(request):
    if not (request.user.organisation_id and request.user.role == "rights_holder"):
        raise PermissionDenied(_("Only a rights holder's members submit pages for their works."))
    if request.user.read_only:
        raise PermissionDenied(_("You may view sightings but not submit pages."))
    form = SubmitPageForm(request.POST)
    if not form.is_valid():
        page = Paginator(sightings_for(request.user), PAGE_SIZE).get_page(1)
        return render(
            request, "monitoring/sightings.html", {"page": page, "form": form}, status=400
        )
    check = PageCheck.objects.create(
        organisation_id=request.user.organisation_id,
        requested_by=request.user,
        page_url=form.cleaned_data["page_url"],
        image_url=form.cleaned_data["image_url"] or "",
        created_at=timezone.now(),
    )
    transaction.on_commit(lambda: check_submitted_page.enqueue(check.pk))
    return redirect(check)


# While a check runs its page reloads itself this often (no JavaScript needed).
CHECK_REFRESH_SECONDS = 2


def _get_page_check_for_user(request, pk) -> PageCheck:
    check = get_object_or_404(
        PageCheck.objects.filter(organisation__in=handled_organisations(request.user)), pk=pk
    )
    return do_settle_stale_check(check, timezone.now())


@login_required
def show_page_check(request, pk):
    check = _get_page_check_for_user(request, pk)
    context = {"check": check, "refresh": None if check.finished else CHECK_REFRESH_SECONDS}
    return render(request, "monitoring/page_check.html", context)


@login_required
def page_check_status(request, pk):
    """What the check's page polls: its state and, once it ends, the result or the reason."""
    check = _get_page_check_for_user(request, pk)
    messages_by_status = {
        PageCheck.Status.QUEUED: "Waiting for a worker to start the check…",
        PageCheck.Status.RUNNING: "Fetching the page and its images…",
        PageCheck.Status.DONE: f"Done: {check.images_found} image(s) found on the page, "
        f"{check.images_new} new.",
        PageCheck.Status.FAILED: f"The page was not checked. {check.reason}",
    }
    return JsonResponse(
        {
            "status": check.status,
            "finished": check.finished,
            "message": messages_by_status[check.status],
            "images_found": check.images_found,
            "images_new": check.images_new,
            "failure_kind": check.failure_kind,
            "reason": check.reason,
        }
    )


def _get_watch_list_for_user(request, pk, *, write: bool = False) -> WatchList:
    watch = get_object_or_404(
        WatchList.objects.filter(organisation__in=handled_organisations(request.user)), pk=pk
    )
    if write and not can_change_matches(request.user):
        raise PermissionDenied("You may follow scans but not start them.")
    return watch


@login_required
@require_http_methods(["GET", "POST"])
def list_watch_lists(request):
    """Sites scanned on a schedule, how their latest scan went, and a form to add one."""
    may_add = can_change_matches(request.user) and request.user.organisation_id is not None
    may_add = may_add and request.user.role == "rights_holder"
    form = WatchListForm(request.POST or None) if may_add else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only a rights holder's members add sites to scan.")
        if form.is_valid():
            watch = form.save(commit=False)
            watch.organisation_id = request.user.organisation_id
            watch.next_scan_at = timezone.now() + timedelta(hours=watch.interval_hours)
            watch.save()
            do_request_scan(watch, timezone.now())  # the first scan starts now
            return redirect(watch)
    watch_lists = WatchList.objects.filter(organisation__in=handled_organisations(request.user))
    context = {"watch_lists": watch_lists, "form": form}
    status = 400 if form is not None and form.errors else 200
    return render(request, "monitoring/watch_lists.html", context, status=status)


@login_required
def show_watch_list(request, pk):
    watch = do_settle_stale_scan(_get_watch_list_for_user(request, pk), timezone.now())
    context = {
        "watch": watch,
        "refresh": CHECK_REFRESH_SECONDS if watch.scanning else None,
        "can_scan": can_change_matches(request.user),
    }
    return render(request, "monitoring/watch_list.html", context)


@login_required
@require_http_methods(["POST"])
def scan_watch_list_now(request, pk):
    watch = _get_watch_list_for_user(request, pk, write=True)
    if not do_request_scan(watch, timezone.now()):
        messages.info(request, "A scan of this list is already waiting or running.")
    return redirect(watch)


@login_required
def watch_list_status(request, pk):
    """What the scan page polls: the scan's state and, once it ends, its counts or reason."""
    watch = do_settle_stale_scan(_get_watch_list_for_user(request, pk), timezone.now())
    summary = watch.last_scan_summary or {}
    pages = (summary.get("counts") or {}).get("pages", 0)
    messages_by_status = {
        ScanStatus.IDLE: str(_("Not scanned yet.")),
        ScanStatus.QUEUED: str(_("Waiting for a worker to start the scan…")),
        ScanStatus.RUNNING: _("Scanning up to %(pages)s pages…") % {"pages": watch.max_pages},
        ScanStatus.DONE: _("Done: %(pages)s page(s) read, %(new)s new image(s).")
        % {"pages": pages, "new": summary.get("new", 0)},
        ScanStatus.FAILED: f"{_('The scan failed.')} {watch.scan_error}",
    }
    return JsonResponse(
        {
            "status": watch.scan_status,
            "finished": not watch.scanning,
            "message": messages_by_status[ScanStatus(watch.scan_status)],
            "reason": watch.scan_error,
            "summary": summary,
        }
    )
