"""The dispatcher's review of proposals (DISP-2): office pages under /dispatch and the API under /api/v1/proposals.

Only the dispatcher and the administrator may run, accept or reject; other roles get 403 with a Russian message.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from central.auth.staff import CurrentUser, DbEngine, User
from central.dispatch import proposals, views
from central.web.pages import render
from optimizer.borrowing.explain import rubles

MOSCOW = ZoneInfo("Europe/Moscow")
ALLOWED_ROLES = ("dispatcher", "admin")
FORBIDDEN = "Недостаточно прав: предложения оптимизатора рассматривают диспетчер и администратор"
STATUS_TITLES = {"proposed": "Предложено", "accepted": "Принято", "rejected": "Отклонено", "stale": "Устарело"}
KIND_TITLES = {"borrowing": "Заимствование из резервов", "production": "Очередь производства", "routes": "Маршруты"}

router = APIRouter()


def today() -> dt.date:
    """The business day in Moscow (the company's time zone); tests override this dependency."""
    return dt.datetime.now(MOSCOW).date()


def solver_seconds() -> float:
    """Time limit of one optimizer run started from the page or the API."""
    return 10.0


Today = Annotated[dt.date, Depends(today)]
SolverSeconds = Annotated[float, Depends(solver_seconds)]


def dispatcher(user: CurrentUser) -> User:
    """The signed-in user if they may review proposals, else 403."""
    if user.role not in ALLOWED_ROLES:
        raise HTTPException(status_code=403, detail=FORBIDDEN)
    return user


Dispatcher = Annotated[User, Depends(dispatcher)]


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


def _forbidden(request: Request, user: User) -> HTMLResponse | None:
    if user.role in ALLOWED_ROLES:
        return None
    return _page(request, "dispatch/forbidden.html", user, status_code=403, message=FORBIDDEN)


def _list_page(
    request: Request, engine: DbEngine, user: User, day: dt.date, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    with engine.connect() as conn:
        rows = views.list_proposals(conn)
        sites = views.warehouses(conn)
        loans = views.open_loans(conn, day)
    return _page(
        request, "dispatch/proposals.html", user, status_code, proposals=rows, sites=sites, loans=loans, error=error
    )


@router.get("/dispatch/proposals", response_class=HTMLResponse)
def proposals_page(request: Request, user: CurrentUser, engine: DbEngine, day: Today) -> HTMLResponse:
    return _forbidden(request, user) or _list_page(request, engine, user, day)


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
    if denied := _forbidden(request, user):
        return denied
    with engine.connect() as conn:
        shown = views.proposal(conn, proposal_id)
    if shown is None:
        raise HTTPException(status_code=404, detail=f"Предложение {proposal_id} не найдено")
    return _page(request, "dispatch/proposal.html", user, p=shown, error=request.query_params.get("error"))


@router.post("/dispatch/proposals/{proposal_id}/accept", response_model=None)
def accept_from_page(request: Request, proposal_id: int, user: CurrentUser, engine: DbEngine, day: Today) -> Response:
    if denied := _forbidden(request, user):
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
    if denied := _forbidden(request, user):
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


class RejectRequest(BaseModel):
    """``{"reason": "..."}``: why the dispatcher rejects the proposal."""

    reason: str


@router.post("/api/v1/proposals/borrowing", status_code=201)
def run_api(body: RunRequest, user: Dispatcher, engine: DbEngine, day: Today, seconds: SolverSeconds) -> Any:
    """Run borrowing for a site and store the proposal; 422 when the checker rejects it (nothing stored)."""
    try:
        proposal_id = proposals.run_borrowing(engine, body.site, day, user, time_limit=seconds)
    except proposals.UnknownSite as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    except proposals.ProposalError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    with engine.connect() as conn:
        return views.proposal(conn, proposal_id)


@router.get("/api/v1/proposals/{proposal_id}")
def get_api(proposal_id: int, _user: Dispatcher, engine: DbEngine) -> Any:
    """One proposal: figures, explanation, difference from the current plan, shipments, loans, decision."""
    with engine.connect() as conn:
        shown = views.proposal(conn, proposal_id)
    if shown is None:
        raise HTTPException(status_code=404, detail=f"Предложение {proposal_id} не найдено")
    return shown


@router.post("/api/v1/proposals/{proposal_id}/accept", response_model=None)
def accept_api(proposal_id: int, user: Dispatcher, engine: DbEngine, day: Today) -> Any:
    """Accept: 200 when applied; 409 with the reason when the proposal is stale or was already decided."""
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
def reject_api(proposal_id: int, body: RejectRequest, user: Dispatcher, engine: DbEngine) -> Any:
    """Reject with a reason: 200; 409 when already decided, 422 without a reason."""
    try:
        decision = proposals.reject(engine, proposal_id, user, body.reason)
    except proposals.ProposalNotFound as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    except proposals.AlreadyDecided as error:
        raise HTTPException(status_code=409, detail=str(error)) from error
    except proposals.ProposalError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    return {"id": proposal_id, "status": decision.status, "reason": decision.reason}
