"""One MQTT identity per site (SYNC-2), proven against a real Mosquitto, and TLS with a throwaway CA.

The password file and ACL come from ``sync.broker``; the broker is Debian's Mosquitto on loopback. A
refusal is proven by what does NOT arrive: each forged message is followed by an allowed one from the same
client, and the allowed one arriving while the forged one never does shows the broker dropped it.
"""

from __future__ import annotations

import base64
import contextlib
import os
import pwd
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from click.testing import CliRunner
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from central.sync.broker_config import mqtt_config
from edge.bench import free_port
from sync import topics
from sync.broker import (
    BrokerFiles,
    acl_text,
    default_central_password,
    mosquitto_password_line,
    site_password,
    write_broker_config,
)
from sync.transport import BrokerAddress, MqttLink
from tests.services import MosquittoBroker, mosquitto_broker, require, wait_for_port

SECRET = "test-secret-key-for-broker-security"
SITES = ["W1", "S1"]
MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd"
OPENSSL = "/usr/bin/openssl"
WAIT = 5.0
QUIET = 0.5
"""How long a refused message gets to show up anyway, after its allowed successor arrived."""


# ---------------------------------------------------------------------------------------------- helpers


@contextlib.contextmanager
def broker_readable_dir() -> Iterator[Path]:
    """A directory Mosquitto can read after it drops to its own user (it does when started as root)."""
    path = Path(tempfile.mkdtemp(prefix="stockyard-broker-"))
    try:
        path.chmod(0o711)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def hand_to_mosquitto(*files: Path) -> None:
    """``chown mosquitto:`` as an operator does: Mosquitto reads the password file and ACL as its own user."""
    if os.geteuid() != 0:
        return
    user = pwd.getpwnam("mosquitto")
    for path in files:
        os.chown(path, user.pw_uid, user.pw_gid)


def broker_settings(files: BrokerFiles) -> str:
    """The generated snippet minus its ``listener`` line: the test helper supplies a loopback listener."""
    text = files.config_file.read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.startswith("listener ")) + "\n"


@dataclass
class Client:
    """A paho client that records its CONNACK and the messages it receives."""

    user: str | None
    password: str | None
    port: int
    name: str
    connack: queue.Queue[ReasonCode] = field(default_factory=queue.Queue)
    messages: queue.Queue[tuple[str, bytes]] = field(default_factory=queue.Queue)
    subacks: queue.Queue[list[ReasonCode]] = field(default_factory=queue.Queue)
    client: mqtt.Client | None = None

    def start(self) -> ReasonCode:
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.name, protocol=mqtt.MQTTv311)
        if self.user is not None:
            client.username_pw_set(self.user, self.password)
        client.on_connect = lambda _c, _u, _f, rc, _p: self.connack.put(rc)
        client.on_message = lambda _c, _u, m: self.messages.put((m.topic, bytes(m.payload)))
        client.on_subscribe = lambda _c, _u, _mid, rcs, _p: self.subacks.put(rcs)
        client.reconnect_delay_set(min_delay=1, max_delay=1)
        client.connect("127.0.0.1", self.port, keepalive=10)
        client.loop_start()
        self.client = client
        try:
            return self.connack.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError(f"{self.name}: no CONNACK within {WAIT}s") from None

    def subscribe(self, *topic_filters: str) -> None:
        assert self.client is not None
        for topic_filter in topic_filters:
            self.client.subscribe(topic_filter, qos=1)
            self.subacks.get(timeout=WAIT)

    def publish(self, topic: str, payload: bytes) -> None:
        assert self.client is not None
        info = self.client.publish(topic, payload, qos=1)
        info.wait_for_publish(WAIT)  # the broker's PUBACK; with MQTT 3.1.1 it is sent even when the ACL denies
        assert info.is_published(), f"{self.name}: no PUBACK for {topic}"

    def wait_for(self, payload: bytes, timeout: float = WAIT) -> list[tuple[str, bytes]]:
        """Everything received until ``payload`` arrives (inclusive); fail if it does not within ``timeout``."""
        seen: list[tuple[str, bytes]] = []
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{self.name} did not receive {payload!r} within {timeout}s; got {seen}")
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                continue
            seen.append(message)
            if message[1] == payload:
                return seen

    def drain(self, quiet: float = QUIET) -> list[tuple[str, bytes]]:
        """What else arrives within ``quiet`` seconds."""
        seen: list[tuple[str, bytes]] = []
        deadline = time.monotonic() + quiet
        while (remaining := deadline - time.monotonic()) > 0:
            with contextlib.suppress(queue.Empty):
                seen.append(self.messages.get(timeout=remaining))
        return seen

    def stop(self) -> None:
        if self.client is not None:
            self.client.disconnect()
            self.client.loop_stop()


