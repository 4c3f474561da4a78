"""Bar patterns of the symbologies our labels carry, computed here so the PNG preview draws real bars.

- ``ean13_modules("2100000001019")``: 95 modules, ``"1"`` a dark one.
- ``code128_values("\\xf10046012340000000018")``: Code 128 symbol values (start, data, no check or stop),
  subsets B and C chosen as a printer would; ``FNC1`` (``"\\xf1"``) stands for the GS1 function character.
- ``gs1_data("(00)046012340000000018")``: bracketed GS1 text → the FNC1 string a symbol encodes.
- ``zpl_code128(values)``: the same symbols as ZPL ``^BC`` field data with invocation codes (``>;``, ``>8``…),
  so the printer draws exactly what the preview shows.
"""

from __future__ import annotations

import re

FNC1 = "\xf1"
START_B, START_C, CODE_B, CODE_C, FNC1_VALUE, STOP = 104, 105, 100, 99, 102, 106

# Bar/space widths of Code 128 values 0..106 (ISO/IEC 15417); the stop carries its termination bar.
_CODE128 = (
    "212222",
    "222122",
    "222221",
    "121223",
    "121322",
    "131222",
    "122213",
    "122312",
    "132212",
    "221213",
    "221312",
    "231212",
    "112232",
    "122132",
    "122231",
    "113222",
    "123122",
    "123221",
    "223211",
    "221132",
    "221231",
    "213212",
    "223112",
    "312131",
    "311222",
    "321122",
    "321221",
    "312212",
    "322112",
    "322211",
    "212123",
    "212321",
    "232121",
    "111323",
    "131123",
    "131321",
    "112313",
    "132113",
    "132311",
    "211313",
    "231113",
    "231311",
    "112133",
    "112331",
    "132131",
    "113123",
    "113321",
    "133121",
    "313121",
    "211331",
    "231131",
    "213113",
    "213311",
    "213131",
    "311123",
    "311321",
    "331121",
    "312113",
    "312311",
    "332111",
    "314111",
    "221411",
    "431111",
    "111224",
    "111422",
    "121124",
    "121421",
    "141122",
    "141221",
    "112214",
    "112412",
    "122114",
    "122411",
    "142112",
    "142211",
    "241211",
    "221114",
    "413111",
    "241112",
    "134111",
    "111242",
    "121142",
    "121241",
    "114212",
    "124112",
    "124211",
    "411212",
    "421112",
    "421211",
    "212141",
    "214121",
    "412121",
    "111143",
    "111341",
    "131141",
    "114113",
    "114311",
    "411113",
    "411311",
    "113141",
    "114131",
    "311141",
    "411131",
    "211412",
    "211214",
    "211232",
    "2331112",
)

_EAN_L = ("0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011")
_EAN_PARITY = ("LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL")

# GS1 application identifiers of predefined length (by their first two digits): no FNC1 after them.
_FIXED_AI = {"00": 18, "01": 14, "02": 14, "03": 14, "04": 16, "11": 6, "12": 6, "13": 6, "14": 6, "15": 6}
_FIXED_AI |= {"16": 6, "17": 6, "18": 6, "19": 6, "20": 2, "31": 6, "32": 6, "33": 6, "34": 6, "35": 6, "36": 6}
_FIXED_AI |= {"41": 13}
_HRI = re.compile(r"\((\d{2,4})\)([^()]+)")


def ean13_modules(code: str) -> str:
    """``len(ean13_modules("4601234567893")) == 95``: guards, six left digits by parity, six right digits."""
    if len(code) != 13 or not code.isdigit():
        raise ValueError(f"EAN-13 needs 13 digits, got {code!r}")
    left = "".join(
        _EAN_L[int(d)] if parity == "L" else _EAN_L[int(d)].translate(_INVERT)[::-1]
        for d, parity in zip(code[1:7], _EAN_PARITY[int(code[0])], strict=True)
    )
    right = "".join(_EAN_L[int(d)].translate(_INVERT) for d in code[7:])
    return f"101{left}01010{right}101"


_INVERT = str.maketrans("01", "10")


