"""Production pages and API: norm-hours, task status, the deficit statement, new tasks, BOM/routing cards, and
releasing operations to the shop edge.

Norm-hours: the shop master, the dispatcher, the accountant, the director and the administrator. Task status,
deficit, proposals and BOM cards: the same and the purchasing manager. Creating tasks and releasing operations:
the shop master, the dispatcher and the administrator.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from central.auth.roles import role_title
from central.auth.staff import CurrentUser, DbEngine, User
from central.production import bom, deficit, planning, status
from central.production.normhours import MSK, Grouping, records, summary
from central.production.release import release_operations
from central.web.i18n import template_environment

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
    return template_environment(language, Path(__file__).parent / "templates")


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


# --- Task status, deficit statement, task proposals and BOM/routing (PROD-4, ITEM-2, ORD-3) ---------------------

VIEW_ROLES = ALLOWED_ROLES | {"purchasing_manager"}
PLAN_ROLES = RELEASE_ROLES
VIEW_FORBIDDEN = "Состояние заданий и дефицит доступны мастеру цеха, диспетчеру, закупке, бухгалтерии и руководству"
PLAN_FORBIDDEN = "Создавать производственные задания может мастер цеха, диспетчер или администратор"


def production_viewer(user: CurrentUser) -> User:
    if user.role not in VIEW_ROLES:
        raise HTTPException(status_code=403, detail=VIEW_FORBIDDEN)
    return user


def production_planner(user: CurrentUser) -> User:
    if user.role not in PLAN_ROLES:
        raise HTTPException(status_code=403, detail=PLAN_FORBIDDEN)
    return user


def production_now() -> dt.datetime:
    """The current moment (UTC); tests override this dependency."""
    return dt.datetime.now(dt.UTC)


ProductionViewer = Annotated[User, Depends(production_viewer)]
ProductionPlanner = Annotated[User, Depends(production_planner)]
Now = Annotated[dt.datetime, Depends(production_now)]


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(MSK).date()


def _page(request: Request, user: User, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    language = request.app.state.settings.language
    html = (
        templates(language)
        .get_template(template)
        .render(language=language, role_title=role_title, user=user, can_plan=user.role in PLAN_ROLES, **context)
    )
    return HTMLResponse(html, status_code=status_code)


@router.get("/api/v1/production/tasks")
def tasks_api(
    _user: ProductionViewer, engine: DbEngine, now: Now, which: status.Which = "open", site: str = "S1"
) -> list[dict[str, Any]]:
    """Status of production tasks: kitted %, progress per operation, defects, lateness vs due date and plan."""
    with engine.connect() as conn:
        return status.task_rows(conn, now, which=which, site=site)


@router.get("/api/v1/production/tasks/{number}")
def task_api(number: str, _user: ProductionViewer, engine: DbEngine, now: Now, site: str = "S1") -> dict[str, Any]:
    """One task's status with every line of its kit (required, covered by free stock, short, planned arrival)."""
    with engine.connect() as conn:
        rows = status.task_rows(conn, now, which="all", numbers=[number], site=site, with_kit=True)
    if not rows:
        raise HTTPException(404, f"Производственного задания {number} нет")
    return rows[0]


class TaskIn(BaseModel):
    """A task by hand; fields are checked by ``central.production.planning.create_task`` (Russian messages)."""

    sku: Any = None
    qty: Any = None
    due: Any = None


def _create(engine: Engine, body: TaskIn, today: dt.date) -> dict[str, Any]:
    for attempt in range(3):  # two offices creating at once may take the same number: take the next one
        try:
            with engine.begin() as conn:
                return planning.create_task(conn, body.sku, body.qty, body.due, today)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@router.post("/api/v1/production/tasks", status_code=201)
def create_task_api(body: TaskIn, _user: ProductionPlanner, engine: DbEngine, now: Now) -> dict[str, Any]:
    """Create a planned production task by hand: ``{"sku": "ГП-01701", "qty": 40, "due": "2026-12-10"}``."""
    try:
        return _create(engine, body, _today(now))
    except planning.TaskRefused as refused:
        raise HTTPException(422, str(refused)) from None


@router.get("/api/v1/production/deficit")
def deficit_api(_user: ProductionViewer, engine: DbEngine, now: Now) -> dict[str, Any]:
    """The component deficit statement of open production: short components overall, then per task."""
    with engine.connect() as conn:
        return deficit.statement(conn, _today(now))


