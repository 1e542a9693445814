from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from fairclaim.accounts.access import can_change_works, handled_organisations

from .access import get_work_for_user, works_for
from .actions import (
    BULK_ACTIONS,
    BulkRefused,
    clean_names,
    do_archive_works,
    do_bulk_edit,
    do_import_ledger,
    do_register_uploads,
    do_restore_works,
    do_retry_work,
    do_set_collections,
    do_set_tags,
)
from .forms import LedgerImportForm, LicenceForm, RegistrationFormSet, UploadForm, WorkForm
from .intake import ACCEPTED_FORMATS
from .models import Collection, Licence, Tag, Work

PAGE_SIZE = 48
PROGRESS_REFRESH_SECONDS = 3


def _progress(user) -> dict:
    return works_for(user).aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in Work.Status.values}
    )


@login_required
def registration_progress(request):
    """What the works page polls while photos are processed (the page refreshes without JS)."""
    progress = _progress(request.user)
    in_flight = progress[Work.Status.PENDING] + progress[Work.Status.PROCESSING]
    processed = progress[Work.Status.READY] + progress[Work.Status.FAILED]
    message = (
        f"Registering photos: {progress[Work.Status.PROCESSING]} being processed, "
        f"{progress[Work.Status.PENDING]} waiting."
        if in_flight
        else "All photos are processed."
    )
    return JsonResponse(
        {
            **progress,
            "in_flight": in_flight,
            "processed": processed,
            "finished": not in_flight,
            "message": message,
            "value": processed,
            "max": processed + in_flight,
        }
    )


