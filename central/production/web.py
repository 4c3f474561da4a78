"""Norm-hours for the office and the shop master: a page and an API; releasing operations to the shop edge.

Who may see it: the shop master, the dispatcher, the accountant, the director and the administrator.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, Field

from central.auth.roles import role_title
from central.auth.staff import CurrentUser, DbEngine, User
from central.production.normhours import MSK, Grouping, records, summary
from central.production.release import release_operations
from central.web.i18n import TEMPLATE_DIR, translations

router = APIRouter()
ALLOWED_ROLES = frozenset({"shop_master", "dispatcher", "accountant", "director", "admin"})
RELEASE_ROLES = frozenset({"shop_master", "dispatcher", "admin"})
FORBIDDEN = "Нормо-часы доступны мастеру цеха, диспетчеру, бухгалтеру и руководству"


def production_user(user: CurrentUser) -> User:
    if user.role not in ALLOWED_ROLES:
        raise HTTPException(status_code=403, detail=FORBIDDEN)
    return user


ProductionUser = Annotated[User, Depends(production_user)]


@cache
def templates(language: str) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(Path(__file__).parent / "templates"), FileSystemLoader(TEMPLATE_DIR)]),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


def month_range(today: dt.date) -> tuple[dt.date, dt.date]:
    start = today.replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1)


def _range(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    first, after = month_range(dt.datetime.now(MSK).date())
    start, end = start or first, end or after
    if end <= start:
        raise HTTPException(422, "Конец периода должен быть позже начала")
    return start, end


@router.get("/api/v1/production/norm-hours")
def norm_hours_api(
    _user: ProductionUser,
    engine: DbEngine,
    start: Annotated[dt.date | None, Query(alias="from")] = None,
    end: Annotated[dt.date | None, Query(alias="to", description="exclusive")] = None,
    by: Grouping = "day",
    worker_id: int | None = None,
) -> list[dict[str, Any]]:
    """Per worker per day/week/month: norm minutes and hours, actual hours, output %, good, defective."""
    start, end = _range(start, end)
    with engine.connect() as conn:
        return summary(conn, start, end, by, worker_id)


@router.get("/api/v1/production/work-records")
def work_records_api(
    _user: ProductionUser,
    engine: DbEngine,
    start: Annotated[dt.date | None, Query(alias="from")] = None,
    end: Annotated[dt.date | None, Query(alias="to")] = None,
    worker_id: int | None = None,
) -> list[dict[str, Any]]:
    """Every work record behind the figures: operation, good, defective, norm and actual time."""
    start, end = _range(start, end)
    with engine.connect() as conn:
        return records(conn, start, end, worker_id)


class ReleaseIn(BaseModel):
    site: str = Field(default="S1", max_length=16)
    tasks: list[str] | None = None


@router.post("/api/v1/production/release")
def release_api(body: ReleaseIn, user: ProductionUser, engine: DbEngine) -> dict[str, Any]:
    """Send the open production tasks' operations to the shop edge (each operation once)."""
    if user.role not in RELEASE_ROLES:
        raise HTTPException(403, "Выдавать операции в цех может мастер, диспетчер или администратор")
    with engine.begin() as conn:
        sent = release_operations(conn, body.site, body.tasks)
    return {"released": len(sent), "operations": [p["id"] for p in sent]}


@router.get("/production/norm-hours", response_class=HTMLResponse)
def norm_hours_page(
    request: Request,
    user: ProductionUser,
    engine: DbEngine,
    start: Annotated[dt.date | None, Query(alias="from")] = None,
    end: Annotated[dt.date | None, Query(alias="to")] = None,
    by: Grouping = "day",
    worker_id: int | None = None,
) -> HTMLResponse:
    """The norm-hours page: totals per worker and period, then every record behind them."""
    start, end = _range(start, end)
    with engine.connect() as conn:
        rows = summary(conn, start, end, by, worker_id)
        detail = records(conn, start, end, worker_id)
    language = request.app.state.settings.language
    html = templates(language).get_template("norm_hours.html").render(
        language=language, role_title=role_title, user=user, rows=rows, records=detail, start=start,
        end=end, by=by, worker_id=worker_id,
    )  # fmt: skip
    return HTMLResponse(html)
