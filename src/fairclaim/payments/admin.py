"""Admin for case managers: payments with their money facts, provider events still held, and
bank statement lines to follow up (partial, overpaid, unmatched). Everything here is read-only:
money changes only through providers and actions, which log each change in the case log."""

from django.contrib import admin

from fairclaim.accounts.access import cases_for

from .models import BankStatement, Payment, PaymentFact, ProviderEvent, StatementLine


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaymentFactInline(admin.TabularInline):
    model = PaymentFact
    extra = 0
    can_delete = False
    fields = ["kind", "amount", "currency", "cumulative", "source", "key", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "case",
        "instalment_number",
        "amount",
        "currency",
        "status",
        "amount_received",
        "amount_refunded",
        "method",
        "due_on",
    ]
    list_filter = ["status", "method"]
    readonly_fields = [
        "provider_reference",
        "status",
        "amount_received",
        "amount_refunded",
        "received_at",
        "checkout_session_id",
        "checkout_url",
        "checkout_expires_at",
        "checkout_attempt",
        "cancelled_at",
    ]
    inlines = [PaymentFactInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_platform_admin:
            return queryset
        return queryset.filter(case__in=cases_for(request.user))


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "provider", "kind", "object_ref", "payment", "applied_at"]
    list_filter = ["provider", "kind"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_platform_admin else queryset.none()


@admin.register(BankStatement)
class BankStatementAdmin(ReadOnlyAdmin):
    list_display = ["filename", "format", "account", "imported_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_platform_admin else queryset.none()


@admin.register(StatementLine)
class StatementLineAdmin(ReadOnlyAdmin):
    list_display = ["booked_on", "amount", "currency", "counterparty", "remittance", "status"]
    list_filter = ["status", "currency"]
    search_fields = ["remittance", "counterparty", "entry_reference"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_platform_admin:
            return queryset
        # Unmatched lines name no case yet; only platform staff see them in the admin.
        return queryset.filter(case__in=cases_for(request.user))