@contextlib.contextmanager
def connected(port: int, user: str | None, password: str | None, name: str) -> Iterator[Client]:
    client = Client(user=user, password=password, port=port, name=name)
    try:
        rc = client.start()
        assert not rc.is_failure, f"{name} ({user}) was refused: {rc}"
        yield client
    finally:
        client.stop()


def connect_result(port: int, user: str | None, password: str | None, name: str) -> ReasonCode:
    client = Client(user=user, password=password, port=port, name=name)
    try:
        return client.start()
    finally:
        client.stop()


# --------------------------------------------------------------------------------------------- fixtures


@pytest.fixture
def broker_files() -> Iterator[BrokerFiles]:
    with broker_readable_dir() as out:
        files = write_broker_config(out / "broker", SECRET, SITES, broker_host="127.0.0.1")
        files.directory.chmod(0o711)
        hand_to_mosquitto(files.password_file, files.acl_file)
        yield files


@pytest.fixture
def secured(broker_files: BrokerFiles) -> Iterator[MosquittoBroker]:
    with mosquitto_broker(extra_config=broker_settings(broker_files)) as broker:
        yield broker


def central_login() -> tuple[str, str]:
    return "central", default_central_password(SECRET)


def site_login(site: str) -> tuple[str, str]:
    return site, site_password(SECRET, site)


# ------------------------------------------------------------------------------------- pure: the files


def test_password_line_is_mosquitto_passwd_format_byte_for_byte(tmp_path: Path) -> None:
    require("mosquitto_passwd", Path(MOSQUITTO_PASSWD).exists(), "apt-get install mosquitto")
    reference = tmp_path / "passwd"
    subprocess.run([MOSQUITTO_PASSWD, "-c", "-b", str(reference), "W1", "pässword 1"], check=True)
    line = reference.read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"W1:\$7\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)", line)
    assert match, line
    salt = base64.b64decode(match.group(2))
    assert mosquitto_password_line("W1", "pässword 1", salt=salt, iterations=int(match.group(1))) == line


def test_password_lines_get_fresh_salts() -> None:
    first, second = mosquitto_password_line("W1", "pw"), mosquitto_password_line("W1", "pw")
    assert first != second
    assert first.startswith("W1:$7$101$")


def test_site_passwords_are_derived_stable_and_distinct() -> None:
    assert site_password(SECRET, "W1") == site_password(SECRET, "W1")
    assert site_password(SECRET, "W1") != site_password(SECRET, "S1")
    assert site_password(SECRET, "W1") != site_password("another-secret", "W1")
    assert site_password(SECRET, "W1") != default_central_password(SECRET)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", site_password(SECRET, "W1"))


@pytest.mark.parametrize("bad", ["w1", "W1/#", "W+", "", "W1\nuser central", "central"])
def test_site_codes_that_could_escape_the_acl_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="upper-case letters and digits"):
        acl_text([bad])


def test_acl_lists_exactly_each_sites_topics() -> None:
    text = acl_text(["W1", "S1", "W1"])
    assert text.count("user W1\n") == 1
    blocks = {block.splitlines()[0]: block.splitlines()[1:] for block in text.split("\n\n")[1:]}
    assert blocks["user central"] == ["topic readwrite stockyard/v1/#"]
    assert sorted(blocks["user W1"]) == sorted(
        [
            "topic write stockyard/v1/site/W1/up",
            "topic write stockyard/v1/site/W1/down/ack",
            "topic write stockyard/v1/site/W1/status",
            "topic read stockyard/v1/site/W1/up/ack",
            "topic read stockyard/v1/site/W1/down",
            "topic read stockyard/v1/central/status",
        ]
    )
    # Nothing before the first user line: such lines would apply to anonymous clients.
    assert [line for line in text.split("\nuser ", 1)[0].splitlines() if line and not line.startswith("#")] == []


