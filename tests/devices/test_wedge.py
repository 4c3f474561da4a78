"""Keyboard-wedge scanners: recorded evdev event streams decoded to codes, refusals, and the reader's lifecycle."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from evdev import ecodes

from devices.barcodes import ItemCode, interpret
from devices.scan import Backoff, Notice, Scan, ScanRefused
from devices.wedge import EvdevReader, WedgeDecoder, key_code
from tests.devices.inbox import Inbox

RECORDINGS = Path(__file__).parent / "recordings"
AT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
Event = tuple[int, int, int]


def recording(name: str) -> list[Event]:
    """The events of one recording: ``recording("ean13")``."""
    lines = (RECORDINGS / f"{name}.jsonl").read_text().splitlines()
    return [(int(t), int(c), int(v)) for t, c, v in map(json.loads, lines)]


def tap(key: int, *modifiers: int) -> list[Event]:
    """Press and release ``key`` while holding ``modifiers``, without the scan-code events."""
    down = [(ecodes.EV_KEY, m, 1) for m in modifiers]
    up = [(ecodes.EV_KEY, m, 0) for m in reversed(modifiers)]
    return [*down, (ecodes.EV_KEY, key, 1), (ecodes.EV_KEY, key, 0), *up]


def digits(text: str) -> list[Event]:
    return [event for digit in text for event in tap(key_code(f"KEY_{digit}"))]


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("ean13", ["4601234567893"]),
        ("gs1_128_ctrl_gs", ["0104601234567893103ABC\x1d3712"]),
        ("datamatrix_alt_gs", ["]d2010460123456789321SN-77\x1d17261231"]),
        ("mixed_case_symbols", ["SN-77aBc/Xy.z", '!@#$%^&*()_+{}|:"~<>?', "-=[]\\;',./` end"]),
        ("stx_etx_affixes", ["\x024601234567893\x03"]),
        ("keypad_digits", ["4601234567893"]),
    ],
)
def test_recorded_streams_decode_to_the_codes_typed(name: str, codes: list[str]) -> None:
    assert WedgeDecoder().feed_all(recording(name)) == codes


def test_gs_from_the_wedge_reaches_gs1_interpretation() -> None:
    [ctrl] = WedgeDecoder().feed_all(recording("gs1_128_ctrl_gs"))
    [alt] = WedgeDecoder().feed_all(recording("datamatrix_alt_gs"))
    assert interpret(str(ctrl)) == ItemCode(gtin="04601234567893", lot="3ABC", count=12)
    assert interpret(str(alt)) == ItemCode(gtin="04601234567893", serial="SN-77", expiry=dt.date(2026, 12, 31))


def test_configured_prefix_and_suffix_are_stripped() -> None:
    decoder = WedgeDecoder(prefix="\x02", suffix="\x03")
    assert decoder.feed_all(recording("stx_etx_affixes")) == ["4601234567893"]


def test_a_code_without_the_configured_prefix_is_refused() -> None:
    [refused] = WedgeDecoder(prefix="\x02").feed_all(recording("ean13"))
    assert isinstance(refused, ScanRefused)
    assert refused.reason == "prefix_missing"


def test_an_unknown_key_refuses_that_code_only_and_names_the_key() -> None:
    refused, good = WedgeDecoder().feed_all(recording("unknown_key_then_ean13"))
    assert isinstance(refused, ScanRefused)
    assert refused.reason == "unknown_key"
    assert "KEY_F5" in refused.message
    assert good == "4601234567893"


def test_a_configured_gs_key_types_gs() -> None:
    events = digits("010460123456789310123") + tap(ecodes.KEY_F8) + digits("3712") + tap(ecodes.KEY_ENTER)
    assert WedgeDecoder(gs_key=key_code("KEY_F8")).feed_all(events) == ["010460123456789310123\x1d3712"]


def test_without_a_gs_key_the_same_key_is_refused() -> None:
    [refused] = WedgeDecoder().feed_all([*tap(ecodes.KEY_1), *tap(ecodes.KEY_F8), *tap(ecodes.KEY_ENTER)])
    assert isinstance(refused, ScanRefused)
    assert "KEY_F8" in refused.message


def test_ctrl_with_a_key_that_has_no_control_character_is_refused() -> None:
    [refused] = WedgeDecoder().feed_all([*tap(ecodes.KEY_1, ecodes.KEY_LEFTCTRL), *tap(ecodes.KEY_ENTER)])
    assert isinstance(refused, ScanRefused)
    assert "KEY_LEFTCTRL+KEY_1" in refused.message


def test_caps_lock_flips_letters_but_not_digits() -> None:
    events = [*tap(ecodes.KEY_CAPSLOCK), *tap(ecodes.KEY_A), *tap(ecodes.KEY_B, ecodes.KEY_RIGHTSHIFT)]
    events += [*tap(ecodes.KEY_1), *tap(ecodes.KEY_CAPSLOCK), *tap(ecodes.KEY_C), *tap(ecodes.KEY_ENTER)]
    assert WedgeDecoder().feed_all(events) == ["Ab1c"]


def test_a_key_repeat_refuses_the_code() -> None:
    events = [(ecodes.EV_KEY, ecodes.KEY_4, 1), (ecodes.EV_KEY, ecodes.KEY_4, 2), (ecodes.EV_KEY, ecodes.KEY_4, 0)]
    [refused] = WedgeDecoder().feed_all([*events, *tap(ecodes.KEY_ENTER)])
    assert isinstance(refused, ScanRefused)
    assert refused.reason == "key_repeat"


def test_an_alt_code_beyond_ascii_is_refused() -> None:
    keypad = [event for d in "0300" for event in tap(key_code(f"KEY_KP{d}"))]
    alt = [(ecodes.EV_KEY, ecodes.KEY_LEFTALT, 1), *keypad, (ecodes.EV_KEY, ecodes.KEY_LEFTALT, 0)]
    [refused] = WedgeDecoder().feed_all([*tap(ecodes.KEY_1), *alt, *tap(ecodes.KEY_ENTER)])
    assert isinstance(refused, ScanRefused)
    assert refused.reason == "alt_code"


def test_an_empty_enter_is_refused() -> None:
    [refused] = WedgeDecoder().feed_all(tap(ecodes.KEY_ENTER))
    assert isinstance(refused, ScanRefused)
    assert refused.reason == "empty"


def test_key_names_are_checked_against_evdev() -> None:
    assert key_code("KEY_F8") == ecodes.KEY_F8
    with pytest.raises(ValueError, match="KEY_F8"):
        key_code("F8")
    with pytest.raises(ValueError, match="KEY_NOPE"):
        key_code("KEY_NOPE")


def test_the_reader_turns_recorded_events_into_scans_and_refusals_into_notices() -> None:
    scans: list[Scan] = []
    notices: list[Notice] = []
    reader = EvdevReader(
        "/dev/input/by-id/usb-scanner-event-kbd", "ТСД-3", scans.append, notices.append, clock=lambda: AT
    )
    reader.handle(recording("unknown_key_then_ean13"))
    reader.handle(recording("gs1_128_ctrl_gs"))
    device = "/dev/input/by-id/usb-scanner-event-kbd"
    assert scans == [
        Scan("4601234567893", "evdev", device, "ТСД-3", AT),
        Scan("0104601234567893103ABC\x1d3712", "evdev", device, "ТСД-3", AT),
    ]
    assert [(n.reason, n.workstation) for n in notices] == [("unknown_key", "ТСД-3")]


def test_a_missing_device_is_reported_once_and_the_reader_stops_cleanly(tmp_path: Path) -> None:
    inbox = Inbox()
    reader = EvdevReader(
        str(tmp_path / "event-kbd"), "WS1", inbox.on_scan, inbox.on_notice, backoff=Backoff(0.01, 0.02)
    )
    reader.start()
    inbox.wait_notice("missing")
    threading.Event().wait(0.1)  # several retries happen here; none of them reports again
    reader.stop()
    assert [n.reason for n in inbox.notices] == ["missing"]
    assert not reader.connected.is_set()


def test_a_file_that_is_not_an_input_device_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "not-a-device"
    path.write_bytes(b"")
    inbox = Inbox()
    reader = EvdevReader(str(path), "WS1", inbox.on_scan, inbox.on_notice)
    reader.start()
    inbox.wait_notice("unavailable")
    reader.stop()
