"""Real processes for the fault tests: a restartable Mosquitto, central and edges, each killable with -9."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from edge.bench import free_port
from tests.services import MOSQUITTO, require, wait_for_port

STOCKYARD = str(Path(sys.executable).parent / "stockyard")


@dataclass
class Proc:
    """A child process with its log file; ``kill()`` is SIGKILL, no goodbye."""

    name: str
    argv: list[str]
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.argv, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **self.env}, start_new_session=True
            )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Cluster:
    """Broker + central + edges in ``tmp``: ``with Cluster(tmp, url, ["W1"]) as c: c.edge_url("W1")``."""

    def __init__(
        self, tmp: Path, central_url: str, sites: list[str], broker_config: str = "", env: dict[str, str] | None = None
    ) -> None:
        require("Mosquitto", Path(MOSQUITTO).exists(), "apt-get install mosquitto")
        self.tmp = tmp
        self.central_db_url = central_url
        self.mqtt_port = free_port()
        self.broker_conf = tmp / "mosquitto.conf"
        self.broker_conf.write_text(
            f"listener {self.mqtt_port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            f"set_tcp_nodelay true\n{broker_config}"
        )
        self.broker = Proc("mosquitto", [MOSQUITTO, "-c", str(self.broker_conf)], tmp / "mosquitto.log")
        self.central_port = free_port()
        mqtt = f"mqtt://127.0.0.1:{self.mqtt_port}"
        self.central = Proc(
            "central",
            [STOCKYARD, "central", "--port", str(self.central_port), "--database-url", central_url, "--mqtt-url", mqtt],
            tmp / "central.log",
            env=env or {},
        )
        self.edges: dict[str, Proc] = {}
        self.edge_ports: dict[str, int] = {}
        for site in sites:
            port = free_port()
            self.edge_ports[site] = port
            self.edges[site] = Proc(
                f"edge-{site}",
                [STOCKYARD, "edge", "--site", site, "--port", str(port), "--host", "127.0.0.1", *edge_args(tmp, mqtt)],
                tmp / f"edge-{site}.log",
                env=env or {},
            )

    def __enter__(self) -> Cluster:
        self.start_broker()
        self.start_central()
        for site in self.edges:
            self.start_edge(site)
        return self

    def __exit__(self, *_exc: object) -> None:
        for proc in [*self.edges.values(), self.central, self.broker]:
            with contextlib.suppress(Exception):
                proc.resume() if proc.alive else None
            proc.stop()

    def start_broker(self) -> None:
        self.broker.start()
        wait_for_port(self.mqtt_port)

    def start_central(self) -> None:
        self.central.start()
        wait_healthy(f"http://127.0.0.1:{self.central_port}/healthz", 60)

    def start_edge(self, site: str) -> float:
        """Start an edge; return the seconds until it answers its health check."""
        started = time.monotonic()
        self.edges[site].start()
        wait_healthy(self.edge_url(site) + "/healthz", 60)
        return time.monotonic() - started

    def edge_url(self, site: str) -> str:
        return f"http://127.0.0.1:{self.edge_ports[site]}"

    def edge_db(self, site: str) -> Path:
        return self.tmp / "edges" / f"{site}.db"

    def edge_sync(self, site: str) -> dict[str, Any]:
        return dict(httpx.get(self.edge_url(site) + "/api/v1/sync", timeout=5).json())


def edge_args(tmp: Path, mqtt: str) -> list[str]:
    return ["--data-dir", str(tmp / "edges"), "--mqtt-url", mqtt]


def wait_healthy(url: str, timeout: float) -> None:
    """Poll ``url`` until it answers 200; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} not healthy after {timeout}s")
        time.sleep(0.05)
