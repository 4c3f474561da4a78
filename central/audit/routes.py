"""The audit log's search page and API (ACC-1): who did what, when, for whom."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from central.audit.log import search, verify_log
from central.auth.staff import CurrentUser, DbEngine, User
from central.web.pages import render

router = APIRouter()

READERS = ("admin", "director", "accountant", "commercial_director")


def auditor(user: CurrentUser) -> User:
    """The signed-in user if they may read the audit log, else 403."""
    if user.role not in READERS:
        raise HTTPException(403, "Журнал действий доступен администратору, директору и бухгалтеру")
    return user


Auditor = Annotated[User, Depends(auditor)]


@router.get("/api/v1/audit")
def audit_entries(
    _user: Auditor, engine: DbEngine, actor: str | None = None, action: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:  # fmt: skip
    """Newest entries first, filtered by login and by a fragment of the action."""
    with engine.connect() as conn:
        return search(conn, actor, action, limit)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, user: Auditor, engine: DbEngine, actor: str | None = None, action: str | None = None
) -> HTMLResponse:
    """The search page, with the chain's verdict on top."""
    with engine.connect() as conn:
        entries = search(conn, actor or None, action or None, 300)
        breaks = verify_log(conn)
    return render(request, "audit.html", user=user, entries=entries, breaks=breaks, actor=actor, action=action)
