"""The MQTT link both sides use: paho-mqtt 2.x, QoS 1, persistent session, TCP_NODELAY, Last Will presence.

Delivery is not trusted to the broker: the protocols on top acknowledge end to end and resend, so a
publish made while disconnected is simply not made (``publish`` returns False) rather than queued in paho.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

log = logging.getLogger(__name__)

OnMessage = Callable[[str, bytes], None]


@dataclass(frozen=True)
class BrokerAddress:
    """Where and how to reach the broker: ``BrokerAddress.parse("mqtts://W1:secret@hub:8883?ca=/etc/ca.pem")``."""

    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        """Read ``mqtt://`` or ``mqtts://`` URLs; raise ValueError with the accepted form otherwise."""
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise ValueError(f"broker URL {url!r} must look like mqtt://host:1883 or mqtts://user:pass@host:8883")
        tls = parts.scheme == "mqtts"
        query = parse_qs(parts.query)
        return cls(
            host=parts.hostname,
            port=parts.port or (8883 if tls else 1883),
            tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            ca_file=query.get("ca", [None])[0],
        )


@dataclass(frozen=True)
class Will:
    """A retained message the broker publishes if the link dies, and its counterpart sent on connect."""

    topic: str
    offline: bytes
    online: Callable[[], bytes]


class MqttLink:
    """One participant's connection: ``MqttLink(addr, "stockyard-edge-W1", ["…/up/ack"], on_message).start()``."""

    def __init__(
        self,
        address: BrokerAddress,
        client_id: str,
        subscriptions: list[str],
        on_message: OnMessage,
        on_connected: Callable[[], None] | None = None,
        will: Will | None = None,
        keepalive: int = 10,
    ) -> None:
        self.address = address
        self.subscriptions = subscriptions
        self.on_message = on_message
        self.on_connected = on_connected
        self.will = will
        self._connected = threading.Event()
        self.connects = 0
        # Our own client id and clean_session=False: the broker keeps our subscriptions across reconnects,
        # so messages published while we were briefly away are still delivered when it has them.
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False, protocol=mqtt.MQTTv311
        )
        client.max_inflight_messages_set(200)
        client.max_queued_messages_set(1000)
        client.reconnect_delay_set(min_delay=1, max_delay=4)
        if address.username:
            client.username_pw_set(address.username, address.password)
        if address.tls:
            client.tls_set(ca_certs=address.ca_file, cert_reqs=ssl.CERT_REQUIRED)
        if will is not None:
            client.will_set(will.topic, will.offline, qos=1, retain=True)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_socket_open = self._on_socket_open
        self.keepalive = keepalive
        self.client = client

    @property
    def connected(self) -> bool:
        """True between the broker's CONNACK and the loss of the connection."""
        return self._connected.is_set()

    def start(self) -> None:
        """Connect in the background and keep reconnecting until ``stop``."""
        self.client.connect_async(self.address.host, self.address.port, keepalive=self.keepalive)
        self.client.loop_start()

    def stop(self) -> None:
        """Say goodbye (offline presence) and close the connection."""
        if self.will is not None and self.connected:
            with contextlib.suppress(Exception):
                self.client.publish(self.will.topic, self.will.offline, qos=1, retain=True).wait_for_publish(2)
        self.client.disconnect()
        self.client.loop_stop()
        self._connected.clear()

    def wait_connected(self, timeout: float) -> bool:
        """Block until connected or ``timeout`` seconds passed."""
        return self._connected.wait(timeout)

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> bool:
        """Hand a QoS 1 message to the broker if connected; False means the caller's resend will cover it."""
        if not self.connected:
            return False
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        return info.rc == mqtt.MQTT_ERR_SUCCESS

    def _on_socket_open(self, _client: mqtt.Client, _userdata: object, sock: object) -> None:
        # Without TCP_NODELAY Nagle holds small acks back for 40-90 ms per round trip.
        raw = getattr(sock, "setsockopt", None)
        if raw is not None:
            with contextlib.suppress(OSError):
                raw(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _on_connect(
        self,
        client: mqtt.Client,
        _userdata: object,
        _flags: object,
        reason_code: ReasonCode,
        _properties: object,
    ) -> None:
        if reason_code.is_failure:
            log.warning("broker refused connection: %s", reason_code)
            return
        for topic in self.subscriptions:
            client.subscribe(topic, qos=1)
        if self.will is not None:
            client.publish(self.will.topic, self.will.online(), qos=1, retain=True)
        self.connects += 1
        self._connected.set()
        log.info("connected to broker %s:%s", self.address.host, self.address.port)
        if self.on_connected is not None:
            self.on_connected()

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: object, _flags: object, reason_code: object, _properties: object
    ) -> None:
        self._connected.clear()
        log.info("disconnected from broker: %s", reason_code)

    def _on_message(self, _client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage) -> None:
        try:
            self.on_message(message.topic, bytes(message.payload))
        except Exception:
            # A bad message must not kill the network loop; the protocols log and quarantine.
            log.exception("handling a message on %s failed", message.topic)
