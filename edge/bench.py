"""``stockyard bench scans``: scan → durable commit → response through a real edge process's HTTP API."""

from __future__ import annotations

import contextlib
import http.client
import json
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import httpx
from argon2 import PasswordHasher
from stdnum import ean

from devices.barcodes import cell_barcode
from edge.readcopies import upsert
from edge.store import open_site_database, write_transaction

SITE = "B1"
PIN = "1234"
BADGE_PREFIX = "22"


def _ean13(first12: str) -> str:
    return first12 + ean.calc_check_digit(first12)


def build_site(data_dir: Path, items: int, cells: int, terminals: int) -> dict[str, list[str]]:
    """A synthetic site on disk with read copies as central would send them; returns the codes to scan."""
    db = open_site_database(data_dir / f"{SITE}.db")
    item_codes = [_ean13(f"46{i:010d}") for i in range(items)]
    cell_ids = list(range(1, cells + 1))
    pin_hash = PasswordHasher().hash(PIN)
    badges = [_ean13(f"{BADGE_PREFIX}{n:010d}") for n in range(1, terminals + 1)]
    with write_transaction(db):
        upsert(
            db,
            "items",
            (
                {
                    "sku": f"SKU-{i:05d}",
                    "name": f"Товар {i}",
                    "ean13": code,
                    "uom": "шт",
                    "serialized": 0,
                    "lot_tracked": 0,
                }
                for i, code in enumerate(item_codes)
            ),
        )
        upsert(
            db,
            "cells",
            ({"id": c, "address": f"A-{c:05d}", "barcode": cell_barcode(c), "kind": "receiving"} for c in cell_ids),
        )
        upsert(
            db,
            "staff",
            ({"badge": b, "full_name": f"Оператор {b}", "role": "picker", "pin_hash": pin_hash} for b in badges),
        )
    db.conn.close()
    return {"items": item_codes, "cells": [cell_barcode(c) for c in cell_ids], "badges": badges}


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


# Ports below the kernel's ephemeral range, in a random order per test process: a port the kernel hands out
# for binding to 0 may be taken by an outgoing connection (a client of the broker) before the server binds it.
_PORTS = iter(random.sample(range(20000, _ephemeral_low()), k=_ephemeral_low() - 20000))


def free_port() -> int:
    """A TCP port on loopback that nobody uses right now and no outgoing connection will take: ``free_port()``."""
    for port in _PORTS:
        with socket.socket() as s, contextlib.suppress(OSError):
            s.bind(("127.0.0.1", port))
            return port
    raise RuntimeError("no free TCP port left below the ephemeral range")


@contextmanager
def running_edge(data_dir: Path) -> Iterator[str]:
    """Start ``stockyard edge`` for the bench site as its own process; yield its base URL."""
    port = free_port()
    argv = [sys.executable, "-m", "central.cli", "--log-level", "WARNING", "edge", "--site", SITE]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise click.ClickException("the bench edge did not start; run `stockyard edge` by hand to see why")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def _scan_loop(
    client: httpx.Client, workstation: str, codes: dict[str, list[str]], n: int, offset: int, seqs: list[int]
) -> list[float]:
    """Receive cycles: item, item, cell — each scan a durable commit (journal row; every third a receipt)."""
    latencies: list[float] = []
    items, cells = codes["items"], codes["cells"]
    for i in range(n):
        k = offset + i // 3
        code = cells[k % len(cells)] if i % 3 == 2 else items[k % len(items)]
        started = time.perf_counter()
        answer = client.post("/api/v1/scans", json={"workstation": workstation, "code": code})
        latencies.append(time.perf_counter() - started)
        if answer.status_code != 200 or not answer.json()["ok"]:
            raise click.ClickException(f"scan {code} was refused: {answer.text}")
        seqs.extend(answer.json()["event_seqs"])
    return latencies


