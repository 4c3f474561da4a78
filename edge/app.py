"""An edge node's composition root: ``create_app(EdgeSettings(site="W1"))`` opens the site's database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlite_utils import Database

from edge.labels import routes as label_routes
from edge.labels.printers import PrinterRegistry
from edge.runtime import EdgeRuntime
from edge.settings import EdgeSettings
from edge.shopfloor import routes as shopfloor_routes
from edge.store import applied_migrations, open_site_database
from edge.sync import routes as sync_routes
from edge.terminal import routes as terminal_routes
from edge.terminal.resolve import resolve
from edge.terminal.service import Terminals
from edge.warehouse import routes as warehouse_routes

WEB = Path(__file__).parent / "web"


def create_app(settings: EdgeSettings, db: Database | None = None) -> FastAPI:
    """The terminal app and API of one site: ``uvicorn.run(create_app(EdgeSettings(site="W1")))``."""
    db = db or open_site_database(settings.database_path)
    templates = Environment(
        loader=FileSystemLoader(WEB / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    templates.install_null_translations(newstyle=True)  # type: ignore[attr-defined]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The link, the announcement and the scanners start with the server and stop with it.
        runtime = EdgeRuntime(settings, app.state.terminals)
        app.state.runtime = runtime
        runtime.start()
        if settings.zeroconf:
            await asyncio.to_thread(app.state.printers.start_discovery)
        try:
            yield
        finally:
            app.state.printers.close()
            runtime.stop()

    app = FastAPI(
        lifespan=lifespan,
        title=f"Stockyard edge {settings.site}",
        version="0.1.0",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.db = db
    app.state.runtime = None
    app.state.terminals = Terminals(db, resolve)
    app.state.printers = PrinterRegistry.from_specs(settings.printers)
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")

    @app.get("/healthz")
    def healthz() -> dict[str, object]:
        """Liveness and readiness: the site's database answers and is migrated."""
        db.execute("SELECT 1")
        return {
            "status": "ok",
            "service": "edge",
            "site": settings.site,
            "migrations": applied_migrations(db),
        }

    @app.get("/", response_class=HTMLResponse)
    def terminal() -> HTMLResponse:
        """The handheld terminal app."""
        return HTMLResponse(templates.get_template("terminal.html").render(site=settings.site))

    app.include_router(warehouse_routes.router)
    app.include_router(terminal_routes.router)
    app.include_router(shopfloor_routes.router)
    app.include_router(sync_routes.router)
    app.include_router(label_routes.router)
    return app
