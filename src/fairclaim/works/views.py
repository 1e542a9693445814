from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from fairclaim.accounts.access import can_change_works, handled_organisations

from .access import get_work_for_user, works_for
from .actions import do_import_ledger, do_register_uploads, do_retry_work
from .forms import LedgerImportForm, LicenceForm, RegistrationFormSet, UploadForm, WorkForm
from .intake import ACCEPTED_FORMATS
from .models import Licence, Work

PAGE_SIZE = 48
PROGRESS_REFRESH_SECONDS = 3


@login_required
def list_works(request):
    works = works_for(request.user).select_related("owner")
    progress = works_for(request.user).aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in Work.Status.values}
    )
    query = request.GET.get("q", "").strip()
    if query:
        works = works.filter(
            Q(title__icontains=query) | Q(creator__icontains=query) | Q(sha256__startswith=query)
        )
    status = request.GET.get("status", "")
    if status in Work.Status.values:
        works = works.filter(status=status)
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
    }
    return render(request, "works/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def upload_works(request):
    if not _may_upload(request.user):
        raise PermissionDenied("Only a rights holder's members may register works.")
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
    }
    return render(request, "works/detail.html", context)


@login_required
@require_POST
def retry_work(request, pk):
    work = get_work_for_user(request, pk, write=True)
    if do_retry_work(work):
        messages.success(request, "Queued again: the thumbnail and fingerprint are being made.")
    else:
        messages.error(request, "This photo has not failed; there is nothing to retry.")
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
        messages.success(request, "Saved.")
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
        raise Http404("No thumbnail yet.")
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
        raise PermissionDenied("Only a rights holder's members may record licences.")
    owner = request.user.organisation
    form = LicenceForm(request.POST or None, owner=owner, instance=Licence(owner=owner))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Licence recorded: matches it covers will not be claimed.")
        return redirect("works:licences")
    return render(request, "works/licence_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def import_licences(request):
    if not _may_upload(request.user):
        raise PermissionDenied("Only a rights holder's members may import licences.")
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        created, errors = do_import_ledger(request.user.organisation, form.cleaned_data["csv_file"])
        if errors:
            for error in errors[:50]:
                messages.error(request, error)
            messages.error(request, "Nothing was imported; fix the lines above and try again.")
            return render(request, "works/licence_import.html", {"form": form}, status=400)
        messages.success(request, f"Imported {created} licences.")
        return redirect("works:licences")
    return render(request, "works/licence_import.html", {"form": form})