def gs1_data(hri: str) -> str:
    """``gs1_data("(01)04601234567893(21)A1")`` → ``"\\xf10104601234567893" + "21A1"``: FNC1 first and after
    every variable-length field that is not last."""
    fields = _HRI.findall(hri)
    if not fields or "".join(f"({ai}){value}" for ai, value in fields) != hri:
        raise ValueError(f"not bracketed GS1 data: {hri!r}")
    parts = []
    for index, (ai, value) in enumerate(fields):
        fixed = _FIXED_AI.get(ai[:2])
        if fixed is not None and len(value) != fixed:
            raise ValueError(f"GS1 AI ({ai}) takes {fixed} characters, got {value!r}")
        separator = FNC1 if fixed is None and index < len(fields) - 1 else ""
        parts.append(ai + value + separator)
    return FNC1 + "".join(parts)


def code128_values(data: str) -> list[int]:
    """``code128_values("\\xf100")`` → ``[105, 102, 0]``: start, data and FNC1 values (subsets B and C)."""
    for char in data:
        if char != FNC1 and not " " <= char <= "~":
            raise ValueError(f"Code 128 carries printable ASCII only, not {char!r}")
    values: list[int] = []
    first = 1 if data.startswith(FNC1) else 0
    subset = "C" if _digits(data, first) >= (2 if first else 4) or (data.isdigit() and len(data) == 2) else "B"
    values.append(START_C if subset == "C" else START_B)
    i = 0
    while i < len(data):
        if data[i] == FNC1:
            values.append(FNC1_VALUE)
            i += 1
        elif subset == "C" and _digits(data, i) >= 2:
            values.append(int(data[i : i + 2]))
            i += 2
        elif subset == "C":
            values.append(CODE_B)
            subset = "B"
        elif (run := _digits(data, i)) >= 4 and (run >= 6 or i + run == len(data)):
            if run % 2:
                values.append(ord(data[i]) - 32)
                i += 1
            values.append(CODE_C)
            subset = "C"
        else:
            values.append(ord(data[i]) - 32)
            i += 1
    return values


def _digits(data: str, start: int) -> int:
    end = start
    while end < len(data) and data[end].isdigit():
        end += 1
    return end - start


def code128_check(values: list[int]) -> int:
    """The mod-103 check value: ``code128_check([105, 102, 0]) == (105 + 102 + 0) % 103``."""
    return (values[0] + sum(position * value for position, value in enumerate(values[1:], 1))) % 103


def code128_modules(values: list[int]) -> str:
    """Dark (``1``) and light (``0``) modules of the whole symbol: data, check value and stop."""
    modules = []
    for value in [*values, code128_check(values), STOP]:
        for index, width in enumerate(_CODE128[value]):
            modules.append(("1" if index % 2 == 0 else "0") * int(width))
    return "".join(modules)


def zpl_code128(values: list[int]) -> str:
    """``zpl_code128([105, 102, 0])`` → ``">;>800"``: ^BC field data for exactly these symbols (mode N)."""
    out = []
    subset = "C" if values[0] == START_C else "B"
    out.append(">;" if subset == "C" else ">:")
    for value in values[1:]:
        if value == FNC1_VALUE:
            out.append(">8")
        elif value == CODE_B and subset == "C":
            out.append(">6")
            subset = "B"
        elif value == CODE_C and subset == "B":
            out.append(">5")
            subset = "C"
        elif subset == "C":
            out.append(f"{value:02d}")
        else:
            out.append(_zpl_b(chr(value + 32)))
    return "".join(out)


def _zpl_b(char: str) -> str:
    if char == ">":
        return ">0"
    if char == "~":
        return ">="
    if char == "^":
        raise ValueError("Code 128 data with ^ cannot be sent to a ZPL printer")
    return char


# ASCII encodation of Data Matrix ECC 200: digit pairs share a codeword, FNC1 is 232.
_DATAMATRIX_SIZES = ((10, 3), (12, 5), (14, 8), (16, 12), (18, 18), (20, 22), (22, 30), (24, 36), (26, 44))


def datamatrix_side(data: str) -> int:
    """Modules per side of the square ECC 200 symbol a printer picks: ``datamatrix_side("\\xf10104...")``."""
    codewords, i = 0, 0
    while i < len(data):
        i += 2 if _digits(data, i) >= 2 else 1
        codewords += 1
    for side, capacity in _DATAMATRIX_SIZES:
        if codewords <= capacity:
            return side
    raise ValueError(f"{codewords} codewords do not fit a 26x26 Data Matrix")
