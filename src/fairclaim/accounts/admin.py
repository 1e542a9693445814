from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .forms import ThrottledAdminAuthenticationForm
from .models import Organisation, User


class ScopedAdmin(admin.ModelAdmin):
    """Admin pages show staff only what the access functions give them (admins see all)."""

    scope = None  # a function user -> QuerySet from fairclaim.accounts.access

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.scope is None or request.user.is_platform_admin:
            return queryset
        return queryset & type(self).scope(request.user)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "operator", "country"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class FairclaimUserAdmin(UserAdmin):
    list_display = ["username", "email", "role", "organisation", "read_only", "is_staff"]
    list_filter = ["role", "is_staff", "read_only"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("fairclaim", {"fields": ["role", "organisation", "read_only"]}),
    ]


# Every sign-in path goes through the one throttle: /admin/login/ is where the privileged
# accounts sign in, so it must not be the one door without it.
admin.site.login_form = ThrottledAdminAuthenticationForm
