"""What an edge runs beside its web server: the sync link (found by zeroconf when no URL is given), its own
zeroconf announcement, and the scanners bound to workstations. Started and stopped by the composition root.

None of it is on the scan path: a broker that cannot be found or a scanner unplugged leaves the terminals
working, and each part reports its trouble in the log.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from edge.settings import EdgeSettings
from edge.sync.client import EdgeSync
from sync.transport import BrokerAddress

if TYPE_CHECKING:
    from devices.scan import Scan
    from devices.scanners import ScannerGroup
    from edge.terminal.service import Terminals
    from sync.discovery import Announcement

log = logging.getLogger(__name__)


class EdgeRuntime:
    """``EdgeRuntime(settings, terminals).start()``; ``.sync`` is the link once there is one."""

    def __init__(self, settings: EdgeSettings, terminals: Terminals) -> None:
        self.settings = settings
        self.terminals = terminals
        self.sync: EdgeSync | None = None
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.announcement: Announcement | None = None
        self.scanners: ScannerGroup | None = None

    def start(self) -> None:
        """Start the link (or look for the broker), announce the edge, open the scanners."""
        if self.settings.mqtt_url:
            self._link(BrokerAddress.parse(self.settings.mqtt_url))
        elif self.settings.zeroconf:
            self._background(self._discover, "broker-discovery")
        if self.settings.zeroconf:
            self._background(self._announce, "zeroconf-announce")
        if self.settings.scanners:
            from devices.scanners import ScannerGroup, parse_scanner_specs

            self.scanners = ScannerGroup(parse_scanner_specs(self.settings.scanners), self._on_scan)
            self.scanners.start()

    def stop(self) -> None:
        """Close everything started; the outbox keeps whatever was not delivered."""
        self.stopping.set()
        if self.scanners is not None:
            self.scanners.stop()
        for thread in self.threads:
            thread.join(timeout=8)
        if self.sync is not None:
            self.sync.stop()

    def _link(self, address: BrokerAddress) -> None:
        self.sync = EdgeSync(
            self.settings.site, self.settings.database_path, address, keepalive=self.settings.mqtt_keepalive
        )
        self.sync.start()

    def _background(self, target: Any, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self.threads.append(thread)
        thread.start()

    def _discover(self) -> None:
        from sync.discovery import wait_for_broker

        log.info("no broker URL given: looking for _mqtt._tcp by zeroconf")
        found = wait_for_broker(self.stopping, 5.0)
        if found is not None and not self.stopping.is_set():
            log.info("broker found at %s:%s", found.host, found.port)
            self._link(found)

    def _announce(self) -> None:
        from sync.discovery import announce

        host = None if self.settings.host in ("0.0.0.0", "", "::") else self.settings.host  # noqa: S104
        try:
            announcement = announce(self.settings.site, self.settings.port, host)
        except Exception:
            log.warning("zeroconf announcement failed; terminals need the edge's address", exc_info=True)
            return
        self.stopping.wait()
        announcement.close()

    def _on_scan(self, scan: Scan) -> None:
        # A hardware scanner enters exactly where the handheld page's scans enter.
        self.terminals.scan(scan.workstation, scan.code, source=f"{scan.source}:{scan.device}"[:128])
