"""Truthful status in the portal: a resolved case asks for nothing, an escalated one names the
law firm and what happens next, and no page shows a deadline that has passed."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fairclaim.accounts.models import Organisation
from fairclaim.cases.models import Case
from tests.portal.test_portal import enter, noticed  # noqa: F401  (fixture)


def page_in(state, case, code, **changes):
    Case.objects.filter(pk=case.pk).update(state=state, **changes)
    recipient = Client()
    enter(recipient, case.reference, code)
    return recipient, recipient.get(reverse("portal:case", args=[case.reference])).content.decode()


@pytest.mark.parametrize("state", ["resolved_paid", "resolved_licensed", "defence_upheld"])
def test_a_resolved_case_asks_for_nothing(noticed, state):  # noqa: F811
    case, code = noticed
    future = timezone.localdate() + dt.timedelta(days=14)
    recipient, page = page_in(state, case, code, deadline=future)
    assert "Please respond by" not in page
    assert "This case is closed. Nothing more is asked of you." in page
    for step in ("portal:pay", "portal:defence", "portal:licence"):
        assert reverse(step, args=[case.reference]) not in page
    # The step pages themselves send the recipient back to the case.
    for step in ("portal:defence", "portal:licence", "portal:pay"):
        response = recipient.get(reverse(step, args=[case.reference]))
        assert response["Location"] == reverse("portal:case", args=[case.reference])


def test_an_escalated_case_names_the_law_firm_and_no_past_deadline(noticed):  # noqa: F811
    case, code = noticed
    firm = Organisation.objects.create(
        name="Kanzlei Recht & Bild", slug="kanzlei-test", kind=Organisation.Kind.LAW_FIRM
    )
    past = timezone.localdate() - dt.timedelta(days=3)
    _, page = page_in("escalated", case, code, deadline=past, law_firm=firm)
    assert "Handed to the law firm Kanzlei Recht &amp; Bild" in page
    assert "will contact you about the next steps" in page
    assert "Please respond by" not in page
    assert past.strftime("%Y") not in page.split("Handed to")[1].split("</div>")[0]


def test_an_open_notice_shows_its_deadline_and_every_step(noticed):  # noqa: F811
    case, code = noticed
    future = timezone.localdate() + dt.timedelta(days=10)
    _, page = page_in("notice_sent", case, code, deadline=future)
    assert "Please respond by" in page
    for step in ("portal:defence", "portal:licence"):
        assert reverse(step, args=[case.reference]) in page


def test_a_passed_deadline_is_never_shown_as_one_to_meet(noticed):  # noqa: F811
    case, code = noticed
    past = timezone.localdate() - dt.timedelta(days=1)
    _, page = page_in("notice_sent", case, code, deadline=past)
    assert "Please respond by" not in page
