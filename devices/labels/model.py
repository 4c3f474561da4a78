"""Label kinds and the layout both renderers draw: ``layout(CellLabel(101, "A-01-01-01"))``.

A label is plain data (box, pallet, cell, unit). ``layout`` places its texts and barcodes on the label in
printer dots; ``render_zpl`` turns that layout into ZPL II for the printer and ``render_png`` draws the same
layout locally as a preview, so what the operator sees is what the printer is told to print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from stdnum import ean

from devices.barcodes import PackageCode, interpret
from devices.barcodes import cell_barcode as company_cell_barcode
from devices.labels.symbols import (
    code128_modules,
    code128_values,
    datamatrix_side,
    ean13_modules,
    gs1_data,
)

DEFAULT_SIZE_MM = (58.0, 40.0)
DEFAULT_DPI = 203
MIN_SIZE_MM = (58.0, 40.0)
CHAR_WIDTH = 0.6  # average glyph width of the label font, as a share of its height
SERIAL_CHARS = re.compile(r"^[A-Za-z0-9!\"%&'()*+,\-./:;<=>?]{1,20}$")  # GS1 AI (21) without ZPL's ^ ~ _
CELL_KINDS = {"storage": "хранение", "receiving": "приёмка", "assembly": "сборка", "shipping": "отгрузка"}

Symbology = Literal["ean13", "code128", "gs1-128", "gs1-datamatrix"]


@dataclass(frozen=True)
class BoxLabel:
    """A packed box: ``BoxLabel("З-000123", "ООО Ромашка", 2, 5, "K-40 × 12", sscc="0460…")``."""

    order: str
    customer: str
    box: int
    boxes: int
    contents: str
    sscc: str | None = None
    code: str | None = None  # a box code of our own when the box has no SSCC
    weight_kg: Decimal | None = None  # gross, printed when known (DEV-2)

    def __post_init__(self) -> None:
        if not 1 <= self.box <= self.boxes:
            raise ValueError(f"box {self.box} of {self.boxes} is not a box of this order")
        if self.weight_kg is not None and self.weight_kg <= 0:
            raise ValueError(f"box weight {self.weight_kg} kg must be positive")
        if (self.sscc is None) == (self.code is None):
            raise ValueError("a box label carries either an SSCC or a box code")
        if self.sscc is not None:
            _check_sscc(self.sscc)


@dataclass(frozen=True)
class PalletLabel:
    """A pallet: ``PalletLabel("046012340000000018", "K-40 × 480", Decimal("412.5"))``."""

    sscc: str
    contents: str
    weight_kg: Decimal
    destination: str = ""

    def __post_init__(self) -> None:
        _check_sscc(self.sscc)
        if self.weight_kg <= 0:
            raise ValueError(f"pallet weight {self.weight_kg} kg must be positive")


@dataclass(frozen=True)
class CellLabel:
    """A storage cell: ``CellLabel(101, "A-01-01-01", "storage")``; its barcode is the company's ``21…`` code."""

    cell_id: int
    address: str
    kind: str = "storage"

    @property
    def barcode(self) -> str:
        """``CellLabel(1, "A").barcode == cell_barcode(1)``."""
        return company_cell_barcode(self.cell_id)


@dataclass(frozen=True)
class UnitLabel:
    """One unit of an item: ``UnitLabel("Кронштейн", "K-40", "4601234567893", serial="SN1")``."""

    name: str
    sku: str
    ean13: str
    serial: str | None = None

    def __post_init__(self) -> None:
        if len(self.ean13) != 13 or not self.ean13.isdigit() or ean.calc_check_digit(self.ean13[:12]) != self.ean13[12]:
            raise ValueError(f"{self.ean13!r} is not a valid EAN-13")
        if self.serial is not None and not SERIAL_CHARS.match(self.serial):
            raise ValueError(f"serial {self.serial!r}: 1 to 20 letters, digits or GS1 punctuation (no ^ ~ _)")

    @property
    def gs1(self) -> str:
        """``(01)`` GTIN-14 and ``(21)`` serial in brackets: ``(01)04601234567893(21)SN1``."""
        return f"(01)0{self.ean13}(21){self.serial}"


Label = BoxLabel | PalletLabel | CellLabel | UnitLabel


def _check_sscc(code: str) -> None:
    if not isinstance(interpret(code) if code.isdigit() and len(code) == 18 else None, PackageCode):
        raise ValueError(f"{code!r} is not a valid SSCC-18")


@dataclass(frozen=True)
class Text:
    """A line of text at (x, y), ``height`` dots tall, within ``width`` dots, aligned left, center or right."""

    x: int
    y: int
    height: int
    width: int
    text: str
    align: Literal["left", "center", "right"] = "left"


