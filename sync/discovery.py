"""Zeroconf (mDNS / DNS-SD) on the site's LAN: edges find the broker, terminals and printers find the edge.

- ``find_broker(5.0)`` browses ``_mqtt._tcp`` and returns the first broker that resolves, as a
  ``BrokerAddress`` (IPv4 preferred; TXT ``tls=1`` means ``mqtts``), or None after the timeout.
- ``announce("W1", 8100)`` registers ``Stockyard edge W1._stockyard._tcp.local.`` with TXT ``site``,
  ``api`` and ``version``; ``Announcement.close()`` says goodbye. ``announce_broker(1883)`` does the same
  for a Mosquitto, which does not announce itself.
- ``ServiceDirectory()`` keeps the services of one type it has seen, keyed by a unique id (TXT ``id``, else
  ``site``, else the instance name). A service seen again under a new address or port updates its entry
  instead of adding one; a goodbye marks it gone.

Every call here blocks (name probing alone takes about 1.7 s): call it from a thread, e.g.
``await asyncio.to_thread(announce, ...)`` inside an event loop. The Zeroconf instances we create run their
own loop thread (``use_asyncio=False``), never the caller's loop.
"""

from __future__ import annotations

import importlib.metadata
import ipaddress
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType

from zeroconf import IPVersion, ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

from sync.transport import BrokerAddress

log = logging.getLogger(__name__)

MQTT_SERVICE = "_mqtt._tcp.local."
STOCKYARD_SERVICE = "_stockyard._tcp.local."
# Label printers, for a directory of their own: raw port 9100 (what we print to) and LPD.
RAW_PRINTER_SERVICE = "_pdl-datastream._tcp.local."
LPD_PRINTER_SERVICE = "_printer._tcp.local."

API_PATH = "/api/v1"
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


def open_zeroconf(interfaces: Sequence[str] | None = None) -> Zeroconf:
    """A Zeroconf with its own loop thread, on all interfaces or on ``interfaces`` (IP addresses)."""
    if interfaces is None:
        return Zeroconf(use_asyncio=False)
    return Zeroconf(interfaces=list(interfaces), use_asyncio=False)


