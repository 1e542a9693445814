"""Seeded hard-negative works for the benchmark: crops, rescales, colour shifts and mosaics of
photos that are NOT among the evaluated ones.

An agency's archive is full of pictures that look alike (series, re-crops, colour variants), so
a realistic index holds many near-duplicates of one another — but none of the evaluated photos.
Distractor number `i` is a pure function of (sources, seed, i): the benchmark can rebuild the
picture of any distractor that becomes a candidate, so only its index entry is cached.

Must not import Django.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

# Bump when the pictures change, so caches of fingerprints are not reused across versions.
DISTRACTOR_VERSION = 1
KINDS = ("crop", "rescale", "colour", "mosaic")


def make_distractor(sources: list[Image.Image], seed: int, number: int) -> Image.Image:
    """Distractor `number`: one of `KINDS`, chained with a colour shift half of the time."""
    rng = random.Random(seed * 1_000_003 + number)  # noqa: S311 — reproducible, not secret
    kind = KINDS[number % len(KINDS)]
    if kind == "mosaic":
        image = _mosaic(sources, rng)
    else:
        image = rng.choice(sources)
        if kind == "crop":
            image = _crop(image, rng)
        elif kind == "colour":
            image = _colour(image, rng)
        image = _rescale(image, rng)
    if kind != "colour" and rng.random() < 0.5:
        image = _colour(image, rng)
    return image.convert("RGB")


def _crop(image: Image.Image, rng: random.Random) -> Image.Image:
    width, height = image.size
    keep_w, keep_h = rng.uniform(0.3, 0.9), rng.uniform(0.3, 0.9)
    w, h = max(32, round(width * keep_w)), max(32, round(height * keep_h))
    x, y = rng.randint(0, width - w), rng.randint(0, height - h)
    return image.crop((x, y, x + w, y + h))


def _rescale(image: Image.Image, rng: random.Random) -> Image.Image:
    side = rng.randint(320, 1024)
    factor = side / max(image.size)
    size = (max(16, round(image.width * factor)), max(16, round(image.height * factor)))
    return image.resize(size, Image.Resampling.BILINEAR)


def _colour(image: Image.Image, rng: random.Random) -> Image.Image:
    choice = rng.randrange(4)
    if choice == 0:
        return ImageOps.grayscale(image).convert("RGB")
    if choice == 1:
        gains = np.array([rng.uniform(0.7, 1.3) for _ in range(3)], np.float32)
        pixels = np.asarray(image.convert("RGB"), np.float32) * gains
        return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    if choice == 2:
        return ImageEnhance.Color(image).enhance(rng.uniform(0.3, 1.8))
    brighter = ImageEnhance.Brightness(image).enhance(rng.uniform(0.7, 1.3))
    return ImageEnhance.Contrast(brighter).enhance(rng.uniform(0.7, 1.4))


def _mosaic(sources: list[Image.Image], rng: random.Random) -> Image.Image:
    cols, rows = rng.choice([(2, 1), (1, 2), (2, 2), (3, 2)])
    cell = rng.randint(160, 400)
    gap = rng.choice([0, 4, 10])
    canvas = Image.new("RGB", (cols * (cell + gap) + gap, rows * (cell + gap) + gap), "white")
    for row in range(rows):
        for col in range(cols):
            tile = ImageOps.fit(_crop(rng.choice(sources), rng), (cell, cell))
            canvas.paste(tile, (gap + col * (cell + gap), gap + row * (cell + gap)))
    return canvas
