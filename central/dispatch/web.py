"""The dispatcher's review of proposals (DISP-2): office pages under /dispatch and the API under /api/v1/proposals.

Only the dispatcher and the administrator may run, accept or reject; the logistician may also run, read, accept
and reject delivery routes (LOG-1: the logistician plans the vans), and sees only route proposals. Other roles get
403 with a Russian message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from central.auth.staff import CurrentUser, DbEngine, User
from central.dispatch import production, proposals, routing, views
from central.web.pages import render
from optimizer.borrowing.explain import rubles

MOSCOW = ZoneInfo("Europe/Moscow")
ALLOWED_ROLES = ("dispatcher", "admin")
ROUTE_ROLES = ("dispatcher", "admin", "logistician")
KIND_ROLES = {"borrowing": ALLOWED_ROLES, "production": ALLOWED_ROLES, "routes": ROUTE_ROLES}
FORBIDDEN = "Недостаточно прав: предложения оптимизатора рассматривают диспетчер и администратор"
FORBIDDEN_ROUTES = "Недостаточно прав: маршруты рассматривают диспетчер, логист и администратор"
STATUS_TITLES = {"proposed": "Предложено", "accepted": "Принято", "rejected": "Отклонено", "stale": "Устарело"}
KIND_TITLES = {"borrowing": "Заимствование из резервов", "production": "Очередь производства", "routes": "Маршруты"}

router = APIRouter()


def today() -> dt.date:
    """The business day in Moscow (the company's time zone); tests override this dependency."""
    return dt.datetime.now(MOSCOW).date()


def solver_seconds() -> float:
    """Time limit of one optimizer run started from the page or the API."""
    return 10.0


def now() -> dt.datetime:
    """The current moment (UTC); tests override this dependency together with ``today``."""
    return dt.datetime.now(dt.UTC)


Today = Annotated[dt.date, Depends(today)]
Now = Annotated[dt.datetime, Depends(now)]
SolverSeconds = Annotated[float, Depends(solver_seconds)]


def dispatcher(user: CurrentUser) -> User:
    """The signed-in user if they may review proposals, else 403."""
    if user.role not in ALLOWED_ROLES:
        raise HTTPException(status_code=403, detail=FORBIDDEN)
    return user


Dispatcher = Annotated[User, Depends(dispatcher)]


def reviewer(user: CurrentUser) -> User:
    """The signed-in user if they may review some kind of proposal (the kind is checked per proposal), else 403."""
    if user.role not in ROUTE_ROLES:
        raise HTTPException(status_code=403, detail=FORBIDDEN)
    return user


def logistician(user: CurrentUser) -> User:
    """The signed-in user if they may run delivery routes, else 403."""
    if user.role not in ROUTE_ROLES:
        raise HTTPException(status_code=403, detail=FORBIDDEN_ROUTES)
    return user


Reviewer = Annotated[User, Depends(reviewer)]
Logistician = Annotated[User, Depends(logistician)]


def _may(engine: DbEngine, proposal_id: int, user: User) -> str | None:
    """The refusal message when ``user`` may not review this proposal's kind; None when they may (or no proposal)."""
    with engine.connect() as conn:
        kind = views.kind_of(conn, proposal_id)
    if kind is None or user.role in KIND_ROLES.get(kind, ALLOWED_ROLES):
        return None
    return FORBIDDEN


def _local(value: str | None) -> str:
    if not value:
        return ""
    return dt.datetime.fromisoformat(value).astimezone(MOSCOW).strftime("%d.%m.%Y %H:%M")


def _page(request: Request, template: str, user: User, status_code: int = 200, **context: Any) -> HTMLResponse:
    return render(
        request,
        template,
        status_code=status_code,
        user=user,
        status_title=STATUS_TITLES,
        kind_title=KIND_TITLES,
        rubles=rubles,
        local=_local,
        **context,
    )


def _forbidden(
    request: Request, user: User, roles: tuple[str, ...] = ALLOWED_ROLES, message: str = FORBIDDEN
) -> HTMLResponse | None:
    if user.role in roles:
        return None
    return _page(request, "dispatch/forbidden.html", user, status_code=403, message=message)


def _forbidden_for(request: Request, engine: DbEngine, user: User, proposal_id: int) -> HTMLResponse | None:
    if user.role not in ROUTE_ROLES:
        return _forbidden(request, user)
    if _may(engine, proposal_id, user):
        return _page(request, "dispatch/forbidden.html", user, status_code=403, message=FORBIDDEN)
    return None


def _list_page(
    request: Request, engine: DbEngine, user: User, day: dt.date, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    full = user.role in ALLOWED_ROLES
    with engine.connect() as conn:
        rows = views.list_proposals(conn, kinds=None if full else ("routes",))
        sites = views.warehouses(conn)
        shops = views.shops(conn)
        loans = views.open_loans(conn, day) if full else []
    return _page(
        request,
        "dispatch/proposals.html",
        user,
        status_code,
        proposals=rows,
        sites=sites,
        shops=shops,
        loans=loans,
        error=error,
        full=full,
        day=day,
    )


@router.get("/dispatch/proposals", response_class=HTMLResponse)
def proposals_page(request: Request, user: CurrentUser, engine: DbEngine, day: Today) -> HTMLResponse:
    return _forbidden(request, user, ROUTE_ROLES) or _list_page(request, engine, user, day)


@router.post("/dispatch/proposals/production", response_model=None)
def run_production_from_page(
    request: Request,
    user: CurrentUser,
    engine: DbEngine,
    day: Today,
    moment: Now,
    seconds: SolverSeconds,
    site: Annotated[str, Form()],
) -> Response:
    if denied := _forbidden(request, user):
        return denied
    try:
        proposal_id = production.run_production(engine, site, moment, user, time_limit=seconds)
    except proposals.ProposalError as error:
        return _list_page(request, engine, user, day, error=str(error), status_code=422)
    return RedirectResponse(f"/dispatch/proposals/{proposal_id}", status_code=303)


@router.post("/dispatch/proposals/routes", response_model=None)
def run_routes_from_page(
    request: Request,
    user: CurrentUser,
    engine: DbEngine,
    day: Today,
    seconds: SolverSeconds,
    site: Annotated[str, Form()],
    delivery_day: Annotated[dt.date | None, Form()] = None,
) -> Response:
    if denied := _forbidden(request, user, ROUTE_ROLES, FORBIDDEN_ROUTES):
        return denied
    try:
        proposal_id = routing.run_routes(engine, site, delivery_day or day, user, time_limit=seconds)
    except proposals.ProposalError as error:
        return _list_page(request, engine, user, day, error=str(error), status_code=422)
    return RedirectResponse(f"/dispatch/proposals/{proposal_id}", status_code=303)


@router.post("/dispatch/proposals/borrowing", response_model=None)
def run_from_page(
    request: Request,
    user: CurrentUser,
    engine: DbEngine,
    day: Today,
    seconds: SolverSeconds,
    site: Annotated[str, Form()],
) -> Response:
    if denied := _forbidden(request, user):
        return denied
    try:
        proposal_id = proposals.run_borrowing(engine, site, day, user, time_limit=seconds)
    except proposals.ProposalError as error:
        return _list_page(request, engine, user, day, error=str(error), status_code=422)
    return RedirectResponse(f"/dispatch/proposals/{proposal_id}", status_code=303)


@router.get("/dispatch/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(request: Request, proposal_id: int, user: CurrentUser, engine: DbEngine) -> HTMLResponse:
    if denied := _forbidden_for(request, engine, user, proposal_id):
        return denied
    with engine.connect() as conn:
        shown = views.proposal(conn, proposal_id)
    if shown is None:
        raise HTTPException(status_code=404, detail=f"Предложение {proposal_id} не найдено")
    return _page(request, "dispatch/proposal.html", user, p=shown, error=request.query_params.get("error"))


@router.post("/dispatch/proposals/{proposal_id}/accept", response_model=None)
def accept_from_page(request: Request, proposal_id: int, user: CurrentUser, engine: DbEngine, day: Today) -> Response:
    if denied := _forbidden_for(request, engine, user, proposal_id):
        return denied
    try:
        proposals.accept(engine, proposal_id, user, day)
    except proposals.ProposalNotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    except proposals.ProposalError as error:
        return _detail_with_error(request, engine, user, proposal_id, str(error))
    return RedirectResponse(f"/dispatch/proposals/{proposal_id}", status_code=303)


@router.post("/dispatch/proposals/{proposal_id}/reject", response_model=None)
def reject_from_page(
    request: Request,
    proposal_id: int,
    user: CurrentUser,
    engine: DbEngine,
    reason: Annotated[str, Form()] = "",
) -> Response:
    if denied := _forbidden_for(request, engine, user, proposal_id):
        return denied
    try:
        proposals.reject(engine, proposal_id, user, reason)
    except proposals.ProposalNotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    except proposals.ProposalError as error:
        return _detail_with_error(request, engine, user, proposal_id, str(error))
    return RedirectResponse(f"/dispatch/proposals/{proposal_id}", status_code=303)


def _detail_with_error(request: Request, engine: DbEngine, user: User, proposal_id: int, error: str) -> HTMLResponse:
    with engine.connect() as conn:
        shown = views.proposal(conn, proposal_id)
    return _page(request, "dispatch/proposal.html", user, status_code=409, p=shown, error=error)


class RunRequest(BaseModel):
    """``{"site": "W1"}``: the warehouse whose reserves may be borrowed from."""

    site: str


class RunRoutesRequest(BaseModel):
    """``{"site": "W1", "day": "2026-11-24"}``: the warehouse and the delivery day (today when omitted)."""

    site: str
    day: dt.date | None = None


class RejectRequest(BaseModel):
    """``{"reason": "..."}``: why the dispatcher rejects the proposal."""

    reason: str


def _run(engine: DbEngine, run: Callable[[], int]) -> Any:
    """Run an optimizer and answer with the stored proposal: 404 for an unknown site, 422 when checks fail."""
    try:
        proposal_id = run()
    except proposals.UnknownSite as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    except proposals.ProposalError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    with engine.connect() as conn:
        return views.proposal(conn, proposal_id)


@router.post("/api/v1/proposals/borrowing", status_code=201)
def run_api(body: RunRequest, user: Dispatcher, engine: DbEngine, day: Today, seconds: SolverSeconds) -> Any:
    """Run borrowing for a site and store the proposal; 422 when the checker rejects it (nothing stored)."""
    return _run(engine, lambda: proposals.run_borrowing(engine, body.site, day, user, time_limit=seconds))


@router.post("/api/v1/proposals/production", status_code=201)
def run_production_api(
    body: RunRequest, user: Dispatcher, engine: DbEngine, moment: Now, seconds: SolverSeconds
) -> Any:
    """Plan the production queue of a shop and store the proposal; 422 when no schedule passes the checker."""
    return _run(engine, lambda: production.run_production(engine, body.site, moment, user, time_limit=seconds))


@router.post("/api/v1/proposals/routes", status_code=201)
def run_routes_api(
    body: RunRoutesRequest, user: Logistician, engine: DbEngine, day: Today, seconds: SolverSeconds
) -> Any:
    """Plan a day's deliveries from a warehouse and store the proposal; 422 when nothing is ready or checks fail."""
    return _run(engine, lambda: routing.run_routes(engine, body.site, body.day or day, user, time_limit=seconds))


@router.get("/api/v1/proposals/{proposal_id}")
def get_api(proposal_id: int, user: Reviewer, engine: DbEngine) -> Any:
    """One proposal: figures, explanation, difference from the current plan, its plan (per kind), decision."""
    if denied := _may(engine, proposal_id, user):
        raise HTTPException(status_code=403, detail=denied)
    with engine.connect() as conn:
        shown = views.proposal(conn, proposal_id)
    if shown is None:
        raise HTTPException(status_code=404, detail=f"Предложение {proposal_id} не найдено")
    return shown


@router.post("/api/v1/proposals/{proposal_id}/accept", response_model=None)
def accept_api(proposal_id: int, user: Reviewer, engine: DbEngine, day: Today) -> Any:
    """Accept: 200 when applied; 409 with the reason when the proposal is stale or was already decided."""
    if denied := _may(engine, proposal_id, user):
        raise HTTPException(status_code=403, detail=denied)
    try:
        decision = proposals.accept(engine, proposal_id, user, day)
    except proposals.ProposalNotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    except proposals.ProposalError as error:
        raise HTTPException(status_code=409, detail=str(error)) from error
    if decision.status == "stale":
        return JSONResponse({"detail": decision.reason, "status": "stale"}, status_code=409)
    return {"id": proposal_id, "status": decision.status, "loans": decision.loans, "tasks": decision.tasks}


@router.post("/api/v1/proposals/{proposal_id}/reject")
def reject_api(proposal_id: int, body: RejectRequest, user: Reviewer, engine: DbEngine) -> Any:
    """Reject with a reason: 200; 409 when already decided, 422 without a reason."""
    if denied := _may(engine, proposal_id, user):
        raise HTTPException(status_code=403, detail=denied)
    try:
        decision = proposals.reject(engine, proposal_id, user, body.reason)
    except proposals.ProposalNotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    except proposals.AlreadyDecided as error:
        raise HTTPException(status_code=409, detail=str(error)) from error
    except proposals.ProposalError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    return {"id": proposal_id, "status": decision.status, "reason": decision.reason}
