"""USB keyboard-wedge scanners through evdev: key events decoded to codes (US layout), and the reader loop.

The scanner types each code as key presses and ends it with Enter. ``WedgeDecoder`` is pure: it takes
``(type, code, value)`` events as the kernel reports them and returns finished codes. Characters a keyboard
cannot type are sent by scanners in one of three ways, all supported:

- Ctrl + key, read as the ASCII control character (Ctrl+] is GS 0x1D, the GS1 separator; Ctrl+B is STX);
- Alt held while the code is typed on the keypad (Alt+0029 is GS), the "Alt mode" of Honeywell and Zebra;
- one key set aside for GS in the scanner's setup (e.g. F8), named by ``gs_key``.

A key the layout does not know refuses the whole code with the key's name: a guessed character in a
barcode is worse than a refused scan.
"""

from __future__ import annotations

import contextlib
import select
from collections.abc import Iterable
from dataclasses import dataclass, field

from evdev import InputDevice, ecodes

from devices.scan import (
    GS,
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

KEY_DOWN, KEY_UP, KEY_REPEAT = 1, 0, 2

# US layout: key -> (plain, with Shift). Letters are handled apart because Caps Lock flips them.
_US_KEYS: dict[int, tuple[str, str]] = {
    ecodes.KEY_1: ("1", "!"),
    ecodes.KEY_2: ("2", "@"),
    ecodes.KEY_3: ("3", "#"),
    ecodes.KEY_4: ("4", "$"),
    ecodes.KEY_5: ("5", "%"),
    ecodes.KEY_6: ("6", "^"),
    ecodes.KEY_7: ("7", "&"),
    ecodes.KEY_8: ("8", "*"),
    ecodes.KEY_9: ("9", "("),
    ecodes.KEY_0: ("0", ")"),
    ecodes.KEY_MINUS: ("-", "_"),
    ecodes.KEY_EQUAL: ("=", "+"),
    ecodes.KEY_LEFTBRACE: ("[", "{"),
    ecodes.KEY_RIGHTBRACE: ("]", "}"),
    ecodes.KEY_BACKSLASH: ("\\", "|"),
    ecodes.KEY_SEMICOLON: (";", ":"),
    ecodes.KEY_APOSTROPHE: ("'", '"'),
    ecodes.KEY_GRAVE: ("`", "~"),
    ecodes.KEY_COMMA: (",", "<"),
    ecodes.KEY_DOT: (".", ">"),
    ecodes.KEY_SLASH: ("/", "?"),
    ecodes.KEY_SPACE: (" ", " "),
}
_LETTERS: dict[int, str] = {getattr(ecodes, f"KEY_{letter}"): letter.lower() for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
# Keypad keys as typed with Num Lock on, which scanners emulating a keypad assume.
_KEYPAD_DIGITS: dict[int, str] = {getattr(ecodes, f"KEY_KP{digit}"): str(digit) for digit in range(10)}
_KEYPAD_OTHER: dict[int, str] = {
    ecodes.KEY_KPDOT: ".",
    ecodes.KEY_KPMINUS: "-",
    ecodes.KEY_KPPLUS: "+",
    ecodes.KEY_KPASTERISK: "*",
    ecodes.KEY_KPSLASH: "/",
}
_ENTER = {ecodes.KEY_ENTER, ecodes.KEY_KPENTER}
_SHIFT = {ecodes.KEY_LEFTSHIFT, ecodes.KEY_RIGHTSHIFT}
_CTRL = {ecodes.KEY_LEFTCTRL, ecodes.KEY_RIGHTCTRL}
_ALT = {ecodes.KEY_LEFTALT, ecodes.KEY_RIGHTALT}
# Ctrl + the key of one of these characters gives the ASCII control character (e.g. "]" -> 0x1D).
_CONTROL_BASE = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_"


def key_name(code: int) -> str:
    """The evdev name of a key code: ``key_name(ecodes.KEY_F5) == "KEY_F5"``."""
    name = ecodes.KEY.get(code, ecodes.BTN.get(code))
    if isinstance(name, list | tuple):
        return str(name[0])
    return str(name) if name is not None else f"key {code}"


def key_code(name: str) -> int:
    """The key code of an evdev key name: ``key_code("KEY_F8") == ecodes.KEY_F8``; ValueError if unknown."""
    code = ecodes.ecodes.get(name)
    if not name.startswith("KEY_") or not isinstance(code, int):
        raise ValueError(f"unknown evdev key name {name!r}, expected a name such as KEY_F8")
    return code


@dataclass
class _Pending:
    """The code being typed: characters so far, and the first problem that spoils it."""

    chars: list[str] = field(default_factory=list)
    problem: ScanRefused | None = None

    def spoil(self, reason: str, message: str) -> None:
        if self.problem is None:
            self.problem = ScanRefused(reason, message)


class WedgeDecoder:
    """Key events in, finished codes out: ``WedgeDecoder(prefix="\\x02").feed(ecodes.EV_KEY, ecodes.KEY_1, 1)``."""

    def __init__(self, prefix: str = "", suffix: str = "", gs_key: int | None = None) -> None:
        self.prefix = prefix
        self.suffix = suffix
        self.gs_key = gs_key
        self.held: set[int] = set()
        self.caps_lock = False
        self.alt_digits: str | None = None
        self.pending = _Pending()

    def feed(self, type_: int, code: int, value: int) -> str | None:
        """One event; returns the code it finishes, or None. Raises ``ScanRefused`` for a spoiled code."""
        if type_ != ecodes.EV_KEY:
            return None  # EV_SYN, EV_MSC (scan codes) and LED events carry no characters
        if code in _SHIFT | _CTRL | _ALT:
            self._modifier(code, value)
            return None
        if value == KEY_UP:
            self.held.discard(code)
            return None
        if value == KEY_REPEAT:
            # A scanner never holds a key: a repeat means the key-up was lost and the count of characters is unknown.
            self.pending.spoil("key_repeat", f"Код не принят: повтор клавиши {key_name(code)} — отсканируйте ещё раз")
            return None
        self.held.add(code)
        return self._press(code)

    def feed_all(self, events: Iterable[tuple[int, int, int]]) -> list[str | ScanRefused]:
        """Every code (or refusal) in a stream of events: ``decoder.feed_all([(1, 2, 1), (1, 2, 0), …])``."""
        results: list[str | ScanRefused] = []
        for type_, code, value in events:
            try:
                text = self.feed(type_, code, value)
            except ScanRefused as refused:
                results.append(refused)
                continue
            if text is not None:
                results.append(text)
        return results

    def _modifier(self, code: int, value: int) -> None:
        if value == KEY_DOWN:
            self.held.add(code)
            if code in _ALT:
                self.alt_digits = ""
        elif value == KEY_UP:
            self.held.discard(code)
            if code in _ALT and not self.held & _ALT:
                self._alt_released()

    def _alt_released(self) -> None:
        digits, self.alt_digits = self.alt_digits, None
        if not digits:
            return
        number = int(digits)
        if 1 <= number <= 127:
            self.pending.chars.append(chr(number))
        else:
            self.pending.spoil("alt_code", f"Код не принят: Alt+{digits} — не символ ASCII")

    def _press(self, code: int) -> str | None:
        if code in _ENTER:
            return self._finish()
        if code == ecodes.KEY_CAPSLOCK:
            self.caps_lock = not self.caps_lock
            return None
        if code == self.gs_key:
            self.pending.chars.append(GS)
            return None
        if self.alt_digits is not None and code in _KEYPAD_DIGITS:
            self.alt_digits += _KEYPAD_DIGITS[code]
            return None
        char = self._character(code)
        if char is None:
            self.pending.spoil("unknown_key", _unknown_key_message(code, self.held))
        else:
            self.pending.chars.append(char)
        return None

    def _character(self, code: int) -> str | None:
        shift = bool(self.held & _SHIFT)
        if code in _LETTERS:
            char = _LETTERS[code].upper() if shift != self.caps_lock else _LETTERS[code]
        elif code in _US_KEYS:
            char = _US_KEYS[code][shift]
        elif code in _KEYPAD_DIGITS and not self.held & _CTRL:
            return _KEYPAD_DIGITS[code]
        elif code in _KEYPAD_OTHER and not self.held & _CTRL:
            return _KEYPAD_OTHER[code]
        else:
            return None
        if self.held & _ALT:
            return None  # Alt + a character key is a shortcut, not text
        if self.held & _CTRL:
            return _control(char)
        return char

    def _finish(self) -> str:
        pending, self.pending = self.pending, _Pending()
        if self.alt_digits:
            pending.spoil("alt_code", "Код не принят: Enter пришёл раньше, чем отпущен Alt")
        self.alt_digits = None if not self.held & _ALT else ""
        if pending.problem is not None:
            raise pending.problem
        return strip_affixes("".join(pending.chars), self.prefix, self.suffix)


def _control(char: str) -> str | None:
    base = char.upper()
    if base not in _CONTROL_BASE:
        return None
    return chr(ord(base) - 0x40)


def _unknown_key_message(code: int, held: set[int]) -> str:
    modifiers = [key_name(key) for key in sorted(held & (_SHIFT | _CTRL | _ALT))]
    keys = "+".join([*modifiers, key_name(code)])
    return f"Код не принят: сканер прислал клавишу {keys}, которой нет в раскладке US — проверьте настройки сканера"


class EvdevReader(Reader):
    """A keyboard-wedge scanner taken exclusively, so its keystrokes never reach the desktop or another program."""

    source: Source = "evdev"

    def __init__(
        self,
        device: str,
        workstation: str,
        on_scan: ScanCallback,
        on_notice: NoticeCallback = log_notice,
        *,
        decoder: WedgeDecoder | None = None,
        clock: Clock = utc_now,
        backoff: Backoff | None = None,
        poll_seconds: float = 0.2,
    ) -> None:
        super().__init__(device, workstation, on_scan, on_notice, clock, backoff)
        self.decoder = decoder or WedgeDecoder()
        self.poll_seconds = poll_seconds
        self._input: InputDevice[str] | None = None

    def handle(self, events: Iterable[tuple[int, int, int]]) -> None:
        """Feed events to the decoder, emitting scans and refusals: ``reader.handle([(1, 28, 1)])``."""
        for type_, code, value in events:
            try:
                text = self.decoder.feed(type_, code, value)
            except ScanRefused as refused:
                self.notice(refused.reason, refused.message)
                continue
            if text is not None:
                self.emit(text)

    def _open(self) -> None:
        device = InputDevice(self.device)
        try:
            device.grab()
        except OSError:
            device.close()
            raise
        self._input = device
        self.decoder = WedgeDecoder(self.decoder.prefix, self.decoder.suffix, self.decoder.gs_key)

    def _pump(self) -> None:
        device = self._input
        assert device is not None
        while not self.stopping:
            # A bounded wait on the descriptor keeps stop() prompt without closing the device under a reader.
            ready, _, _ = select.select([device.fd], [], [], self.poll_seconds)
            if not ready:
                continue
            try:
                events = [(event.type, event.code, event.value) for event in device.read()]
            except BlockingIOError:
                continue  # woken with nothing to read; an unplugged device raises ENODEV instead
            self.handle(events)

    def _close(self) -> None:
        device, self._input = self._input, None
        if device is None:
            return
        with contextlib.suppress(OSError):  # the device is gone, and its grab with it
            device.ungrab()
        device.close()