@login_required
def list_works(request):
    works = works_for(request.user).select_related("owner").prefetch_related("tags")
    progress = _progress(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        works = works.filter(
            Q(title__icontains=query) | Q(creator__icontains=query) | Q(sha256__startswith=query)
        )
    status = request.GET.get("status", "")
    if status in Work.Status.values:
        works = works.filter(status=status)
    archived = request.GET.get("archived", "")
    if archived == "1":
        works = works.filter(archived_at__isnull=False)
    elif archived != "all":
        works = works.filter(archived_at__isnull=True)
    if tag := request.GET.get("tag", "").strip():
        works = works.filter(tags__name__iexact=tag)
    collection = request.GET.get("collection", "")
    if collection.isdigit():
        works = works.filter(collections__pk=int(collection))
    in_flight = progress[Work.Status.PENDING] + progress[Work.Status.PROCESSING]
    context = {
        "page": Paginator(works, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query,
        "status": status,
        "can_upload": _may_upload(request.user),
        "progress": progress,
        "in_flight": in_flight,
        "processed": progress[Work.Status.READY] + progress[Work.Status.FAILED],
        # While photos are processed the list reloads itself (no JavaScript needed).
        "refresh": PROGRESS_REFRESH_SECONDS if in_flight else None,
        "archived": archived,
        "tag": tag,
        "collection": collection,
        "tags": Tag.objects.filter(owner__in=handled_organisations(request.user)),
        "collections": Collection.objects.filter(
            owner__in=handled_organisations(request.user)
        ).annotate(size=Count("works")),
        "bulk_actions": BULK_ACTIONS,
        "can_edit": can_change_works(request.user),
        "query_string": request.GET.urlencode(),
    }
    return render(request, "works/list.html", context)


@login_required
@require_POST
def bulk_edit_works(request):
    """The works grid's bulk edit: tags, collections, archive, restore, shared metadata."""
    if not can_change_works(request.user):
        raise PermissionDenied("You may view works but not change them.")
    ids = [int(i) for i in request.POST.getlist("work") if i.isdigit()]
    # Only works this user may see; anything else in the form is silently not there.
    chosen = works_for(request.user).filter(pk__in=ids)
    if not ids:
        messages.error(request, "Choose one or more works first.")
    else:
        try:
            action = request.POST.get("action", "")
            done = do_bulk_edit(chosen, action, request.POST, timezone.now())
        except BulkRefused as refusal:
            messages.error(request, f"Nothing was changed: {refusal}")
        else:
            messages.success(request, f"Done: {done} work{'s' if done != 1 else ''} changed.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return redirect(back or "works:list")


@login_required
@require_POST
def archive_work(request, pk, archive):
    work = get_work_for_user(request, pk, write=True)
    chosen = Work.objects.filter(pk=work.pk)
    if archive:
        do_archive_works(chosen, timezone.now())
        messages.success(request, "Archived: no longer matched or searched for. Its history stays.")
    else:
        do_restore_works(chosen, timezone.now())
        messages.success(request, "Restored: it is matched and searched for again.")
    return redirect(work)


@login_required
@require_POST
def label_work(request, pk):
    """Replace a work's tags and collections with those named in the form."""
    work = get_work_for_user(request, pk, write=True)
    try:
        tags = clean_names(request.POST.get("tags", ""))
        collections = clean_names(request.POST.get("collections", ""))
    except BulkRefused as refusal:
        messages.error(request, f"Nothing was changed: {refusal}")
    else:
        with transaction.atomic():
            do_set_tags(work, tags)
            do_set_collections(work, collections)
        messages.success(request, "Tags and collections saved.")
    return redirect(work)


@login_required
@require_http_methods(["GET", "POST"])
def upload_works(request):
    if not _may_upload(request.user):
        raise PermissionDenied(_("Only a rights holder's members may register works."))
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        outcome = do_register_uploads(
            request.user.organisation, request.user, form.cleaned_data["photos"]
        )
        if outcome.registered:
            count = len(outcome.registered)
            messages.success(request, f"Registered {count} photo{'s' if count != 1 else ''}.")
        for refusal in outcome.refused:
            messages.error(request, f"Not registered — {refusal.filename}: {refusal.reason}")
        for note in outcome.notes:
            messages.warning(request, note)
        return redirect("works:list")
    return render(request, "works/upload.html", {"form": form})


STORY_ROWS = 20  # newest matches and cases shown on a work's page; the lists hold the rest


@login_required
def show_work(request, pk):
    work = get_work_for_user(request, pk)
    context = {
        "work": work,
        "registrations": work.registrations.all(),
        "licences": work.licences.all(),
        "can_edit": can_change_works(request.user),
        # The work's story, through reverse relations (works must not import the apps above
        # it); the work was access-checked, and its matches and cases are its owner's.
        "match_count": work.matches.count(),
        "matches": work.matches.select_related("sighting").order_by("-created_at")[:STORY_ROWS],
        "case_lines": work.case_lines.select_related("case").order_by("-case__created_at")[
            :STORY_ROWS
        ],
        "sightings": _sightings_of(work)[:STORY_ROWS],
        "tags": work.tags.all(),
        "collections": work.collections.all(),
    }
    return render(request, "works/detail.html", context)


def _sightings_of(work):
    """Where the work was seen: the sightings its matches came from, newest first (through the
    reverse relation; works must not import monitoring)."""
    sighting_model = work.matches.model._meta.get_field("sighting").related_model
    return sighting_model.objects.filter(matches__work=work).distinct().order_by("-last_seen")


@login_required
@require_POST
def retry_work(request, pk):
    work = get_work_for_user(request, pk, write=True)
    if do_retry_work(work):
        messages.success(request, _("Queued again: the thumbnail and fingerprint are being made."))
    else:
        messages.error(request, _("This photo has not failed; there is nothing to retry."))
    return redirect(work)


@login_required
@require_http_methods(["GET", "POST"])
def edit_work(request, pk):
    work = get_work_for_user(request, pk, write=True)
    form = WorkForm(request.POST or None, instance=work)
    registrations = RegistrationFormSet(request.POST or None, instance=work)
    if request.method == "POST" and form.is_valid() and registrations.is_valid():
        with transaction.atomic():
            form.save()
            registrations.save()
        messages.success(request, _("Saved."))
        return redirect(work)
    return render(
        request, "works/edit.html", {"work": work, "form": form, "registrations": registrations}
    )


@login_required
def work_image(request, pk, variant):
    """The photo or its thumbnail, streamed after the access check (storage has no public URL)."""
    work = get_work_for_user(request, pk)
    stored = work.thumbnail if variant == "thumbnail" else work.file
    if not stored:
        raise Http404(_("No thumbnail yet."))
    content_type = "image/jpeg" if variant == "thumbnail" else _content_type(work)
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _may_upload(user) -> bool:
    return can_change_works(user) and user.organisation_id is not None


def _content_type(work) -> str:
    return ACCEPTED_FORMATS.get(work.image_format, "application/octet-stream")


@login_required
def list_licences(request):
    licences = Licence.objects.filter(owner__in=handled_organisations(request.user))
    licences = licences.select_related("work")
    page = Paginator(licences, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "can_edit": _may_upload(request.user)}
    return render(request, "works/licences.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def add_licence(request):
    if not _may_upload(request.user):
        raise PermissionDenied(_("Only a rights holder's members may record licences."))
    owner = request.user.organisation
    form = LicenceForm(request.POST or None, owner=owner, instance=Licence(owner=owner))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Licence recorded: matches it covers will not be claimed."))
        return redirect("works:licences")
    return render(request, "works/licence_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def import_licences(request):
    if not _may_upload(request.user):
        raise PermissionDenied(_("Only a rights holder's members may import licences."))
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        created, errors = do_import_ledger(request.user.organisation, form.cleaned_data["csv_file"])
        if errors:
            for error in errors[:50]:
                messages.error(request, error)
            messages.error(request, _("Nothing was imported; fix the lines above and try again."))
            return render(request, "works/licence_import.html", {"form": form}, status=400)
        messages.success(request, f"Imported {created} licences.")
        return redirect("works:licences")
    return render(request, "works/licence_import.html", {"form": form})