def package_version() -> str:
    """Our release, for the ``version`` TXT key."""
    try:
        return importlib.metadata.version("stockyard")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def default_ipv4() -> str:
    """The address this host uses towards the LAN (the default route's source), else loopback.

    A UDP ``connect`` sends nothing; it only makes the kernel choose the source address.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def preferred_host(info: ServiceInfo) -> str | None:
    """The address to dial: a LAN IPv4 address, then a loopback one, then IPv6 (scoped if link-local)."""
    v4 = info.parsed_addresses(IPVersion.V4Only)
    lan = [a for a in v4 if not ipaddress.IPv4Address(a).is_loopback]
    candidates = lan + [a for a in v4 if a not in lan] + info.parsed_scoped_addresses(IPVersion.V6Only)
    return candidates[0] if candidates else None


def txt(info: ServiceInfo) -> dict[str, str]:
    """TXT properties as text; a key without a value reads as the empty string."""
    return {key: value or "" for key, value in info.decoded_properties.items()}


def broker_address(info: ServiceInfo) -> BrokerAddress | None:
    """``BrokerAddress`` of a resolved ``_mqtt._tcp`` service; TXT ``tls=1`` (or true/yes/on) means mqtts.

    Credentials and the CA file never travel in TXT records: they come from the site's own settings.
    """
    host = preferred_host(info)
    if host is None or not info.port:
        return None
    return BrokerAddress(host=host, port=info.port, tls=txt(info).get("tls", "").lower() in TRUE_WORDS)


def find_broker(
    timeout: float, zc: Zeroconf | None = None, *, service_type: str = MQTT_SERVICE
) -> BrokerAddress | None:
    """The first broker announced on the LAN, or None when none resolves within ``timeout`` seconds."""
    owned = zc is None
    zeroconf = zc if zc is not None else open_zeroconf()
    names: queue.Queue[str] = queue.Queue()

    def on_change(zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        if state_change is not ServiceStateChange.Removed:
            names.put(name)

    deadline = time.monotonic() + timeout
    browser = ServiceBrowser(zeroconf, service_type, handlers=[on_change])
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                name = names.get(timeout=remaining)
            except queue.Empty:
                break
            wait_ms = max(100, int((deadline - time.monotonic()) * 1000))
            info = zeroconf.get_service_info(service_type, name, timeout=wait_ms)
            found = broker_address(info) if info is not None else None
            if found is not None:
                log.info("found MQTT broker %s at %s:%s", name, found.host, found.port)
                return found
        return None
    finally:
        browser.cancel()
        if owned:
            zeroconf.close()


def wait_for_broker(
    stop: threading.Event,
    attempt: float = 5.0,
    zc: Zeroconf | None = None,
    *,
    service_type: str = MQTT_SERVICE,
) -> BrokerAddress | None:
    """Look for a broker until one is found or ``stop`` is set (then None); for a background thread.

    ``stop`` is checked between attempts, so it takes effect within ``attempt`` seconds.
    """
    while not stop.is_set():
        try:
            found = find_broker(attempt, zc, service_type=service_type)
        except OSError as error:  # no usable multicast interface right now: try again later
            log.warning("zeroconf browse failed: %s", error)
            stop.wait(attempt)
            continue
        if found is not None:
            return found
        log.info("no MQTT broker announced on the LAN yet; still looking (or give --mqtt-url)")
    return None


class Announcement:
    """A service we announce; ``close()`` (or leaving the ``with`` block) withdraws it with a goodbye."""

    def __init__(self, zc: Zeroconf, info: ServiceInfo, owned: bool) -> None:
        self.zc = zc
        self.info = info
        self._owned = owned
        self._closed = False
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The full service name, e.g. ``Stockyard edge W1._stockyard._tcp.local.``."""
        return str(self.info.name)

    def update(self, *, port: int | None = None, properties: Mapping[str, str] | None = None) -> None:
        """Announce a new port or TXT under the same name; listeners update the entry they hold."""
        with self._lock:
            new_properties = dict(txt(self.info))
            new_properties.update(properties or {})
            info = ServiceInfo(
                self.info.type,
                self.info.name,
                port=port if port is not None else self.info.port,
                properties=new_properties,
                server=self.info.server,
                parsed_addresses=self.info.parsed_addresses(),
            )
            self.zc.update_service(info)
            self.info = info

    def close(self) -> None:
        """Unregister (goodbye packets), then close the Zeroconf if we opened it. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self.zc.unregister_service(self.info)
            finally:
                if self._owned:
                    self.zc.close()

    def __enter__(self) -> Announcement:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _register(
    service_type: str,
    instance: str,
    port: int,
    host_ip: str | Sequence[str] | None,
    properties: Mapping[str, str],
    server: str,
    zc: Zeroconf | None,
) -> Announcement:
    addresses = [host_ip] if isinstance(host_ip, str) else list(host_ip or [default_ipv4()])
    info = ServiceInfo(
        service_type,
        f"{instance}.{service_type}",
        port=port,
        properties=dict(properties),
        server=server,
        parsed_addresses=addresses,
    )
    owned = zc is None
    zeroconf = zc if zc is not None else open_zeroconf()
    try:
        # No renaming on conflict: two live announcers of one site is a misconfiguration to see, not hide.
        zeroconf.register_service(info)
    except BaseException:
        if owned:
            zeroconf.close()
        raise
    log.info("announced %s at %s port %s", info.name, ", ".join(addresses), port)
    return Announcement(zeroconf, info, owned)


def announce(
    site: str,
    port: int,
    host_ip: str | Sequence[str] | None = None,
    properties: Mapping[str, str] | None = None,
    *,
    zc: Zeroconf | None = None,
    service_type: str = STOCKYARD_SERVICE,
) -> Announcement:
    """Announce the edge of ``site`` at ``host_ip`` (default: the LAN address) and ``port``.

    Raises ``zeroconf.NonUniqueNameException`` when another live edge already announces the same site.
    """
    values = {"site": site, "api": API_PATH, "version": package_version()}
    values.update(properties or {})
    server = f"stockyard-edge-{site.lower()}.local."
    return _register(service_type, f"Stockyard edge {site}", port, host_ip, values, server, zc)


def announce_broker(
    port: int,
    host_ip: str | Sequence[str] | None = None,
    *,
    tls: bool = False,
    instance: str | None = None,
    zc: Zeroconf | None = None,
    service_type: str = MQTT_SERVICE,
) -> Announcement:
    """Announce an MQTT broker (Mosquitto does not announce itself), for the demo and tests."""
    name = instance or f"Stockyard MQTT {port}"
    properties = {"tls": "1"} if tls else {}
    return _register(service_type, name, port, host_ip, properties, f"stockyard-mqtt-{port}.local.", zc)


@dataclass(frozen=True)
class DiscoveredService:
    """One service as last seen: where to reach it, its TXT, and whether it is still announced."""

    unique_id: str
    name: str
    service_type: str
    host: str
    port: int
    addresses: tuple[str, ...]
    properties: dict[str, str] = field(hash=False)
    present: bool = True

    @property
    def url(self) -> str:
        """``http://host:port`` for HTTP services such as an edge (IPv6 hosts in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def instance_name(name: str, service_type: str) -> str:
    """``Stockyard edge W1`` from ``Stockyard edge W1._stockyard._tcp.local.``."""
    suffix = "." + service_type
    return name[: -len(suffix)] if name.endswith(suffix) else name


