from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from fairclaim.accounts.access import can_change_works, get_work_for_user, works_for

from .actions import do_register_uploads
from .forms import RegistrationFormSet, UploadForm, WorkForm
from .intake import ACCEPTED_FORMATS

PAGE_SIZE = 48


@login_required
def list_works(request):
    works = works_for(request.user).select_related("owner")
    query = request.GET.get("q", "").strip()
    if query:
        works = works.filter(
            Q(title__icontains=query) | Q(creator__icontains=query) | Q(sha256__startswith=query)
        )
    page = Paginator(works, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "works/list.html",
        {"page": page, "query": query, "can_upload": _may_upload(request.user)},
    )


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
        return redirect("works:list")
    return render(request, "works/upload.html", {"form": form})


@login_required
def show_work(request, pk):
    work = get_work_for_user(request, pk)
    context = {
        "work": work,
        "registrations": work.registrations.all(),
        "licences": work.licences.all(),
        "can_edit": can_change_works(request.user),
    }
    return render(request, "works/detail.html", context)


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
