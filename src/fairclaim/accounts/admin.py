"""The admin, scoped like every view: staff see and pick only what the access functions give them.

ScopedAdmin narrows the change list, every foreign-key choice (drop-downs and raw-id fields alike)
and, through `may_change`, the write permissions to the same access functions the views use.
Models that carry history (payments, matches, sightings) are read-only here: they change only
through actions that log. Private files are shown by name: they have no public URL, and the
admin's file widgets would ask storage for one.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from . import access
from .forms import ThrottledAdminAuthenticationForm
from .models import MembershipEvent, Organisation, SignInEvent, User

# Model -> the access function whose rows staff may pick for a foreign key to that model. Each
# app adds its own models from its admin module (`scope_choices`), so this app imports none.
CHOICE_SCOPES = {Organisation: access.organisations_for}


def scope_choices(model, scope) -> None:
    """Foreign keys to `model` offer only `scope(user)`'s rows in every scoped admin form."""
    CHOICE_SCOPES[model] = scope


def scoped_choices(user, db_field):
    """The rows this user may pick for `db_field` in the admin, or None when it is not scoped.

    Partner law firms are a shared list (a case is escalated to one of them); every other
    organisation choice is limited to the organisations the user handles.
    """
    model = db_field.related_model
    limits = db_field.remote_field.limit_choices_to
    law_firms = isinstance(limits, dict) and limits.get("kind") == Organisation.Kind.LAW_FIRM
    if model is Organisation and law_firms:
        return Organisation.objects.filter(kind=Organisation.Kind.LAW_FIRM)
    scope = CHOICE_SCOPES.get(model)
    return scope(user) if scope else None


def stored_file(field_name: str):
    """A read-only admin column showing a private file by its stored name (no URL exists)."""

    @admin.display(description=field_name.replace("_", " "))
    def show(obj):
        value = getattr(obj, field_name)
        return value.name if value else "—"

    show.__name__ = f"{field_name}_stored"
    return show


class ScopedAdmin(admin.ModelAdmin):
    """Admin pages show staff only what the access functions give them (admins see all).

    `scope`: user -> QuerySet, an access function of the model's app; `scope_path`: the field
    through which this model reaches that scope's rows (e.g. "case" for a case's notices), or ""
    when the scope returns this model's own rows. `may_change`: user -> bool, the views' write
    check; without it, what the model permissions allow. `history`: read-only for everyone, platform
    admins included (changes go through logged actions).
    """

    scope = None
    scope_path = ""
    may_change = None
    history = False
    # Django 6 changes URLField's default scheme; say which one we mean (and no warning meanwhile).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.scope is None or request.user.is_platform_admin:
            return queryset
        allowed = type(self).scope(request.user)
        if self.scope_path:
            return queryset.filter(**{f"{self.scope_path}__in": allowed})
        return queryset & allowed

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = scoped_choices(request.user, db_field)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = scoped_choices(request.user, db_field)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _may_write(self, request) -> bool:
        if self.history:
            return False
        if self.may_change is None or request.user.is_platform_admin:
            return True
        return type(self).may_change(request.user)

    def has_add_permission(self, request, *args):
        return self._may_write(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_write(request) and super().has_delete_permission(request, obj)


class ScopedInline(admin.TabularInline):
    """An inline whose foreign-key choices and write rights follow its parent's ScopedAdmin."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = scoped_choices(request.user, db_field)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _parent_writes(self, request) -> bool:
        parent = self.admin_site._registry.get(self.parent_model)
        return parent is None or parent._may_write(request)

    def has_add_permission(self, request, obj=None):
        return self._parent_writes(request) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._parent_writes(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._parent_writes(request) and super().has_delete_permission(request, obj)


class PlatformAdminOnly:
    """Organisations and users decide who sees what: only platform admins manage them."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_platform_admin

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_platform_admin

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_platform_admin

    has_delete_permission = has_change_permission


@admin.register(Organisation)
class OrganisationAdmin(PlatformAdminOnly, admin.ModelAdmin):
    list_display = ["name", "kind", "operator", "country"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class FairclaimUserAdmin(PlatformAdminOnly, UserAdmin):
    list_display = ["username", "email", "role", "organisation", "read_only", "is_staff"]
    list_filter = ["role", "is_staff", "read_only"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("fairclaim", {"fields": ["role", "organisation", "read_only", "team_admin"]}),
    ]

    def save_model(self, request, obj, form, change):
        # Membership changed here is logged like any other (accounts.team): left the old
        # organisation, joined the new one, by this admin.
        from django.utils import timezone

        from .team import Event, log

        before = User.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        old_org = before.organisation if before else None
        if old_org == obj.organisation and not (before and before.team_admin != obj.team_admin):
            return
        now, actor, member = timezone.now(), request.user.get_username(), obj.get_username()
        if old_org != obj.organisation:
            if old_org is not None:
                log(old_org, Event.REMOVED, member, actor, now)
            if obj.organisation is not None:
                log(obj.organisation, Event.JOINED, member, actor, now, _team_role(obj))
        elif obj.organisation is not None:
            log(obj.organisation, Event.ROLE_CHANGED, member, actor, now, _team_role(obj))


def _team_role(user) -> str:
    return "team_admin" if user.team_admin else "read_only" if user.read_only else "member"


def sign_ins_for(user):
    """A team admin sees the team's sign-ins; anyone else only their own."""
    if user.team_admin and user.organisation_id:
        return SignInEvent.objects.filter(organisation_id=user.organisation_id)
    return SignInEvent.objects.filter(user=user)


def membership_events_for(user):
    if user.team_admin and user.organisation_id:
        return MembershipEvent.objects.filter(organisation_id=user.organisation_id)
    return MembershipEvent.objects.none()


@admin.register(SignInEvent)
class SignInEventAdmin(ScopedAdmin):
    scope = sign_ins_for
    history = True  # the audit trail: nobody edits it
    list_display = ["at", "kind", "user", "attempted", "organisation", "client", "user_agent"]
    list_filter = ["kind"]
    search_fields = ["attempted", "client"]
    date_hierarchy = "at"


@admin.register(MembershipEvent)
class MembershipEventAdmin(ScopedAdmin):
    scope = membership_events_for
    history = True
    list_display = ["at", "organisation", "kind", "member", "role", "actor"]
    list_filter = ["kind"]


class TaskResultAdmin(DBTaskResultAdmin):
    """The task queue as django-tasks-db shows it, plus "queue again" for failed tasks (a task
    whose worker died, or that failed, shows FAILED with its reason)."""

    actions = ["queue_again"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_platform_admin

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_platform_admin

    @admin.action(description="Queue the selected failed tasks again")
    def queue_again(self, request, queryset):
        from fairclaim.task_leases import queue_again

        queued = queue_again(queryset)
        self.message_user(request, f"Queued {queued} failed task(s) again.")


admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)


# Every sign-in path goes through the one throttle: /admin/login/ is where the privileged
# accounts sign in, so it must not be the one door without it.
admin.site.login_form = ThrottledAdminAuthenticationForm
