from django.contrib import admin

from fairclaim.accounts.access import cases_for, matches_for
from fairclaim.accounts.admin import ScopedAdmin

from .models import (
    Case,
    CaseEvent,
    CaseLine,
    Claim,
    Defence,
    FeeStatement,
    Message,
    Notice,
    RateCard,
)


class CaseLineInline(admin.TabularInline):
    model = CaseLine
    extra = 0
    raw_id_fields = ["work", "match"]


class CaseEventInline(admin.TabularInline):
    """The log is append-only: shown, never edited here."""

    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["seq", "kind", "payload", "actor", "at", "hash"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    scope = cases_for
    list_display = ["reference", "recipient_domain", "rights_holder", "state", "deadline"]
    list_filter = ["state", "jurisdiction"]
    search_fields = ["reference", "recipient_domain", "recipient_name", "recipient_email"]
    readonly_fields = ["reference", "state"]
    inlines = [CaseLineInline, CaseEventInline]


class CaseChildAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_platform_admin:
            return queryset
        return queryset.filter(case__in=cases_for(request.user))


@admin.register(Notice)
class NoticeAdmin(CaseChildAdmin):
    list_display = ["case", "kind", "status", "recipient_email", "sent_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["idempotency_key", "attempts", "sent_at", "message_id"]


@admin.register(Defence)
class DefenceAdmin(CaseChildAdmin):
    list_display = ["case", "kind", "status", "created_at", "decided_at"]
    list_filter = ["kind", "status"]


@admin.register(Message)
class MessageAdmin(CaseChildAdmin):
    list_display = ["case", "author_kind", "created_at"]


@admin.register(RateCard)
class RateCardAdmin(admin.ModelAdmin):
    list_display = ["owner", "creator_type", "updated_at"]


class FeeStatementInline(admin.TabularInline):
    model = FeeStatement
    extra = 0
    can_delete = False
    readonly_fields = ["version", "inputs_digest", "statement", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(CaseChildAdmin):
    list_display = ["match", "status", "decision", "case", "approved_at"]
    list_filter = ["status", "decision"]
    raw_id_fields = ["match", "case"]
    readonly_fields = ["decision", "result", "approved_by", "approved_at"]
    inlines = [FeeStatementInline]

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_platform_admin:
            return queryset
        return queryset.filter(match__in=matches_for(request.user))
