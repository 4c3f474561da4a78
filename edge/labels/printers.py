"""The site's label printers: configured ones by name, plus those found on the LAN by zeroconf.

``PrinterRegistry.from_specs(["Упаковка-1=10.0.0.5:9100"])``; ``registry.start_discovery()`` browses
``_pdl-datastream._tcp`` (raw port 9100 printers) through ``sync.discovery.ServiceDirectory``, which keeps one
entry per printer (TXT ``UUID``, else ``id``, else its instance name) however often it re-announces.
A configured name wins over a discovered printer of the same name.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from devices.labels.printer import RAW_PORT, LabelPrinter

if TYPE_CHECKING:
    from zeroconf import ServiceInfo, Zeroconf

    from sync.discovery import DiscoveredService

log = logging.getLogger(__name__)


class Directory(Protocol):
    """What the registry needs of a ``ServiceDirectory``."""

    def snapshot(self) -> dict[str, DiscoveredService]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class PrinterEntry:
    """One printer as the API lists it: ``{"name": "Упаковка-1", "host": "10.0.0.5", "port": 9100, …}``."""

    name: str
    host: str
    port: int
    source: Literal["configured", "zeroconf"]
    unique_id: str
    model: str = ""


def parse_printer_spec(spec: str) -> tuple[str, str, int]:
    """``parse_printer_spec("Упаковка-1=10.0.0.5:9100") == ("Упаковка-1", "10.0.0.5", 9100)``; port optional."""
    name, separator, address = spec.partition("=")
    if not separator or not name.strip() or not address.strip():
        raise ValueError(f"printer {spec!r} must read NAME=HOST[:PORT], like Упаковка-1=10.0.0.5:9100")
    host, _, port = address.strip().rpartition(":") if ":" in address else (address.strip(), "", str(RAW_PORT))
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"printer {spec!r}: port {port!r} is not a TCP port")
    return name.strip(), host.strip("[]"), int(port)


def printer_unique_id(info: ServiceInfo) -> str:
    """A printer's identity across announcements: TXT ``UUID`` (Bonjour printing), ``id``, else its name."""
    from sync.discovery import instance_name, txt

    properties = txt(info)
    return properties.get("UUID") or properties.get("id") or instance_name(str(info.name), str(info.type))


class PrinterRegistry:
    """``registry.get("Упаковка-1")`` → ``PrinterEntry``; ``registry.client("Упаковка-1").send(zpl)``."""

    def __init__(self, configured: Mapping[str, tuple[str, int]] | None = None, *, timeout: float = 5.0) -> None:
        self.timeout = timeout
        self._configured = {
            name: PrinterEntry(name, host, port, "configured", name)
            for name, (host, port) in (configured or {}).items()
        }
        self._directory: Directory | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_specs(cls, specs: Iterable[str], *, timeout: float = 5.0) -> PrinterRegistry:
        """``PrinterRegistry.from_specs(settings.printers)`` with ``NAME=HOST[:PORT]`` entries."""
        parsed = [parse_printer_spec(spec) for spec in specs]
        return cls({name: (host, port) for name, host, port in parsed}, timeout=timeout)

    def start_discovery(self, zc: Zeroconf | None = None, *, service_type: str | None = None) -> bool:
        """Browse for raw-port printers; idempotent. False (and a log line) when multicast is unavailable."""
        from sync.discovery import RAW_PRINTER_SERVICE, ServiceDirectory

        with self._lock:
            if self._directory is not None:
                return True
            try:
                self._directory = ServiceDirectory(service_type or RAW_PRINTER_SERVICE, zc, unique_id=printer_unique_id)
            except OSError as error:
                log.warning("printer discovery by zeroconf is off: %s", error)
                return False
        return True

    def use_directory(self, directory: Directory) -> None:
        """Take discovered printers from ``directory`` (a ``ServiceDirectory`` the caller already runs)."""
        with self._lock:
            self._directory = directory

    def close(self) -> None:
        """Stop browsing; configured printers stay."""
        with self._lock:
            directory, self._directory = self._directory, None
        if directory is not None:
            directory.close()

    def printers(self) -> list[PrinterEntry]:
        """Configured printers by name, then discovered ones still announced, by name."""
        discovered = sorted(
            (entry for entry in self._discovered() if entry.name not in self._configured), key=lambda e: e.name
        )
        return [*sorted(self._configured.values(), key=lambda e: e.name), *discovered]

    def get(self, name: str) -> PrinterEntry | None:
        """The printer called ``name`` (or with that unique id), or None."""
        if name in self._configured:
            return self._configured[name]
        return next((e for e in self.printers() if name in (e.name, e.unique_id)), None)

    def client(self, entry: PrinterEntry) -> LabelPrinter:
        """The TCP client for one printer: ``registry.client(registry.get("Упаковка-1"))``."""
        return LabelPrinter(entry.host, entry.port, name=entry.name)

    def _discovered(self) -> list[PrinterEntry]:
        with self._lock:
            directory = self._directory
        if directory is None:
            return []
        return [
            PrinterEntry(
                name=_display_name(service),
                host=service.host,
                port=service.port,
                source="zeroconf",
                unique_id=unique_id,
                model=service.properties.get("ty", "") or service.properties.get("product", "").strip("()"),
            )
            for unique_id, service in directory.snapshot().items()
            if service.present
        ]


def _display_name(service: DiscoveredService) -> str:
    from sync.discovery import instance_name

    return instance_name(service.name, service.service_type)
