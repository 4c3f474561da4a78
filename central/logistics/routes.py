"""The logistician's page ``/logistics`` and the API under ``/api/v1/shipments`` (LOG-1, LOG-2).

``{id}`` is the dispatch of an order from a site (one per order and site, created when the site received the pick
task). Booking, documents and the dispatch are for the logistician, the dispatcher and the administrator; the
director, the commercial director, the accountant and sales managers (their own orders) may read
(``GET /api/v1/logistics``), and print documents except sales managers. Others get 403 with a Russian message.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from central.auth.staff import CurrentUser, DbEngine, User
from central.documents.money import format_rub
from central.documents.routes import Documents
from central.jobs import Job
from central.logistics import service
from central.logistics.documents import document_pdf
from central.logistics.domain import DOCUMENT_TITLES, Refused, kg
from central.logistics.reminders import documents_job as _documents_job
from central.logistics.service import BOOKING_ROLES, READING_ROLES, local_day
from central.logistics.settings import LogisticsSettings
from central.orders.routes import RussianRoute
from central.settings import CentralSettings
from central.web.pages import render

PRINT_ROLES = (*BOOKING_ROLES, "director", "commercial_director", "accountant")
NO_READING = "Недостаточно прав: отгрузки видят логист, диспетчер, руководители, бухгалтер и менеджеры"
NO_BOOKING = "Недостаточно прав: транспорт, документы и отправку оформляют логист, диспетчер и администратор"
NO_PRINTING = "Недостаточно прав: документы отгрузки печатают логист, диспетчер, руководители и бухгалтер"

api = APIRouter(prefix="/api/v1", tags=["logistics"], route_class=RussianRoute)
pages = APIRouter()


def now() -> dt.datetime:
    """The current moment (UTC); tests override this dependency."""
    return dt.datetime.now(dt.UTC)


Now = Annotated[dt.datetime, Depends(now)]


def settings_of(app: FastAPI) -> LogisticsSettings:
    """The logistics settings, read once per app (tests put their own on ``app.state.logistics_settings``)."""
    found = getattr(app.state, "logistics_settings", None)
    if not isinstance(found, LogisticsSettings):
        found = LogisticsSettings()
        app.state.logistics_settings = found
    return found


def logistics_settings(request: Request) -> LogisticsSettings:
    return settings_of(request.app)


Settings = Annotated[LogisticsSettings, Depends(logistics_settings)]


def documents_job(app: FastAPI) -> Job:
    """The reminder job of central's clock: ``("documents_return", documents_job(app))`` in ``jobs(app)``."""
    return _documents_job(lambda: settings_of(app))


def _role(roles: tuple[str, ...], message: str) -> Any:
    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(403, message)
        return user

    return check


Reader = Annotated[User, Depends(_role(READING_ROLES, NO_READING))]
Booker = Annotated[User, Depends(_role(BOOKING_ROLES, NO_BOOKING))]
Printer = Annotated[User, Depends(_role(PRINT_ROLES, NO_PRINTING))]


def _own(user: User) -> int | None:
    """A sales manager reads the shipments of own orders only, as in the orders API."""
    return user.id if user.role == "sales_manager" else None


def _refused(exc: Refused) -> HTTPException:
    return HTTPException(exc.status, exc.message)


# --- API ----------------------------------------------------------------------------------------------------------


class CarrierIn(BaseModel):
    """``{"tariff_id": 2, "day": "2026-11-24", "booking_number": "ПЭК-123", "comment": "…"}``."""

    tariff_id: int
    day: dt.date
    booking_number: str = Field("", max_length=64)
    comment: str = Field("", max_length=2000)


class VanIn(BaseModel):
    """``{"vehicle_id": 1, "day": "2026-11-24"}``."""

    vehicle_id: int
    day: dt.date


class DocumentIn(BaseModel):
    """``{"kind": "torg12"}`` or ``{"kind": "upd"}``."""

    kind: str = Field(pattern="^(torg12|upd)$")


class DateIn(BaseModel):
    """``{"on": "2026-11-30"}``; no date means today."""

    on: dt.date | None = None


@api.get("/logistics")
def board_api(user: Reader, engine: DbEngine, moment: Now, settings: Settings) -> dict[str, Any]:
    """Dispatches: picked and waiting for transport, being picked, shipped and waiting for signed documents."""
    return service.board(engine, local_day(moment), settings, _own(user))


