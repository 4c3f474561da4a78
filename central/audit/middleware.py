"""Every action through the office pages and the API lands in the audit log (ACC-1), with who acted for whom.

A request that can change something (POST, PUT, PATCH, DELETE) is recorded after it was answered, refused
ones included: the route template as the action, the path as the target, the answer's status. Form and
JSON bodies are summarised by their field names only, so no password or token is ever written to the log.
A sales manager acting on a customer's order is recorded on behalf of that customer (ACC-4).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, Response
from sqlalchemy import Connection, Engine, select

from central.audit.log import record
from central.auth.tokens import read_token
from central.store import schema as s

log = logging.getLogger(__name__)

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


def install_audit(app: FastAPI, engine: Engine, secret: str) -> None:
    """Add the audit middleware to ``app`` (call it before the session middleware is added)."""

    @app.middleware("http")
    async def audit(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method not in MUTATING or not _audited(request.url.path):
            return await call_next(request)
        body = await request.body()
        response = await call_next(request)
        try:
            _write(request, body, response.status_code, engine, secret)
        except Exception:
            # The action itself has happened; a failed audit write is an operator's alarm, not a user's error.
            log.exception("audit entry not written for %s %s", request.method, request.url.path)
        return response


def _audited(path: str) -> bool:
    return path.startswith("/api/") or not path.startswith(("/static/", "/healthz"))


def _route(request: Request) -> tuple[str, dict[str, object]]:
    """The route template that served the request and its path parameters (the router leaves them in scope)."""
    route = request.scope.get("route")
    template = str(getattr(route, "path", None) or request.url.path)
    return template, dict(request.scope.get("path_params") or {})


def _fields(request: Request, body: bytes) -> list[str]:
    kind = request.headers.get("content-type", "")
    if "json" in kind:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return []
        return sorted(data) if isinstance(data, dict) else []
    if "form" in kind:
        return sorted({pair.split(b"=", 1)[0].decode("latin-1") for pair in body.split(b"&") if pair})
    return []


def _write(request: Request, body: bytes, status: int, engine: Engine, secret: str) -> None:
    user_id: object = None
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        user_id = read_token(secret, token.strip())
    elif "session" in request.scope:
        user_id = request.session.get("user_id")
    with engine.begin() as conn:
        actor, role = "anonymous", None
        if isinstance(user_id, int):
            row = conn.execute(select(s.users.c.login, s.users.c.role).where(s.users.c.id == user_id)).first()
            if row is not None:
                actor, role = row.login, row.role
        if actor == "anonymous" and request.url.path == "/login":
            actor = "login-attempt"
        template, params = _route(request)
        on_behalf_of = _customer_of(conn, request, body, params) if role == "sales_manager" else None
        record(
            conn,
            actor,
            f"{request.method} {template}",
            request.url.path,
            after={"status": status, "fields": _fields(request, body)},
            on_behalf_of=on_behalf_of,
        )


def _customer_of(conn: Connection, request: Request, body: bytes, params: dict[str, object]) -> str | None:
    """The customer a manager is acting for: the one named in the body, or the one of the order in the path."""
    customer_id = None
    if "json" in request.headers.get("content-type", ""):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = {}
        if isinstance(data, dict) and isinstance(data.get("customer_id"), int):
            customer_id = data["customer_id"]
    elif "form-urlencoded" in request.headers.get("content-type", ""):  # the office's order form (ACC-4)
        value = parse_qs(body.decode("utf-8", "replace")).get("customer_id", [""])[0]
        customer_id = int(value) if value.isdigit() else None
    order_ref = params.get("order_id")
    if customer_id is None and order_ref is not None and str(order_ref).isdigit():
        customer_id = conn.execute(select(s.orders.c.customer_id).where(s.orders.c.id == int(str(order_ref)))).scalar()
    if customer_id is None:
        return None
    name = conn.execute(select(s.customers.c.name, s.customers.c.inn).where(s.customers.c.id == customer_id)).first()
    return None if name is None else f"{name.name} (ИНН {name.inn})"
