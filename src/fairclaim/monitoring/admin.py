from django.contrib import admin

from fairclaim.accounts.access import matches_for, sightings_for
from fairclaim.accounts.admin import ScopedAdmin

from .models import Match, Sighting


@admin.register(Sighting)
class SightingAdmin(ScopedAdmin):
    scope = sightings_for
    list_display = ["page_domain", "image_url", "source", "first_seen", "last_seen", "gone_at"]
    list_filter = ["source", "hotlinked"]
    search_fields = ["page_url", "image_url", "page_domain"]


@admin.register(Match)
class MatchAdmin(ScopedAdmin):
    scope = matches_for
    list_display = ["work", "sighting", "score", "inliers", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["work", "sighting"]
