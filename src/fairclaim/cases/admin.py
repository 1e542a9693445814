"""Cases in the admin: the record, read-only, scoped by the same access functions as the views.

Product rule 7 (docs/architecture.md): the case log is the only writer of case history. Cases, their
lines, fee statements, notices, defences, messages and the log are shown here and never changed,
added or deleted: every change goes through the case page's actions, which append to the log. The
one thing staff may edit here is a rights holder's prices, and only for the rights holders they
handle.
"""

from django.contrib import admin
from django.utils.html import format_html

from fairclaim.accounts.access import handled_organisations
from fairclaim.accounts.admin import ScopedAdmin, ScopedInline, scope_choices
from fairclaim.monitoring.access import matches_for

from .access import cases_for
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

scope_choices(Case, cases_for)


class RecordInline(ScopedInline):
    """Rows of a case record: read-only because their parent admin is (`history`)."""

    extra = 0
    can_delete = False


class CaseLineInline(RecordInline):
    model = CaseLine
    fields = ["work", "match", "description", "amount", "basis", "dropped_at", "drop_reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        # Dropped lines too (the default manager hides them); the formset narrows to the case.
        return CaseLine.with_dropped.all()


class CaseEventInline(RecordInline):
    """The append-only log."""

    model = CaseEvent
    fields = ["seq", "kind", "payload", "actor", "at", "hash"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    scope = cases_for
    history = True
    list_display = ["reference", "recipient_domain", "rights_holder", "state", "deadline"]
    list_filter = ["state", "jurisdiction"]
    search_fields = ["reference", "recipient_domain", "recipient_name", "recipient_email"]
    inlines = [CaseLineInline, CaseEventInline]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        case = self.get_object(request, object_id) if object_id else None
        link = (
            format_html(
                'Change this case on <a href="{}">its case page</a>: every change is logged.',
                case.get_absolute_url(),
            )
            if case
            else ""
        )
        extra_context = {**(extra_context or {}), "subtitle": link}
        return super().changeform_view(request, object_id, form_url, extra_context)


class CaseChildAdmin(ScopedAdmin):
    """Notices, defences and messages: shown within the cases this person may see, never
    changed here. File fields are listed by name (private storage has no public URLs;
    downloads go through the case page, which checks access)."""

    scope = cases_for
    scope_path = "case"
    history = True


@admin.register(Notice)
class NoticeAdmin(CaseChildAdmin):
    list_display = ["case", "kind", "status", "recipient_email", "sent_at"]
    list_filter = ["kind", "status"]
    exclude = ["pdf"]
    readonly_fields = ["pdf_name"]

    @admin.display(description="PDF")
    def pdf_name(self, notice):
        return notice.pdf.name


@admin.register(Defence)
class DefenceAdmin(CaseChildAdmin):
    list_display = ["case", "kind", "status", "created_at", "decided_at"]
    list_filter = ["kind", "status"]
    exclude = ["evidence"]
    readonly_fields = ["evidence_name"]

    @admin.display(description="Evidence file")
    def evidence_name(self, defence):
        return defence.evidence.name


@admin.register(Message)
class MessageAdmin(CaseChildAdmin):
    list_display = ["case", "author_kind", "created_at"]


class FeeStatementInline(RecordInline):
    model = FeeStatement
    fields = ["version", "inputs_digest", "statement", "created_at"]
    readonly_fields = fields


@admin.register(Claim)
class ClaimAdmin(ScopedAdmin):
    scope = matches_for
    scope_path = "match"
    history = True
    list_display = ["match", "status", "decision", "case", "approved_at"]
    list_filter = ["status", "decision"]
    inlines = [FeeStatementInline]


@admin.register(RateCard)
class RateCardAdmin(ScopedAdmin):
    """A rights holder's prices: only those of the rights holders this person handles, and the
    owner cannot be moved to another organisation."""

    scope = handled_organisations
    scope_path = "owner"
    list_display = ["owner", "creator_type", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["owner"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner" and not request.user.is_platform_admin:
            kwargs["queryset"] = handled_organisations(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
