"""Sightings and matches: lists with filters, and the triage decisions of the web inbox."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from fairclaim.accounts.access import can_change_matches
from fairclaim.api.filters import MatchFilter, SightingFilter
from fairclaim.api.scopes import TRIAGE
from fairclaim.api.serializers import (
    MatchDetailSerializer,
    MatchSerializer,
    SightingSerializer,
    TriageResultSerializer,
    TriageSerializer,
)
from fairclaim.monitoring.access import get_match_for_user, matches_for, sightings_for
from fairclaim.monitoring.triage import do_triage

from .base import ScopedView


class SightingList(ScopedView, generics.ListAPIView):
    """Images found on web pages for your organisation, newest first."""

    serializer_class = SightingSerializer
    filterset_class = SightingFilter

    def get_queryset(self):
        return sightings_for(self.request.user)


class MatchList(ScopedView, generics.ListAPIView):
    """Verified matches of your works, newest first; `status=open` is the review inbox."""

    serializer_class = MatchSerializer
    filterset_class = MatchFilter

    def get_queryset(self):
        return matches_for(self.request.user).select_related("sighting")


class MatchDetail(ScopedView, generics.RetrieveAPIView):
    """One match with the engine's report (distances, inliers, threshold used)."""

    serializer_class = MatchDetailSerializer

    def get_object(self):
        return get_match_for_user(self.request, self.kwargs["pk"])


class Triage(ScopedView, APIView):
    """Decide on matches with the web inbox's actions; matches you cannot see are skipped."""

    write_scope = TRIAGE
    parser_classes = [JSONParser]

    @extend_schema(
        request=TriageSerializer,
        responses={200: TriageResultSerializer},
        summary="Decide on matches (the web inbox's actions); unknown ids are skipped",
    )
    def post(self, request):
        if not can_change_matches(request.user):
            raise PermissionDenied("You may view matches but not decide on them.")
        form = TriageSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # Only matches this key's member may see; others are skipped like in the web inbox.
        chosen = matches_for(request.user).filter(pk__in=form.validated_data["matches"])
        done = do_triage(chosen, form.validated_data["action"], request.user, timezone.now())
        return Response({"done": dict(done)})
