"""What every scanner reader produces: one ``Scan`` per decoded code, and ``Notice`` for what went wrong."""

from __future__ import annotations

import datetime as dt
import errno
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Source = Literal["evdev", "serial", "browser"]
SOURCES: tuple[Source, ...] = ("evdev", "serial", "browser")
GS = "\x1d"
log = logging.getLogger("devices.scanners")


def utc_now() -> dt.datetime:
    """The current time, timezone-aware in UTC: ``utc_now()``."""
    return dt.datetime.now(dt.UTC)


Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class Scan:
    """One code as the scanner sent it: raw text with GS (0x1D) kept, interpretation is the caller's job."""

    code: str
    source: Source
    device: str
    workstation: str
    at: dt.datetime

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"unknown scan source {self.source!r}, expected one of {', '.join(SOURCES)}")
        if self.at.tzinfo is None or self.at.utcoffset() != dt.timedelta(0):
            raise ValueError("Scan.at must be an aware UTC datetime")
        if not self.code:
            raise ValueError("Scan.code must not be empty")


@dataclass(frozen=True)
class Notice:
    """Something a reader could not turn into a scan: ``reason`` for machines, ``message`` (Russian) for people."""

    device: str
    workstation: str
    reason: str
    message: str
    at: dt.datetime


ScanCallback = Callable[[Scan], None]
NoticeCallback = Callable[[Notice], None]


def log_notice(notice: Notice) -> None:
    """The default notice sink, a warning in the log: ``log_notice(notice)``."""
    log.warning("%s: %s (%s)", notice.device, notice.message, notice.reason)


class Backoff:
    """Waits between reopen attempts, doubling from ``first`` up to ``cap`` seconds; a success resets it."""

    def __init__(self, first: float = 0.5, cap: float = 10.0) -> None:
        self.first = first
        self.cap = cap
        self.delay = first

    def wait(self, stopping: threading.Event) -> None:
        """Sleep the current delay unless stopped first: ``backoff.wait(stop_event)``."""
        stopping.wait(self.delay)
        self.delay = min(self.delay * 2, self.cap)

    def reset(self) -> None:
        """Start again from the first delay after a successful open: ``backoff.reset()``."""
        self.delay = self.first


class ScanRefused(ValueError):
    """A read the reader will not pass on: ``reason`` for machines, ``message`` (Russian) for the operator."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def strip_affixes(text: str, prefix: str, suffix: str) -> str:
    """The code between the configured prefix and suffix: ``strip_affixes("\\x02123\\x03", "\\x02", "\\x03")``."""
    # A missing prefix or suffix means the scanner is set up differently or the read was cut: refuse, never guess.
    if prefix and not text.startswith(prefix):
        raise ScanRefused("prefix_missing", f"Код не принят: нет настроенного префикса {prefix!r}")
    if suffix and not text.endswith(suffix):
        raise ScanRefused("suffix_missing", f"Код не принят: нет настроенного суффикса {suffix!r}")
    code = text[len(prefix) : len(text) - len(suffix)]
    if not code:
        raise ScanRefused("empty", "Код не принят: пустой код")
    return code


class Reader(ABC):
    """One scanner on its own thread: open, read until the device goes away, report, reopen after a bounded wait."""

    source: Source

    def __init__(
        self,
        device: str,
        workstation: str,
        on_scan: ScanCallback,
        on_notice: NoticeCallback = log_notice,
        clock: Clock = utc_now,
        backoff: Backoff | None = None,
    ) -> None:
        self.device = device
        self.workstation = workstation
        self.on_scan = on_scan
        self.on_notice = on_notice
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.connected = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_problem: str | None = None

    def start(self) -> None:
        """Start reading in a daemon thread: ``reader.start()``."""
        if self._thread is not None:
            raise RuntimeError(f"reader for {self.device} already started")
        self._thread = threading.Thread(target=self._run, name=f"scanner {self.device}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop reading and release the device: ``reader.stop()``; raises if the thread does not end in time."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise RuntimeError(f"reader for {self.device} did not stop within {timeout} s")

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def emit(self, text: str) -> None:
        """Hand one decoded code to the callback as a ``Scan``: ``reader.emit("4601234567893")``."""
        scan = Scan(code=text, source=self.source, device=self.device, workstation=self.workstation, at=self.clock())
        try:
            self.on_scan(scan)
        except Exception:
            # A failing consumer must not kill the scanner: the next scan may well succeed.
            log.exception("scan callback failed for %s", self.device)

    def notice(self, reason: str, message: str) -> None:
        """Report a problem to the notice callback: ``reader.notice("unknown_key", "Код не принят: …")``."""
        try:
            self.on_notice(Notice(self.device, self.workstation, reason, message, self.clock()))
        except Exception:
            log.exception("notice callback failed for %s", self.device)

    def _run(self) -> None:
        while not self.stopping:
            try:
                self._open()
            except OSError as error:
                self._problem(*_open_problem(self.device, error))
                self.backoff.wait(self._stopping)
                continue
            self._opened()
            try:
                self._pump()
            except OSError as error:
                self._problem("lost", f"Связь со сканером {self.device} потеряна ({error}), переподключаемся")
            finally:
                self.connected.clear()
                self._close()
            if not self.stopping:
                self.backoff.wait(self._stopping)

    def _opened(self) -> None:
        self.backoff.reset()
        self.connected.set()
        if self._last_problem is not None:
            self.notice("connected", f"Сканер {self.device} снова подключён")
        self._last_problem = None

    def _problem(self, reason: str, message: str) -> None:
        # While a device stays away every retry fails the same way; report a change, not each retry.
        if reason != self._last_problem:
            self.notice(reason, message)
        self._last_problem = reason

    @abstractmethod
    def _open(self) -> None:
        """Open the device; raise ``OSError`` when it is not there."""

    @abstractmethod
    def _pump(self) -> None:
        """Read and emit until ``stopping``; raise ``OSError`` when the device goes away."""

    @abstractmethod
    def _close(self) -> None:
        """Release the device (ungrab, close the port)."""


def _open_problem(device: str, error: OSError) -> tuple[str, str]:
    # pyserial wraps the OS error in SerialException, so look at errno, not at the exception class.
    if error.errno in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
        return "missing", f"Сканер {device} не найден: проверьте, что он подключён"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "forbidden", f"Нет доступа к сканеру {device}: добавьте пользователя в группу input или dialout"
    return "unavailable", f"Сканер {device} недоступен: {error}"
