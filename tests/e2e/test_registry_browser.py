"""A rights holder signs in, registers a photo and sees it listed with its metadata (Chromium)."""

import pytest
from playwright.sync_api import Page, expect

from fairclaim.accounts.models import Organisation, User
from fairclaim.works.models import Work
from tests.images import photo_bytes, with_rights_metadata

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rights_holder_uploads_a_photo_and_sees_it_with_its_metadata(
    live_server, page: Page, tmp_path
):
    org = Organisation.objects.create(
        name="Ada Photo", slug="ada", kind=Organisation.Kind.RIGHTS_HOLDER
    )
    User.objects.create_user(
        "ada", password="a long test password", role=User.Role.RIGHTS_HOLDER, organisation=org
    )
    photo = tmp_path / "lighthouse.jpg"
    photo.write_bytes(
        with_rights_metadata(
            photo_bytes(77), creator="Ada Lens", copyright_notice="© 2025 Ada Lens",
            taken="2025:07:08 09:10:11",
        )
    )  # fmt: skip

    page.goto(f"{live_server.url}/works/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Works")).to_be_visible()

    page.get_by_role("link", name="Register photos").click()
    page.get_by_label("Photos").set_input_files(str(photo))
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("status")).to_contain_text("Registered 1 photo.")
    card = page.locator(".work-card", has_text="lighthouse")
    expect(card).to_contain_text("Ada Lens")
    expect(card).to_contain_text("© 2025 Ada Lens")
    expect(card).to_contain_text("320×240 · JPEG")

    card.get_by_role("link").click()
    expect(page.locator(".facts")).to_contain_text("July 8, 2025")
    assert Work.objects.get().owner == org
