"""Read models of the dispatcher's pages and API: proposals, one proposal, open loans."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

from central.dispatch.calendar import MOSCOW
from central.store import schema as s
from optimizer.borrowing.explain import rubles

Json = dict[str, Any]


def warehouses(conn: Connection) -> list[str]:
    """Codes of the sites whose reserves can be borrowed from: ``warehouses(conn) == ["W1"]``."""
    query = select(s.sites.c.code).where(s.sites.c.kind == "warehouse").order_by(s.sites.c.code)
    return list(conn.execute(query).scalars())


def shops(conn: Connection) -> list[str]:
    """Codes of the production sites whose queue can be planned: ``shops(conn) == ["S1"]``."""
    query = select(s.sites.c.code).where(s.sites.c.kind == "shop").order_by(s.sites.c.code)
    return list(conn.execute(query).scalars())


def kind_of(conn: Connection, proposal_id: int) -> str | None:
    """The proposal's kind ("borrowing", "production", "routes") or None when there is no such proposal."""
    return conn.execute(select(s.proposals.c.kind).where(s.proposals.c.id == proposal_id)).scalar_one_or_none()


def _base() -> Any:
    creator = aliased(s.users)
    decider = aliased(s.users)
    return (
        select(
            s.proposals.c.id,
            s.proposals.c.kind,
            s.sites.c.code.label("site"),
            s.proposals.c.created_at,
            creator.c.full_name.label("created_by"),
            s.proposals.c.status,
            s.proposals.c.figures,
            s.proposals.c.decided_at,
            decider.c.full_name.label("decided_by"),
            s.proposals.c.decision_reason,
        )
        .join(s.sites, s.sites.c.id == s.proposals.c.site_id)
        .join(creator, creator.c.id == s.proposals.c.created_by)
        .outerjoin(decider, decider.c.id == s.proposals.c.decided_by)
    )


def list_proposals(conn: Connection, limit: int = 100, kinds: tuple[str, ...] | None = None) -> list[Json]:
    """The latest proposals, newest first, each with a one-line ``summary``: ``list_proposals(conn)[0]["status"]``."""
    query = _base().order_by(s.proposals.c.id.desc()).limit(limit)
    if kinds is not None:
        query = query.where(s.proposals.c.kind.in_(kinds))
    return [{**_json(r._mapping), "summary": _summary(r.kind, r.figures)} for r in conn.execute(query).all()]


def _summary(kind: str, figures: Json) -> str:
    """The proposal's main figures in one Russian line for the list."""
    if kind == "production":
        return (
            f"заданий в плане {figures['tasks_planned']} из {figures['tasks_open']}, опаздывают "
            f"{figures['tasks_late']}, всё готово {_moscow(figures['finish_at'])}"
        )
    if kind == "routes":
        return (
            f"на {dt.date.fromisoformat(figures['day']):%d.%m.%Y}: своими машинами {figures['orders_on_vans']}, "
            f"перевозчиком {figures['orders_by_carrier']}, {rubles(figures['total_cost_kop'])}"
        )
    return f"отгружается заказов {figures['shipped_orders']} из {figures['waiting_orders']}"


def _moscow(iso: str | None) -> str:
    if not iso:
        return "—"
    return dt.datetime.fromisoformat(iso).astimezone(MOSCOW).strftime("%d.%m.%Y %H:%M")


def proposal(conn: Connection, proposal_id: int) -> Json | None:
    """One proposal with its explanation, difference from the current plan, shipments and loans (no snapshot)."""
    row = conn.execute(
        _base()
        .add_columns(s.proposals.c.explanation, s.proposals.c.diff, s.proposals.c.result)
        .where(s.proposals.c.id == proposal_id)
    ).first()
    if row is None:
        return None
    out = _json(row._mapping)
    result = out.pop("result")
    if out["kind"] == "production":
        out["schedule"] = result
    elif out["kind"] == "routes":
        out["routes"] = result["routes"]
        out["carrier"] = result["carrier"]
    else:
        out["shipments"] = result["shipments"]
        out["loans"] = result["loans"]
    return out


def open_loans(conn: Connection, today: dt.date) -> list[Json]:
    """Loans not yet repaid, the most urgent first; ``overdue`` when the repayment date has passed."""
    lender = aliased(s.orders)
    borrower = aliased(s.orders)
    rows = conn.execute(
        select(
            s.loans.c.id,
            s.loans.c.proposal_id,
            lender.c.number.label("lender"),
            borrower.c.number.label("borrower"),
            s.items.c.sku.label("item"),
            s.loans.c.qty,
            s.loans.c.repayment_source,
            s.loans.c.repayment_date,
            s.loans.c.lender_deadline,
        )
        .join(lender, lender.c.id == s.loans.c.lender_order_id)
        .join(borrower, borrower.c.id == s.loans.c.borrower_order_id)
        .join(s.items, s.items.c.id == s.loans.c.item_id)
        .where(s.loans.c.status == "open")
        .order_by(s.loans.c.repayment_date, s.loans.c.id)
    ).all()
    return [{**_json(r._mapping), "overdue": r.repayment_date < today} for r in rows]


def _json(mapping: Any) -> Json:
    out: Json = {}
    for key, value in mapping.items():
        if isinstance(value, dt.datetime):
            out[key] = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
        elif isinstance(value, dt.date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out
