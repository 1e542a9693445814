"""Claims, cases (state, statement, log) and payments: read only through the API.

Every change to a case goes through the web's case actions (and so into the case log); the API
gives agencies' systems what they need to follow their cases.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from fairclaim.api.filters import CaseFilter, ClaimFilter, PaymentFilter
from fairclaim.api.scopes import CASES_READ, PAYMENTS_READ
from fairclaim.api.serializers import (
    CaseEventSerializer,
    CaseSerializer,
    ClaimSerializer,
    PaymentSerializer,
    StatementSerializer,
)
from fairclaim.cases.access import cases_for, claims_for, get_case_for_user, get_claim_for_user
from fairclaim.cases.models import CaseEvent
from fairclaim.cases.statements import case_offers, latest_statements, statement_lines
from fairclaim.payments.models import Payment

from .base import ScopedView


class CasesView(ScopedView):
    read_scope = CASES_READ


class ClaimList(CasesView, generics.ListAPIView):
    """Claims on your matches, newest first: status, the linter's decision, the case it is in."""

    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter

    def get_queryset(self):
        return claims_for(self.request.user).select_related("case")


class ClaimDetail(CasesView, generics.RetrieveAPIView):
    """One claim."""

    serializer_class = ClaimSerializer

    def get_object(self):
        return get_claim_for_user(self.request, self.kwargs["pk"])


class CaseList(CasesView, generics.ListAPIView):
    """Cases you may see (a law firm: only those escalated to it), newest first."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilter

    def get_queryset(self):
        return cases_for(self.request.user).select_related("rights_holder")


class CaseDetail(CasesView, generics.RetrieveAPIView):
    """One case by its reference: state, recipient, deadline."""

    serializer_class = CaseSerializer

    def get_object(self):
        return get_case_for_user(self.request, self.kwargs["reference"])


class CaseEvents(CasesView, generics.ListAPIView):
    """The case log: append-only and hash-chained (each entry's `hash` covers the previous)."""

    serializer_class = CaseEventSerializer
    pagination_class = None
    queryset = CaseEvent.objects.none()  # names the model for the schema; get_queryset decides

    def get_queryset(self):
        case = get_case_for_user(self.request, self.kwargs["reference"])
        return CaseEvent.objects.filter(case=case).order_by("seq")


class CaseStatement(CasesView, APIView):
    """The latest itemised statement: every line with its amount and basis, and the offers."""

    @extend_schema(responses={200: StatementSerializer}, summary="The case's itemised statement")
    def get(self, request, reference):
        case = get_case_for_user(request, reference)
        statements = latest_statements(case)
        offers = case_offers(case, statements)
        body = {
            "currency": statements[0].statement["currency"] if statements else case.currency,
            "lines": [_plain(line) for line in statement_lines(case, statements)],
            "offers": {name: total.as_json() for name, total in offers.items()},
        }
        return Response(body)


def _plain(line: dict) -> dict:
    return {key: value if isinstance(value, str | int | float | bool | None | list | dict)
            else str(value) for key, value in line.items()}  # fmt: skip


class PaymentList(ScopedView, generics.ListAPIView):
    """Payments (one per instalment) on cases you may see."""

    read_scope = PAYMENTS_READ
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter

    def get_queryset(self):
        return Payment.objects.filter(case__in=cases_for(self.request.user)).select_related("case")


class PaymentDetail(ScopedView, generics.RetrieveAPIView):
    """One payment: amount, what was received and refunded, status."""

    read_scope = PAYMENTS_READ
    serializer_class = PaymentSerializer

    def get_queryset(self):
        return Payment.objects.filter(case__in=cases_for(self.request.user)).select_related("case")