def default_unique_id(info: ServiceInfo) -> str:
    """TXT ``id`` if the service gives one, else TXT ``site``, else its instance name."""
    properties = txt(info)
    return properties.get("id") or properties.get("site") or instance_name(str(info.name), str(info.type))


class ServiceDirectory:
    """The services of one type on the LAN: ``ServiceDirectory().snapshot()["W1"].url``.

    Keyed by ``unique_id(info)``. A service seen again (updated, re-announced at another port or address,
    or renamed) replaces the entry of its unique id; a goodbye marks that entry ``present=False`` only if
    it still belongs to the service that left. Handlers run in the browser's thread; a lock guards the
    entries, so ``snapshot`` and ``wait_for`` may be called from any thread.
    """

    def __init__(
        self,
        service_type: str = STOCKYARD_SERVICE,
        zc: Zeroconf | None = None,
        *,
        unique_id: Callable[[ServiceInfo], str] = default_unique_id,
        resolve_timeout: float = 3.0,
    ) -> None:
        self.service_type = service_type
        self._owned = zc is None
        self.zc = zc if zc is not None else open_zeroconf()
        self._unique_id = unique_id
        self._resolve_ms = int(resolve_timeout * 1000)
        self._changed = threading.Condition()
        self._entries: dict[str, DiscoveredService] = {}
        self._ids_by_name: dict[str, str] = {}
        self._browser = ServiceBrowser(self.zc, service_type, handlers=[self._on_change])

    def snapshot(self) -> dict[str, DiscoveredService]:
        """A copy of the entries, present and gone, by unique id."""
        with self._changed:
            return dict(self._entries)

    def get(self, unique_id: str) -> DiscoveredService | None:
        """The entry of ``unique_id``, present or gone, or None if never seen."""
        with self._changed:
            return self._entries.get(unique_id)

    def wait_for(self, predicate: Callable[[dict[str, DiscoveredService]], bool], timeout: float) -> bool:
        """Block until ``predicate(snapshot)`` holds or ``timeout`` seconds passed; return whether it held."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(dict(self._entries)), timeout)

    def close(self) -> None:
        """Stop browsing; close the Zeroconf if we opened it."""
        self._browser.cancel()
        if self._owned:
            self.zc.close()

    def __enter__(self) -> ServiceDirectory:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _on_change(self, zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        if state_change is ServiceStateChange.Removed:
            self._gone(name)
            return
        info = zeroconf.get_service_info(service_type, name, timeout=self._resolve_ms)
        host = preferred_host(info) if info is not None else None
        if info is None or host is None or not info.port:
            log.info("could not resolve %s; waiting for its next announcement", name)
            return
        self._seen(info, name, host)

    def _seen(self, info: ServiceInfo, name: str, host: str) -> None:
        unique_id = self._unique_id(info)
        entry = DiscoveredService(
            unique_id=unique_id,
            name=name,
            service_type=self.service_type,
            host=host,
            port=int(info.port or 0),
            addresses=tuple(info.parsed_scoped_addresses()),
            properties=txt(info),
        )
        with self._changed:
            previous_id = self._ids_by_name.get(name)
            if previous_id is not None and previous_id != unique_id:
                self._mark_gone(previous_id, name)  # the service now speaks for another id
            previous = self._entries.get(unique_id)
            self._entries[unique_id] = entry
            self._ids_by_name[name] = unique_id
            self._changed.notify_all()
        if previous is None:
            log.info("discovered %s (%s) at %s:%s", unique_id, name, entry.host, entry.port)
        elif not previous.present:
            log.info("%s is back at %s:%s", unique_id, entry.host, entry.port)
        elif previous != entry:
            log.info("%s now at %s:%s (was %s:%s)", unique_id, entry.host, entry.port, previous.host, previous.port)

    def _gone(self, name: str) -> None:
        with self._changed:
            unique_id = self._ids_by_name.pop(name, None)
            if unique_id is not None:
                self._mark_gone(unique_id, name)
                self._changed.notify_all()
                log.info("%s (%s) said goodbye", unique_id, name)

    def _mark_gone(self, unique_id: str, name: str) -> None:
        entry = self._entries.get(unique_id)
        if entry is not None and entry.name == name:
            self._entries[unique_id] = replace(entry, present=False)
