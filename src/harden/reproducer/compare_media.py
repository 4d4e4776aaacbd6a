"""Rich outputs for the comparer: HTML as visible text and tables, image sizes.

HTML is reduced to what a reader sees: tags, attributes, ``<style>`` and
``<script>`` are dropped (a pandas Styler's random ids, a DataFrame's CSS), a
table row becomes one line of cells separated by two spaces.  So two HTML
renderings that differ only in formatting give the same text, and a
DataFrame's ``to_html()`` tables give the same tokens as its ``to_string()``.

Image sizes are read from the file header (PNG, JPEG, GIF, SVG attributes);
no imaging library is needed.  :func:`perceptual_difference` uses Pillow.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import struct
from html.parser import HTMLParser

__all__ = ["html_text", "image_size", "perceptual_difference", "strip_pandas_footer"]

_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "table",
        "caption",
        "section",
        "article",
        "header",
        "footer",
        "hr",
        "dt",
        "dd",
    }
)
_HIDDEN_TAGS = frozenset({"style", "script", "head", "title", "template"})


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.table_lines: list[str] = []
        self._text: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._hidden = 0
        self._tables = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag == "table":
            self._flush()
            self._tables += 1
        elif tag == "tr" and self._tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            line = "  ".join(self._row).rstrip()
            self.lines.append(line)
            self.table_lines.append(line)
            self._row = None
        elif tag == "table":
            self._tables = max(0, self._tables - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._row is None:
            self._text.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        if text:
            self.lines.append(text)
        self._text = []

    def close(self) -> None:
        super().close()
        self._flush()


def html_text(html: str, tables_only: bool = False) -> str:
    """The visible text of ``html``, one line per block and per table row.

    With ``tables_only`` (and at least one table), only the table rows.
    """
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    lines = parser.table_lines if tables_only and parser.table_lines else parser.lines
    return "\n".join(lines)


_PANDAS_FOOTER = re.compile(r"^\s*\[?\d+ rows [x×] \d+ columns\]?\s*$", re.MULTILINE)


def strip_pandas_footer(text: str) -> str:
    """Drop pandas' ``[100 rows x 3 columns]`` line (HTML puts it outside the table)."""
    return _PANDAS_FOOTER.sub("", text).rstrip()


def _decode(data: str) -> bytes | None:
    try:
        return base64.b64decode(data)
    except (binascii.Error, ValueError):
        return None


def _jpeg_size(raw: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(raw):
        if raw[index] != 0xFF:
            index += 1
            continue
        marker = raw[index + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", raw[index + 5 : index + 9])
            return width, height
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            index += 2 if marker != 0xFF else 1
            continue
        (length,) = struct.unpack(">H", raw[index + 2 : index + 4])
        index += 2 + length
    return None


_SVG_LENGTH = r"=[\"']\s*([\d.]+)(?:px|pt)?\s*[\"']"


def image_size(mime: str, data: str) -> tuple[int, int] | None:
    """``(width, height)`` of a notebook image (base64, or SVG text); ``None`` if unknown."""
    if mime == "image/svg+xml":
        head = data[: data.find(">", data.find("<svg")) + 1] if "<svg" in data else ""
        width = re.search(r"\swidth" + _SVG_LENGTH, head)
        height = re.search(r"\sheight" + _SVG_LENGTH, head)
        if width and height:
            return round(float(width.group(1))), round(float(height.group(1)))
        return None
    raw = _decode(data)
    if raw is None:
        return None
    if raw.startswith(b"\x89PNG\r\n\x1a\n") and len(raw) >= 24:
        width, height = struct.unpack(">II", raw[16:24])
        return width, height
    if raw[:4] in (b"GIF8",) and len(raw) >= 10:
        width, height = struct.unpack("<HH", raw[6:10])
        return width, height
    if raw.startswith(b"\xff\xd8"):
        return _jpeg_size(raw)
    return None


def perceptual_difference(expected: str, actual: str) -> float | None:
    """Mean absolute pixel difference in ``[0, 1]`` of two same-size base64 images.

    Both are converted to greyscale and scaled to 64×64 first, so antialiasing
    noise weighs little.  ``None`` when Pillow cannot decode one of them.
    """
    from PIL import Image, ImageChops, ImageStat, UnidentifiedImageError

    raw_expected, raw_actual = _decode(expected), _decode(actual)
    if raw_expected is None or raw_actual is None:
        return None
    try:
        images = [
            Image.open(io.BytesIO(raw)).convert("L").resize((64, 64), Image.Resampling.BILINEAR)
            for raw in (raw_expected, raw_actual)
        ]
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    difference = ImageChops.difference(images[0], images[1])
    return float(ImageStat.Stat(difference).mean[0]) / 255.0
