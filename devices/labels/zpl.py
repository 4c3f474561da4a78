"""ZPL II for a label layout: ``render_zpl(CellLabel(101, "A-01-01-01"))`` → ``"^XA\\n^CI28\\n…^XZ\\n"``.

Text is UTF-8 (``^CI28``) in the printer's Unicode TrueType font, mapped to font ``1`` with ``^CW`` (Zebra
printers ship ``E:TT0003M_.FNT``, which has Cyrillic; pass another ``font`` if yours differs). ``^FH`` escapes
the three characters ZPL would take as commands. Barcodes carry no printer-made interpretation line: the
layout places its own text under them, the same in the PNG preview.
"""

from __future__ import annotations

from devices.labels.model import (
    DEFAULT_DPI,
    DEFAULT_SIZE_MM,
    Barcode,
    Element,
    Label,
    Layout,
    Rule,
    Text,
    layout,
)
from devices.labels.symbols import code128_values, gs1_data, zpl_code128

DEFAULT_FONT = "E:TT0003M_.FNT"
_ALIGN = {"left": "L", "center": "C", "right": "R"}
_FIELD_ESCAPES = str.maketrans({"_": "_5F", "^": "_5E", "~": "_7E"})


def render_zpl(
    label: Label,
    size: tuple[float, float] = DEFAULT_SIZE_MM,
    dpi: int = DEFAULT_DPI,
    *,
    copies: int = 1,
    font: str = DEFAULT_FONT,
) -> str:
    """ZPL II for one label: ``render_zpl(label, size=(58, 40), dpi=203)``."""
    return zpl_for(layout(label, size, dpi), copies=copies, font=font)


def zpl_for(plan: Layout, *, copies: int = 1, font: str = DEFAULT_FONT) -> str:
    """ZPL II for an already laid out label: ``zpl_for(layout(label))``."""
    if not 1 <= copies <= 999:
        raise ValueError(f"copies {copies} must be 1..999")
    lines = ["^XA", "^CI28", f"^PW{plan.width}", f"^LL{plan.height}", "^LH0,0", f"^CW1,{font}"]
    lines += [_element(element) for element in plan.elements]
    lines += [f"^PQ{copies}", "^XZ"]
    return "\n".join(lines) + "\n"


def _element(element: Element) -> str:
    if isinstance(element, Text):
        return _text(element)
    if isinstance(element, Rule):
        thickness = min(element.width, element.height)
        return f"^FO{element.x},{element.y}^GB{element.width},{element.height},{thickness}^FS"
    return _barcode(element)


def _text(text: Text) -> str:
    block = "" if text.align == "left" else f"^FB{text.width},1,0,{_ALIGN[text.align]},0"
    data = text.text.translate(_FIELD_ESCAPES)
    return f"^FO{text.x},{text.y}^A1N,{text.height},{text.height}{block}^FH^FD{data}^FS"


def _barcode(barcode: Barcode) -> str:
    origin = f"^FO{barcode.x},{barcode.y}"
    if barcode.symbology == "ean13":
        # ^BE takes the first twelve digits and prints the check digit it computes itself.
        return f"{origin}^BY{barcode.module}^BEN,{barcode.height},N,N^FD{barcode.data[:12]}^FS"
    if barcode.symbology == "gs1-datamatrix":
        # Quality 200 (ECC 200) with "_" as escape character: "_1" is FNC1, which makes it GS1 Data Matrix.
        data = gs1_data(barcode.data).replace("\xf1", "_1")
        return f"{origin}^BXN,{barcode.module},200,,,,_^FD{data}^FS"
    raw = barcode.data if barcode.symbology == "code128" else gs1_data(barcode.data)
    field = zpl_code128(code128_values(raw))
    return f"{origin}^BY{barcode.module}^BCN,{barcode.height},N,N,N,N^FD{field}^FS"
