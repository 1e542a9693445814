"""The portal never traps a recipient: without a session a case URL leads back to the code form
(reference filled in), and unknown addresses get a friendly page, not a debug page."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.test_portal import enter, noticed  # noqa: F401  (fixture)

PAGES = ["portal:case", "portal:pay", "portal:defence", "portal:licence", "portal:messages"]


@pytest.mark.parametrize("page", PAGES)
def test_a_case_page_without_a_session_goes_back_to_the_code_form(noticed, page):  # noqa: F811
    case, _ = noticed
    stranger = Client()
    response = stranger.get(reverse(page, args=[case.reference]))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:enter')}?reference={case.reference}"
    form = stranger.get(response["Location"]).content.decode()
    assert "Your session has ended" in form
    assert f'value="{case.reference}"' in form


def test_an_unknown_reference_gets_the_same_answer_as_a_real_one(db):
    response = Client().get(reverse("portal:case", args=["FC-2099-999999"]))
    assert response.status_code == 302
    assert response["Location"].endswith("?reference=FC-2099-999999")


def test_after_leaving_the_portal_the_case_url_asks_for_the_code_again(noticed):  # noqa: F811
    case, code = noticed
    recipient = Client()
    enter(recipient, case.reference, code)
    assert recipient.get(reverse("portal:case", args=[case.reference])).status_code == 200
    recipient.post(reverse("portal:leave"))
    again = recipient.get(reverse("portal:case", args=[case.reference]))
    assert again["Location"].startswith(reverse("portal:enter"))


def test_an_unknown_address_gets_the_friendly_404_page(settings, db):
    settings.DEBUG = False
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert 'href="/portal/"' in page
    assert "URLconf" not in page
