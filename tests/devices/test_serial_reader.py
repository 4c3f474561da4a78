"""Serial scanners through a real pseudo-terminal: bytes written at the master arrive as scans."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.scan import Backoff, ScanRefused
from devices.serial_reader import Eol, LineSplitter, SerialReader
from tests.devices.inbox import Inbox
from tests.devices.ptys import Pty

DATAMATRIX = b"]d2010460123456789321SN-77\x1d17261231\x1d10LOT-4"


@pytest.fixture
def pty(tmp_path: Path) -> Iterator[Pty]:
    line = Pty(tmp_path / "ttyACM0")
    yield line
    if line.master >= 0:
        line.unplug()


def started(pty: Pty, inbox: Inbox, prefix: str = "", suffix: str = "", eol: Eol = "any") -> SerialReader:
    """A reader on the pty, open and configured before the test writes: ``started(pty, inbox, eol="cr")``."""
    backoff = Backoff(0.02, 0.1)
    reader = SerialReader(
        str(pty.link), "WS2", inbox.on_scan, inbox.on_notice, prefix=prefix, suffix=suffix, eol=eol, backoff=backoff
    )
    reader.start()
    assert reader.connected.wait(5), inbox.notices
    return reader


def test_codes_arrive_with_gs_kept_and_any_line_end(pty: Pty) -> None:
    inbox = Inbox()
    reader = started(pty, inbox)
    try:
        pty.write(b"4601234567893\r\n" + DATAMATRIX + b"\r")
        pty.write(b"0104601234567893\x1d3712\n")
        scans = inbox.wait_scans(3)
    finally:
        reader.stop()
    assert [s.code for s in scans] == ["4601234567893", DATAMATRIX.decode("ascii"), "0104601234567893\x1d3712"]
    assert {(s.source, s.device, s.workstation) for s in scans} == {("serial", str(pty.link), "WS2")}
    assert all(s.at.tzinfo is not None for s in scans)


def test_a_code_split_across_two_writes_is_one_scan(pty: Pty) -> None:
    inbox = Inbox()
    reader = started(pty, inbox)
    try:
        pty.write(DATAMATRIX[:20])
        threading.Event().wait(0.3)  # the reader has read and held the first half by now
        assert inbox.scans == []
        pty.write(DATAMATRIX[20:] + b"\r\n")
        [scan] = inbox.wait_scans(1)
    finally:
        reader.stop()
    assert scan.code == DATAMATRIX.decode("ascii")


def test_prefix_and_suffix_are_stripped_and_a_missing_one_refused(pty: Pty) -> None:
    inbox = Inbox()
    reader = started(pty, inbox, prefix="\x02", suffix="\x03", eol="cr")
    try:
        pty.write(b"4601234567893\r\x024601234567893\x03\r")
        [scan] = inbox.wait_scans(1)
        notice = inbox.wait_notice("prefix_missing")
    finally:
        reader.stop()
    assert scan.code == "4601234567893"
    assert notice.workstation == "WS2"


def test_a_port_that_disappears_is_reported_and_reopened(pty: Pty) -> None:
    inbox = Inbox()
    reader = started(pty, inbox)
    try:
        pty.write(b"4601234567893\r\n")
        inbox.wait_scans(1)
        pty.unplug()
        inbox.wait_notice("lost")
        pty.plug()
        inbox.wait_notice("connected")
        assert reader.connected.wait(5)
        pty.write(b"2100000009003\r\n")
        scans = inbox.wait_scans(2)
    finally:
        reader.stop()
    assert [s.code for s in scans] == ["4601234567893", "2100000009003"]


def test_stop_releases_the_port(pty: Pty) -> None:
    inbox = Inbox()
    reader = started(pty, inbox)
    reader.stop()
    assert not reader.connected.is_set()
    again = started(pty, inbox)  # an exclusive open succeeds only once the first reader let go
    again.stop()


@pytest.mark.parametrize(
    ("eol", "chunks", "lines"),
    [
        ("any", [b"12\r", b"\n34\n\n56\r"], [b"12", b"34", b"56"]),
        ("crlf", [b"1\r2\n3\r", b"\n"], [b"1\r2\n3"]),
        ("cr", [b"12\n\r34\r"], [b"12\n", b"34"]),
        ("lf", [b"12\r\n"], [b"12\r"]),
    ],
)
def test_line_ends(eol: Eol, chunks: list[bytes], lines: list[bytes]) -> None:
    splitter = LineSplitter(eol)
    assert [line for chunk in chunks for line in splitter.feed(chunk)] == lines


def test_noise_without_a_line_end_is_dropped_not_buffered_forever() -> None:
    splitter = LineSplitter(max_length=8)
    with pytest.raises(ScanRefused, match="8 байт"):
        splitter.feed(b"\xff" * 9)
    assert splitter.feed(b"123\r") == [b"123"]


def test_an_unknown_line_end_is_refused() -> None:
    with pytest.raises(ValueError, match="cr, lf, crlf, any"):
        LineSplitter("tab")  # type: ignore[arg-type]
