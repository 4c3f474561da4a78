"""Signed contract scans (ORD-7): the manager attaches what the customer signed; kept in the database.

A scan is accepted as PDF, JPEG or PNG — recognised by its first bytes, not by the name or the browser's word —
up to ``MAX_SCAN_BYTES``. Anything else is refused with a Russian message and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert, select

from central.auth.staff import User
from central.orders.domain import Forbidden, NotFound, OrderRefused
from central.orders.service import NOT_YOURS, may_order, may_view
from central.store import schema as s

MAX_SCAN_BYTES = 10 * 1024 * 1024
SIGNATURES = ((b"%PDF-", "application/pdf", "pdf"), (b"\xff\xd8\xff", "image/jpeg", "jpg"),
              (b"\x89PNG\r\n\x1a\n", "image/png", "png"))  # fmt: skip


@dataclass(frozen=True)
class Scan:
    """A stored scan: ``Scan("Договор З-0000012.pdf", "application/pdf", b"%PDF-…")``."""

    filename: str
    media_type: str
    data: bytes


def scan_type(data: bytes) -> str:
    """The media type of an acceptable scan: ``scan_type(b"%PDF-1.7…") == "application/pdf"``; refuses the rest."""
    if not data:
        raise OrderRefused("Файл пустой: выберите скан подписанного договора")
    if len(data) > MAX_SCAN_BYTES:
        raise OrderRefused(f"Файл больше {MAX_SCAN_BYTES // (1024 * 1024)} МБ: уменьшите разрешение скана")
    for signature, media_type, _ in SIGNATURES:
        if data.startswith(signature):
            return media_type
    raise OrderRefused("Скан договора принимается только в формате PDF, JPEG или PNG")


def _order(engine: Engine, user: User, order_id: int) -> Any:
    with engine.connect() as conn:
        order = conn.execute(
            select(s.orders.c.id, s.orders.c.number, s.orders.c.manager_id).where(s.orders.c.id == order_id)
        ).first()
    if order is None:
        raise NotFound(f"Заказ №{order_id} не найден")
    if user.role == "sales_manager" and order.manager_id != user.id:
        raise Forbidden(NOT_YOURS)
    return order


def store_scan(engine: Engine, user: User, order_id: int, filename: str, data: bytes, now: dt.datetime) -> int:
    """Keep the signed scan of an order's contract with who uploaded it and when; its id."""
    may_order(user)
    order = _order(engine, user, order_id)
    media_type = scan_type(data)
    extension = next(ext for _, kind, ext in SIGNATURES if kind == media_type)
    name = (filename or "").strip().replace("/", "_").replace("\\", "_")[:200] or f"Договор {order.number}.{extension}"
    with engine.begin() as conn:
        scan_id: int = conn.execute(
            insert(s.contracts)
            .values(
                order_id=order.id, filename=name, media_type=media_type, size_bytes=len(data), scan=data,
                uploaded_at=now, uploaded_by=user.id,
            )
            .returning(s.contracts.c.id)
        ).scalar_one()  # fmt: skip
    return scan_id


def signed(engine: Engine, user: User, order_id: int) -> dict[str, Any] | None:
    """The latest signed scan's description (no content), or None while the contract is not signed."""
    may_view(user)
    _order(engine, user, order_id)
    c = s.contracts.c
    with engine.connect() as conn:
        row = conn.execute(
            select(c.id, c.filename, c.media_type, c.size_bytes, c.uploaded_at, s.users.c.full_name)
            .join(s.users, s.users.c.id == c.uploaded_by)
            .where(c.order_id == order_id)
            .order_by(c.uploaded_at.desc(), c.id.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    return {
        "id": row.id, "filename": row.filename, "media_type": row.media_type, "size_bytes": int(row.size_bytes),
        "uploaded_at": row.uploaded_at.isoformat(), "uploaded_by": row.full_name,
    }  # fmt: skip


def latest_scan(engine: Engine, user: User, order_id: int) -> Scan:
    """The latest signed scan itself, for download; 404 while there is none."""
    may_view(user)
    _order(engine, user, order_id)
    c = s.contracts.c
    with engine.connect() as conn:
        row = conn.execute(
            select(c.filename, c.media_type, c.scan)
            .where(c.order_id == order_id)
            .order_by(c.uploaded_at.desc(), c.id.desc())
            .limit(1)
        ).first()
    if row is None:
        raise NotFound(f"Подписанный договор по заказу №{order_id} ещё не загружен")
    return Scan(row.filename, row.media_type, bytes(row.scan))
