"""Sightings are matched against the rights holder's works: verified matches with their report
picture; unrelated images give none; a licensed domain's match is settled at once."""

import io

import numpy as np
import pytest
from django.utils import timezone
from PIL import Image, ImageOps

from fairclaim.monitoring.actions import do_submit_page
from fairclaim.monitoring.matching import do_match_sighting, matcher_for
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.works.actions import do_process_work, do_register_image, upload_limits
from fairclaim.works.intake import check_image
from fairclaim.works.models import Licence
from tests.webserver import serving


def real_photo(name: str) -> bytes:
    from django.conf import settings

    path = settings.FAIRCLAIM_DEMO_PHOTOS / name
    if not path.is_file():
        pytest.skip("the shared demo photos are not on this machine")
    return path.read_bytes()


def edited(data: bytes) -> bytes:
    """Cropped, mirrored, shrunk and re-encoded: how copies look in the wild."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    w, h = image.size
    image = ImageOps.mirror(image.crop((w // 10, h // 8, w - w // 6, h - h // 10)))
    image = image.resize((image.width * 2 // 3, image.height * 2 // 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=60)
    return out.getvalue()


@pytest.fixture
def registered(cast):
    org = cast.alice.organisation
    work = do_register_image(
        org, cast.alice, check_image("garden.jpg", real_photo("2151a687beb9.jpg"), upload_limits())
    )
    do_process_work(work.pk)
    work.refresh_from_db()
    return work


def test_registering_a_work_stores_its_fingerprint(registered):
    assert registered.fingerprint
    assert registered.fingerprinted_at
    assert str(registered.pk) in matcher_for(registered.owner_id).index


def test_an_edited_copy_on_a_page_becomes_a_verified_match_with_its_picture(
    cast, settings, registered
):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    copy = edited(real_photo("2151a687beb9.jpg"))
    unrelated = real_photo("0b59cedf0380.jpg")
    routes = {
        "/p": (
            "text/html",
            b'<html><body><img src="/copy.jpg"><img src="/other.jpg"></body></html>',
        ),
        "/copy.jpg": ("image/jpeg", copy),
        "/other.jpg": ("image/jpeg", unrelated),
    }
    with serving(routes) as base:
        recorded = do_submit_page(cast.alice.organisation, None, f"{base}/p", None, timezone.now())
        found = {s.image_url: s for s in recorded.new}
        [match] = do_match_sighting(found[f"{base}/copy.jpg"].pk, timezone.now())
        assert do_match_sighting(found[f"{base}/other.jpg"].pk, timezone.now()) == []
    assert match.work == registered
    assert match.status == "new"
    assert match.report["verified"] is True
    assert match.report["transform"]["mirrored"] is True
    with match.report_image.open("rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    with match.overlay_image.open("rb") as handle:
        overlay = np.asarray(Image.open(io.BytesIO(handle.read())).convert("RGB"), np.float64)
    found = Image.open(io.BytesIO(copy)).convert("RGB")
    found = np.asarray(found.resize((overlay.shape[1], overlay.shape[0])), np.float64)
    # The work, warped by the fitted transform and blended half and half, lines up with the
    # copy: the blend stays close to the found image (a misplaced overlay would not).
    assert np.abs(overlay - found).mean() < 20
    shifted = np.roll(found, 25, axis=1)
    assert np.abs(shifted - found).mean() > np.abs(overlay - found).mean()


def test_a_match_on_a_licensed_domain_is_settled_without_review(cast, settings, registered):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    Licence.objects.create(owner=registered.owner, work=registered, licensee_name="Local",
                           domains=["127.0.0.1"])  # fmt: skip
    routes = {"/c.jpg": ("image/jpeg", edited(real_photo("2151a687beb9.jpg")))}
    with serving(routes) as base:
        now = timezone.now()
        sighting = Sighting.objects.create(
            organisation=registered.owner, source="manual", page_url=f"{base}/",
            image_url=f"{base}/c.jpg", page_domain="127.0.0.1", first_seen=now, last_seen=now,
        )  # fmt: skip
        [match] = do_match_sighting(sighting.pk, now)
    assert Match.objects.get(pk=match.pk).status == "licensed"


def test_an_image_that_cannot_be_fetched_is_noted_not_crashed(cast, settings, registered):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    with serving({}) as base:
        now = timezone.now()
        sighting = Sighting.objects.create(
            organisation=registered.owner, source="manual", page_url=f"{base}/",
            image_url=f"{base}/gone.jpg", page_domain="127.0.0.1", first_seen=now, last_seen=now,
        )  # fmt: skip
        assert do_match_sighting(sighting.pk, now) == []
    sighting.refresh_from_db()
    assert sighting.context["matching_note"].startswith("not matched:")


def test_an_art_directed_rendition_of_a_picture_is_matched_too(cast, settings, registered):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    # Desktop: an unrelated picture; phones get a crop of the registered work.
    page = (
        b'<html><body><picture><source media="(max-width: 600px)" srcset="/phone.jpg 600w">'
        b'<img src="/desk.jpg" srcset="/desk.jpg 1200w"></picture></body></html>'
    )
    routes = {
        "/p": ("text/html", page),
        "/desk.jpg": ("image/jpeg", real_photo("0b59cedf0380.jpg")),
        "/phone.jpg": ("image/jpeg", edited(real_photo("2151a687beb9.jpg"))),
    }
    with serving(routes) as base:
        recorded = do_submit_page(cast.alice.organisation, None, f"{base}/p", None, timezone.now())
        (sighting,) = recorded.new
        assert sighting.image_url == f"{base}/desk.jpg"
        [match] = do_match_sighting(sighting.pk, timezone.now())
    assert match.work == registered
    assert match.report["found_image_url"] == f"{base}/phone.jpg"