def test_files_and_modes(tmp_path: Path) -> None:
    files = write_broker_config(tmp_path / "out", SECRET, ["W1"], broker_host="hub.lan", broker_port=1884)
    for secret_file in (files.password_file, files.acl_file, files.central_credentials, files.site_credentials["W1"]):
        assert secret_file.stat().st_mode & 0o777 == 0o600, secret_file
    conf = files.config_file.read_text(encoding="utf-8")
    for line in (
        f"password_file {files.password_file}",
        f"acl_file {files.acl_file}",
        "allow_anonymous false",
        "per_listener_settings false",
        "set_tcp_nodelay true",
        "persistence false",
        "listener 1884",
    ):
        assert f"\n{line}\n" in conf, line
    env = files.site_credentials["W1"].read_text(encoding="utf-8")
    assert f"STOCKYARD_MQTT_URL=mqtt://W1:{site_password(SECRET, 'W1')}@hub.lan:1884\n" in env
    address = BrokerAddress.parse(env.split("STOCKYARD_MQTT_URL=")[1].strip())
    assert (address.username, address.password, address.host, address.port) == (
        "W1",
        site_password(SECRET, "W1"),
        "hub.lan",
        1884,
    )
    assert [line.split(":")[0] for line in files.password_file.read_text().splitlines()] == ["central", "W1"]


# ------------------------------------------------------------------------------- real Mosquitto: logins


def test_mosquitto_accepts_our_hash_and_refuses_a_wrong_password() -> None:
    """The real proof of the hash format: Mosquitto checks our line, computed without mosquitto_passwd."""
    with broker_readable_dir() as out:
        password_file = out / "passwords"
        password_file.write_text(mosquitto_password_line("alice", "correct horse") + "\n", encoding="utf-8")
        password_file.chmod(0o600)
        hand_to_mosquitto(password_file)
        with mosquitto_broker(extra_config=f"allow_anonymous false\npassword_file {password_file}\n") as broker:
            assert not connect_result(broker.port, "alice", "correct horse", "ok").is_failure
            assert connect_result(broker.port, "alice", "correct horsE", "wrong").is_failure
            assert connect_result(broker.port, "bob", "correct horse", "unknown").is_failure


def test_logins(secured: MosquittoBroker) -> None:
    port = secured.port
    assert not connect_result(port, *central_login(), "central").is_failure
    assert not connect_result(port, *site_login("W1"), "w1").is_failure
    assert not connect_result(port, *site_login("S1"), "s1").is_failure
    assert connect_result(port, "W1", site_password(SECRET, "W1") + "x", "wrong").is_failure
    assert connect_result(port, "W1", site_password(SECRET, "S1"), "swapped").is_failure
    assert connect_result(port, "W1", site_password("another-secret", "W1"), "other-secret").is_failure
    assert connect_result(port, "central", site_password(SECRET, "W1"), "central-with-site-pw").is_failure
    assert connect_result(port, None, None, "anonymous").is_failure
    assert connect_result(port, "X9", "anything", "unknown").is_failure


# --------------------------------------------------------------------------------- real Mosquitto: ACL


def test_a_site_uses_its_own_topics(secured: MosquittoBroker) -> None:
    port = secured.port
    with connected(port, *central_login(), "central") as central, connected(port, *site_login("W1"), "w1") as w1:
        central.subscribe(f"{topics.ROOT}/#")
        w1.subscribe(topics.up_ack("W1"), topics.down("W1"), topics.CENTRAL_STATUS)

        for n, topic in enumerate((topics.up("W1"), topics.down_ack("W1"), topics.status("W1"))):
            w1.publish(topic, b"w1-%d" % n)
            assert central.wait_for(b"w1-%d" % n)[-1] == (topic, b"w1-%d" % n)

        for n, topic in enumerate((topics.up_ack("W1"), topics.down("W1"), topics.CENTRAL_STATUS)):
            central.publish(topic, b"central-%d" % n)
            assert w1.wait_for(b"central-%d" % n)[-1] == (topic, b"central-%d" % n)


def test_a_site_cannot_write_another_sites_or_centrals_topics(secured: MosquittoBroker) -> None:
    port = secured.port
    with connected(port, *central_login(), "central") as central, connected(port, *site_login("W1"), "w1") as w1:
        central.subscribe(f"{topics.ROOT}/#")
        forged = [
            topics.up("S1"),  # events in S1's name
            topics.down_ack("S1"),
            topics.status("S1"),
            topics.down("S1"),
            topics.up_ack("S1"),
            topics.down("W1"),  # central's tasks to itself
            topics.up_ack("W1"),
            topics.CENTRAL_STATUS,
            f"{topics.ROOT}/site/W1/other",
            "elsewhere/topic",
        ]
        for topic in forged:
            w1.publish(topic, b"forged")
        # Same client, QoS 1: Mosquitto forwards in order, so once this arrives a forged one never will.
        w1.publish(topics.up("W1"), b"allowed")
        received = central.wait_for(b"allowed")
        received += central.drain()
        assert [m for m in received if m[1] == b"forged"] == []