@dataclass(frozen=True)
class Barcode:
    """A barcode at (x, y): ``module`` dots per narrow bar (or per 2-D module), ``height`` dots of bars."""

    x: int
    y: int
    symbology: Symbology
    data: str  # digits for EAN-13, text for Code 128, bracketed GS1 for the GS1 symbologies
    module: int
    height: int

    @property
    def modules(self) -> str:
        """Dark and light modules of a linear symbol (the GS1 Data Matrix preview uses GS1-128's)."""
        if self.symbology == "ean13":
            return ean13_modules(self.data)
        if self.symbology == "code128":
            return code128_modules(code128_values(self.data))
        return code128_modules(code128_values(gs1_data(self.data)))

    @property
    def width(self) -> int:
        """Width in dots: ``modules × module`` for linear symbols, the square's side for Data Matrix."""
        if self.symbology == "gs1-datamatrix":
            return datamatrix_side(gs1_data(self.data)) * self.module
        return len(self.modules) * self.module


@dataclass(frozen=True)
class Rule:
    """A filled rectangle (a line when thin)."""

    x: int
    y: int
    width: int
    height: int


Element = Text | Barcode | Rule


@dataclass(frozen=True)
class Layout:
    """Where everything goes on one label, in printer dots: ``layout(label).elements``."""

    width: int
    height: int
    dpi: int
    elements: tuple[Element, ...]


