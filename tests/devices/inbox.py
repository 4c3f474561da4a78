"""What readers hand over in the tests: scans and notices, with bounded waits."""

from __future__ import annotations

import threading

from devices.scan import Notice, Scan


class Inbox:
    """A reader's callbacks: ``EvdevReader(path, "WS1", inbox.on_scan, inbox.on_notice)``."""

    def __init__(self) -> None:
        self.scans: list[Scan] = []
        self.notices: list[Notice] = []
        self._changed = threading.Condition()

    def on_scan(self, scan: Scan) -> None:
        with self._changed:
            self.scans.append(scan)
            self._changed.notify_all()

    def on_notice(self, notice: Notice) -> None:
        with self._changed:
            self.notices.append(notice)
            self._changed.notify_all()

    def wait_scans(self, count: int, timeout: float = 5.0) -> list[Scan]:
        """The first ``count`` scans, waiting at most ``timeout`` seconds: ``inbox.wait_scans(2)``."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.scans) >= count, timeout):
                raise AssertionError(f"{count} scans expected within {timeout} s, got {self.scans}")
            return self.scans[:count]

    def wait_notice(self, reason: str, timeout: float = 5.0) -> Notice:
        """The first notice with ``reason``, waiting at most ``timeout`` seconds: ``inbox.wait_notice("lost")``."""
        with self._changed:
            if not self._changed.wait_for(lambda: any(n.reason == reason for n in self.notices), timeout):
                raise AssertionError(f"notice {reason!r} expected within {timeout} s, got {self.notices}")
            return next(n for n in self.notices if n.reason == reason)
