"""``GET /api/v1/sync``: the edge's own view of its link, for support, monitoring and the fault tests."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from edge.sync import state

router = APIRouter()


@router.get("/api/v1/sync")
def sync_report(request: Request) -> dict[str, Any]:
    """Outbox and acknowledged sequences, downstream cursor, and whether the broker link is up."""
    runtime = request.app.state.runtime
    link = runtime.sync if runtime is not None else None
    with request.app.state.terminals.lock:
        report = state.report(request.app.state.db)
    return {"site": request.app.state.settings.site, **report, "connected": bool(link and link.connected)}
