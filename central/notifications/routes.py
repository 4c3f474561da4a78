"""The inbox page and API: every member of staff reads their own notices and marks them read."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from central.auth.staff import CurrentUser, DbEngine
from central.notifications.inbox import inbox, mark_read, unread_count
from central.web.pages import render

router = APIRouter()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, user: CurrentUser, engine: DbEngine) -> HTMLResponse:
    with engine.connect() as conn:
        notices = inbox(conn, user.id)
        unread = unread_count(conn, user.id)
    return render(request, "inbox.html", user=user, notices=notices, unread=unread)


@router.post("/inbox/read")
def read_from_page(
    user: CurrentUser, engine: DbEngine, notice: Annotated[int | None, Form()] = None
) -> RedirectResponse:
    with engine.begin() as conn:
        mark_read(conn, user.id, _now(), None if notice is None else [notice])
    return RedirectResponse("/inbox", status_code=303)


@router.get("/api/v1/notifications")
def list_notifications(user: CurrentUser, engine: DbEngine, unread: bool = False, limit: int = 200) -> dict[str, Any]:
    """The signed-in user's notices, newest first (``?unread=true`` for the unread ones)."""
    if not 1 <= limit <= 1000:
        raise HTTPException(422, "limit должен быть от 1 до 1000")
    with engine.connect() as conn:
        notices = inbox(conn, user.id, unread_only=unread, limit=limit)
        count = unread_count(conn, user.id)
    return {
        "unread": count,
        "notifications": [
            {
                "id": x.id, "kind": x.kind, "subject": x.subject, "body": x.body, "link": x.link,
                "created_at": x.created_at.isoformat(), "read": x.read_at is not None, "mail": x.mail_status,
            }
            for x in notices
        ],
    }  # fmt: skip


@router.post("/api/v1/notifications/{notice_id}/read")
def read_notification(notice_id: int, user: CurrentUser, engine: DbEngine) -> dict[str, int]:
    """Mark one of the user's notices read; 404 when it is not theirs."""
    with engine.begin() as conn:
        changed = mark_read(conn, user.id, _now(), [notice_id])
        if not changed and not any(x.id == notice_id for x in inbox(conn, user.id, limit=1000)):
            raise HTTPException(404, f"Уведомление {notice_id} не найдено")
    return {"marked": changed}