@router.get("/production/deficit.csv")
def deficit_csv(_user: ProductionViewer, engine: DbEngine, now: Now) -> Response:
    """The statement's components as CSV (semicolons, UTF-8 with BOM, for Excel)."""
    today = _today(now)
    with engine.connect() as conn:
        text = deficit.statement_csv(deficit.statement(conn, today))
    return Response(
        ("\ufeff" + text).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="deficit-{today.isoformat()}.csv"'},
    )


@router.get("/api/v1/production/task-proposals")
def task_proposals_api(_user: ProductionViewer, engine: DbEngine, now: Now) -> list[dict[str, Any]]:
    """Production tasks to create: items whose supply is below open order demand or below their minimum stock."""
    with engine.connect() as conn:
        return planning.proposals(conn, _today(now))


@router.get("/api/v1/production/items/{sku}")
def item_api(sku: str, _user: ProductionViewer, engine: DbEngine) -> dict[str, Any]:
    """An item's BOM (components, quantity per unit) and routing (operations, work-centre group, norm time)."""
    with engine.connect() as conn:
        card = bom.item_card(conn, sku)
    if card is None:
        raise HTTPException(404, f"Номенклатуры с артикулом {sku} нет")
    return card


@router.get("/production/tasks", response_class=HTMLResponse)
def tasks_page(
    request: Request, user: ProductionViewer, engine: DbEngine, now: Now, which: status.Which = "open"
) -> HTMLResponse:
    """Task status for the dispatcher and the master."""
    with engine.connect() as conn:
        rows = status.task_rows(conn, now, which=which)
    return _page(request, user, "production_tasks.html", rows=rows, totals=status.summary(rows), which=which)


@router.get("/production/tasks/{number}", response_class=HTMLResponse)
def task_page(request: Request, number: str, user: ProductionViewer, engine: DbEngine, now: Now) -> HTMLResponse:
    """One task: operations with output, its kit line by line."""
    with engine.connect() as conn:
        rows = status.task_rows(conn, now, which="all", numbers=[number], with_kit=True)
    if not rows:
        raise HTTPException(404, f"Производственного задания {number} нет")
    return _page(request, user, "production_task.html", t=rows[0])


@router.get("/production/deficit", response_class=HTMLResponse)
def deficit_page(request: Request, user: ProductionViewer, engine: DbEngine, now: Now) -> HTMLResponse:
    """The deficit statement for production, purchasing and the dispatcher."""
    with engine.connect() as conn:
        data = deficit.statement(conn, _today(now))
    return _page(request, user, "production_deficit.html", data=data)


def _planning_page(
    request: Request, user: User, engine: Engine, now: Now, *, form: dict[str, str], error: str | None = None
) -> HTMLResponse:
    with engine.connect() as conn:
        rows = planning.proposals(conn, _today(now))
    return _page(
        request, user, "production_planning.html", status_code=422 if error else 200, rows=rows, form=form,
        error=error, today=_today(now),
    )  # fmt: skip


@router.get("/production/planning", response_class=HTMLResponse)
def planning_page(request: Request, user: ProductionViewer, engine: DbEngine, now: Now) -> HTMLResponse:
    """Proposed tasks from sales demand and stock minimums; the form for a task by hand."""
    return _planning_page(request, user, engine, now, form={})


@router.post("/production/planning", response_class=HTMLResponse, response_model=None)
def planning_create(
    request: Request,
    user: ProductionPlanner,
    engine: DbEngine,
    now: Now,
    sku: Annotated[str, Form()] = "",
    qty: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    """Create a task from a proposal's row or from the by-hand form; then show the new task."""
    try:
        created = _create(engine, TaskIn(sku=sku, qty=qty, due=due), _today(now))
    except planning.TaskRefused as refused:
        form = {"sku": sku, "qty": qty, "due": due}
        return _planning_page(request, user, engine, now, form=form, error=str(refused))
    return RedirectResponse(f"/production/tasks/{quote(created['task'])}?created=1", status_code=303)


@router.get("/production/items/{sku}", response_class=HTMLResponse)
def item_page(request: Request, sku: str, user: ProductionViewer, engine: DbEngine) -> HTMLResponse:
    """An item's BOM and routing, read-only."""
    with engine.connect() as conn:
        card = bom.item_card(conn, sku)
    if card is None:
        raise HTTPException(404, f"Номенклатуры с артикулом {sku} нет")
    return _page(request, user, "production_item.html", item=card)
