"""Waiting for sync to settle and comparing both sides, shared by the sync and fault tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from central.store import schema as s
from central.sync.inbox import site_stock
from edge.store import open_site_database
from edge.warehouse.service import stock_rows


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
