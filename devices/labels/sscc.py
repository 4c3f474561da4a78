"""Serial Shipping Container Codes for our boxes and pallets: ``sscc("4601234", 1)`` → 18 digits.

An SSCC is the extension digit, the GS1 company prefix, a serial reference padded to fill 17 digits, and the
GS1 mod-10 check digit (python-stdnum). The result is checked by reading it back through
``devices.barcodes.interpret``, the same code path a scanner's read takes.
"""

from __future__ import annotations

from stdnum import ean

from devices.barcodes import PackageCode, interpret


def sscc(company_prefix: str, serial: int, extension: int = 0) -> str:
    """``sscc("4601234", 1) == "046012340000000017"``: extension + prefix + serial reference + check digit."""
    if not (company_prefix.isdigit() and 6 <= len(company_prefix) <= 12):
        raise ValueError(f"GS1 company prefix {company_prefix!r} must be 6 to 12 digits")
    if not 0 <= extension <= 9:
        raise ValueError(f"SSCC extension digit {extension} must be 0..9")
    width = 16 - len(company_prefix)
    if not 0 <= serial < 10**width:
        raise ValueError(f"serial {serial} does not fit the {width} digits left by prefix {company_prefix}")
    body = f"{extension}{company_prefix}{serial:0{width}d}"
    code = body + ean.calc_check_digit(body)
    read = interpret(code)
    if not (isinstance(read, PackageCode) and read.sscc == code):  # pragma: no cover - guards the arithmetic
        raise AssertionError(f"SSCC {code} does not read back as itself: {read!r}")
    return code


def sscc_text(code: str) -> str:
    """The human-readable line under the bars: ``sscc_text("046012340000000017") == "(00) 046012340000000017"``."""
    return f"(00) {code}"
