"""``stockyard demo``: broker, central and both edges start, answer, stop on Ctrl-C, and keep their data."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from edge.bench import free_port
from tests.services import MOSQUITTO, require, wait_for_port
from tests.sync.helpers import wait_until

READY = "Stockyard demo is running"


class Demo:
    def __init__(self, data_dir: Path) -> None:
        self.ports = {"central": free_port(), "W1": free_port(), "S1": free_port(), "mqtt": free_port()}
        argv = [
            sys.executable, "-m", "central.cli", "demo", "--data-dir", str(data_dir),
            "--central-port", str(self.ports["central"]), "--w1-port", str(self.ports["W1"]),
            "--s1-port", str(self.ports["S1"]), "--mqtt-port", str(self.ports["mqtt"]),
        ]  # fmt: skip
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_ready(self, timeout: float) -> float:
        start = time.monotonic()
        while READY not in self.output:
            assert self.process.poll() is None, f"demo exited early:\n{self.output}"
            assert time.monotonic() - start < timeout, f"demo not ready in {timeout}s:\n{self.output}"
            time.sleep(0.2)
        return time.monotonic() - start

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=60)
        self.reader.join(timeout=5)
        return code


def test_demo_runs_everything_and_keeps_its_data(tmp_path):
    require("Mosquitto", Path(MOSQUITTO).exists(), "apt-get install mosquitto")
    demo = Demo(tmp_path / "demo")
    try:
        demo.wait_ready(timeout=240)  # includes seeding the demo company on first start
        for name in ("central", "W1", "S1"):
            health = httpx.get(f"http://127.0.0.1:{demo.ports[name]}/healthz", timeout=5).json()
            assert health["status"] == "ok"
        wait_for_port(demo.ports["mqtt"])
        for expected in ("Central office:", "Edge W1:", "Edge S1:", "mqtt://", "admin", "PIN 1234", "заказ "):
            assert expected in demo.output
        for site in ("W1", "S1"):
            # Both edges take central's snapshot over the demo broker: the sync is part of the demo.
            edge = f"http://127.0.0.1:{demo.ports[site]}"

            def bootstrapped(edge: str = edge) -> bool:
                return bool(httpx.get(edge + "/api/v1/sync", timeout=5).json()["bootstrapped"])

            wait_until(bootstrapped, 60, f"{site} to take central's snapshot")
        items = httpx.get(f"http://127.0.0.1:{demo.ports['W1']}/api/v1/items", timeout=10).json()
        assert len(items) >= 2000
        shop = httpx.get(f"http://127.0.0.1:{demo.ports['S1']}/shopfloor?station=Пост-1", timeout=10)
        assert shop.status_code == 200
        assert "Shop-floor terminal:" in demo.output
        with httpx.Client(base_url=f"http://127.0.0.1:{demo.ports['central']}") as client:
            home = client.post("/login", data={"login": "admin", "password": "demo"}, follow_redirects=True)
            assert home.status_code == 200
            assert "Номенклатура" in home.text
    finally:
        code = demo.interrupt()
    assert code == 0, demo.output
    assert "Stopped." in demo.output
    for port in demo.ports.values():
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)

    again = Demo(tmp_path / "demo")
    try:
        seconds = again.wait_ready(timeout=60)
        assert "Загружаю демонстрационную компанию" not in again.output
        assert seconds < 60
    finally:
        assert again.interrupt() == 0
