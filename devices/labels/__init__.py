"""Labels (DEV-2): box, pallet, cell and unit labels as ZPL II for network printers, with a PNG preview.

``render_zpl(CellLabel(101, "A-01-01-01"))`` for the printer, ``render_png(...)`` for the screen,
``LabelPrinter("10.0.0.5").send(zpl)`` to print, ``sscc("4601234", 1)`` for a new package code.
"""

from devices.labels.model import (
    DEFAULT_DPI,
    DEFAULT_SIZE_MM,
    BoxLabel,
    CellLabel,
    Label,
    Layout,
    PalletLabel,
    UnitLabel,
    layout,
)
from devices.labels.png import render_png
from devices.labels.printer import LabelPrinter, PrinterError
from devices.labels.sscc import sscc
from devices.labels.zpl import render_zpl

__all__ = [
    "DEFAULT_DPI",
    "DEFAULT_SIZE_MM",
    "BoxLabel",
    "CellLabel",
    "Label",
    "LabelPrinter",
    "Layout",
    "PalletLabel",
    "PrinterError",
    "UnitLabel",
    "layout",
    "render_png",
    "render_zpl",
    "sscc",
]
