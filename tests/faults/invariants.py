"""What must hold after every fault, once sync is idle: the ledger is the outbox, and both stocks agree."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import make_url

from central.store.engine import create_central_engine
from tests.sync.helpers import central_applied, central_stock, edge_outbox_seq, edge_stock, ledger, outbox, wait_until


def integrity_ok(path: Path) -> bool:
    with sqlite3.connect(path) as conn:
        return bool(conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


def assert_converged(
    central_url: str, edges: dict[str, Path], acknowledged: dict[str, set[int]] | None = None, timeout: float = 90
) -> dict[str, int]:
    """Wait for every edge's outbox to be applied, then check the invariants; return events per site."""
    engine = create_central_engine(central_url)
    counts = {}
    try:
        for site, path in edges.items():
            wait_until(
                lambda site=site, path=path: central_applied(engine, site) == edge_outbox_seq(path),  # type: ignore[misc]
                timeout,
                f"central to apply every event of {site}",
            )
            led, out = ledger(engine, site), outbox(path)
            assert len(led) == len(out), f"{site}: central has {len(led)} events, the edge {len(out)}"
            assert led == out, f"{site}: the ledger differs from the outbox"
            seqs = [seq for seq, _ in led]
            assert seqs == list(range(1, len(seqs) + 1)), f"{site}: gap in the sequence"
            if acknowledged is not None:
                missing = acknowledged.get(site, set()) - set(seqs)
                assert not missing, f"{site}: acknowledged to the operator but not at central: {sorted(missing)[:10]}"
            assert central_stock(engine, site) == edge_stock(path), f"{site}: stocks differ"
            assert integrity_ok(path)
            counts[site] = len(led)
    finally:
        engine.dispose()
    database = make_url(central_url).database
    if database:
        assert integrity_ok(Path(database))
    return counts
