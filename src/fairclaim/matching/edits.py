"""Seeded edit families: the ways a photo is changed when it is reused without a licence.

Used by the tests and the benchmark to make copies of real photos. Each family is a function
`(image, rng, extras) -> image` taking a Pillow RGB image, a `random.Random` and a list of other
photos (for collages); the same seed gives the same copy. JPEG/WebP families return an image
re-decoded from low-quality bytes.

Must not import Django.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

Edit = Callable[[Image.Image, random.Random, list[Image.Image]], Image.Image]

_WORDS = tuple(
    [
        "breaking",
        "news",
        "photo",
        "gallery",
        "summer",
        "holiday",
        "best",
        "deals",
        "travel",
        "blog",
        "read",
        "more",
        "share",
        "subscribe",
        "comments",
        "home",
        "about",
        "contact",
        "privacy",
        "terms",
        "shop",
        "sale",
        "today",
        "only",
    ]
)


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=max(8, size))


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def _reencode(image: Image.Image, fmt: str, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def resize_small(image, rng, extras):
    factor = rng.uniform(0.125, 0.5)
    return image.resize(
        (max(1, round(image.width * factor)), max(1, round(image.height * factor))),
        Image.Resampling.LANCZOS,
    )


def resize_eighth(image, rng, extras):
    return image.resize(
        (max(1, image.width // 8), max(1, image.height // 8)), Image.Resampling.BILINEAR
    )


def jpeg_low(image, rng, extras):
    return _reencode(image, "JPEG", rng.randint(8, 25))


def webp_low(image, rng, extras):
    return _reencode(image, "WEBP", rng.randint(5, 25))


def crop(image, rng, extras):
    keep = rng.uniform(0.4, 0.75)  # share of the area kept: up to 60 % removed
    aspect = rng.uniform(0.6, 1.6)
    w = min(image.width, round(image.width * math.sqrt(keep * aspect)))
    h = min(image.height, round(image.width * image.height * keep / max(w, 1)))
    w = min(image.width, round(image.width * image.height * keep / max(h, 1)))
    x = rng.randint(0, image.width - w)
    y = rng.randint(0, image.height - h)
    return image.crop((x, y, x + w, y + h))


def aspect(image, rng, extras):
    sx, sy = rng.choice([(rng.uniform(0.6, 0.85), 1.0), (1.0, rng.uniform(0.6, 0.85))])
    return image.resize((round(image.width * sx), round(image.height * sy)))


def flip(image, rng, extras):
    return ImageOps.mirror(image)


def rotate_right_angle(image, rng, extras):
    return image.rotate(rng.choice([90, 180, 270]), expand=True)


def rotate_small(image, rng, extras):
    angle = rng.choice([-1, 1]) * rng.uniform(2, 10)
    fill = tuple(rng.randint(0, 255) for _ in range(3))
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


def perspective(image, rng, extras):
    w, h = image.size
    j = 0.12

    def jitter(x, y):
        return (x + rng.uniform(-j, j) * w, y + rng.uniform(-j, j) * h)

    # Pillow's PERSPECTIVE takes the output → input mapping coefficients.
    source = [(0, 0), (w, 0), (w, h), (0, h)]
    target = [jitter(*p) for p in source]
    coeffs = _perspective_coeffs(target, source)
    return image.transform(
        (w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=(0, 0, 0)
    )


def _perspective_coeffs(target, source):
    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=np.float64)
    b = np.array([c for p in source for c in p], dtype=np.float64)
    return np.linalg.solve(a, b).tolist()


def grayscale(image, rng, extras):
    return ImageOps.grayscale(image).convert("RGB")


def sepia(image, rng, extras):
    a = np.asarray(image, dtype=np.float32)
    matrix = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])
    return Image.fromarray(np.clip(a @ matrix.T, 0, 255).astype(np.uint8))


def colour_filter(image, rng, extras):
    a = np.asarray(image, dtype=np.float32)
    gains = np.array([rng.uniform(0.6, 1.3) for _ in range(3)], dtype=np.float32)
    shift = np.array([rng.uniform(-30, 30) for _ in range(3)], dtype=np.float32)
    out = a * gains + shift
    if rng.random() < 0.5:  # a vintage "fade": lift the blacks
        out = 40 + out * 0.8
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def tone(image, rng, extras):
    image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.6, 1.4))
    image = ImageEnhance.Contrast(image).enhance(rng.uniform(0.6, 1.5))
    image = ImageEnhance.Color(image).enhance(rng.uniform(0.3, 1.8))
    gamma = rng.uniform(0.6, 1.6)
    lut = [round(255 * (i / 255) ** gamma) for i in range(256)] * 3
    return image.point(lut)


def blur(image, rng, extras):
    return image.filter(ImageFilter.GaussianBlur(rng.uniform(1.5, 3.5) * image.width / 1024))


def noise(image, rng, extras):
    a = np.asarray(image, dtype=np.float32)
    noisy = a + np.random.default_rng(rng.randint(0, 2**31)).normal(0, rng.uniform(8, 20), a.shape)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def sharpen(image, rng, extras):
    return image.filter(ImageFilter.UnsharpMask(radius=2, percent=rng.randint(150, 300)))


def caption(image, rng, extras):
    image = image.copy()
    draw = ImageDraw.Draw(image)
    size = max(10, image.height // 9)
    for y in (image.height * 0.04, image.height * 0.80):
        draw.text(
            (image.width * 0.05, y),
            _text(rng, 3).upper(),
            font=_font(size),
            fill=(255, 255, 255),
            stroke_width=max(1, size // 12),
            stroke_fill=(0, 0, 0),
        )
    return image


def watermark(image, rng, extras):
    base = image.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    size = max(10, image.width // 14)
    for i in range(3):
        draw.text(
            (image.width * 0.1, image.height * (0.2 + 0.25 * i)),
            "© " + _text(rng, 2),
            font=_font(size),
            fill=(255, 255, 255, 110),
        )
    # a solid logo in a corner
    lw = image.width // 6
    x0, y0 = image.width - lw - 10, image.height - lw // 2 - 10
    draw.rounded_rectangle([x0, y0, x0 + lw, y0 + lw // 2], radius=8, fill=(200, 30, 30, 255))
    draw.text((x0 + 8, y0 + 4), "LOGO", font=_font(lw // 5), fill=(255, 255, 255, 255))
    return Image.alpha_composite(base, layer).convert("RGB")


def border(image, rng, extras):
    pads = [round(rng.uniform(0.04, 0.2) * image.width) for _ in range(4)]
    colour = tuple(rng.randint(0, 255) for _ in range(3))
    return ImageOps.expand(image, border=tuple(pads), fill=colour)


def page_screenshot(image, rng, extras):
    page_w = rng.choice([1280, 1366, 1440])
    page_h = rng.choice([800, 900, 1100])
    page = Image.new("RGB", (page_w, page_h), (250, 250, 250))
    draw = ImageDraw.Draw(page)
    draw.rectangle([0, 0, page_w, 70], fill=(30, 60, 120))
    draw.text((30, 18), _text(rng, 3).title(), font=_font(30), fill=(255, 255, 255))
    share = rng.uniform(0.25, 0.5)
    w = round(page_w * share)
    h = round(image.height * w / image.width)
    if h > page_h - 140:
        h = page_h - 140
        w = round(image.width * h / image.height)
    photo = image.resize((w, h), Image.Resampling.LANCZOS)
    x = rng.randint(20, page_w - w - 20)
    y = rng.randint(90, max(90, page_h - h - 20))
    for line in range(110, page_h, 28):
        draw.text((20, line), _text(rng, 14), font=_font(16), fill=(60, 60, 60))
    page.paste(photo, (x, y))
    return page


def collage(image, rng, extras):
    tiles = [image, *rng.sample(extras, k=min(3, len(extras)))]
    rng.shuffle(tiles)
    cell = rng.choice([320, 400, 512])
    cols = 2
    rows = math.ceil(len(tiles) / cols)
    canvas = Image.new("RGB", (cols * cell + 10, rows * cell + 10), (255, 255, 255))
    for i, tile in enumerate(tiles):
        fitted = ImageOps.fit(tile, (cell - 10, cell - 10)) if tile is not image else None
        if fitted is None:  # the target keeps its aspect, letterboxed in its cell
            fitted = ImageOps.contain(tile, (cell - 10, cell - 10))
        canvas.paste(fitted, (10 + (i % cols) * cell, 10 + (i // cols) * cell))
    return canvas


def meme(image, rng, extras):
    w = 800
    photo = image.resize((w, round(image.height * w / image.width)), Image.Resampling.LANCZOS)
    band = 160
    canvas = Image.new("RGB", (w, photo.height + band), (255, 255, 255))
    canvas.paste(photo, (0, band))
    draw = ImageDraw.Draw(canvas)
    draw.text((20, 20), _text(rng, 5), font=_font(44), fill=(0, 0, 0))
    draw.text((20, 80), _text(rng, 4), font=_font(44), fill=(0, 0, 0))
    return canvas


def crop_flip(image, rng, extras):
    return flip(crop(image, rng, extras), rng, extras)


def combined(image, rng, extras):
    """Three edits chained: geometry, then tone, then degradation."""
    geometry = rng.choice([crop, aspect, rotate_small, border, flip, perspective])
    look = rng.choice([grayscale, sepia, colour_filter, tone, caption, watermark])
    degrade = rng.choice([resize_small, jpeg_low, webp_low, blur, noise, sharpen])
    for edit in (geometry, look, degrade):
        image = edit(image, rng, extras)
    return image


FAMILIES: dict[str, Edit] = {
    "resize": resize_small,
    "resize_1_8": resize_eighth,
    "jpeg_low": jpeg_low,
    "webp_low": webp_low,
    "crop": crop,
    "aspect": aspect,
    "flip": flip,
    "rotate_90s": rotate_right_angle,
    "rotate_small": rotate_small,
    "perspective": perspective,
    "grayscale": grayscale,
    "sepia": sepia,
    "colour_filter": colour_filter,
    "tone": tone,
    "blur": blur,
    "noise": noise,
    "sharpen": sharpen,
    "caption": caption,
    "watermark": watermark,
    "border": border,
    "page_screenshot": page_screenshot,
    "collage": collage,
    "meme": meme,
    "crop_flip": crop_flip,
    "combined": combined,
}


def make_edit(
    family: str, image: Image.Image, seed: int, extras: list[Image.Image] | None = None
) -> Image.Image:
    """Apply edit `family` to an RGB image with a fixed seed."""
    return FAMILIES[family](image.convert("RGB"), random.Random(seed), extras or [])  # noqa: S311


def encode_jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()
