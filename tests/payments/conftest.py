from decimal import Decimal

import pytest
from django.utils import timezone

from fairclaim.cases.models import Case
from fairclaim.payments.actions import do_choose_offer
from fairclaim.rules.fees import OfferTotal
from fairclaim.rules.money import Money


def offer(total: str, name: str = "past_only", currency: str = "EUR") -> OfferTotal:
    gross = Money(Decimal(total), currency)
    return OfferTotal(name, gross, Money.zero(currency), gross)


@pytest.fixture
def open_case(cast) -> Case:
    """alice's case with the notice sent: the state in which a recipient chooses an offer."""
    Case.objects.filter(pk=cast.case.pk).update(state="notice_sent")
    cast.case.refresh_from_db()
    return cast.case


@pytest.fixture
def plan(open_case):
    """Past use only, 300.00 EUR in two monthly instalments of 150.00."""
    return do_choose_offer(open_case, offer("300.00"), 2, timezone.now())
