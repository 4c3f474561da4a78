"""Expected receipts (WH-7): a supply order sent to a site, received there by scanning, closed into claims.

``send_expected_receipt(conn, "ПЗ-00001", "W1")`` records an ``expected_receipts`` row with its lines and
queues the receipt on the site's downstream log (task kind ``receipt``, id = the document code 24…) in the
caller's transaction. The site reports ``ReceiptClosed`` with expected / received / defective per line;
``record_receipt_closed`` (called by the warehouse projection) writes the figures, opens a claim on every line
with a difference, marks the supply order received and repays the loans waiting for it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, insert, select, update

from central.notifications.inbox import notify
from central.store import schema as s
from central.sync.downlog import append_down
from devices.barcodes import company_code
from sync.events import ReceiptClosed

MOSCOW = ZoneInfo("Europe/Moscow")


class ReceiptRefused(ValueError):
    """The supply order cannot be sent as asked; the message says why (Russian)."""


def send_expected_receipt(conn: Connection, supply_order_number: str, site: str, now: dt.datetime | None = None) -> str:
    """Send an open supply order to ``site`` as an expected receipt; returns its document code (24…)."""
    now = now or dt.datetime.now(dt.UTC)
    order = conn.execute(
        select(s.supply_orders, s.suppliers.c.name.label("supplier"))
        .join(s.suppliers, s.suppliers.c.id == s.supply_orders.c.supplier_id)
        .where(s.supply_orders.c.number == supply_order_number)
    ).first()
    if order is None:
        raise ReceiptRefused(f"Заказ поставщику {supply_order_number} не найден")
    if order.status != "open":
        raise ReceiptRefused(
            f"Заказ поставщику {supply_order_number} в статусе «{order.status}»: ожидают только открытые"
        )
    site_id = conn.execute(select(s.sites.c.id).where(s.sites.c.code == site, s.sites.c.kind == "warehouse")).scalar()
    if site_id is None:
        raise ReceiptRefused(f"Склад {site} не найден")
    sent = conn.execute(
        select(s.expected_receipts.c.code).where(s.expected_receipts.c.supply_order_id == order.id)
    ).scalar()
    if sent is not None:
        raise ReceiptRefused(f"Поставка {supply_order_number} уже отправлена на склад: документ {sent}")
    lines: dict[int, int] = defaultdict(int)
    names: dict[int, tuple[str, str]] = {}
    for item_id, sku, name, qty in conn.execute(
        select(s.items.c.id, s.items.c.sku, s.items.c.name, s.supply_order_lines.c.qty)
        .join(s.items, s.items.c.id == s.supply_order_lines.c.item_id)
        .where(s.supply_order_lines.c.supply_order_id == order.id)
        .order_by(s.supply_order_lines.c.id)
    ).all():
        lines[item_id] += int(qty)
        names[item_id] = (sku, name)
    if not lines:
        raise ReceiptRefused(f"В заказе поставщику {supply_order_number} нет строк")
    receipt_id = conn.execute(
        insert(s.expected_receipts)
        .values(code=uuid.uuid4().hex[:13], supply_order_id=order.id, site_id=site_id, status="sent", sent_at=now)
        .returning(s.expected_receipts.c.id)
    ).scalar_one()
    code = company_code("document", receipt_id)
    conn.execute(update(s.expected_receipts).where(s.expected_receipts.c.id == receipt_id).values(code=code))
    conn.execute(
        insert(s.receipt_lines),
        [{"receipt_id": receipt_id, "item_id": item_id, "expected": qty} for item_id, qty in lines.items()],
    )
    payload: dict[str, Any] = {
        "id": code,
        "kind": "receipt",
        "supply_order": supply_order_number,
        "supplier": order.supplier,
        "eta": order.eta.isoformat(),
        "site": site,
        "lines": [{"sku": names[i][0], "name": names[i][1], "expected": qty} for i, qty in lines.items()],
    }
    append_down(conn, site, "task", payload)
    return code


def send_open_receipts(engine: Engine, site: str = "W1") -> list[str]:
    """Send every open supply order not yet sent to ``site`` (the demo's first start); returns the codes."""
    with engine.connect() as conn:
        numbers = (
            conn.execute(
                select(s.supply_orders.c.number)
                .where(s.supply_orders.c.status == "open")
                .where(~s.supply_orders.c.id.in_(select(s.expected_receipts.c.supply_order_id)))
                .order_by(s.supply_orders.c.number)
            )
            .scalars()
            .all()
        )
    codes = []
    for number in numbers:
        with engine.begin() as conn:
            codes.append(send_expected_receipt(conn, number, site))
    return codes


def record_receipt_closed(
    conn: Connection, site_id: int, fact: ReceiptClosed, actor: str | None, at: dt.datetime
) -> str | None:
    """Write a closed receipt's figures and claims; returns a problem message when the receipt is unknown."""
    receipt = conn.execute(
        select(s.expected_receipts).where(
            s.expected_receipts.c.code == fact.receipt, s.expected_receipts.c.site_id == site_id
        )
    ).first()
    if receipt is None:
        if _transfer_receipt(conn, site_id, fact.receipt):
            return None  # a transfer's receipt: central/production/transfers.py follows it
        return f"приёмка {fact.receipt} неизвестна центру"
    items = dict(conn.execute(select(s.items.c.sku, s.items.c.id)).all())
    lines = s.receipt_lines.c
    for line in fact.lines:
        item_id = items.get(line.sku)
        if item_id is None:
            continue
        claim = "open" if line.received != line.expected or line.defective else None
        figures = {"received": line.received, "defective": line.defective, "claim_status": claim}
        key = (lines.receipt_id == receipt.id) & (lines.item_id == item_id)
        if conn.execute(update(s.receipt_lines).where(key).values(**figures)).rowcount == 0:
            conn.execute(
                insert(s.receipt_lines).values(
                    receipt_id=receipt.id, item_id=item_id, expected=line.expected, **figures
                )
            )
    conn.execute(
        update(s.expected_receipts)
        .where(s.expected_receipts.c.id == receipt.id)
        .values(status="closed", closed_at=at, closed_by=actor)
    )
    conn.execute(
        update(s.supply_orders).where(s.supply_orders.c.id == receipt.supply_order_id).values(status="received")
    )
    # Before the loans are settled, so a lender's reservation waiting for this supply takes its units once.
    good = {items[line.sku]: line.received - line.defective for line in fact.lines if line.sku in items}
    reserve_arrived(conn, receipt.supply_order_id, site_id, good, at)
    _settle_loans(conn, at.astimezone(MOSCOW).date())
    return None


def _transfer_receipt(conn: Connection, site_id: int, code: str) -> bool:
    t = s.transfers.c
    found = conn.execute(select(t.id).where(t.receipt_code == code, t.to_site_id == site_id)).first()
    return found is not None


def reserve_arrived(
    conn: Connection, supply_order_id: int, site_id: int, good: dict[int, int], at: dt.datetime
) -> None:
    """Turn the reservations held against an arrived supply into reservations from the site's stock (ORD-5).

    Orders reserved units of ``supply:ПЗ-…`` while it was on its way; the good units received now hold them
    from stock, oldest reservation first. What the supply did not bring stays reserved against it, and the
    order's manager is told, so they can decide with the customer.
    """
    number = conn.execute(select(s.supply_orders.c.number).where(s.supply_orders.c.id == supply_order_id)).scalar_one()
    site = conn.execute(select(s.sites.c.code).where(s.sites.c.id == site_id)).scalar_one()
    r = s.reservations.c
    held = conn.execute(
        select(r.id, r.item_id, r.qty, r.order_line_id, r.expires_at, s.orders.c.id.label("order_id"),
               s.orders.c.number, s.orders.c.manager_id, s.items.c.sku)
        .join(s.order_lines, s.order_lines.c.id == r.order_line_id)
        .join(s.orders, s.orders.c.id == s.order_lines.c.order_id)
        .join(s.items, s.items.c.id == r.item_id)
        .where(r.source == f"supply:{number}", r.status == "active")
        .order_by(r.id)
    ).all()  # fmt: skip
    left = dict(good)
    short: dict[int, list[str]] = {}
    for row in held:
        take = min(int(row.qty), max(0, left.get(row.item_id, 0)))
        left[row.item_id] = left.get(row.item_id, 0) - take
        if take == row.qty:
            conn.execute(update(s.reservations).where(r.id == row.id).values(source=f"stock:{site}", site_id=site_id))
            continue
        if take:
            conn.execute(update(s.reservations).where(r.id == row.id).values(qty=int(row.qty) - take))
            conn.execute(
                insert(s.reservations).values(
                    order_line_id=row.order_line_id, item_id=row.item_id, site_id=site_id, qty=take,
                    source=f"stock:{site}", created_at=at,
                    expires_at=row.expires_at, status="active",
                )
            )  # fmt: skip
        short.setdefault(row.order_id, []).append(f"{row.sku}: не пришло {int(row.qty) - take} шт.")
    numbers = {row.order_id: (row.number, row.manager_id) for row in held}
    for order_id, lines in short.items():
        order_number, manager_id = numbers[order_id]
        notify(
            conn, kind="supply_short", users=[int(manager_id)], now=at, link=f"/orders/{order_id}",
            subject=f"Поставка {number} пришла не полностью: заказ {order_number}",
            body="Резерв по заказу остаётся на поставке:\n" + "\n".join(lines),
        )  # fmt: skip


def _settle_loans(conn: Connection, today: dt.date) -> None:
    # Loans repaid by this supply (OPT-1) are settled in the transaction that records its arrival.
    try:
        from central.dispatch.proposals import settle_loans
    except ImportError:  # pragma: no cover - a release without borrowing
        return
    settle_loans(conn, today)


def claims(conn: Connection, status: str | None = None) -> list[dict[str, Any]]:
    """The claims register: every receipt line with a difference, newest receipt first."""
    lines = s.receipt_lines.c
    query = (
        select(
            lines.id,
            s.expected_receipts.c.code.label("receipt"),
            s.supply_orders.c.number.label("supply_order"),
            s.suppliers.c.name.label("supplier"),
            s.sites.c.code.label("site"),
            s.expected_receipts.c.closed_at,
            s.items.c.sku,
            s.items.c.name,
            lines.expected,
            lines.received,
            lines.defective,
            lines.claim_status,
            lines.claim_note,
            s.supply_order_lines.c.price_kop,
        )
        .join(s.expected_receipts, s.expected_receipts.c.id == lines.receipt_id)
        .join(s.supply_orders, s.supply_orders.c.id == s.expected_receipts.c.supply_order_id)
        .join(s.suppliers, s.suppliers.c.id == s.supply_orders.c.supplier_id)
        .join(s.sites, s.sites.c.id == s.expected_receipts.c.site_id)
        .join(s.items, s.items.c.id == lines.item_id)
        .outerjoin(
            s.supply_order_lines,
            (s.supply_order_lines.c.supply_order_id == s.supply_orders.c.id)
            & (s.supply_order_lines.c.item_id == lines.item_id),
        )
        .where(lines.claim_status.is_not(None))
        .order_by(s.expected_receipts.c.closed_at.desc(), lines.id)
    )
    if status:
        query = query.where(lines.claim_status == status)
    register = []
    for row in conn.execute(query).all():
        over = max(0, row.received - row.expected)
        under = max(0, row.expected - row.received - row.defective)
        price = int(row.price_kop or 0)
        register.append(
            {
                "id": row.id,
                "receipt": row.receipt,
                "supply_order": row.supply_order,
                "supplier": row.supplier,
                "site": row.site,
                "closed_at": row.closed_at.isoformat() if row.closed_at else None,
                "sku": row.sku,
                "name": row.name,
                "expected": row.expected,
                "received": row.received,
                "defective": row.defective,
                "over": over,
                "under": under,
                "price_kop": price,
                "claim_kop": price * (under + row.defective),  # what the supplier owes back: short and defective
                "status": row.claim_status,
                "note": row.claim_note,
            }
        )
    return register


def settle_claim(conn: Connection, line_id: int, note: str, now: dt.datetime) -> None:
    """The purchasing manager settled a claim with the supplier (credit note, replacement, …)."""
    row = conn.execute(select(s.receipt_lines.c.claim_status).where(s.receipt_lines.c.id == line_id)).first()
    if row is None or row.claim_status is None:
        raise ReceiptRefused(f"Претензия {line_id} не найдена")
    if row.claim_status == "settled":
        raise ReceiptRefused(f"Претензия {line_id} уже урегулирована")
    conn.execute(
        update(s.receipt_lines)
        .where(s.receipt_lines.c.id == line_id)
        .values(claim_status="settled", claim_note=note, settled_at=now)
    )


def receipts(conn: Connection) -> list[dict[str, Any]]:
    """Expected receipts, newest first, with their totals."""
    r = s.expected_receipts.c
    rows = conn.execute(
        select(r.code, r.status, r.sent_at, r.closed_at, s.supply_orders.c.number, s.suppliers.c.name, s.sites.c.code)
        .join(s.supply_orders, s.supply_orders.c.id == r.supply_order_id)
        .join(s.suppliers, s.suppliers.c.id == s.supply_orders.c.supplier_id)
        .join(s.sites, s.sites.c.id == r.site_id)
        .order_by(r.id.desc())
    ).all()
    return [
        {
            "code": code,
            "status": status,
            "sent_at": sent.isoformat(),
            "closed_at": closed.isoformat() if closed else None,
            "supply_order": number,
            "supplier": supplier,
            "site": site,
        }
        for code, status, sent, closed, number, supplier, site in rows
    ]
