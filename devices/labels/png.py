"""A local PNG preview of a label layout, drawn with Pillow: ``render_png(CellLabel(101, "A-01-01-01"))``.

It draws the same layout ``render_zpl`` sends (same positions, texts and bars, one pixel per printer dot
times ``scale``); it is not a ZPL interpreter. EAN-13 and Code 128 are real bars computed in
``devices.labels.symbols``. No Data Matrix encoder is installed, so a GS1 Data Matrix is previewed as the
GS1-128 of the same data (one dot per module) in the matrix's place; the printer draws the real matrix.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from devices.labels.model import DEFAULT_DPI, DEFAULT_SIZE_MM, Barcode, Label, Layout, Rule, Text, layout

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
)
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def render_png(
    label: Label, size: tuple[float, float] = DEFAULT_SIZE_MM, dpi: int = DEFAULT_DPI, *, scale: int = 1
) -> bytes:
    """PNG bytes of the label: ``render_png(label)`` is 464×320 pixels for 58×40 mm at 203 dpi."""
    return png_for(layout(label, size, dpi), scale=scale)


def png_for(plan: Layout, *, scale: int = 1) -> bytes:
    """PNG bytes of an already laid out label: ``png_for(layout(label), scale=2)``."""
    if not 1 <= scale <= 8:
        raise ValueError(f"scale {scale} must be 1..8")
    image = Image.new("L", (plan.width * scale, plan.height * scale), 255)
    draw = ImageDraw.Draw(image)
    for element in plan.elements:
        if isinstance(element, Text):
            _text(draw, element, scale)
        elif isinstance(element, Rule):
            _box(draw, element.x, element.y, element.width, element.height, scale)
        else:
            _barcode(draw, element, scale)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@cache
def _font(pixels: int) -> Font:
    for path in FONT_CANDIDATES:
        if path.exists():
            return ImageFont.truetype(str(path), pixels)
    return ImageFont.load_default(pixels)  # Latin only: Cyrillic shows as boxes without DejaVu


def _text(draw: ImageDraw.ImageDraw, text: Text, scale: int) -> None:
    font = _font(text.height * scale)
    length = draw.textlength(text.text, font=font)
    room = text.width * scale - length
    offset = 0.0 if text.align == "left" else room if text.align == "right" else room / 2
    draw.text((text.x * scale + max(offset, 0), text.y * scale), text.text, fill=0, font=font, anchor="la")


def _box(draw: ImageDraw.ImageDraw, x: int, y: int, width: int, height: int, scale: int) -> None:
    draw.rectangle((x * scale, y * scale, (x + width) * scale - 1, (y + height) * scale - 1), fill=0)


def _barcode(draw: ImageDraw.ImageDraw, barcode: Barcode, scale: int) -> None:
    module = 1 if barcode.symbology == "gs1-datamatrix" else barcode.module
    x = barcode.x
    for dark in barcode.modules:
        if dark == "1":
            _box(draw, x, barcode.y, module, barcode.height, scale)
        x += module
