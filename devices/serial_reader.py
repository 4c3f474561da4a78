"""Serial scanners through pyserial: bytes in, one code per line out, GS (0x1D) kept inside the code.

Scanners on RS-232 or USB CDC-ACM (``/dev/ttyACM0``) send each code followed by CR, LF or CRLF. Bytes are
decoded as Latin-1, which maps every byte to one character, so nothing is lost or replaced; GS1 codes are
ASCII and come through unchanged.
"""

from __future__ import annotations

from typing import Literal

import serial

from devices.scan import (
    Backoff,
    Clock,
    NoticeCallback,
    Reader,
    ScanCallback,
    ScanRefused,
    Source,
    log_notice,
    strip_affixes,
    utc_now,
)

Eol = Literal["cr", "lf", "crlf", "any"]
EOLS: tuple[Eol, ...] = ("cr", "lf", "crlf", "any")
DEFAULT_BAUD = 9600


class LineSplitter:
    """Bytes as they arrive in, finished lines out: ``LineSplitter("any").feed(b"123\\r\\n")  # [b"123"]``."""

    def __init__(self, eol: Eol = "any", max_length: int = 4096) -> None:
        if eol not in EOLS:
            raise ValueError(f"unknown line end {eol!r}, expected one of {', '.join(EOLS)}")
        self.eol = eol
        self.max_length = max_length
        self.buffer = bytearray()

    def feed(self, chunk: bytes) -> list[bytes]:
        """The lines this chunk completes; raises ``ScanRefused`` when a line outgrows ``max_length``."""
        self.buffer += chunk
        lines = self._split()
        if len(self.buffer) > self.max_length:
            # Noise at a wrong baud rate never ends a line; drop it rather than grow without bound.
            self.buffer.clear()
            raise ScanRefused("too_long", f"Код не принят: больше {self.max_length} байт без конца строки")
        return lines

    def reset(self) -> None:
        """Forget a partial line, e.g. after the port was lost: ``splitter.reset()``."""
        self.buffer.clear()

    def _split(self) -> list[bytes]:
        if self.eol == "any":
            *lines, rest = self.buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
            # A CRLF split between two reads leaves an empty line behind; a scanner never sends an empty code.
            lines = [line for line in lines if line]
        else:
            separator = {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n"}[self.eol]
            *lines, rest = self.buffer.split(separator)
        self.buffer = bytearray(rest)
        return [bytes(line) for line in lines]


class SerialReader(Reader):
    """A serial scanner opened exclusively; a port that goes away is reported and reopened."""

    source: Source = "serial"

    def __init__(
        self,
        device: str,
        workstation: str,
        on_scan: ScanCallback,
        on_notice: NoticeCallback = log_notice,
        *,
        baud: int = DEFAULT_BAUD,
        eol: Eol = "any",
        prefix: str = "",
        suffix: str = "",
        clock: Clock = utc_now,
        backoff: Backoff | None = None,
        poll_seconds: float = 0.2,
    ) -> None:
        super().__init__(device, workstation, on_scan, on_notice, clock, backoff)
        self.baud = baud
        self.prefix = prefix
        self.suffix = suffix
        self.splitter = LineSplitter(eol)
        self.poll_seconds = poll_seconds
        self._port: serial.Serial | None = None

    def handle(self, chunk: bytes) -> None:
        """Bytes read from the port, emitting the scans they complete: ``reader.handle(b"4601234567893\\r")``."""
        try:
            lines = self.splitter.feed(chunk)
        except ScanRefused as refused:
            self.notice(refused.reason, refused.message)
            return
        for line in lines:
            try:
                code = strip_affixes(line.decode("latin-1"), self.prefix, self.suffix)
            except ScanRefused as refused:
                self.notice(refused.reason, refused.message)
                continue
            self.emit(code)

    def _open(self) -> None:
        # exclusive=True takes a lock on the port, so a second edge or a terminal program cannot share it.
        self._port = serial.Serial(self.device, baudrate=self.baud, timeout=self.poll_seconds, exclusive=True)
        self.splitter.reset()

    def _pump(self) -> None:
        port = self._port
        assert port is not None
        while not self.stopping:
            # read() returns after poll_seconds with nothing, which keeps stop() prompt.
            chunk = port.read(port.in_waiting or 1)
            if chunk:
                self.handle(chunk)

    def _close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            port.close()
