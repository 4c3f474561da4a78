"""Waiting for sync to settle and comparing both sides, shared by the sync and fault tests; ``linked_site`` runs
central's sync worker and one site's edge over a real broker for the end-to-end tests."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlite_utils import Database

from central.store import schema as s
from central.store.engine import create_central_engine
from central.sync.inbox import site_stock
from central.sync.worker import CentralSync
from edge.store import open_site_database
from edge.sync.client import EdgeSync
from edge.warehouse.service import stock_rows
from sync.transport import BrokerAddress


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` every 20 ms until true; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


def central_applied(engine: Engine, site: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(s.sync_sites.c.applied_seq)
                .join(s.sites, s.sites.c.id == s.sync_sites.c.site_id)
                .where(s.sites.c.code == site)
            ).scalar()
            or 0
        )


def edge_outbox_seq(path: Path) -> int:
    db = open_site_database(path)
    try:
        row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
        return 0 if row is None else int(row[0])
    finally:
        db.conn.close()


def edge_stock(path: Path) -> list[dict[str, Any]]:
    db = open_site_database(path)
    try:
        return stock_rows(db)
    finally:
        db.conn.close()


def central_stock(engine: Engine, site: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return site_stock(conn, site)


def ledger(engine: Engine, site: str) -> list[tuple[int, str]]:
    """Central's ledger of a site as (seq, event id), in sequence order."""
    with engine.connect() as conn:
        return [
            (seq, event_id)
            for seq, event_id in conn.execute(
                select(s.inbox.c.seq, s.inbox.c.event_id)
                .join(s.sites, s.sites.c.id == s.inbox.c.site_id)
                .where(s.sites.c.code == site)
                .order_by(s.inbox.c.seq)
            ).all()
        ]


def outbox(path: Path) -> list[tuple[int, str]]:
    """The edge's outbox as (seq, event id)."""
    db = open_site_database(path)
    try:
        return [(r[0], r[1]) for r in db.execute("SELECT seq, event_id FROM outbox ORDER BY seq").fetchall()]
    finally:
        db.conn.close()


class LinkedSite:
    """Central's sync worker and one site's edge on one broker; made by ``with linked_site(...) as w1:``."""

    edge: EdgeSync
    db: Database
    central: CentralSync

    def __init__(self, engine: Engine, address: BrokerAddress, tmp_path: Path, site: str) -> None:
        self.engine = engine
        self.address = address
        self.site = site
        self.path = tmp_path / f"{site}.db"
        self.rebuilt_path = tmp_path / "rebuilt" / f"{site}.db"
        self._central_up = False
        self._edge_up = False
        self._dbs: list[Database] = []

    def start_central(self) -> None:
        """``w1.start_central()``: a fresh central sync worker, as when the office comes back."""
        self.central = CentralSync(self.engine, self.address)
        self.central.start()
        self._central_up = True

    def stop_central(self) -> None:
        """``w1.stop_central()``: the office goes away; the site keeps working."""
        self.central.stop()
        self._central_up = False

    def catch_up(self, timeout: float = 30, what: str = "central to catch up", upto: int | None = None) -> None:
        """``w1.catch_up()``: wait until central has applied the edge's whole outbox (or ``upto``, when given)."""
        if upto is None:
            wait_until(lambda: central_applied(self.engine, self.site) == edge_outbox_seq(self.path), timeout, what)
        else:
            wait_until(lambda: central_applied(self.engine, self.site) == upto, timeout, what)

    def rebuild_edge(self) -> Database:
        """``rebuilt = w1.rebuild_edge()``: the site's disk replaced; a new edge at ``rebuilt_path`` from a snapshot."""
        self.edge.stop()
        self._edge_up = False
        return self._start_edge(self.rebuilt_path, "snapshot")

    def _start_edge(self, path: Path, what: str) -> Database:
        """Start an edge on ``path`` and open its database (closed at exit); return it once bootstrapped."""
        self.edge = EdgeSync(self.site, path, self.address)
        self.edge.start()
        self._edge_up = True
        db = open_site_database(path)
        self._dbs.append(db)
        wait_until(
            lambda: db.execute("SELECT 1 FROM sync_state WHERE key = 'bootstrapped'").fetchone() is not None, 30, what
        )
        return db

    def close(self) -> None:
        """``w1.close()``: close the databases, stop the edge and, if it runs, central (``linked_site`` does it)."""
        for db in reversed(self._dbs):
            db.conn.close()
        if self._edge_up:
            self.edge.stop()
        if self._central_up:
            self.central.stop()


@contextmanager
def linked_site(broker_url: str, central_url: str, tmp_path: Path, site: str = "W1") -> Iterator[LinkedSite]:
    """``with linked_site(mosquitto.url, central_url, tmp_path) as w1:``: central and W1's edge, bootstrapped."""
    linked = LinkedSite(create_central_engine(central_url), BrokerAddress.parse(broker_url), tmp_path, site)
    try:
        linked.start_central()
        linked.db = linked._start_edge(linked.path, "bootstrap")
        yield linked
    finally:
        linked.close()
