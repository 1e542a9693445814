"""What the browser showed: scroll for lazy images, find and outline the image, screenshots.

Holds the page scripts (run with page.evaluate) and `render`, which takes a loaded Playwright page
and returns the DOM, title, user agent, both screenshots and the element showing the image.

Framework-free: no Django imports. Playwright objects are passed in, never imported at the top.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

SCROLL_STEP_PX = 700  # a little less than a viewport, so no band of the page is skipped
MAX_SCROLL_STEPS = 40  # ~28,000 px: enough for long articles, bounded for endless feeds
SCROLL_PAUSE_MS = 120  # lets IntersectionObserver callbacks and lazy loaders start requests
NETWORK_IDLE_MS = 3_000  # at most this long waiting for lazy loads to finish after scrolling
ELEMENT_WAIT_MS = 2_000  # at most this long for scripts to insert the image element
SCREENSHOT_TIMEOUT_MS = 20_000  # full-page screenshots of long pages take a few seconds
OUTLINE_COLOUR = "#ff0000"
OUTLINE_PX = 4
TARGET_ATTRIBUTE = "data-fairclaim-target"

# Finds the element showing the image; returns null or a description. arg = [imageUrl, mark]
# where mark is an attribute name to set on the element found, or null.
FIND_IMAGE_JS = """
([target, mark]) => {
  const norm = (u) => {
    try { return new URL(u, document.baseURI).href; } catch (e) { return null; }
  };
  const want = norm(target);
  const srcset = (s) => (s || "").split(",").map((p) => p.trim().split(/\\s+/)[0]).filter(Boolean);
  const inSrcset = (s) => srcset(s).some((u) => norm(u) === want);
  const hits = [];
  for (const img of document.querySelectorAll("img")) {
    const src = img.getAttribute("src");
    if (img.currentSrc && norm(img.currentSrc) === want) hits.push([img, "currentSrc"]);
    else if (src && norm(src) === want) hits.push([img, "src"]);
    else if (inSrcset(img.getAttribute("srcset"))) hits.push([img, "srcset"]);
  }
  for (const source of document.querySelectorAll("picture source")) {
    const img = source.parentElement.querySelector("img");
    if (img && inSrcset(source.getAttribute("srcset"))) hits.push([img, "picture source srcset"]);
  }
  for (const el of document.querySelectorAll("body *")) {
    const bg = getComputedStyle(el).backgroundImage;
    if (!bg || bg === "none") continue;
    for (const m of bg.matchAll(/url\\(\\s*["']?(.*?)["']?\\s*\\)/g)) {
      if (norm(m[1]) === want) { hits.push([el, "background-image"]); break; }
    }
  }
  if (!hits.length) return null;
  const area = (el) => { const r = el.getBoundingClientRect(); return r.width * r.height; };
  hits.sort((a, b) => area(b[0]) - area(a[0]));
  const [el, how] = hits[0];
  if (mark) el.setAttribute(mark, "1");
  const r = el.getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), matched_by: how, id: el.id || null,
          alt: el.getAttribute("alt"), x: r.left + window.scrollX, y: r.top + window.scrollY,
          width: r.width, height: r.height,
          natural_width: el.naturalWidth ?? null, natural_height: el.naturalHeight ?? null,
          matches: hits.length};
}
"""

SCROLL_JS = """
async ([step, steps, pause]) => {
  for (let i = 0; i < steps; i++) {
    window.scrollBy(0, step);
    await new Promise((done) => setTimeout(done, pause));
    if (window.scrollY + window.innerHeight >= document.documentElement.scrollHeight) break;
  }
  window.scrollTo(0, 0);
}
"""

OUTLINE_JS = """
([attribute, colour, px]) => {
  const el = document.querySelector(`[${attribute}]`);
  el.scrollIntoView({block: "center", inline: "center"});
  const r = el.getBoundingClientRect();
  const box = document.createElement("div");
  box.setAttribute("data-fairclaim-outline", "1");
  Object.assign(box.style, {position: "absolute", left: `${r.left + window.scrollX - px}px`,
    top: `${r.top + window.scrollY - px}px`, width: `${r.width}px`, height: `${r.height}px`,
    border: `${px}px solid ${colour}`, zIndex: "2147483647", pointerEvents: "none",
    boxSizing: "content-box"});
  document.body.appendChild(box);
}
"""


@dataclass(frozen=True)
class Rendered:
    """What the browser showed, taken after scripts and lazy loading ran."""

    dom: bytes
    title: str
    user_agent: str
    full_png: bytes
    element: dict[str, Any] | None  # the element showing the image, or None
    viewport_png: bytes
    final_url: str


def render(page: Any, image_url: str, page_status: int | None) -> Rendered:
    """Scroll, wait, find and outline the image, take the DOM and both screenshots."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.evaluate(SCROLL_JS, [SCROLL_STEP_PX, MAX_SCROLL_STEPS, SCROLL_PAUSE_MS])
    # Pages that poll never go idle; what loaded by then is what a visitor saw.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_load_state("networkidle", timeout=NETWORK_IDLE_MS)
    element = None
    if page_status is None or page_status < 400:
        # Not there in time: the caller records image_present false.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                FIND_IMAGE_JS, arg=[image_url, None], timeout=ELEMENT_WAIT_MS, polling=100
            )
    dom = page.content().encode("utf-8")
    title = page.title()
    user_agent = page.evaluate("navigator.userAgent")
    full_png = page.screenshot(full_page=True, timeout=SCREENSHOT_TIMEOUT_MS)
    if page_status is None or page_status < 400:
        element = page.evaluate(FIND_IMAGE_JS, [image_url, TARGET_ATTRIBUTE])
    if element is not None:
        page.evaluate(OUTLINE_JS, [TARGET_ATTRIBUTE, OUTLINE_COLOUR, OUTLINE_PX])
    viewport_png = page.screenshot(timeout=SCREENSHOT_TIMEOUT_MS)
    return Rendered(dom, title, user_agent, full_png, element, viewport_png, page.url)