class _Terminal:
    """One concurrent terminal on its own keep-alive connection (http.client: the client's own cost stays small,
    so the figure is the edge's, not the bench's)."""

    def __init__(self, base: str, workstation: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        self.workstation = workstation
        self.seqs: list[int] = []  # the outbox events the edge acknowledged to this terminal

    def post(self, path: str, body: dict[str, object]) -> dict[str, object]:
        self.conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = self.conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise click.ClickException(f"{path}: HTTP {response.status} {data[:200]!r}")
        answer: dict[str, object] = json.loads(data)
        return answer

    def scans(self, codes: dict[str, list[str]], n: int, offset: int) -> list[float]:
        latencies: list[float] = []
        items, cells = codes["items"], codes["cells"]
        for i in range(n):
            k = offset + i // 3
            code = cells[k % len(cells)] if i % 3 == 2 else items[k % len(items)]
            started = time.perf_counter()
            answer = self.post("/api/v1/scans", {"workstation": self.workstation, "code": code})
            latencies.append(time.perf_counter() - started)
            if not answer["ok"]:
                raise click.ClickException(f"scan {code} was refused: {answer}")
            self.seqs.extend(answer["event_seqs"])  # type: ignore[arg-type]
        return latencies


def _login(client: httpx.Client, workstation: str, badge: str) -> None:
    client.post(f"/api/v1/terminal/{workstation}/login", json={"badge": badge, "pin": PIN}).raise_for_status()
    client.post(f"/api/v1/terminal/{workstation}/mode", json={"mode": "receive"}).raise_for_status()


def sqlite_reference(path: Path, commits: int) -> list[float]:
    """The physical floor: one small INSERT and COMMIT per row, WAL, synchronous=FULL."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT, at TEXT)")
    latencies = []
    for i in range(commits):
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (code, at) VALUES (?, ?)", [f"{i:013d}", "2026-11-23T00:00:00Z"])
        conn.execute("COMMIT")
        latencies.append(time.perf_counter() - started)
    conn.close()
    return latencies


def outbox_seqs(path: Path) -> list[int]:
    """The outbox sequence of the bench site after its edge stopped: ``outbox_seqs(Path("B1.db"))``."""
    conn = sqlite3.connect(path)
    try:
        return [int(row[0]) for row in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
    finally:
        conn.close()


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1] * 1000


@click.command("scans")
@click.option(
    "--scans", "total", type=click.IntRange(min=30), default=10_000, show_default=True, help="Sequential scans."
)
@click.option("--terminals", type=click.IntRange(min=1), default=20, show_default=True, help="Concurrent terminals.")
@click.option("--per-terminal", type=click.IntRange(min=3), default=300, show_default=True, help="Scans per terminal.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def scans_bench(total: int, terminals: int, per_terminal: int, as_json: bool) -> None:
    """Scan latency (p50/p99) and sustained scans/s through a real edge over HTTP, beside bare SQLite commits."""
    with tempfile.TemporaryDirectory(prefix="stockyard-bench-") as tmp:
        data_dir = Path(tmp)
        codes = build_site(data_dir, items=2000, cells=1000, terminals=terminals + 1)
        with running_edge(data_dir) as base:
            acknowledged: list[int] = []
            with httpx.Client(base_url=base, timeout=30) as client:
                _login(client, "bench-seq", codes["badges"][0])
                _scan_loop(client, "bench-seq", codes, 300, 0, acknowledged)  # warm-up: imports, caches, first pages
                sequential = _scan_loop(client, "bench-seq", codes, total, 1000, acknowledged)
            results: list[list[float]] = [[] for _ in range(terminals)]

            ready = [_Terminal(base, f"bench-{n}") for n in range(terminals)]
            for n, term in enumerate(ready):
                term.post(f"/api/v1/terminal/{term.workstation}/login", {"badge": codes["badges"][n + 1], "pin": PIN})
                term.post(f"/api/v1/terminal/{term.workstation}/mode", {"mode": "receive"})

            def terminal(n: int) -> None:
                results[n] = ready[n].scans(codes, per_terminal, 100_000 + n * per_terminal)

            threads = [threading.Thread(target=terminal, args=(n,)) for n in range(terminals)]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started
        acknowledged += [seq for term in ready for seq in term.seqs]
        recorded = outbox_seqs(data_dir / f"{SITE}.db")
        if recorded != sorted(acknowledged) or recorded != list(range(1, len(recorded) + 1)):
            raise click.ClickException(
                f"the outbox does not hold exactly the {len(acknowledged)} acknowledged events ({len(recorded)} there)"
            )
        reference = sqlite_reference(data_dir / "reference.db", total)
    concurrent = [x for r in results for x in r]
    figures = {
        "scans": total,
        "scan_p50_ms": round(_pct(sequential, 0.50), 2),
        "scan_p99_ms": round(_pct(sequential, 0.99), 2),
        "terminals": terminals,
        "concurrent_scans": len(concurrent),
        "concurrent_scans_per_s": round(len(concurrent) / elapsed, 1),
        "concurrent_p99_ms": round(_pct(concurrent, 0.99), 2),
        "acknowledged_events": len(acknowledged),
        "sqlite_commit_p50_ms": round(_pct(reference, 0.50), 3),
        "sqlite_commit_p99_ms": round(_pct(reference, 0.99), 3),
        "sqlite_commits_per_s": round(len(reference) / sum(reference), 1),
    }
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo(f"{'measure':<44} {'value':>12}")
    rows = [
        (f"scan → commit → response, p50 ({total} sequential)", f"{figures['scan_p50_ms']} ms"),
        ("scan → commit → response, p99", f"{figures['scan_p99_ms']} ms"),
        (f"sustained, {terminals} terminals", f"{figures['concurrent_scans_per_s']} scans/s"),
        (f"p99 with {terminals} terminals", f"{figures['concurrent_p99_ms']} ms"),
        ("reference: bare SQLite commit p50 (FULL)", f"{figures['sqlite_commit_p50_ms']} ms"),
        ("reference: bare SQLite commit p99 (FULL)", f"{figures['sqlite_commit_p99_ms']} ms"),
        ("reference: bare SQLite commits/s", f"{figures['sqlite_commits_per_s']}"),
        ("acknowledged events, all in the outbox once", f"{figures['acknowledged_events']}"),
    ]
    for name, value in rows:
        click.echo(f"{name:<44} {value:>12}")
