"""Central's composition root: ``create_app(CentralSettings())`` builds the one engine and every router."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from starlette.middleware.sessions import SessionMiddleware

from central.audit import routes as audit_routes
from central.audit.middleware import install_audit
from central.auth.staff import LoginRequired
from central.dispatch import board_routes, pick_routes
from central.dispatch import web as dispatch_web
from central.documents import routes as document_routes
from central.documents.settings import DocumentSettings
from central.jobs import Clock, Job
from central.logistics import routes as logistics_routes
from central.logistics.routes import documents_job
from central.notifications import routes as notification_routes
from central.notifications.delivery import deliver_pending
from central.orders import routes as order_routes
from central.orders import web as order_web
from central.orders.service import expire
from central.payments import routes as payment_routes
from central.payments import web as payment_web
from central.prices import routes as price_routes
from central.prices import web as price_web
from central.production import transfer_routes
from central.production import web as production_web
from central.purchasing import routes as purchasing_routes
from central.settings import CentralSettings
from central.store.engine import create_central_engine, current_revision, migrate
from central.sync import routes as sync_routes
from central.sync.worker import CentralSync
from central.warehouse import packages
from central.warehouse import routes as warehouse_routes
from central.web import pages
from central.web.i18n import template_environment
from sync.transport import BrokerAddress


def jobs(app: FastAPI) -> list[tuple[str, Job]]:
    """What central's clock runs each round, in this order."""

    def mail(engine: Engine, now: dt.datetime) -> object:
        documents = getattr(app.state, "document_settings", None) or DocumentSettings()
        app.state.document_settings = documents
        return deliver_pending(engine, documents, now)

    return [("reservations_expiry", expire), ("documents_return", documents_job(app)), ("notices_mail", mail)]


def create_app(settings: CentralSettings, engine: Engine | None = None) -> FastAPI:
    """The central web app, its schema migrated: ``uvicorn.run(create_app(CentralSettings()))``."""
    engine = engine or create_central_engine(settings.database_url)
    migrate(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The sync worker lives as long as the web server; without a broker central runs office-only.
        worker = (
            CentralSync(engine, BrokerAddress.parse(settings.mqtt_url), keepalive=settings.mqtt_keepalive)
            if settings.mqtt_url
            else None
        )
        app.state.sync = worker
        if worker is not None:
            worker.start()
        clock = Clock(engine, jobs(app), settings.jobs_interval) if settings.jobs_interval > 0 else None
        if clock is not None:
            clock.start()
        try:
            yield
        finally:
            if clock is not None:
                clock.stop()
            if worker is not None:
                worker.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Stockyard central",
        version="0.1.0",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.templates = template_environment(settings.language)
    # Added before the session middleware, so it runs inside it and can read who is signed in.
    install_audit(app, engine, settings.secret_key.get_secret_value())
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie="stockyard_session",
        same_site="lax",
        https_only=settings.environment == "production",
    )
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "web" / "static"), name="static")

    @app.exception_handler(LoginRequired)
    def _login_required(request: Request, _exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "Требуется вход в систему"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.get("/healthz")
    def healthz() -> dict[str, str | None]:
        """Liveness and readiness: the database answers and the schema revision is known."""
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "service": "central", "schema": current_revision(engine)}

    app.include_router(pages.router)
    app.include_router(sync_routes.router)
    app.include_router(pick_routes.router)
    app.include_router(payment_routes.router)
    app.include_router(payment_web.router)
    app.include_router(document_routes.router)
    app.include_router(audit_routes.router)
    app.include_router(production_web.router)
    app.include_router(transfer_routes.router)
    app.include_router(dispatch_web.router)
    app.include_router(order_routes.router)
    app.include_router(order_web.router)
    app.include_router(price_routes.router)
    app.include_router(price_web.router)
    app.include_router(warehouse_routes.router)
    app.include_router(packages.router)
    app.include_router(notification_routes.router)
    app.include_router(logistics_routes.router)
    app.include_router(board_routes.router)
    app.include_router(purchasing_routes.router)
    return app
