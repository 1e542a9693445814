"""Works, their registrations, and licences: thin shells over `works` actions and access."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from fairclaim.accounts.access import can_change_works, handled_organisations
from fairclaim.api.filters import LicenceFilter, WorkFilter
from fairclaim.api.idempotency import idempotent
from fairclaim.api.intake import do_register_from_urls
from fairclaim.api.problems import problem_response
from fairclaim.api.serializers import (
    LicenceImportResultSerializer,
    LicenceImportSerializer,
    LicenceSerializer,
    RegistrationSerializer,
    WorkBulkResultSerializer,
    WorkBulkSerializer,
    WorkCreatedSerializer,
    WorkFromUrlSerializer,
    WorkSerializer,
    WorkUploadSerializer,
)
from fairclaim.works.access import get_work_for_user, works_for
from fairclaim.works.actions import (
    BulkRefused,
    do_bulk_edit,
    do_import_ledger,
    do_register_uploads,
)
from fairclaim.works.models import Licence, Registration

from .base import ScopedView, refusals


def check_may_register(user) -> None:
    if not (can_change_works(user) and user.organisation_id is not None):
        raise PermissionDenied("Only a rights holder's members may register works and licences.")


def created_response(request, outcome, serializer_context) -> Response:
    """201 with what was registered and refused; 422 when nothing was registered."""
    registered = WorkSerializer(outcome.registered, many=True, context=serializer_context).data
    if not outcome.registered:
        first = outcome.refused[0] if outcome.refused else None
        detail = f"{first.filename}: {first.reason}" if first else "Nothing to register."
        return problem_response(
            422, detail, request, slug="nothing-registered", refused=refusals(outcome)
        )
    body = {"registered": registered, "refused": refusals(outcome)}
    return Response(body, status=status.HTTP_201_CREATED)


class WorkList(ScopedView, generics.ListAPIView):
    """Your organisation's registered works, newest first. POST uploads photos or zip archives."""

    serializer_class = WorkSerializer
    filterset_class = WorkFilter
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return (
            works_for(self.request.user)
            .select_related("owner")
            .prefetch_related("registrations", "tags", "collections")
        )

    @extend_schema(
        request={"multipart/form-data": WorkUploadSerializer},
        responses={201: WorkCreatedSerializer},
        summary="Register photos (one or many files; zip archives are unpacked)",
    )
    @idempotent
    def post(self, request):
        check_may_register(request.user)
        form = WorkUploadSerializer(data={"files": request.FILES.getlist("files")})
        form.is_valid(raise_exception=True)
        outcome = do_register_uploads(
            request.user.organisation, request.user, form.validated_data["files"]
        )
        return created_response(request, outcome, self.get_serializer_context())


class WorkFromUrl(ScopedView, APIView):
    """Register photos from image URLs (at most 20), fetched now through the guarded fetch:
    public addresses only, redirects re-checked, byte and pixel limits."""

    parser_classes = [JSONParser]

    @extend_schema(
        request=WorkFromUrlSerializer,
        responses={201: WorkCreatedSerializer},
        summary="Register photos fetched from image URLs",
    )
    @idempotent
    def post(self, request):
        check_may_register(request.user)
        form = WorkFromUrlSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        outcome = do_register_from_urls(
            request.user.organisation, request.user, form.validated_data["urls"]
        )
        return created_response(request, outcome, {"request": request})


class WorkBulk(ScopedView, APIView):
    """One action on many works: add or remove tags or a collection, archive, restore, or set
    shared rights metadata. Works the caller may not see are skipped, never changed."""

    parser_classes = [JSONParser]

    @extend_schema(
        request=WorkBulkSerializer,
        responses={200: WorkBulkResultSerializer},
        summary="Bulk-edit works (tags, collections, archive, restore, metadata)",
    )
    @idempotent
    def post(self, request):
        if not can_change_works(request.user):
            raise PermissionDenied("You may view works but not change them.")
        form = WorkBulkSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        chosen = works_for(request.user).filter(pk__in=values.pop("works"))
        try:
            changed = do_bulk_edit(chosen, values.pop("action"), values, timezone.now())
        except BulkRefused as refusal:
            return problem_response(422, str(refusal), request, slug="bulk-refused")
        return Response({"changed": changed})


class WorkDetail(ScopedView, generics.RetrieveUpdateAPIView):
    """One work. PATCH changes its rights metadata (title, creator, dates, …), its tags and
    collections (each a list of names that replaces the current one) and `archived`."""

    serializer_class = WorkSerializer
    parser_classes = [JSONParser]
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return get_work_for_user(self.request, self.kwargs["pk"], write=write)


class RegistrationList(ScopedView, generics.ListCreateAPIView):
    """A work's copyright registrations (17 USC 412); POST records one."""

    serializer_class = RegistrationSerializer
    parser_classes = [JSONParser]
    pagination_class = None
    queryset = Registration.objects.none()  # names the model for the schema; get_queryset decides

    def get_queryset(self):
        work = get_work_for_user(self.request, self.kwargs["pk"])
        return Registration.objects.filter(work=work).order_by("effective_date", "id")

    @extend_schema(responses={201: RegistrationSerializer})
    @idempotent
    def post(self, request, pk):
        work = get_work_for_user(request, pk, write=True)
        form = RegistrationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        if work.registrations.filter(
            office=form.validated_data["office"], number=form.validated_data["number"]
        ).exists():
            return problem_response(409, "This registration is already recorded.", request)
        form.save(work=work)
        return Response(form.data, status=status.HTTP_201_CREATED)


class LicenceList(ScopedView, generics.ListAPIView):
    """Known licences: a match they cover is never claimed. POST records one."""

    serializer_class = LicenceSerializer
    filterset_class = LicenceFilter
    parser_classes = [JSONParser]

    def get_queryset(self):
        return Licence.objects.filter(owner__in=handled_organisations(self.request.user))

    @extend_schema(request=LicenceSerializer, responses={201: LicenceSerializer})
    @idempotent
    def post(self, request):
        check_may_register(request.user)
        owner = request.user.organisation
        form = LicenceSerializer(data=request.data, works=works_for(request.user))
        form.is_valid(raise_exception=True)
        form.save(owner=owner)
        return Response(form.data, status=status.HTTP_201_CREATED)


class LicenceImport(ScopedView, APIView):
    """Import the licence ledger CSV (columns as on the web import page): all rows or none."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": LicenceImportSerializer},
        responses={201: LicenceImportResultSerializer},
        summary="Import a licence ledger CSV: every row or none",
    )
    @idempotent
    def post(self, request):
        check_may_register(request.user)
        form = LicenceImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with transaction.atomic():
            created, errors = do_import_ledger(
                request.user.organisation, form.validated_data["csv_file"]
            )
        if errors:
            return problem_response(
                422, f"Nothing was imported: {errors[0]}", request, slug="import-refused",
                errors={"csv_file": errors[:50]},
            )  # fmt: skip
        return Response({"imported": created}, status=status.HTTP_201_CREATED)
