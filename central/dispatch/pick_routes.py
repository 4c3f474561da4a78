"""The dispatcher issues an order's pick task to a site: ``POST /api/v1/orders/{number}/pick-task``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel

from central.auth.staff import CurrentUser, DbEngine, User
from central.dispatch.pick_tasks import PickTaskRefused, issue_pick_task

router = APIRouter(prefix="/api/v1")

ISSUERS = ("dispatcher", "admin", "warehouse_manager")


def issuer(user: CurrentUser) -> User:
    """The signed-in user if they may issue pick tasks, else 403."""
    if user.role not in ISSUERS:
        raise HTTPException(403, "Задания на отбор выдают диспетчер, заведующий складом и администратор")
    return user


class PickTaskIn(BaseModel):
    site: str = "W1"


@router.post("/orders/{number}/pick-task", status_code=201)
def issue(number: str, body: PickTaskIn, _user: Annotated[User, Depends(issuer)], engine: DbEngine) -> dict[str, Any]:
    """Issue the pick task of a confirmed order; it reaches the site's handhelds through sync."""
    try:
        with engine.begin() as conn:
            issued = issue_pick_task(conn, number, body.site, datetime.now(UTC))
    except PickTaskRefused as refused:
        raise HTTPException(409, str(refused)) from refused
    return {"task": issued.code, "lines": issued.lines, "site": body.site, "order": number}
