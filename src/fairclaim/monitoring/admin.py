"""Sightings and matches are discovery's record and the rights holder's decisions: the admin only
shows them (decisions are taken on the match pages, which record who decided)."""

from django.contrib import admin

from fairclaim.accounts.admin import ScopedAdmin, scope_choices, stored_file

from .access import matches_for, sightings_for
from .models import Match, Sighting

scope_choices(Sighting, sightings_for)
scope_choices(Match, matches_for)


@admin.register(Sighting)
class SightingAdmin(ScopedAdmin):
    scope = sightings_for
    history = True
    list_display = ["page_domain", "image_url", "source", "first_seen", "last_seen", "gone_at"]
    list_filter = ["source", "hotlinked"]
    search_fields = ["page_url", "image_url", "page_domain"]


@admin.register(Match)
class MatchAdmin(ScopedAdmin):
    scope = matches_for
    history = True
    list_display = ["work", "sighting", "score", "inliers", "status", "created_at"]
    list_filter = ["status"]
    exclude = ["report_image", "overlay_image"]
    readonly_fields = [stored_file("report_image"), stored_file("overlay_image")]