class _Grid:
    """Millimetres to dots for one label size and printer resolution."""

    def __init__(self, size_mm: tuple[float, float], dpi: int) -> None:
        if size_mm[0] < MIN_SIZE_MM[0] or size_mm[1] < MIN_SIZE_MM[1]:
            raise ValueError(f"labels are laid out for at least {MIN_SIZE_MM[0]}×{MIN_SIZE_MM[1]} mm, got {size_mm}")
        self.dpi = dpi
        self.width = self.dots(size_mm[0])
        self.height = self.dots(size_mm[1])
        self.margin = self.dots(2)
        self.inner = self.width - 2 * self.margin

    def dots(self, mm: float) -> int:
        """``_Grid((58, 40), 203).dots(10) == 80``."""
        return round(mm * self.dpi / 25.4)

    def module(self, mm: float) -> int:
        """A module width in whole dots, at least one."""
        return max(1, self.dots(mm))

    def text(self, y: int, mm: float, text: str, *, align: Literal["left", "center", "right"] = "left") -> Text:
        """One line across the label, cut to what fits."""
        height = self.dots(mm)
        return Text(self.margin, y, height, self.inner, _fit(text, height, self.inner), align)

    def lines(self, y: int, mm: float, text: str, count: int) -> list[Text]:
        """Up to ``count`` lines of wrapped text from ``y`` down, 1.2 line heights apart."""
        height = self.dots(mm)
        return [
            Text(self.margin, y + round(index * height * 1.2), height, self.inner, line)
            for index, line in enumerate(_wrap(text, height, self.inner, count))
        ]

    def centered(self, y: int, symbology: Symbology, data: str, module: int, height: int) -> Barcode:
        """A barcode centred across the label (quiet zones fall on both sides)."""
        probe = Barcode(0, y, symbology, data, module, height)
        return Barcode(max(self.margin, (self.width - probe.width) // 2), y, symbology, data, module, height)


def _capacity(height: int, width: int) -> int:
    return max(1, int(width / (height * CHAR_WIDTH)))


def _fit(text: str, height: int, width: int) -> str:
    text = " ".join(text.split())
    capacity = _capacity(height, width)
    return text if len(text) <= capacity else text[: capacity - 1].rstrip() + "…"


def _wrap(text: str, height: int, width: int, count: int) -> list[str]:
    capacity = _capacity(height, width)
    words = text.split()
    lines: list[str] = []
    while words and len(lines) < count - 1:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= capacity:
            line += " " + words.pop(0)
        lines.append(line)
    if words:
        lines.append(" ".join(words))  # the last line takes the rest, cut with an ellipsis
    return [_fit(line, height, width) for line in lines]


def layout(label: Label, size: tuple[float, float] = DEFAULT_SIZE_MM, dpi: int = DEFAULT_DPI) -> Layout:
    """The label placed on ``size`` mm at ``dpi``: ``layout(CellLabel(101, "A-01-01-01"))``."""
    grid = _Grid(size, dpi)
    if isinstance(label, CellLabel):
        elements = _cell(label, grid)
    elif isinstance(label, BoxLabel):
        elements = _box(label, grid)
    elif isinstance(label, PalletLabel):
        elements = _pallet(label, grid)
    else:
        elements = _unit(label, grid)
    return Layout(grid.width, grid.height, dpi, tuple(elements))


def _cell(label: CellLabel, grid: _Grid) -> list[Element]:
    # The address is what a driver reads from the aisle: as big as the width allows, up to 10 mm.
    size = min(grid.dots(10), int(grid.inner / (max(len(label.address), 1) * CHAR_WIDTH)))
    address = Text(grid.margin, grid.margin, size, grid.inner, label.address, "center")
    y = address.y + size + grid.dots(1)
    kind = grid.text(y, 3, f"Ячейка · {CELL_KINDS.get(label.kind, label.kind)}", align="center")
    y = kind.y + kind.height + grid.dots(2)
    bars = grid.centered(y, "ean13", label.barcode, grid.module(0.375), grid.dots(14))
    digits = grid.text(bars.y + bars.height + grid.dots(0.5), 3, label.barcode, align="center")
    return [address, kind, bars, digits]


def _header(grid: _Grid, left: str, right: str) -> list[Element]:
    height = grid.dots(3.5)
    right_width = min(grid.inner // 2, round(len(right) * height * CHAR_WIDTH) + 1)
    left_width = grid.inner - right_width - grid.dots(1)
    return [
        Text(grid.margin, grid.margin, height, left_width, _fit(left, height, left_width)),
        Text(grid.width - grid.margin - right_width, grid.margin, height, right_width, right, "right"),
    ]


def _sscc_bars(grid: _Grid, sscc: str) -> list[Element]:
    y = grid.height - grid.margin - grid.dots(3) - grid.dots(0.5) - grid.dots(13)
    bars = grid.centered(y, "gs1-128", f"(00){sscc}", grid.module(0.25), grid.dots(13))
    text = grid.text(bars.y + bars.height + grid.dots(0.5), 3, f"(00) {sscc}", align="center")
    return [bars, text]


def _box(label: BoxLabel, grid: _Grid) -> list[Element]:
    elements = _header(grid, f"Заказ {label.order}", f"Короб {label.box}/{label.boxes}")
    y = grid.margin + grid.dots(4.5)
    weight = "" if label.weight_kg is None else f"Брутто {_kg(label.weight_kg)} кг"
    customer = grid.text(y, 3.5, "  ".join(part for part in (label.customer, weight) if part))
    rule = Rule(grid.margin, customer.y + customer.height + grid.dots(0.5), grid.inner, 2)
    contents = grid.lines(rule.y + grid.dots(1), 3, label.contents, 2)
    if label.sscc is not None:
        bars = _sscc_bars(grid, label.sscc)
    else:
        code = label.code or ""
        y = grid.height - grid.margin - grid.dots(3) - grid.dots(0.5) - grid.dots(13)
        barcode = grid.centered(y, "code128", code, grid.module(0.25), grid.dots(13))
        bars = [barcode, grid.text(barcode.y + barcode.height + grid.dots(0.5), 3, code, align="center")]
    return [*elements, customer, rule, *contents, *bars]


def _kg(weight: Decimal) -> str:
    """``_kg(Decimal("412.50")) == "412,5"``: kilograms as the label prints them."""
    return f"{weight.normalize():f}".replace(".", ",")


def _pallet(label: PalletLabel, grid: _Grid) -> list[Element]:
    elements = _header(grid, "ПАЛЛЕТА", f"Брутто {_kg(label.weight_kg)} кг")
    y = grid.margin + grid.dots(4.5)
    lines = [grid.text(y, 3.5, f"Куда: {label.destination}")] if label.destination else []
    y = lines[0].y + lines[0].height + grid.dots(0.5) if lines else y
    rule = Rule(grid.margin, y, grid.inner, 2)
    contents = grid.lines(rule.y + grid.dots(1), 3, label.contents, 2)
    return [*elements, *lines, rule, *contents, *_sscc_bars(grid, label.sscc)]


def _unit(label: UnitLabel, grid: _Grid) -> list[Element]:
    name = grid.lines(grid.margin, 3.5, label.name, 2)
    sku = grid.text(grid.margin + grid.dots(8.5), 3, f"Арт. {label.sku}")
    y = sku.y + sku.height + grid.dots(1)
    if label.serial is None:
        bars = grid.centered(y, "ean13", label.ean13, grid.module(0.33), grid.dots(15))
        digits = grid.text(bars.y + bars.height + grid.dots(0.5), 3, label.ean13, align="center")
        return [*name, sku, bars, digits]
    bars = Barcode(grid.margin + grid.dots(1), y, "ean13", label.ean13, grid.module(0.25), grid.dots(10))
    digits = Text(bars.x, bars.y + bars.height + grid.dots(0.5), grid.dots(2.5), bars.width, label.ean13, "center")
    serial_x = bars.x + bars.width + grid.dots(3)
    serial_width = grid.width - grid.margin - serial_x
    serial = Text(serial_x, y, grid.dots(3), serial_width, _fit(f"S/N {label.serial}", grid.dots(3), serial_width))
    strip_y = digits.y + digits.height + grid.dots(1)
    strip = grid.height - grid.margin // 2 - strip_y
    side = datamatrix_side(gs1_data(label.gs1))
    module = max(1, min(grid.module(0.5), strip // side))
    matrix = Barcode(grid.margin + grid.dots(1), strip_y, "gs1-datamatrix", label.gs1, module, side * module)
    return [*name, sku, bars, digits, serial, matrix]
