"""Labels: ZPL snapshots of every kind, the PNG preview of the same layout, SSCC check digits, bar patterns.

The expected ZPL lives in ``tests/devices/snapshots/*.zpl`` and is compared byte for byte. After a deliberate
layout change, regenerate with ``STOCKYARD_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/devices/test_labels.py``
and review the diff like code.
"""

from __future__ import annotations

import io
import itertools
import os
from decimal import Decimal
from pathlib import Path

import pytest
from biip.sscc import Sscc
from PIL import Image

from devices.barcodes import CellCode, ItemCode, PackageCode, cell_barcode, interpret
from devices.labels import (
    BoxLabel,
    CellLabel,
    PalletLabel,
    UnitLabel,
    layout,
    render_png,
    render_zpl,
    sscc,
)
from devices.labels.model import Barcode, Label, Text
from devices.labels.symbols import (
    FNC1,
    code128_check,
    code128_modules,
    code128_values,
    ean13_modules,
    gs1_data,
    zpl_code128,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"
SSCC = "046012340000000017"  # sscc("4601234", 1)

LABELS: dict[str, Label] = {
    "cell": CellLabel(101, "A-01-01-01", "storage"),
    "box_sscc": BoxLabel(
        "З-000123",
        "ООО «Ромашка»",
        2,
        5,
        "K-40 Кронштейн стальной 40×40 — 12 шт; S-16 Саморез 4,2×16 — 200 шт",
        sscc=SSCC,
    ),
    "box_code": BoxLabel("З-000124", "ИП Сидоров", 1, 1, "S-16 × 500", code="BOX-0001"),
    "box_weight": BoxLabel("—", "", 1, 1, "P-1 × 2, K-40 × 4", sscc=SSCC, weight_kg=Decimal("25.9")),
    "pallet": PalletLabel(SSCC, "K-40 Кронштейн стальной 40×40 — 480 шт", Decimal("412.50"), "ООО «Ромашка», Казань"),
    "unit": UnitLabel("Кронштейн стальной 40×40", "K-40", "4601234567893"),
    "unit_serial": UnitLabel("Кронштейн стальной 40×40", "K-40", "4601234567893", serial="SN0001234"),
}


@pytest.mark.parametrize("name", sorted(LABELS))
def test_zpl_matches_its_snapshot(name):
    zpl = render_zpl(LABELS[name])
    path = SNAPSHOTS / f"{name}.zpl"
    if os.environ.get("STOCKYARD_UPDATE_SNAPSHOTS") == "1":
        path.write_text(zpl, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with STOCKYARD_UPDATE_SNAPSHOTS=1 and review it"
    assert zpl == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(LABELS))
def test_zpl_is_one_utf8_label_for_58x40_at_203_dpi(name):
    zpl = render_zpl(LABELS[name])
    lines = zpl.splitlines()
    assert lines[:4] == ["^XA", "^CI28", "^PW464", "^LL320"]
    assert lines[-2:] == ["^PQ1", "^XZ"]
    assert zpl.count("^XA") == 1
    assert all(line.endswith("^FS") for line in lines[6:-2])


def test_cell_label_carries_the_company_cell_code_and_a_big_address():
    zpl = render_zpl(LABELS["cell"])
    assert f"^BEN,112,N,N^FD{cell_barcode(101)[:12]}^FS" in zpl
    assert "^A1N,72,72^FB432,1,0,C,0^FH^FDA-01-01-01^FS" in zpl
    assert interpret(cell_barcode(101)) == CellCode(101)


def test_pallet_label_is_gs1_128_with_ai_00_in_subset_c():
    zpl = render_zpl(LABELS["pallet"])
    assert f"^BCN,104,N,N,N,N^FD>;>800{SSCC}^FS" in zpl
    assert "Брутто 412,5 кг" in zpl
    assert f"(00) {SSCC}" in zpl


def test_a_box_label_prints_its_gross_weight_when_known():
    assert "Брутто 25,9 кг" in render_zpl(LABELS["box_weight"])
    assert "Брутто" not in render_zpl(LABELS["box_sscc"])


def test_unit_serial_is_gs1_datamatrix_with_fnc1():
    zpl = render_zpl(LABELS["unit_serial"])
    assert "^BXN,4,200,,,,_^FD_1010460123456789321SN0001234^FS" in zpl
    assert interpret("01046012345678932" + "1SN0001234") == ItemCode(gtin="04601234567893", serial="SN0001234")


def test_text_that_looks_like_zpl_is_escaped():
    zpl = render_zpl(BoxLabel("З-1", "A^XZ~JA_B", 1, 1, "x", code="B1"))
    assert "^FDA_5EXZ_7EJA_5FB^FS" in zpl
    assert zpl.count("^XZ") == 1


def test_larger_labels_and_300_dpi_scale_the_layout():
    plan = layout(LABELS["cell"], size=(100, 60), dpi=300)
    assert (plan.width, plan.height) == (1181, 709)
    bars = next(e for e in plan.elements if isinstance(e, Barcode))
    assert bars.module == 4  # 0.375 mm at 300 dpi
    with pytest.raises(ValueError, match="at least"):
        layout(LABELS["cell"], size=(40, 30))


@pytest.mark.parametrize("name", sorted(LABELS))
def test_png_preview_decodes_at_the_label_size(name):
    image = Image.open(io.BytesIO(render_png(LABELS[name])))
    assert image.format == "PNG"
    assert image.size == (464, 320)
    assert image.getextrema() == (0, 255)  # something is drawn on white


def test_png_preview_scales():
    image = Image.open(io.BytesIO(render_png(LABELS["cell"], scale=2)))
    assert image.size == (928, 640)


def test_png_draws_the_bars_of_the_layout():
    # Scan one row through the middle of the cell barcode: its dark runs are the EAN-13 modules × module.
    plan = layout(LABELS["cell"])
    bars = next(e for e in plan.elements if isinstance(e, Barcode))
    image = Image.open(io.BytesIO(render_png(LABELS["cell"]))).convert("L")
    middle = bars.y + bars.height // 2
    row = "".join("1" if _dark(image.getpixel((x, middle))) else "0" for x in range(bars.x, bars.x + bars.width))
    assert row == "".join(module * bars.module for module in ean13_modules(cell_barcode(101)))


def _dark(pixel: object) -> bool:
    return isinstance(pixel, int) and pixel < 128


def test_png_texts_are_where_the_layout_puts_them():
    plan = layout(LABELS["cell"])
    address = next(e for e in plan.elements if isinstance(e, Text))
    image = Image.open(io.BytesIO(render_png(LABELS["cell"]))).convert("L")
    band = image.crop((0, address.y, plan.width, address.y + address.height))
    above = image.crop((0, 0, plan.width, address.y))
    assert band.getextrema()[0] == 0
    assert above.getextrema() == (255, 255)


def test_sscc_has_a_valid_check_digit_and_reads_back():
    code = sscc("4601234", 1)
    assert code == SSCC
    assert len(code) == 18
    assert Sscc.parse(code).check_digit == 7
    assert interpret(code) == PackageCode(sscc=code)
    assert interpret("00" + code) == PackageCode(sscc=code)
    assert sscc("4601234", 999_999_999, extension=3).startswith("34601234999999999")


@pytest.mark.parametrize(
    ("prefix", "serial", "extension"),
    [("46012", 1, 0), ("4601234", 10**9, 0), ("4601234", -1, 0), ("4601234", 1, 10), ("46O1234", 1, 0)],
)
def test_sscc_refuses_what_does_not_fit(prefix, serial, extension):
    with pytest.raises(ValueError):
        sscc(prefix, serial, extension)


def test_labels_refuse_invalid_codes():
    with pytest.raises(ValueError, match="SSCC"):
        PalletLabel("046012340000000018", "x", Decimal(1))
    with pytest.raises(ValueError, match="EAN-13"):
        UnitLabel("x", "y", "4601234567890")
    with pytest.raises(ValueError, match="serial"):
        UnitLabel("x", "y", "4601234567893", serial="A_B")
    with pytest.raises(ValueError, match="either"):
        BoxLabel("1", "c", 1, 1, "x")
    with pytest.raises(ValueError, match="box 3 of 2"):
        BoxLabel("1", "c", 3, 2, "x", code="B")


def _decode_code128(modules: str) -> list[int]:
    """Read a module string back into symbol values (check and stop included) with the same width table."""
    from devices.labels import symbols

    widths = []
    run = 1
    for previous, current in itertools.pairwise(modules):
        if current == previous:
            run += 1
        else:
            widths.append(str(run))
            run = 1
    widths.append(str(run))
    table = {pattern: value for value, pattern in enumerate(symbols._CODE128)}
    values = [table["".join(widths[i : i + 6])] for i in range(0, len(widths) - 7, 6)]
    return [*values, table["".join(widths[-7:])]]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (FNC1 + "00" + SSCC, [105, 102, 0, 4, 60, 12, 34, 0, 0, 0, 0, 17]),
        ("BOX-0001", [104, 34, 47, 56, 13, 99, 0, 1]),  # four digits at the end: subset C
        ("AB123456", [104, 33, 34, 99, 12, 34, 56]),
        ("A12345B", [104, 33, 17, 18, 19, 20, 21, 34]),  # five inside: a switch would not pay
        ("A123456B", [104, 33, 99, 12, 34, 56, 100, 34]),
        ("12", [105, 12]),
    ],
)
def test_code128_picks_subsets_like_a_printer_and_round_trips(data, expected):
    values = code128_values(data)
    assert values == expected
    assert _decode_code128(code128_modules(values)) == [*values, code128_check(values), 106]
    assert len(code128_modules(values)) == 11 * (len(values) + 1) + 13


