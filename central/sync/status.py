"""What central knows of each site's link (SYNC-3): presence, last contact, backlog up, lag down."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from central.store import schema as s


def sites_status(conn: Connection) -> list[dict[str, Any]]:
    """One row per site, in site-code order: ``sites_status(conn)[0]["upstream_backlog"]``."""
    heads: dict[int, int] = dict(
        conn.execute(select(s.down_log.c.site_id, func.max(s.down_log.c.seq)).group_by(s.down_log.c.site_id)).all()
    )
    open_exceptions: dict[int, int] = dict(
        conn.execute(
            select(s.sync_exceptions.c.site_id, func.count())
            .where(s.sync_exceptions.c.resolved_at.is_(None))
            .group_by(s.sync_exceptions.c.site_id)
        ).all()
    )
    rows = conn.execute(
        select(s.sites.c.id, s.sites.c.code, s.sites.c.name, s.sync_sites)
        .outerjoin(s.sync_sites, s.sync_sites.c.site_id == s.sites.c.id)
        .order_by(s.sites.c.code)
    ).mappings()
    result = []
    for row in rows:
        applied = int(row["applied_seq"] or 0)
        head = int(heads.get(row["id"], 0))
        down_acked = int(row["down_acked"] or 0)
        result.append(
            {
                "site": row["code"],
                "name": row["name"],
                "presence": row["presence"] or "unknown",
                "presence_at": _iso(row["presence_at"]),
                "last_contact": _iso(row["last_contact"]),
                "applied_seq": applied,
                "edge_outbox_seq": int(row["edge_outbox_seq"] or 0),
                "upstream_backlog": max(0, int(row["edge_outbox_seq"] or 0) - applied),
                "down_head": head,
                "down_acked": down_acked,
                "downstream_lag": max(0, head - down_acked),
                "held": bool(row["held"]),
                "last_error": row["last_error"],
                "open_exceptions": int(open_exceptions.get(row["id"], 0)),
            }
        )
    return result


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def open_exceptions(conn: Connection, limit: int = 200) -> list[dict[str, Any]]:
    """Sync exceptions nobody resolved yet, newest first, for the dispatcher and the administrator."""
    rows = conn.execute(
        select(
            s.sync_exceptions.c.id,
            s.sites.c.code,
            s.sync_exceptions.c.seq,
            s.sync_exceptions.c.kind,
            s.sync_exceptions.c.message,
            s.sync_exceptions.c.created_at,
        )
        .join(s.sites, s.sites.c.id == s.sync_exceptions.c.site_id)
        .where(s.sync_exceptions.c.resolved_at.is_(None))
        .order_by(s.sync_exceptions.c.id.desc())
        .limit(limit)
    ).all()
    return [
        {"id": i, "site": site, "seq": seq, "kind": kind, "message": message, "created_at": _iso(at)}
        for i, site, seq, kind, message, at in rows
    ]
