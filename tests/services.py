"""Real servers for the tests: PostgreSQL, Mosquitto and Chromium from Debian's packages.

A test that needs one of them fails (never skips) when ``CI=true``; on a developer's machine without the
package it is skipped with the install command in the reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from edge.bench import free_port

if TYPE_CHECKING:
    from playwright.sync_api import Page

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(what: str, found: bool, install: str) -> None:
    """Fail in CI, skip elsewhere, when a real dependency is missing."""
    if found:
        return
    message = f"{what} is not installed; run `{install}` (make test does it)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def wait_for_port(port: int, timeout: float = 20.0, host: str = "127.0.0.1") -> None:
    """Block until something accepts on ``host:port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


def _pg_bin() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return versions[-1].parent if versions else None


@dataclass
class PostgresServer:
    port: int
    data_dir: Path
    process: subprocess.Popen[bytes]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster on a loopback port, as the ``postgres`` OS user when we are root."""
    bindir = _pg_bin()
    require("PostgreSQL", bindir is not None, "apt-get install postgresql")
    assert bindir is not None
    as_root = os.geteuid() == 0
    tmp = Path(tempfile.mkdtemp(prefix="stockyard-pg-"))
    data = tmp / "data"
    if as_root:
        shutil.chown(tmp, "postgres", "postgres")
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    process = subprocess.Popen(
        [
            *prefix,
            str(bindir / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={tmp}",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=200",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        server = PostgresServer(port=port, data_dir=data, process=process)
        _wait_pg_ready(server)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


def _wait_pg_ready(server: PostgresServer, timeout: float = 20.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(server.url(), connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@dataclass
class MosquittoBroker:
    port: int
    process: subprocess.Popen[bytes]
    config: Path

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"


MOSQUITTO = "/usr/sbin/mosquitto"


@contextlib.contextmanager
def mosquitto_broker(extra_config: str = "") -> Iterator[MosquittoBroker]:
    """A Mosquitto broker on a loopback port, without persistence, anonymous unless configured."""
    require("Mosquitto", Path(MOSQUITTO).exists(), "apt-get install mosquitto")
    tmp = Path(tempfile.mkdtemp(prefix="stockyard-mqtt-"))
    port = free_port()
    config = tmp / "mosquitto.conf"
    allow_anonymous = "" if "allow_anonymous" in extra_config else "allow_anonymous true\n"
    config.write_text(
        f"listener {port} 127.0.0.1\n{allow_anonymous}persistence false\nset_tcp_nodelay true\n{extra_config}"
    )
    process = subprocess.Popen([MOSQUITTO, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield MosquittoBroker(port=port, process=process, config=config)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Debian's Chromium, which Playwright drives through ``executable_path``."""
    require("Chromium", Path(CHROMIUM).exists(), "apt-get install chromium")
    return CHROMIUM


@contextlib.contextmanager
def serve_app(app: object) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a thread on a free loopback port; yields its base URL."""
    import threading

    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def sign_in(page: Page, base: str, login: str, password: str = "demo") -> None:
    """Sign in to the office through its login form, as a person would: ``sign_in(page, base, "dispatcher")``."""
    if not page.url.startswith(base + "/login"):
        page.goto(base + "/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