def test_code128_zpl_invocation_codes_follow_the_symbols():
    assert zpl_code128(code128_values(gs1_data("(01)04601234567893(21)SN0001234"))) == (
        ">;>8010460123456789321>6SN0>5001234"
    )
    assert zpl_code128(code128_values("A>1")) == ">:A>01"
    with pytest.raises(ValueError, match="ASCII"):
        code128_values("Короб")


def test_gs1_data_puts_fnc1_after_variable_fields_only():
    assert gs1_data("(10)LOT1(01)04601234567893") == FNC1 + "10LOT1" + FNC1 + "0104601234567893"
    assert gs1_data("(01)04601234567893(10)LOT1") == FNC1 + "0104601234567893" + "10LOT1"
    with pytest.raises(ValueError, match="18"):
        gs1_data("(00)123")
    with pytest.raises(ValueError, match="bracketed"):
        gs1_data("00123")


def test_ean13_modules_follow_the_parity_of_the_first_digit():
    modules = ean13_modules("4601234567893")
    assert len(modules) == 95
    assert modules.startswith("101") and modules.endswith("101") and modules[45:50] == "01010"
    assert modules[3:10] == "0101111"  # 6 with parity L (first digit 4: L G L L G G)
    assert modules[10:17] == "0100111"  # 0 with parity G
