"""``stockyard bench sync``: catch-up rate of a 100,000-event backlog, commit-to-apply latency at a steady
200 events/s, and the same rows inserted straight into central's store as the physical reference.

Central runs as its own process (``stockyard central``) on a seeded database, the broker is a private
Mosquitto, and the edge's sync link runs in this process so that acknowledgements are timed on one clock:
latency is measured from the edge's commit to the edge receiving central's acknowledgement, which central
sends only after the applying transaction committed — an upper bound of commit → apply.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import httpx
from sqlalchemy import create_engine, text
from sqlite_utils import Database

from edge.bench import free_port
from edge.store import open_site_database, write_transaction
from edge.sync import state
from edge.sync.client import EdgeSync
from edge.warehouse.domain import MoveUnits, ReceiveUnits
from edge.warehouse.service import handle
from sync.transport import BrokerAddress

STOCKYARD = str(Path(sys.executable).parent / "stockyard")
MOSQUITTO = "/usr/sbin/mosquitto"
SITE = "W1"


def _wait(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise click.ClickException(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.005)


@contextlib.contextmanager
def _process(argv: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _healthy(url: str, timeout: float = 60) -> None:
    def ok() -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(url, timeout=1).status_code == 200
        return False

    _wait(ok, timeout, url)


class Acks:
    """When each acknowledgement reached the edge: wraps the sender's ``on_ack``."""

    def __init__(self, link: EdgeSync) -> None:
        self.times: list[tuple[float, int]] = []
        original = link.sender.on_ack

        def on_ack(seq: int) -> bool:
            self.times.append((time.perf_counter(), seq))
            return original(seq)

        link.sender.on_ack = on_ack  # type: ignore[method-assign]


