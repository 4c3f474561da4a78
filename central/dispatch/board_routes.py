"""The dispatcher's board: the page ``/dispatch/board`` and the API under ``/api/v1/dispatch`` (DISP-1).

Thin routes over ``central.dispatch.board``. The board is read by the dispatcher, the commercial director, the
director and the administrator; releasing is the dispatcher's (and the administrator's). Refusals answer
``{"detail": "<Russian message>"}`` with 403, 404, 409 (not complete, payment not OK, already released, changed
since the board was shown) or 422.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from central.auth.staff import CurrentUser, DbEngine, User
from central.dispatch import board as b
from central.orders.domain import rubles
from central.orders.routes import Now, RussianRoute
from central.orders.stage import TITLES
from central.web.pages import render

api = APIRouter(prefix="/api/v1/dispatch", tags=["dispatch"], route_class=RussianRoute)
pages = APIRouter()
STAGE_FILTERS = tuple(code for code in TITLES if code != "draft")


class ReleaseIn(BaseModel):
    orders: list[str] = Field(min_length=1, max_length=500, examples=[["З-0000042"]])
    versions: dict[str, str] = Field(default_factory=dict, description="the board's version of each order, if known")


class OneReleaseIn(BaseModel):
    version: str | None = Field(default=None, max_length=64)


def _query(stage: str, ready: bool, finished: bool, q: str, page: int, per_page: int = b.PER_PAGE) -> b.BoardQuery:
    if stage and stage not in STAGE_FILTERS:
        raise HTTPException(422, f"Неизвестная стадия «{stage}»")
    if not 1 <= per_page <= 500:
        raise HTTPException(422, "per_page должен быть от 1 до 500")
    return b.BoardQuery(stage or None, ready, finished, q, max(1, page), per_page)


@api.get("/board")
def board_json(
    user: CurrentUser, engine: DbEngine, stage: str = "", ready: bool = False, finished: bool = False, q: str = "",
    page: int = 1, per_page: int = b.PER_PAGE,
) -> dict[str, Any]:  # fmt: skip
    """A page of the board: open orders by deadline with stage, «комплект», «оплата OK» and version."""
    try:
        b.may_read(user)
    except b.ReleaseRefused as exc:
        raise HTTPException(exc.status, exc.message) from exc
    with engine.connect() as conn:
        found = b.board(conn, _query(stage, ready, finished, q, page, per_page))
    return {
        "total": found.total, "page": found.page, "pages": found.pages, "ready": found.ready,
        "counts": found.counts, "orders": [row.as_json() for row in found.rows],
    }  # fmt: skip


@api.post("/release")
def release(body: ReleaseIn, user: CurrentUser, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Release the orders to the warehouse, each in its own transaction; one result per order."""
    try:
        results = b.release_orders(engine, user, body.orders, body.versions, moment)
    except b.ReleaseRefused as exc:
        raise HTTPException(exc.status, exc.message) from exc
    return {"results": results, "released": sum(1 for r in results if r["released"])}


@api.post("/orders/{number}/release", status_code=201)
def release_one(number: str, body: OneReleaseIn, user: CurrentUser, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Release one order: 201 with its pick task, or the refusal with its reason."""
    try:
        done = b.release_order(engine, user, number, body.version, moment)
    except b.ReleaseRefused as exc:
        raise HTTPException(exc.status, exc.message) from exc
    return {"order": done.order, "task": done.task, "site": done.site, "lines": done.lines}


# --- the page ----------------------------------------------------------------------------------------------------


def _forbidden(request: Request, user: User, message: str) -> HTMLResponse:
    return render(request, "dispatch/forbidden.html", status_code=403, user=user, message=message)


@pages.get("/dispatch/board", response_class=HTMLResponse)
def board_page(
    request: Request, user: CurrentUser, engine: DbEngine, stage: str = "", ready: bool = False,
    finished: bool = False, q: str = "", page: int = 1,
) -> HTMLResponse:  # fmt: skip
    """The board: open orders by deadline, filters by stage and «готов к выпуску», release buttons."""
    if user.role not in b.READERS:
        return _forbidden(request, user, b.FORBIDDEN_READ)
    query = _query(stage, ready, finished, q, page)
    with engine.connect() as conn:
        found = b.board(conn, query)
    return render(
        request, "dispatch/board.html", user=user, board=found, query=query, titles=TITLES, stages=STAGE_FILTERS,
        rubles=rubles, may_release=user.role in b.RELEASERS,
    )  # fmt: skip


@pages.post("/dispatch/board/release", response_class=HTMLResponse)
def release_from_page(
    request: Request, user: CurrentUser, engine: DbEngine, moment: Now,
    orders: Annotated[list[str] | None, Form()] = None, versions: Annotated[list[str] | None, Form()] = None,
    single: Annotated[str, Form()] = "",
) -> HTMLResponse:  # fmt: skip
    """Release the order whose button was pressed, or the selected ones; the outcome of each on one page."""
    if user.role not in b.RELEASERS:
        return _forbidden(request, user, b.FORBIDDEN_RELEASE)
    # Each row carries «number|version»: the version of the order as the board showed it.
    shown = dict(v.rsplit("|", 1) for v in versions or [] if "|" in v)
    chosen = [single] if single else list(orders or [])
    results: list[dict[str, Any]]
    if not chosen:
        results = [{"order": "—", "released": False, "status": 422, "reason": "Не выбрано ни одного заказа"}]
    else:
        results = b.release_orders(engine, user, chosen, shown, moment)
    status = 200 if any(r["released"] for r in results) else max(r["status"] for r in results)
    return render(request, "dispatch/board_release.html", status_code=status, user=user, results=results)


router = APIRouter()  # what central/app.py includes: the page and the API
router.include_router(pages)
router.include_router(api)
