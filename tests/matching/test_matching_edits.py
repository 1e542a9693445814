"""Each edit family of a registered photo is found; unrelated photos and their edits are not."""

from __future__ import annotations

import numpy as np
import pytest

from fairclaim.matching.edits import FAMILIES, encode_jpeg, make_edit
from fairclaim.matching.fingerprint import LocalFeatures, WorkFingerprint

# Two indexed photos per family keeps this file well under a minute on two cores.
TARGETS = ("8997c1558045.jpg", "59595718e9a6.jpg")


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_finds_each_edit_family_of_a_registered_photo(small_index, photos, family):
    matcher, _ = small_index
    extras = [photos.image(name) for name in photos.unindexed[:3]]
    found = 0
    for number, name in enumerate(TARGETS):
        copy = make_edit(family, photos.image(name), seed=100 + number, extras=extras)
        result = matcher.match_bytes(encode_jpeg(copy))
        assert [m.work_id for m in result.matches] in ([], [name])  # never another work
        found += [m.work_id for m in result.matches] == [name]
    assert found == len(TARGETS), family


@pytest.mark.parametrize("family", ["crop", "page_screenshot", "tone", "rotate_small"])
def test_similar_but_unregistered_photos_do_not_match(small_index, photos, family):
    matcher, _ = small_index
    for number, name in enumerate(photos.unindexed):
        copy = make_edit(family, photos.image(name), seed=7 + number)
        assert matcher.match_bytes(encode_jpeg(copy)).matches == []


def test_report_describes_a_mirrored_crop(small_index, photos):
    matcher, _ = small_index
    name = TARGETS[0]
    image = photos.image(name)
    copy = image.crop((200, 100, 900, 600)).transpose(0)  # FLIP_LEFT_RIGHT
    result = matcher.match_bytes(encode_jpeg(copy))
    (match,) = result.matches
    assert match.transform.mirrored
    x0, y0, x1, y1 = match.transform.crop_box
    assert max(abs(x0 - 200), abs(y0 - 100), abs(x1 - 900), abs(y1 - 600)) < 12
    assert "mirrored" in match.summary
    assert match.to_json()["id"] == name


def test_report_describes_a_quarter_turn(small_index, photos):
    matcher, _ = small_index
    copy = photos.image(TARGETS[1]).rotate(-90, expand=True)  # 90° clockwise
    (match,) = matcher.match_bytes(encode_jpeg(copy)).matches
    assert abs(match.transform.rotation_degrees - 90) < 2
    assert "rotated 90° clockwise" in match.summary


def test_report_png_shows_both_images(small_index, photos):
    import io

    from PIL import Image

    from fairclaim.matching.report import REPORT_IMAGE_HEIGHT, render_report_png

    matcher, features = small_index
    name = TARGETS[0]
    copy = make_edit("border", photos.image(name), seed=3)
    (match,) = matcher.match_bytes(encode_jpeg(copy)).matches
    png = render_report_png(match, features[name].thumb_rgb(), np.asarray(copy))
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG"
    assert picture.height > REPORT_IMAGE_HEIGHT
    assert picture.width > 2 * REPORT_IMAGE_HEIGHT


def test_fingerprint_survives_bytes_round_trip(photos):
    from fairclaim.matching.decode import decode_image
    from fairclaim.matching.fingerprint import fingerprint_work

    fingerprint = fingerprint_work(decode_image(photos.bytes(TARGETS[0]), min_long_side=512))
    again = WorkFingerprint.from_bytes(fingerprint.to_bytes())
    assert (again.pdq, again.quality) == (fingerprint.pdq, fingerprint.quality)
    assert (again.sketch == fingerprint.sketch).all()
    restored = LocalFeatures.from_bytes(fingerprint.features.to_bytes())
    assert (restored.descriptors == fingerprint.features.descriptors).all()
    assert restored.original_size == (1024, 640)


def test_flat_image_is_reported_not_hashable(small_index):
    from PIL import Image

    matcher, _ = small_index
    result = matcher.match_bytes(encode_jpeg(Image.new("RGB", (400, 300), (120, 130, 140))))
    assert not result.hashable
    assert result.matches == []
    assert any("not hashable" in note for note in result.notes)


def test_refuses_a_copy_too_small_to_check_by_eye(small_index, photos):
    matcher, _ = small_index
    tiny = photos.image(TARGETS[0]).resize((40, 25))
    result = matcher.match_bytes(encode_jpeg(tiny))
    assert result.matches == []
