"""The audit log (ACC-1, ACC-4): ``record(conn, actor, action, ...)`` appends a hash-chained entry in the caller's
transaction; ``verify_log(conn)`` names the first entry where a change, deletion or reorder breaks the chain.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text

from central.audit.chain import GENESIS, Break, entry_hash, verify
from central.store import schema as s


def record(
    conn: Connection,
    actor: str,
    action: str,
    target: str | None = None,
    *,
    before: Any = None,
    after: Any = None,
    on_behalf_of: str | None = None,
    at: datetime | None = None,
) -> int:
    """Append one entry: ``record(conn, "manager03", "POST /api/v1/orders", "order 12", on_behalf_of="…")``."""
    if conn.dialect.name == "postgresql":
        # Appends must be strictly one after another: the chain hashes each entry onto the one before.
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('stockyard-audit'))"))
    last = conn.execute(
        select(s.audit_log.c.seq, s.audit_log.c.hash).order_by(s.audit_log.c.seq.desc()).limit(1)
    ).first()
    seq, previous = (1, GENESIS) if last is None else (last.seq + 1, last.hash)
    moment = (at or datetime.now(UTC)).astimezone(UTC)
    entry = {
        "seq": seq,
        "at": moment.isoformat(),
        "actor": actor,
        "on_behalf_of": on_behalf_of,
        "action": action,
        "target": target,
        "before": None if before is None else json.dumps(before, ensure_ascii=False, sort_keys=True, default=str),
        "after": None if after is None else json.dumps(after, ensure_ascii=False, sort_keys=True, default=str),
    }
    digest = entry_hash(previous, entry)
    conn.execute(insert(s.audit_log).values(**{**entry, "at": moment}, prev_hash=previous, hash=digest))
    return seq


def _stored(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(s.audit_log).order_by(s.audit_log.c.seq)).mappings()
    # The hash covers the time as it was written (ISO, UTC); read it back the same way.
    return [{**row, "at": row["at"].astimezone(UTC).isoformat()} for row in rows]


def verify_log(conn: Connection) -> list[Break]:
    """Check the whole log: ``verify_log(conn) == []`` when nothing was tampered with."""
    return verify(_stored(conn))


def search(
    conn: Connection, actor: str | None = None, action: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Newest entries first, filtered by actor and by a fragment of the action."""
    query = select(s.audit_log).order_by(s.audit_log.c.seq.desc()).limit(limit)
    if actor:
        query = query.where(s.audit_log.c.actor == actor)
    if action:
        query = query.where(s.audit_log.c.action.contains(action))
    return [dict(row) for row in conn.execute(query).mappings()]
