"""The receipts after payment: the signed settlement and release, and with a licence for the
future its certificate (and the licence entered in the ledger)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction

from fairclaim.letters.render import render_notice
from fairclaim.rules.case_events import LogKind

from .log import append_event
from .models import Case, Notice
from .notice_context import build_context
from .outbox import enqueue_notice, store_notice


def do_issue_settlement(
    case_id: int, now: datetime, *, paid_total: Decimal, offer: str
) -> list[Notice]:
    """Once a case is paid: the signed settlement and release, and with a licence for the future
    its certificate, e-mailed as receipts and kept on the case. The future licence also enters
    the ledger, so the licensee is never claimed again for these works (product rule 2,
    docs/architecture.md). `paid_total` and `offer` ("past_only" or "past_and_future") come from
    payments, which knows what was paid. Idempotent: a case that already has its release gets
    nothing new."""
    from fairclaim.works.actions import LicenceTerms, do_record_licence
    from fairclaim.works.models import Licence

    case = Case.objects.select_related("rights_holder").get(pk=case_id)
    if case.notices.filter(kind=Notice.Kind.RELEASE).exists():
        return []
    context = build_context(case, access_code="", link_token="", today=now.date())
    context.paid_total = paid_total
    context.offer = offer
    months = _future_licence_months(case)
    context.licence_until = _add_months(now.date(), months)
    issued = []
    with transaction.atomic():
        kinds = [Notice.Kind.RELEASE]
        if offer == "past_and_future":
            kinds.append(Notice.Kind.LICENCE_CERTIFICATE)
            do_record_licence(
                case.rights_holder_id,
                *(
                    LicenceTerms(
                        work_id=line.work_id,
                        licensee_name=case.recipient_name or case.recipient_domain,
                        licensee_email=case.recipient_email,
                        domains=[case.recipient_domain],
                        source=Licence.Source.OWN_SALE,
                        starts_on=now.date(),
                        ends_on=context.licence_until,
                        reference=case.reference,
                        notes=f"Licence for future use bought in case {case.reference}.",
                    )
                    for line in case.lines.all()
                ),
            )
        for kind in kinds:
            rendered = render_notice(context, kind=kind)
            notice = store_notice(
                case, kind, f"{case.reference}-{kind}.pdf", rendered, context.language, None, now
            )
            issued.append(notice)
            append_event(
                case,
                LogKind.issued(kind),
                {"notice": notice.pk, "pdf_sha256": rendered.pdf_sha256},
                actor="system",
                at=now,
            )
            transaction.on_commit(lambda pk=notice.pk: enqueue_notice(pk))
    return issued


def _future_licence_months(case: Case) -> int:
    from .models import FeeStatement

    statement = FeeStatement.objects.filter(claim__case=case).order_by("-created_at").first()
    return statement.value().future_licence_months if statement else 12


def _add_months(day: date, months: int) -> date:
    from fairclaim.rules.periods import add_months

    return add_months(day, months)
