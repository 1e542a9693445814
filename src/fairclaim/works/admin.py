from django.contrib import admin

from fairclaim.accounts.access import can_change_works
from fairclaim.accounts.admin import ScopedAdmin, ScopedInline, scope_choices, stored_file

from .access import licences_for, works_for
from .models import Licence, LicenceProof, Registration, Work

scope_choices(Work, works_for)
scope_choices(Licence, licences_for)


class RegistrationInline(ScopedInline):
    model = Registration
    extra = 0


@admin.register(Work)
class WorkAdmin(ScopedAdmin):
    scope = works_for
    may_change = can_change_works
    list_display = ["__str__", "owner", "creator", "width", "height", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "creator", "sha256"]
    # Tags and collections belong to the owner and are set on the work page or the grid (the
    # admin's many-to-many widget would offer every organisation's labels).
    exclude = ["file", "thumbnail", "tags", "collections"]
    readonly_fields = ["owner", "sha256", stored_file("file"), stored_file("thumbnail"), "width",
                       "height", "byte_size", "image_format", "embedded_metadata",
                       "uploaded_by", "archived_at"]  # fmt: skip
    inlines = [RegistrationInline]


class LicenceProofInline(ScopedInline):
    model = LicenceProof
    extra = 0
    exclude = ["file"]
    readonly_fields = [stored_file("file"), "sha256", "content_type", "original_filename"]

    def has_add_permission(self, request, obj=None):
        return False  # proofs are uploaded through the licence pages, checked by content


@admin.register(Licence)
class LicenceAdmin(ScopedAdmin):
    scope = licences_for
    may_change = can_change_works
    list_display = ["licensee_name", "owner", "work", "usage", "source", "starts_on", "ends_on"]
    list_filter = ["source", "usage"]
    search_fields = ["licensee_name", "licensee_email", "reference"]
    inlines = [LicenceProofInline]