def pile_up(path: Path, events: int, chunk: int = 5_000) -> None:
    """Record ``events`` receipts and moves at a site, ``chunk`` per transaction: ``pile_up(path, 100_000)``.

    The backlog of an outage, for this bench and the fault tests; building it is set-up, not the measured
    path, so it does not sync to disk at every transaction.
    """
    db = open_site_database(path)
    try:
        db.execute("PRAGMA synchronous=OFF")
        receiving, storage, skus = _site_codes(db)
        for start in range(0, events, chunk):
            with write_transaction(db):
                for n in range(start, min(events, start + chunk)):
                    sku = skus[(n // 2) % len(skus)]
                    if n % 2 == 0:
                        handle(db, ReceiveUnits(sku, receiving, 2), actor="pile")
                    else:
                        handle(db, MoveUnits(sku, receiving, storage[n % len(storage)], 1), actor="pile")
    finally:
        db.conn.close()


def _site_codes(db: Database) -> tuple[int, list[int], list[str]]:
    receiving = int(db.execute("SELECT id FROM cells WHERE kind = 'receiving' ORDER BY id LIMIT 1").fetchone()[0])
    storage = [r[0] for r in db.execute("SELECT id FROM cells WHERE kind = 'storage' ORDER BY id LIMIT 50")]
    # Counted units: a serialized item would need a serial per unit (WH-1).
    skus = [r[0] for r in db.execute("SELECT sku FROM items WHERE NOT serialized ORDER BY sku LIMIT 200")]
    return receiving, storage, skus


def _steady(path: Path, link: EdgeSync, rate: float, seconds: float) -> list[float]:
    """Commit receipts at ``rate`` per second; return commit → acknowledgement latencies in ms."""
    acks = Acks(link)
    db = open_site_database(path)
    receiving, _, skus = _site_codes(db)
    committed: dict[int, float] = {}
    interval = 1.0 / rate
    start = time.perf_counter()
    n = 0
    while (now := time.perf_counter()) - start < seconds:
        target = start + n * interval
        if now < target:
            time.sleep(target - now)
        seq, _ = handle(db, ReceiveUnits(skus[n % len(skus)], receiving, 1), actor="bench")
        committed[seq] = time.perf_counter()
        n += 1
    last = max(committed)
    _wait(lambda: link.sender.acked >= last, 30, "the last steady event to be acknowledged")
    db.conn.close()
    latencies = []
    pending = sorted(committed)
    i = 0
    for at, acked in sorted(acks.times):
        while i < len(pending) and pending[i] <= acked:
            latencies.append((at - committed[pending[i]]) * 1000)
            i += 1
    return latencies


def _reference(database_url: str, events: int, batch: int) -> float:
    """Rows like the ledger's, inserted straight into central's database in one process; rows per second."""
    engine = create_engine(database_url)
    rows = [
        {
            "site_id": 1,
            "seq": 10_000_000 + n,
            "event_id": f"ref{n:029d}",
            "type": "UnitsReceived",
            "occurred_at": "2026-11-25T10:00:00+00:00",
            "actor": "bench",
            "payload": json.dumps({"sku": "X", "cell_id": 1, "qty": 1, "receipt": None, "package": None}),
            "schema_version": 2,
            "applied_at": "2026-11-25T10:00:00+00:00",
        }
        for n in range(events)
    ]
    insert = text(
        "INSERT INTO inbox (site_id, seq, event_id, type, occurred_at, actor, payload, schema_version, applied_at)"
        " VALUES (:site_id, :seq, :event_id, :type, :occurred_at, :actor, :payload, :schema_version, :applied_at)"
    )
    started = time.perf_counter()
    for start in range(0, events, batch):
        with engine.begin() as conn:
            conn.execute(insert, rows[start : start + batch])
    elapsed = time.perf_counter() - started
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM inbox WHERE seq >= 10000000"))
    engine.dispose()
    return events / elapsed


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


@click.command("sync")
@click.option("--events", type=click.IntRange(min=1000), default=100_000, show_default=True, help="Backlog size.")
@click.option("--rate", type=click.FloatRange(min=1), default=200.0, show_default=True, help="Steady events/s.")
@click.option("--seconds", type=click.FloatRange(min=1), default=15.0, show_default=True, help="Steady phase length.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def sync_bench(events: int, rate: float, seconds: float, as_json: bool) -> None:
    """Sync throughput and latency through a real Mosquitto and a real central process."""
    if not Path(MOSQUITTO).exists():
        raise click.ClickException("Mosquitto is not installed: apt-get install mosquitto")
    with tempfile.TemporaryDirectory(prefix="stockyard-bench-sync-") as tmp_name:
        tmp = Path(tmp_name)
        database_url = f"sqlite:///{tmp / 'central.db'}"
        click.echo("seeding the demo company…", err=True)
        subprocess.run(
            [STOCKYARD, "central", "seed", "--scale", "1", "--database-url", database_url],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        mqtt_port, central_port = free_port(), free_port()
        conf = tmp / "mosquitto.conf"
        conf.write_text(
            f"listener {mqtt_port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n"
        )
        mqtt_url = f"mqtt://127.0.0.1:{mqtt_port}"
        central_argv = [STOCKYARD, "central", "--port", str(central_port), "--database-url", database_url]
        with (
            _process([MOSQUITTO, "-c", str(conf)], tmp / "mosquitto.log"),
            _process([*central_argv, "--mqtt-url", mqtt_url], tmp / "central.log"),
        ):
            _healthy(f"http://127.0.0.1:{central_port}/healthz")
            edge_db = tmp / f"{SITE}.db"
            address = BrokerAddress.parse(mqtt_url)
            link = EdgeSync(SITE, edge_db, address)
            link.start()
            _wait(lambda: state.get(link.db, "bootstrapped") == 1, 60, "the edge's snapshot")
            click.echo(f"steady phase: {rate:.0f} events/s for {seconds:.0f} s…", err=True)
            latencies = _steady(edge_db, link, rate, seconds)
            link.stop()

            click.echo(f"piling up {events:,} events with the link down…", err=True)
            before = state.outbox_seq(open_site_database(edge_db))
            pile_up(edge_db, events)
            newest = before + events
            link = EdgeSync(SITE, edge_db, address)
            started = time.perf_counter()
            link.start()
            _wait(lambda: link.sender.acked >= newest, 600, "the backlog to be acknowledged")
            catch_up = events / (time.perf_counter() - started)
            link.stop()
        click.echo("reference: the same rows straight into central's store…", err=True)
        reference = _reference(database_url, events, 500)
    figures = {
        "backlog_events": events,
        "catch_up_events_per_s": round(catch_up),
        "steady_rate_events_per_s": rate,
        "steady_events": len(latencies),
        "latency_p50_ms": round(_pct(latencies, 50), 2),
        "latency_p99_ms": round(_pct(latencies, 99), 2),
        "reference_rows_per_s": round(reference),
        "catch_up_vs_reference": round(catch_up / reference, 3),
    }
    if as_json:
        click.echo(json.dumps(figures))
        return
    goals = {
        "catch_up_events_per_s": ">= 20,000",
        "latency_p99_ms": "<= 50",
        "catch_up_vs_reference": ">= 0.25",
    }
    click.echo(f"{'figure':<28} {'measured':>12}  goal")
    for key, value in figures.items():
        click.echo(f"{key:<28} {value:>12}  {goals.get(key, '')}")