def test_a_site_cannot_read_another_sites_topics(secured: MosquittoBroker) -> None:
    port = secured.port
    with (
        connected(port, *central_login(), "central") as central,
        connected(port, *site_login("W1"), "w1") as w1,
        connected(port, *site_login("S1"), "s1") as s1,
    ):
        w1.subscribe(topics.down("S1"), topics.up_ack("S1"), f"{topics.site_root('S1')}/#", "#", topics.down("W1"))
        s1.subscribe(f"{topics.ROOT}/#")  # S1 asks for everything; it must get only its own readable topics

        for topic in (topics.down("S1"), topics.up_ack("S1"), topics.status("S1")):
            central.publish(topic, b"for-s1")
        s1.publish(topics.up("S1"), b"s1-event")  # S1's own upload: W1 must not see it
        central.publish(topics.down("W1"), b"for-w1")

        received = w1.wait_for(b"for-w1")
        received += w1.drain()
        assert {topic for topic, _ in received} == {topics.down("W1")}
        s1_received = s1.wait_for(b"for-s1")
        s1_received += s1.drain()
        # S1 subscribed to the whole tree but may read only its own down and up/ack.
        assert {topic for topic, _ in s1_received} <= {topics.down("S1"), topics.up_ack("S1")}
        assert all(payload != b"for-w1" for _, payload in s1_received)


def test_a_site_cannot_read_another_sites_retained_status(secured: MosquittoBroker) -> None:
    port = secured.port
    with connected(port, *site_login("S1"), "s1") as s1:
        assert s1.client is not None
        s1.client.publish(topics.status("S1"), b"online", qos=1, retain=True).wait_for_publish(WAIT)
    with connected(port, *central_login(), "central") as central:
        central.subscribe(topics.status("S1"))
        assert central.wait_for(b"online")  # it is retained
        assert central.client is not None
        central.client.publish(topics.CENTRAL_STATUS, b"central-online", qos=1, retain=True).wait_for_publish(WAIT)
    with connected(port, *site_login("W1"), "w1") as w1:
        w1.subscribe(topics.status("S1"), topics.CENTRAL_STATUS)
        received = w1.wait_for(b"central-online")  # the retained status W1 may read arrives ...
        received += w1.drain()
        assert all(topic != topics.status("S1") for topic, _ in received), received  # ... S1's never does


def test_site_links_through_mqtt_link(secured: MosquittoBroker) -> None:
    """The transport the edge really uses, with the URL from the site's credentials file."""
    got: queue.Queue[tuple[str, bytes]] = queue.Queue()
    central_url = f"mqtt://central:{default_central_password(SECRET)}@127.0.0.1:{secured.port}"
    w1_url = f"mqtt://W1:{site_password(SECRET, 'W1')}@127.0.0.1:{secured.port}"
    central = MqttLink(
        BrokerAddress.parse(central_url), "t-central", [f"{topics.ROOT}/#"], lambda t, p: got.put((t, p))
    )
    edge = MqttLink(BrokerAddress.parse(w1_url), "t-edge-W1", [topics.down("W1")], lambda t, p: None)
    central.start()
    edge.start()
    try:
        assert central.wait_connected(WAIT) and edge.wait_connected(WAIT)
        time.sleep(0.2)  # subscriptions are sent right after CONNACK
        assert edge.publish(topics.up("W1"), b"via-link")
        assert got.get(timeout=WAIT) == (topics.up("W1"), b"via-link")
    finally:
        edge.stop()
        central.stop()


# ------------------------------------------------------------------------------------------- the command


def test_mqtt_config_command_reads_sites_from_central(central_url: str) -> None:
    with broker_readable_dir() as tmp:
        out = tmp / "broker"
        result = CliRunner().invoke(
            mqtt_config,
            ["--out", str(out), "--database-url", central_url, "--broker-host", "127.0.0.1", "--broker-port", "1999"],
            env={"STOCKYARD_SECRET_KEY": SECRET},
        )
        assert result.exit_code == 0, result.output
        assert "Next steps" in result.output
        assert "development secret" not in result.output
        users = [line.split(":")[0] for line in (out / "passwords").read_text().splitlines()]
        assert users == ["central", "S1", "W1"]
        env = (out / "credentials" / "W1.env").read_text()
        assert f"mqtt://W1:{site_password(SECRET, 'W1')}@127.0.0.1:1999" in env
        assert "user S1" in (out / "acl").read_text()


def test_mqtt_config_warns_on_the_development_secret(central_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        mqtt_config, ["--out", str(tmp_path / "o"), "--database-url", central_url], env={"STOCKYARD_SECRET_KEY": None}
    )
    assert result.exit_code == 0, result.output
    assert "development secret" in result.output
    assert "BROKER_HOST" in result.output


