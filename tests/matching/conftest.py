"""Shared fixtures: a few real photos (read from the shared data folder, never copied into the
repository) and one small index of them, built once per session."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

PHOTOS = Path(settings.FAIRCLAIM_DEMO_PHOTOS)
# Indexed: a landscape wallpaper, a dark low-contrast storm, a street scene, a texture, a portrait.
INDEXED = (
    "8997c1558045.jpg",
    "e085263de5f2.jpg",
    "59595718e9a6.jpg",
    "fbb57a292125.jpg",
    "945df306f127.jpg",
)
# Never indexed: includes similar textures (gravel, grass) and another wallpaper.
UNINDEXED = ("02cb6bc11117.jpg", "7b12cd18c3e7.jpg", "1f9a95467cbc.jpg", "b3f500118d6a.jpg")


def photo_bytes(name: str) -> bytes:
    path = PHOTOS / name
    if not path.is_file():
        pytest.skip(f"the shared photos are not on this machine ({PHOTOS})")
    return path.read_bytes()


def photo(name: str) -> Image.Image:
    return Image.open(io.BytesIO(photo_bytes(name))).convert("RGB")


@pytest.fixture(scope="session")
def photos():
    """Accessors for the shared photos: .bytes(name), .image(name), .indexed, .unindexed."""

    class Photos:
        bytes = staticmethod(photo_bytes)
        image = staticmethod(photo)
        indexed = INDEXED
        unindexed = UNINDEXED
        folder = PHOTOS

    return Photos


@pytest.fixture(scope="session")
def small_index():
    """(Matcher, {id: LocalFeatures}) over the INDEXED photos."""
    from fairclaim.matching.fingerprint import fingerprint_work_bytes
    from fairclaim.matching.index import MatchIndex
    from fairclaim.matching.matcher import Matcher

    index = MatchIndex()
    features = {}
    for name in INDEXED:
        fingerprint = fingerprint_work_bytes(photo_bytes(name), max_pixels=50_000_000)
        index.add(name, fingerprint)
        features[name] = fingerprint.features
    return Matcher(index, features.__getitem__), features
