"""``--scanner`` specs and the group that runs an edge's scanners with one callback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from evdev import ecodes

from devices.scan import Scan
from devices.scanners import ScannerGroup, ScannerSpec, parse_scanner_spec, parse_scanner_specs
from devices.serial_reader import SerialReader
from devices.wedge import EvdevReader
from tests.devices.inbox import Inbox
from tests.devices.ptys import Pty

BY_ID = "/dev/input/by-id/usb-Honeywell_1900-event-kbd"


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("serial:/dev/ttyACM0", ScannerSpec("serial", "/dev/ttyACM0", "ttyACM0")),
        (
            "serial:/dev/ttyACM0?baud=115200&workstation=WS2",
            ScannerSpec("serial", "/dev/ttyACM0", "WS2", baud=115200),
        ),
        (
            "serial:/dev/ttyUSB1?eol=crlf&prefix=%02&suffix=%03&workstation=%D0%A2%D0%A1%D0%94-3",
            ScannerSpec("serial", "/dev/ttyUSB1", "ТСД-3", prefix="\x02", suffix="\x03", eol="crlf"),
        ),
        (f"evdev:{BY_ID}", ScannerSpec("evdev", BY_ID, "usb-Honeywell_1900-event-kbd")),
        (f"evdev:{BY_ID}?gs_key=KEY_F8&workstation=WS2", ScannerSpec("evdev", BY_ID, "WS2", gs_key="KEY_F8")),
    ],
)
def test_specs_parse_to_typed_values(text: str, spec: ScannerSpec) -> None:
    assert parse_scanner_spec(text) == spec


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("/dev/ttyACM0", "must start with 'serial:' or 'evdev:'"),
        ("usb:/dev/ttyACM0", "must start with"),
        ("serial:ttyACM0", "absolute"),
        ("serial:", "absolute"),
        ("serial:/dev/ttyACM0?baud=fast", "baud must be a positive whole number"),
        ("serial:/dev/ttyACM0?baud=0", "baud must be a positive whole number"),
        ("serial:/dev/ttyACM0?eol=tab", "eol must be one of cr, lf, crlf, any"),
        ("serial:/dev/ttyACM0?gs_key=KEY_F8", "unknown option 'gs_key'; allowed here: baud, eol"),
        (f"evdev:{BY_ID}?baud=9600", "unknown option 'baud'"),
        (f"evdev:{BY_ID}?gs_key=F8", "unknown evdev key name 'F8'"),
        ("serial:/dev/ttyACM0?baud", "must be written NAME=VALUE"),
        ("serial:/dev/ttyACM0?baud=1&baud=2", "given twice"),
        ("serial:/dev/ttyACM0?workstation=", "workstation must be 1 to 64"),
    ],
)
def test_bad_specs_are_refused_with_the_allowed_forms(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match="Allowed forms: serial:/dev/PORT") as refused:
        parse_scanner_spec(text)
    assert problem in str(refused.value)
    assert "evdev:/dev/input/PATH" in str(refused.value)


def test_a_device_named_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="more than once: /dev/ttyACM0"):
        parse_scanner_specs(["serial:/dev/ttyACM0", "serial:/dev/ttyACM0?baud=115200"])


def test_specs_build_their_readers() -> None:
    serial = parse_scanner_spec("serial:/dev/ttyACM0?baud=115200&eol=cr&prefix=%02").reader(print)
    evdev = parse_scanner_spec(f"evdev:{BY_ID}?gs_key=KEY_F8&suffix=%24").reader(print)
    assert isinstance(serial, SerialReader)
    assert (serial.baud, serial.splitter.eol, serial.prefix) == (115200, "cr", "\x02")
    assert isinstance(evdev, EvdevReader)
    assert (evdev.decoder.gs_key, evdev.decoder.suffix, evdev.workstation) == (
        ecodes.KEY_F8,
        "$",
        "usb-Honeywell_1900-event-kbd",
    )


def test_the_group_runs_every_scanner_with_one_callback(tmp_path: Path) -> None:
    first, second = Pty(tmp_path / "ttyACM0"), Pty(tmp_path / "ttyACM1")
    inbox = Inbox()
    options = [
        f"serial:{first.link}?workstation=WS1",
        f"serial:{second.link}?workstation=WS2&eol=crlf",
        f"evdev:{tmp_path / 'event-kbd'}?workstation=WS3",  # not plugged in: reported, the others still run
    ]
    group = ScannerGroup.from_options(options, inbox.on_scan, inbox.on_notice)
    try:
        with group:
            assert all(reader.connected.wait(5) for reader in group.readers[:2])
            first.write(b"4601234567893\r")
            second.write(b"0104601234567893\x1d3712\r\n")
            scans = sorted(inbox.wait_scans(2), key=lambda scan: scan.workstation)
            missing = inbox.wait_notice("missing")
        assert not any(reader.connected.is_set() for reader in group.readers)
        assert group.started == []
    finally:
        first.unplug()
        second.unplug()
    assert [(s.workstation, s.source, s.code) for s in scans] == [
        ("WS1", "serial", "4601234567893"),
        ("WS2", "serial", "0104601234567893\x1d3712"),
    ]
    assert missing.workstation == "WS3"


def test_a_scan_is_what_the_terminal_api_takes() -> None:
    scan = Scan("4601234567893", "serial", "/dev/ttyACM0", "WS2", dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    with pytest.raises(ValueError, match="aware UTC"):
        Scan("4601234567893", "serial", "/dev/ttyACM0", "WS2", dt.datetime(2026, 3, 2))
    with pytest.raises(ValueError, match="unknown scan source"):
        Scan("4601234567893", "usb", "/dev/ttyACM0", "WS2", scan.at)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        Scan("", "serial", "/dev/ttyACM0", "WS2", scan.at)