@api.post("/shipments/{dispatch_id}/carrier")
def book_carrier(dispatch_id: int, body: CarrierIn, user: Booker, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Order a transport company; the price from its tariff (base + per kg + per km from the warehouse)."""
    try:
        cost = service.book_carrier(
            engine, dispatch_id, body.tariff_id, body.day, user.id, moment, body.booking_number, body.comment
        )
    except Refused as exc:
        raise _refused(exc) from exc
    return {"id": dispatch_id, "mode": "carrier", "cost_kop": cost}


@api.post("/shipments/{dispatch_id}/van")
def book_van(dispatch_id: int, body: VanIn, user: Booker, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Put the shipment on an own van for a day; refused (409) over the van's weight or volume."""
    try:
        cost = service.book_van(engine, dispatch_id, body.vehicle_id, body.day, user.id, moment)
    except Refused as exc:
        raise _refused(exc) from exc
    return {"id": dispatch_id, "mode": "van", "cost_kop": cost}


@api.post("/shipments/{dispatch_id}/document")
def choose_document(dispatch_id: int, body: DocumentIn, user: Booker, engine: DbEngine) -> dict[str, Any]:
    """Choose TORG-12 or UPD for the shipment (before one of them is printed)."""
    try:
        service.choose_document(engine, dispatch_id, body.kind)
    except Refused as exc:
        raise _refused(exc) from exc
    return {"id": dispatch_id, "document_kind": body.kind}


@api.post("/shipments/{dispatch_id}/dispatched")
def register_dispatch(dispatch_id: int, user: Booker, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """The driver left: the shipment is logged now (a no-op when the site already reported it)."""
    try:
        logged = service.register_dispatch(engine, dispatch_id, user.id, moment)
    except Refused as exc:
        raise _refused(exc) from exc
    return {"id": dispatch_id, "shipment_id": logged.shipment_id, "registered_now": logged.fresh}


@api.post("/shipments/{dispatch_id}/documents-returned")
def documents_returned(dispatch_id: int, body: DateIn, user: Booker, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """The signed documents are back (on a date, today by default)."""
    try:
        service.documents_returned(engine, dispatch_id, body.on, user.id, moment)
    except Refused as exc:
        raise _refused(exc) from exc
    return {"id": dispatch_id, "documents_returned": True}


@api.post("/shipments/{dispatch_id}/documents-due")
def documents_due(dispatch_id: int, body: DateIn, user: Booker, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """The date the customer agreed to return the signed documents by."""
    try:
        service.set_due(engine, dispatch_id, body.on or local_day(moment))
    except Refused as exc:
        raise _refused(exc) from exc
    return {"id": dispatch_id, "documents_due_on": (body.on or local_day(moment)).isoformat()}


def _attachment(data: bytes, filename: str) -> Response:
    # RFC 6266/5987: the Cyrillic title travels percent-encoded beside an ASCII fallback.
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type="application/pdf", headers={"Content-Disposition": disposition})


def _pdf(
    dispatch_id: int, kind: str, request: Request, engine: DbEngine, moment: dt.datetime, documents: Any
) -> Response:
    central: CentralSettings = request.app.state.settings
    try:
        data, title = document_pdf(
            engine, dispatch_id, kind, moment, central, settings_of(request.app), documents.vat_percent
        )
    except Refused as exc:
        raise _refused(exc) from exc
    return _attachment(data, f"{title}.pdf")


@api.get("/shipments/{dispatch_id}/torg12.pdf")
def torg12_pdf(
    dispatch_id: int, request: Request, user: Printer, engine: DbEngine, moment: Now, documents: Documents
) -> Response:
    """Товарная накладная ТОРГ-12 (ОКУД 0330212), numbered on first print."""
    return _pdf(dispatch_id, "torg12", request, engine, moment, documents)


@api.get("/shipments/{dispatch_id}/upd.pdf")
def upd_pdf(
    dispatch_id: int, request: Request, user: Printer, engine: DbEngine, moment: Now, documents: Documents
) -> Response:
    """Универсальный передаточный документ, статус 1 (счёт-фактура и передаточный документ)."""
    return _pdf(dispatch_id, "upd", request, engine, moment, documents)


@api.get("/shipments/{dispatch_id}/waybill.pdf")
def waybill_pdf(
    dispatch_id: int, request: Request, user: Printer, engine: DbEngine, moment: Now, documents: Documents
) -> Response:
    """Транспортная накладная (форма Постановления Правительства РФ № 2200), numbered on first print."""
    return _pdf(dispatch_id, "waybill", request, engine, moment, documents)


# --- the page ---------------------------------------------------------------------------------------------------


def _page(
    request: Request,
    user: User,
    engine: DbEngine,
    moment: dt.datetime,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    today = local_day(moment)
    return render(
        request,
        "logistics/index.html",
        status_code=status_code,
        user=user,
        board=service.board(engine, today, settings_of(request.app), _own(user)),
        today=today,
        error=error,
        may_book=user.role in BOOKING_ROLES,
        may_print=user.role in PRINT_ROLES,
        titles=DOCUMENT_TITLES,
        rub=format_rub,
        kg=kg,
    )


def _forbidden(request: Request, user: User, roles: tuple[str, ...], message: str) -> HTMLResponse | None:
    if user.role in roles:
        return None
    return render(request, "logistics/forbidden.html", status_code=403, user=user, message=message)


@pages.get("/logistics", response_class=HTMLResponse)
def logistics_page(request: Request, user: CurrentUser, engine: DbEngine, moment: Now) -> HTMLResponse:
    return _forbidden(request, user, READING_ROLES, NO_READING) or _page(request, user, engine, moment)


def _act(request: Request, user: User, engine: DbEngine, moment: dt.datetime, dispatch_id: int, act: Any) -> Response:
    """Run a page action: back to the shipment on the page, or the page with the refusal."""
    if denied := _forbidden(request, user, BOOKING_ROLES, NO_BOOKING):
        return denied
    try:
        act()
    except Refused as exc:
        return _page(request, user, engine, moment, error=exc.message, status_code=exc.status)
    return RedirectResponse(f"/logistics#dispatch-{dispatch_id}", status_code=303)


@pages.post("/logistics/{dispatch_id}/carrier", response_model=None)
def carrier_from_page(
    dispatch_id: int,
    request: Request,
    user: CurrentUser,
    engine: DbEngine,
    moment: Now,
    tariff_id: Annotated[int, Form()],
    day: Annotated[dt.date, Form()],
    booking_number: Annotated[str, Form(max_length=64)] = "",
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return _act(
        request, user, engine, moment, dispatch_id,
        lambda: service.book_carrier(engine, dispatch_id, tariff_id, day, user.id, moment, booking_number, comment),
    )  # fmt: skip


@pages.post("/logistics/{dispatch_id}/van", response_model=None)
def van_from_page(
    dispatch_id: int,
    request: Request,
    user: CurrentUser,
    engine: DbEngine,
    moment: Now,
    vehicle_id: Annotated[int, Form()],
    day: Annotated[dt.date, Form()],
) -> Response:
    return _act(
        request, user, engine, moment, dispatch_id,
        lambda: service.book_van(engine, dispatch_id, vehicle_id, day, user.id, moment),
    )  # fmt: skip


@pages.post("/logistics/{dispatch_id}/document", response_model=None)
def document_from_page(
    dispatch_id: int,
    request: Request,
    user: CurrentUser,
    engine: DbEngine,
    moment: Now,
    kind: Annotated[str, Form()],
) -> Response:
    return _act(request, user, engine, moment, dispatch_id, lambda: service.choose_document(engine, dispatch_id, kind))


@pages.post("/logistics/{dispatch_id}/dispatched", response_model=None)
def dispatched_from_page(
    dispatch_id: int, request: Request, user: CurrentUser, engine: DbEngine, moment: Now
) -> Response:
    return _act(
        request,
        user,
        engine,
        moment,
        dispatch_id,
        lambda: service.register_dispatch(engine, dispatch_id, user.id, moment),
    )


@pages.post("/logistics/{dispatch_id}/returned", response_model=None)
def returned_from_page(
    dispatch_id: int,
    request: Request,
    user: CurrentUser,
    engine: DbEngine,
    moment: Now,
    on: Annotated[dt.date | None, Form()] = None,
) -> Response:
    return _act(
        request, user, engine, moment, dispatch_id,
        lambda: service.documents_returned(engine, dispatch_id, on, user.id, moment),
    )  # fmt: skip


router = APIRouter()  # the one router central's app includes
router.include_router(api)
router.include_router(pages)