def test_mqtt_config_refuses_a_bad_output_dir(central_url: str, tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    result = CliRunner().invoke(mqtt_config, ["--out", str(a_file / "sub"), "--database-url", central_url])
    assert result.exit_code == 1
    assert "Cannot write the broker files into" in result.output
    assert "Traceback" not in result.output


# ------------------------------------------------------------------------------------------------- TLS


@dataclass
class Pki:
    ca: Path
    other_ca: Path
    cert: Path
    key: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _make_ca(directory: Path, name: str) -> None:
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", f"/CN=Stockyard test {name}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=directory,
    )  # fmt: skip


@pytest.fixture
def pki() -> Iterator[Pki]:
    require("openssl", Path(OPENSSL).exists(), "apt-get install openssl")
    with broker_readable_dir() as d:
        _make_ca(d, "ca")
        _make_ca(d, "other-ca")
        _openssl(
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost",
            cwd=d,
        )  # fmt: skip
        (d / "server.ext").write_text(
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature\n"
            "extendedKeyUsage=serverAuth\n"
            "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
            "authorityKeyIdentifier=keyid\n"
        )
        _openssl(
            "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
            cwd=d,
        )  # fmt: skip
        for name in ("ca.pem", "other-ca.pem", "server.pem"):
            (d / name).chmod(0o644)
        hand_to_mosquitto(d / "server.key")
        yield Pki(ca=d / "ca.pem", other_ca=d / "other-ca.pem", cert=d / "server.pem", key=d / "server.key")


@contextlib.contextmanager
def tls_broker(pki: Pki, files: BrokerFiles) -> Iterator[int]:
    """The secured broker with a second, TLS listener on loopback; yields the TLS port."""
    tls_port = free_port()
    config = (
        broker_settings(files)
        + f"listener {tls_port} 127.0.0.1\ncafile {pki.ca}\ncertfile {pki.cert}\nkeyfile {pki.key}\n"
    )
    with mosquitto_broker(extra_config=config):
        wait_for_port(tls_port)
        yield tls_port


def test_mqtts_round_trip_with_a_throwaway_ca(pki: Pki, broker_files: BrokerFiles) -> None:
    got: queue.Queue[tuple[str, bytes]] = queue.Queue()
    arrived = threading.Event()

    def on_central(topic: str, payload: bytes) -> None:
        got.put((topic, payload))
        arrived.set()

    with tls_broker(pki, broker_files) as port:
        central_url = f"mqtts://central:{default_central_password(SECRET)}@127.0.0.1:{port}?ca={pki.ca}"
        w1_url = f"mqtts://W1:{site_password(SECRET, 'W1')}@127.0.0.1:{port}?ca={pki.ca}"
        edge_got: queue.Queue[tuple[str, bytes]] = queue.Queue()
        central = MqttLink(BrokerAddress.parse(central_url), "tls-central", [topics.up("W1")], on_central)
        edge = MqttLink(
            BrokerAddress.parse(w1_url), "tls-edge-W1", [topics.down("W1")], lambda t, p: edge_got.put((t, p))
        )
        assert central.address.tls and central.address.ca_file == str(pki.ca)
        central.start()
        edge.start()
        try:
            assert central.wait_connected(WAIT), "central did not connect over TLS"
            assert edge.wait_connected(WAIT), "the edge did not connect over TLS"
            time.sleep(0.2)  # subscriptions go out right after CONNACK
            assert edge.publish(topics.up("W1"), b"over-tls")
            assert got.get(timeout=WAIT) == (topics.up("W1"), b"over-tls")
            assert central.publish(topics.down("W1"), b"back-over-tls")
            assert edge_got.get(timeout=WAIT) == (topics.down("W1"), b"back-over-tls")
        finally:
            edge.stop()
            central.stop()


def test_mqtts_refuses_a_broker_signed_by_another_ca(pki: Pki, broker_files: BrokerFiles) -> None:
    with tls_broker(pki, broker_files) as port:
        url = f"mqtts://W1:{site_password(SECRET, 'W1')}@127.0.0.1:{port}?ca={pki.other_ca}"
        link = MqttLink(BrokerAddress.parse(url), "tls-wrong-ca", [], lambda t, p: None)
        link.start()
        try:
            assert not link.wait_connected(3.0), "connected to a broker whose certificate we do not trust"
        finally:
            link.stop()
        # and the right CA still works on the same broker, so the refusal was the CA, not the broker
        good = MqttLink(
            BrokerAddress.parse(url.replace(str(pki.other_ca), str(pki.ca))), "tls-right-ca", [], lambda t, p: None
        )
        good.start()
        try:
            assert good.wait_connected(WAIT)
        finally:
            good.stop()
