"""The edge's scanners: ``--scanner`` specs parsed into typed values, and one group that runs them all.

A spec is ``KIND:PATH?OPTION=VALUE&…`` with values percent-encoded (``prefix=%02`` is STX):

- ``serial:/dev/ttyACM0?baud=115200&eol=crlf&workstation=WS2&prefix=%02&suffix=%03``
- ``evdev:/dev/input/by-id/usb-…-event-kbd?workstation=WS2&gs_key=KEY_F8``

Without ``workstation`` the scans carry the device's own id, the last part of its path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal, cast
from urllib.parse import unquote

from devices.scan import Backoff, Clock, NoticeCallback, Reader, ScanCallback, log_notice, utc_now
from devices.serial_reader import DEFAULT_BAUD, EOLS, Eol, SerialReader

Kind = Literal["serial", "evdev"]
FORMS = (
    "serial:/dev/PORT[?baud=9600&eol=any|cr|lf|crlf&workstation=NAME&prefix=TEXT&suffix=TEXT]",
    "evdev:/dev/input/PATH[?workstation=NAME&gs_key=KEY_NAME&prefix=TEXT&suffix=TEXT]",
)
OPTIONS: dict[str, tuple[str, ...]] = {
    "serial": ("baud", "eol", "workstation", "prefix", "suffix"),
    "evdev": ("gs_key", "workstation", "prefix", "suffix"),
}
MAX_WORKSTATION = 64  # the length the terminal API accepts for a workstation name


@dataclass(frozen=True)
class ScannerSpec:
    """One configured scanner: ``parse_scanner_spec("serial:/dev/ttyACM0?baud=115200")``."""

    kind: Kind
    path: str
    workstation: str
    prefix: str = ""
    suffix: str = ""
    baud: int = DEFAULT_BAUD
    eol: Eol = "any"
    gs_key: str | None = None

    def reader(
        self,
        on_scan: ScanCallback,
        on_notice: NoticeCallback = log_notice,
        clock: Clock = utc_now,
        backoff: Backoff | None = None,
    ) -> Reader:
        """The reader this spec describes, not yet started: ``spec.reader(on_scan).start()``."""
        if self.kind == "serial":
            return SerialReader(
                self.path,
                self.workstation,
                on_scan,
                on_notice,
                baud=self.baud,
                eol=self.eol,
                prefix=self.prefix,
                suffix=self.suffix,
                clock=clock,
                backoff=backoff,
            )
        from devices.wedge import EvdevReader, WedgeDecoder, key_code  # Linux only, see _evdev

        decoder = WedgeDecoder(self.prefix, self.suffix, key_code(self.gs_key) if self.gs_key else None)
        return EvdevReader(
            self.path, self.workstation, on_scan, on_notice, decoder=decoder, clock=clock, backoff=backoff
        )


def parse_scanner_spec(text: str) -> ScannerSpec:
    """A ``--scanner`` value as a typed spec: ``parse_scanner_spec("evdev:/dev/input/by-id/x?workstation=WS2")``."""
    kind, separator, rest = text.strip().partition(":")
    if not separator or kind not in OPTIONS:
        raise _bad(text, f"it must start with {' or '.join(repr(k + ':') for k in OPTIONS)}")
    path, _, query = rest.partition("?")
    if not path.startswith("/") or any(char.isspace() for char in path):
        raise _bad(text, "the device path must be absolute and without spaces")
    options = _options(text, query, OPTIONS[kind])
    spec = ScannerSpec(
        kind=cast(Kind, kind),
        path=path,
        workstation=options.get("workstation", PurePosixPath(path).name),
        prefix=options.get("prefix", ""),
        suffix=options.get("suffix", ""),
    )
    if kind == "serial":
        return _serial(text, spec, options)
    return _evdev(text, spec, options)


def parse_scanner_specs(texts: Iterable[str]) -> list[ScannerSpec]:
    """Every ``--scanner`` value, refusing a device named twice: ``parse_scanner_specs(["serial:/dev/ttyS0"])``."""
    specs = [parse_scanner_spec(text) for text in texts]
    paths = [spec.path for spec in specs]
    if repeated := sorted({path for path in paths if paths.count(path) > 1}):
        raise ValueError(f"scanner device given more than once: {', '.join(repeated)}")
    return specs


class ScannerGroup:
    """Every scanner of one edge with one callback: ``with ScannerGroup.from_options(options, on_scan): …``."""

    def __init__(
        self,
        specs: Sequence[ScannerSpec],
        on_scan: ScanCallback,
        on_notice: NoticeCallback = log_notice,
        clock: Clock = utc_now,
    ) -> None:
        self.specs = list(specs)
        self.readers = [spec.reader(on_scan, on_notice, clock) for spec in self.specs]
        self.started: list[Reader] = []

    @classmethod
    def from_options(
        cls, options: Iterable[str], on_scan: ScanCallback, on_notice: NoticeCallback = log_notice
    ) -> ScannerGroup:
        """A group from ``--scanner`` values; ValueError names the bad one: ``ScannerGroup.from_options([...], f)``."""
        return cls(parse_scanner_specs(options), on_scan, on_notice)

    def start(self) -> None:
        """Start every reader; a device that is absent now is reported and retried, not fatal: ``group.start()``."""
        for reader in self.readers:
            reader.start()
            self.started.append(reader)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop every started reader, releasing its device: ``group.stop()``; raises after trying them all."""
        failures: list[str] = []
        while self.started:
            reader = self.started.pop()
            try:
                reader.stop(timeout)
            except RuntimeError as error:
                failures.append(str(error))
        if failures:
            raise RuntimeError("; ".join(failures))

    def __enter__(self) -> ScannerGroup:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _options(text: str, query: str, allowed: tuple[str, ...]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in query.split("&") if query else []:
        name, equals, value = pair.partition("=")
        if not equals:
            raise _bad(text, f"option {pair!r} must be written NAME=VALUE")
        if name not in allowed:
            raise _bad(text, f"unknown option {name!r}; allowed here: {', '.join(allowed)}")
        if name in options:
            raise _bad(text, f"option {name!r} given twice")
        options[name] = unquote(value, errors="strict")
    workstation = options.get("workstation")
    if workstation is not None and not 1 <= len(workstation.strip()) <= MAX_WORKSTATION:
        raise _bad(text, f"workstation must be 1 to {MAX_WORKSTATION} characters")
    return options


def _serial(text: str, spec: ScannerSpec, options: dict[str, str]) -> ScannerSpec:
    baud_text = options.get("baud", str(DEFAULT_BAUD))
    if not baud_text.isdigit() or int(baud_text) == 0:
        raise _bad(text, f"baud must be a positive whole number such as 9600 or 115200, not {baud_text!r}")
    eol = options.get("eol", "any")
    if eol not in EOLS:
        raise _bad(text, f"eol must be one of {', '.join(EOLS)}, not {eol!r}")
    return ScannerSpec("serial", spec.path, spec.workstation, spec.prefix, spec.suffix, int(baud_text), eol)


def _evdev(text: str, spec: ScannerSpec, options: dict[str, str]) -> ScannerSpec:
    # evdev is a Linux-only dependency: import it only when an evdev scanner is configured.
    from devices.wedge import key_code

    gs_key = options.get("gs_key")
    if gs_key is not None:
        try:
            key_code(gs_key)
        except ValueError as error:
            raise _bad(text, str(error)) from None
    return ScannerSpec("evdev", spec.path, spec.workstation, spec.prefix, spec.suffix, gs_key=gs_key)


def _bad(text: str, problem: str) -> ValueError:
    return ValueError(f"bad scanner spec {text!r}: {problem}. Allowed forms: {FORMS[0]} or {FORMS[1]}")
