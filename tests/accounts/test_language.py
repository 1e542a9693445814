"""The language chooser: remembered on the signed-in user's profile, each language named in its
own language, the portal offering all five and keeping the recipient's own choice."""

import pytest
from django.test import Client

from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=False)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_choosing_german_is_remembered_on_the_profile_and_in_a_new_browser(cast):
    client = signed_in(cast.alice)
    response = client.post("/language/", {"language": "de", "next": "/works/"})
    assert response.status_code == 302
    assert response["Location"] == "/works/"
    cast.alice.refresh_from_db()
    assert cast.alice.language == "de"
    # Another browser, no cookie, an English browser: the profile decides.
    other = signed_in(cast.alice)
    page = other.get("/works/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="de">' in page.content.decode()
    assert "Werke" in page.content.decode()


def test_the_chooser_names_each_language_in_its_own_language(cast):
    page = signed_in(cast.alice).get("/works/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert ">English</option>" in page
    assert ">Deutsch</option>" in page
    assert "Englisch" not in page
    assert "Français" not in page  # the application speaks English and German only


def test_the_chooser_needs_a_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.login(username=cast.alice.username, password=PASSWORD)
    assert client.post("/language/", {"language": "de"}).status_code == 403
    cast.alice.refresh_from_db()
    assert cast.alice.language == ""


def test_a_portal_only_language_never_reaches_the_application(cast):
    client = signed_in(cast.alice)
    client.post("/language/", {"language": "fr", "next": "/works/"})
    cast.alice.refresh_from_db()
    assert cast.alice.language == ""
    page = client.get("/works/").content.decode()
    assert '<html lang="en">' in page


def test_the_portal_offers_five_languages_and_keeps_the_recipients_choice(cast):
    client = Client()
    client.post("/i18n/setlang/", {"language": "fr", "next": "/portal/"})
    page = client.get("/portal/").content.decode()
    assert '<html lang="fr">' in page
    for name in ["English", "Deutsch", "Français", "Español", "Italiano"]:
        assert f">{name}</option>" in page
    assert "Ouvrir votre dossier" in page


def test_a_saved_language_does_not_override_a_recipients_portal_choice(cast):
    cast.alice.language = "de"
    cast.alice.save()
    client = signed_in(cast.alice)
    client.post("/i18n/setlang/", {"language": "it", "next": "/portal/"})
    assert '<html lang="it">' in client.get("/portal/").content.decode()
