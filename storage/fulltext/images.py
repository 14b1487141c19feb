"""Figures' images: fetched politely, decoded (Pillow) and scaled to terminal cells.

A figure is drawn in Unicode half blocks: each cell is ``▀`` with its upper pixel as the
foreground colour and its lower pixel as the background, so a cell holds two pixels, one
above the other, and the picture scrolls and clips with the text in any terminal (tmux,
SSH, a browser). :func:`picture` makes those pixel pairs for a box of cells; the screen
turns them into styled segments (true colour, or the 256 colours the terminal has).

Fetching (:func:`fetch_image`) follows the page's rules: http(s) only, 429 and 5xx retried
with ``Retry-After`` honoured, at most :data:`MAX_IMAGE_BYTES`. How many at a time is the
caller's to keep small (the reading screen fetches a few at once).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from paperdeck.storage.fulltext.fetch import RETRIES, read_limited
from paperdeck.storage.http import FetchError, make_client, send, status_error

if TYPE_CHECKING:
    import httpx

MAX_IMAGE_BYTES = 16 * 1024 * 1024
MAX_PIXELS = 40_000_000
"""Larger images are refused before they are decoded (a decompression bomb stops here)."""
ASPECT = 0.6
"""Height over width of the box a figure is drawn in (arXiv's converted plots are about
0.6); an image of another shape is fitted inside it, centred."""
MAX_CELLS = 80
"""The widest a figure is drawn, in cells."""


class ImageError(Exception):
    """The image could not be had or read: one sentence that says which and why."""


@dataclass(frozen=True, slots=True)
class Picture:
    """An image scaled into ``width`` × ``rows`` cells: ``pixels`` holds RGB bytes, row
    by row, ``2 * rows`` pixel rows of ``width`` pixels (two pixel rows a cell row)."""

    width: int
    rows: int
    pixels: bytes

    def cell(self, row: int, column: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        """The (upper, lower) colours of a cell."""
        stride = self.width * 3
        upper = (2 * row) * stride + column * 3
        lower = upper + stride
        p = self.pixels
        return (p[upper], p[upper + 1], p[upper + 2]), (p[lower], p[lower + 1], p[lower + 2])


def box(measure: int) -> tuple[int, int]:
    """The box (cells wide, rows) a figure takes in text ``measure`` cells wide."""
    width = max(8, min(MAX_CELLS, measure - 4))
    return width, max(4, round(width * ASPECT / 2))


def picture(data: bytes, width: int, rows: int, background=(255, 255, 255)) -> Picture:
    """``data`` (PNG, JPEG, GIF, WebP…) fitted into ``width`` × ``rows`` cells, centred on
    ``background``; :class:`ImageError` when it cannot be decoded."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ImageError(f"the image is too large ({image.width}×{image.height})")
            image.load()
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(f"the image could not be read ({exc})") from None
    canvas = Image.new("RGB", (width, 2 * rows), background)
    scale = min(width / rgba.width, 2 * rows / rgba.height)
    size = (max(1, round(rgba.width * scale)), max(1, round(rgba.height * scale)))
    scaled = rgba.resize(size, Image.Resampling.LANCZOS)
    flat = Image.new("RGB", size, background)
    flat.paste(scaled, mask=scaled.getchannel("A"))
    canvas.paste(flat, ((width - size[0]) // 2, (2 * rows - size[1]) // 2))
    return Picture(width, rows, canvas.tobytes())


def fetch_image(
    url: str,
    *,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    limit: int = MAX_IMAGE_BYTES,
) -> bytes:
    """The image at ``url`` (http or https); :class:`ImageError` when it cannot be had."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ImageError(f"{url} is not an http(s) link")
    own = client is None
    client = client or make_client()
    client.follow_redirects = True
    try:
        request = client.build_request("GET", url, headers={"Accept": "image/*"})
        response = send(client, request, retries=RETRIES, stream=True, sleep=sleep)
        try:
            if response.status_code != 200:
                raise status_error(response)
            kind = response.headers.get("Content-Type", "image/").lower()
            if not kind.startswith("image/"):
                raise ImageError(f"{url} is not an image ({kind})")
            return read_limited(response, limit)
        finally:
            response.close()
    except FetchError as exc:
        raise ImageError(str(exc)) from None
    finally:
        if own:
            client.close()
