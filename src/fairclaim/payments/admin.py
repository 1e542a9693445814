"""Admin for case managers: payments with their money facts, provider events still held, and
bank statement lines to follow up (partial, overpaid, unmatched). Everything here is read-only:
money changes only through providers and actions, which log each change in the case log."""

from django.contrib import admin

from fairclaim.accounts.access import handled_organisations
from fairclaim.accounts.admin import ScopedAdmin, ScopedInline
from fairclaim.cases.access import cases_for

from .models import (
    Agreement,
    BankStatement,
    JournalEntry,
    Payment,
    PaymentFact,
    PayoutRun,
    PayoutStatement,
    Posting,
    ProviderEvent,
    StatementLine,
)


class ReadOnlyAdmin(ScopedAdmin):
    """Money records: shown, never changed here (`history`, platform admins included)."""

    history = True


class PaymentFactInline(ScopedInline):
    model = PaymentFact
    extra = 0
    can_delete = False
    fields = ["kind", "amount", "currency", "cumulative", "source", "key", "recorded_at"]
    readonly_fields = fields


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
    scope = cases_for
    scope_path = "case"


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
    # Unmatched lines name no case yet; only platform staff see them in the admin.
    scope = cases_for
    scope_path = "case"


# The payout side: agreements, journal, runs and statements, read-only and scoped to the rights
# holders the staff member handles (agreements change on the payouts pages, money only through
# the ledger and payout actions, each of which books or logs).


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "commission_percent", "currency", "minimum_payout", "iban"]
    scope = handled_organisations
    scope_path = "organisation"


class PostingInline(ScopedInline):
    model = Posting
    extra = 0
    can_delete = False
    fields = ["account", "amount"]
    readonly_fields = fields


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ["key", "kind", "organisation", "case", "currency", "description", "booked_at"]
    list_filter = ["kind", "currency"]
    search_fields = ["key", "description", "case__reference"]
    inlines = [PostingInline]
    scope = handled_organisations
    scope_path = "organisation"


class PayoutStatementInline(ScopedInline):
    model = PayoutStatement
    extra = 0
    can_delete = False
    fields = ["organisation", "currency", "collected", "commission", "costs", "period", "paid",
              "carried", "outcome"]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_platform_admin:
            return queryset
        return queryset.filter(organisation__in=handled_organisations(request.user))


@admin.register(PayoutRun)
class PayoutRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "operator", "status", "cutoff", "execution_date", "finalised_at"]
    list_filter = ["status"]
    exclude = ["sepa_xml"]
    inlines = [PayoutStatementInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_platform_admin:
            return queryset
        # A run is its operator's; a rights holder's members see none here (their statements
        # are on the payouts pages).
        return queryset.filter(operator_id=request.user.organisation_id or 0)


@admin.register(PayoutStatement)
class PayoutStatementAdmin(ReadOnlyAdmin):
    list_display = ["run", "organisation", "currency", "collected", "period", "paid", "outcome"]
    list_filter = ["outcome", "currency"]
    scope = handled_organisations
    scope_path = "organisation"
