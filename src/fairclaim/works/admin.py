from django.contrib import admin

from fairclaim.accounts.access import works_for
from fairclaim.accounts.admin import ScopedAdmin

from .models import Licence, LicenceProof, Registration, Work


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0


@admin.register(Work)
class WorkAdmin(ScopedAdmin):
    scope = works_for
    list_display = ["__str__", "owner", "creator", "width", "height", "status", "created_at"]
    list_filter = ["status", "owner"]
    search_fields = ["title", "creator", "sha256"]
    readonly_fields = ["sha256", "file", "thumbnail", "width", "height", "byte_size",
                       "image_format", "embedded_metadata", "uploaded_by"]  # fmt: skip
    inlines = [RegistrationInline]


class LicenceProofInline(admin.TabularInline):
    model = LicenceProof
    extra = 0
    readonly_fields = ["file", "sha256", "content_type", "original_filename"]


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ["licensee_name", "owner", "work", "usage", "source", "starts_on", "ends_on"]
    list_filter = ["source", "usage"]
    search_fields = ["licensee_name", "licensee_email", "reference"]
    inlines = [LicenceProofInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_platform_admin:
            return queryset
        return queryset.filter(owner__in=works_for(request.user).values("owner"))
