"""Zeroconf discovery between real python-zeroconf instances on this host's loopback (no mocks).

Two Zeroconf instances bound to 127.0.0.1 talk over real multicast (224.0.0.251:5353) on ``lo``: one
announces, the other browses. Every test uses its own service type or site code, so a demo or another test
run announcing on the same host cannot change what a test sees. All waits are bounded.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator

import pytest
from zeroconf import NonUniqueNameException, ServiceInfo, Zeroconf

from sync.discovery import (
    MQTT_SERVICE,
    STOCKYARD_SERVICE,
    ServiceDirectory,
    announce,
    announce_broker,
    find_broker,
    open_zeroconf,
    wait_for_broker,
)
from sync.transport import BrokerAddress
from tests.services import require

LOOPBACK = "127.0.0.1"
WAIT = 10.0  # seconds; announcing takes about 1.7 s (probing), discovery then follows within milliseconds
NO_MULTICAST = "no multicast between two zeroconf instances on 127.0.0.1 (is `lo` up with MULTICAST?)"


def unique_type() -> str:
    """A service type nobody else announces: ``_sy1a2b3c4d._tcp.local.``."""
    return f"_sy{secrets.token_hex(4)}._tcp.local."


def unique_site() -> str:
    return f"T{secrets.token_hex(3).upper()}"


@pytest.fixture(scope="module")
def zeroconfs() -> Iterator[tuple[Zeroconf, Zeroconf]]:
    """(announcer, listener): two independent Zeroconf instances on loopback, as two hosts would be."""
    try:
        pair = open_zeroconf([LOOPBACK]), open_zeroconf([LOOPBACK])
    except OSError as error:
        require(f"multicast on loopback ({error})", False, "ip link set lo multicast on")
        raise
    yield pair
    for zc in pair:
        zc.close()


def test_announced_broker_is_found_with_its_port(zeroconfs):
    announcer, listener = zeroconfs
    kind = unique_type()
    with announce_broker(18831, LOOPBACK, zc=announcer, service_type=kind):
        started = time.monotonic()
        found = find_broker(WAIT, listener, service_type=kind)
        elapsed = time.monotonic() - started
    assert found == BrokerAddress(host=LOOPBACK, port=18831), NO_MULTICAST
    assert elapsed < 2.0  # the announcement was heard already: a browse answers from the cache at once


def test_tls_hint_makes_an_mqtts_address(zeroconfs):
    announcer, listener = zeroconfs
    kind = unique_type()
    with announce_broker(18883, LOOPBACK, tls=True, zc=announcer, service_type=kind):
        found = find_broker(WAIT, listener, service_type=kind)
    assert found is not None, NO_MULTICAST
    assert (found.port, found.tls) == (18883, True)


def test_broker_on_the_real_mqtt_type_is_browsable(zeroconfs):
    # The real `_mqtt._tcp` type: other brokers may be announced on this host, so look for ours by name.
    announcer, listener = zeroconfs
    with (
        ServiceDirectory(MQTT_SERVICE, listener) as brokers,
        announce_broker(18832, LOOPBACK, instance=f"Test broker {secrets.token_hex(3)}", zc=announcer) as ours,
    ):
        key = ours.name.removesuffix("." + MQTT_SERVICE)
        assert brokers.wait_for(lambda s: key in s, WAIT), NO_MULTICAST
        assert (brokers.snapshot()[key].host, brokers.snapshot()[key].port) == (LOOPBACK, 18832)
        assert find_broker(WAIT, listener) is not None


def test_find_broker_gives_up_within_its_timeout(zeroconfs):
    _, listener = zeroconfs
    started = time.monotonic()
    assert find_broker(1.0, listener, service_type=unique_type()) is None
    assert 0.9 <= time.monotonic() - started < 2.0


def test_find_broker_with_its_own_zeroconf_gives_up_too():
    started = time.monotonic()
    assert find_broker(0.5, service_type=unique_type()) is None
    assert time.monotonic() - started < 2.0  # includes opening and closing the instance


def test_wait_for_broker_keeps_looking_until_one_appears_or_it_is_stopped(zeroconfs):
    announcer, listener = zeroconfs
    kind = unique_type()
    stop = threading.Event()
    results: list[BrokerAddress | None] = []
    looker = threading.Thread(target=lambda: results.append(wait_for_broker(stop, 0.5, listener, service_type=kind)))
    looker.start()
    time.sleep(1.2)  # two empty attempts first
    with announce_broker(18833, LOOPBACK, zc=announcer, service_type=kind):
        looker.join(WAIT)
    assert results == [BrokerAddress(host=LOOPBACK, port=18833)], NO_MULTICAST

    started = time.monotonic()
    stopped = threading.Thread(target=lambda: results.append(wait_for_broker(stop, 0.5, listener, service_type=kind)))
    stopped.start()
    stop.set()
    stopped.join(WAIT)
    assert results[1:] == [None]
    assert time.monotonic() - started < 1.5


def test_edge_appears_updates_in_place_and_goes(zeroconfs):
    announcer, listener = zeroconfs
    site = unique_site()
    with ServiceDirectory(STOCKYARD_SERVICE, listener) as edges:
        edge = announce(site, 18100, LOOPBACK, {"terminals": "/"}, zc=announcer)
        try:
            assert edges.wait_for(lambda s: site in s, WAIT), NO_MULTICAST
            entry = edges.snapshot()[site]
            assert entry.name == f"Stockyard edge {site}.{STOCKYARD_SERVICE}"
            assert (entry.host, entry.port, entry.present) == (LOOPBACK, 18100, True)
            assert entry.url == f"http://{LOOPBACK}:18100"
            assert entry.properties["site"] == site
            assert entry.properties["api"] == "/api/v1"
            assert entry.properties["version"]
            assert entry.properties["terminals"] == "/"

            edge.update(port=18101)
            assert edges.wait_for(lambda s: s[site].port == 18101, WAIT)
        finally:
            edge.close()
        assert edges.wait_for(lambda s: not s[site].present, WAIT)
        assert edges.snapshot()[site].port == 18101  # a gone entry keeps its last address
        assert [k for k in edges.snapshot() if k == site] == [site]


def test_reannounced_site_at_a_new_port_updates_the_one_entry(zeroconfs):
    announcer, listener = zeroconfs
    site = unique_site()
    with ServiceDirectory(STOCKYARD_SERVICE, listener) as edges:
        with announce(site, 18200, LOOPBACK, zc=announcer):
            assert edges.wait_for(lambda s: site in s and s[site].port == 18200, WAIT), NO_MULTICAST
        assert edges.wait_for(lambda s: not s[site].present, WAIT)
        # The edge restarts on another port, from a new Zeroconf instance as a new process would.
        restarted = open_zeroconf([LOOPBACK])
        try:
            with announce(site, 18201, LOOPBACK, zc=restarted):
                assert edges.wait_for(lambda s: s[site].present and s[site].port == 18201, WAIT)
                mine = [k for k, v in edges.snapshot().items() if v.properties.get("site") == site]
                assert mine == [site]
        finally:
            restarted.close()


def test_renamed_service_with_the_same_id_updates_and_old_goodbye_keeps_it(zeroconfs):
    # A printer renamed on its web page keeps its TXT id: one entry, moved to the new name.
    announcer, listener = zeroconfs
    kind = unique_type()

    def printer(instance: str, port: int) -> ServiceInfo:
        return ServiceInfo(
            kind,
            f"{instance}.{kind}",
            port=port,
            properties={"id": "ZD421-0042"},
            server=f"{instance.lower().replace(' ', '-')}.local.",
            parsed_addresses=[LOOPBACK],
        )

    old, new = printer("Zebra dock 1", 9100), printer("Zebra dock 2", 9101)
    with ServiceDirectory(kind, listener) as printers:
        announcer.register_service(old)
        try:
            assert printers.wait_for(lambda s: "ZD421-0042" in s, WAIT), NO_MULTICAST
            announcer.register_service(new)
            try:
                assert printers.wait_for(lambda s: s["ZD421-0042"].name == new.name, WAIT)
                announcer.unregister_service(old)
                time.sleep(0.5)  # the goodbye of the old name arrives; it must not take the entry away
                assert list(printers.snapshot()) == ["ZD421-0042"]
                entry = printers.snapshot()["ZD421-0042"]
                assert (entry.port, entry.present) == (9101, True)
            finally:
                announcer.unregister_service(new)
            assert printers.wait_for(lambda s: not s["ZD421-0042"].present, WAIT)
        finally:
            announcer.unregister_all_services()


def test_a_second_live_edge_for_the_same_site_is_refused(zeroconfs):
    announcer, _ = zeroconfs
    site = unique_site()
    other = open_zeroconf([LOOPBACK])
    try:
        with announce(site, 18300, LOOPBACK, zc=announcer), pytest.raises(NonUniqueNameException):
            announce(site, 18301, LOOPBACK, zc=other)
    finally:
        other.close()
