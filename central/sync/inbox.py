"""The inbox: each edge event is applied once, in the site's order, in one transaction with its ledger row.

``apply_events(conn, site, events)`` is called by the sync worker with the contiguous run the sequencer
released. Duplicates (an event id already in the ledger, or a sequence at or below the applied one) are
no-ops. The stock projection is computed per batch and written with a few set-based statements, since
catching up a long offline backlog is the case that must be fast.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, tuple_, update

from central.dispatch.pick_tasks import order_of_task, project_pick_facts
from central.production.projection import project_work
from central.production.transfers import project_transfers
from central.store import schema as s
from central.warehouse.packages import project_packages
from central.warehouse.projection import project_warehouse
from central.warehouse.serials import project_serials
from sync.events import (
    Fact,
    InvalidEvent,
    PickTaskCompleted,
    PickTaskReceived,
    UnitsPicked,
    UnitsShipped,
    UnknownSchema,
    read_event,
    stock_changes,
)
from sync.messages import Event


@dataclass
class SiteRef:
    """What the inbox needs to know about a site, cached by the worker: ids of its cells and the catalogue."""

    id: int
    code: str
    cells: set[int] = field(default_factory=set)
    items: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: Connection, code: str) -> SiteRef:
        """``SiteRef.load(conn, "W1")``; raises LookupError for a site central does not know."""
        site_id = conn.execute(select(s.sites.c.id).where(s.sites.c.code == code)).scalar()
        if site_id is None:
            raise LookupError(f"unknown site {code!r}")
        ref = cls(site_id, code)
        ref.refresh(conn)
        return ref

    def refresh(self, conn: Connection) -> None:
        """Reload the cells and catalogue (after central changed them)."""
        self.cells = set(conn.execute(select(s.cells.c.id).where(s.cells.c.site_id == self.id)).scalars())
        self.items = dict(conn.execute(select(s.items.c.sku, s.items.c.id)).all())


def sync_state(conn: Connection, site_id: int) -> int:
    """The highest contiguous sequence applied for a site, creating its row on first contact."""
    applied = conn.execute(select(s.sync_sites.c.applied_seq).where(s.sync_sites.c.site_id == site_id)).scalar()
    if applied is None:
        conn.execute(insert(s.sync_sites).values(site_id=site_id))
        return 0
    return int(applied)


def apply_events(conn: Connection, site: SiteRef, events: Sequence[Event], now: datetime | None = None) -> int:
    """Apply a contiguous run of a site's events inside the caller's transaction; return the new applied seq.

    An event of a schema this release cannot read stops the run there: it and everything after it wait
    (``sync_sites.held`` and ``last_error`` say why) until central is upgraded, so the returned sequence is
    then lower than the last event given.
    """
    now = now or datetime.now(UTC)
    applied = sync_state(conn, site.id)
    fresh = [e for e in events if e.seq > applied]
    if not fresh:
        return applied
    known = set(
        conn.execute(select(s.inbox.c.event_id).where(s.inbox.c.event_id.in_([e.event_id for e in fresh]))).scalars()
    )
    deltas: dict[tuple[int, int], int] = defaultdict(int)
    picks: dict[tuple[str, int], int] = defaultdict(int)
    followed: list[tuple[Event, Fact]] = []
    refreshed = False
    ledger: list[tuple[object, ...]] = []
    problems: list[dict[str, object]] = []
    held: str | None = None
    for event in fresh:
        if event.seq != applied + 1:
            raise ValueError(f"site {site.code}: event {event.seq} does not follow {applied}")
        if event.event_id in known:
            applied = event.seq  # the same fact under a sequence we already passed: a no-op
            continue
        try:
            fact = read_event(event.type, event.schema_version, event.payload)
        except UnknownSchema as exc:
            held = f"событие {event.seq} ({event.type}) ждёт обновления центра: {exc}"
            break
        except InvalidEvent as exc:
            # A malformed fact is still a fact the edge recorded: keep it in the ledger, tell the office.
            problems.append(_problem(site, event, "invalid_event", str(exc), now))
            fact = None
        if fact is not None:
            for sku, cell_id, delta in stock_changes(fact):
                if (sku not in site.items or cell_id not in site.cells) and not refreshed:
                    # The cache predates a catalogue or cell added at central since the worker started.
                    site.refresh(conn)
                    refreshed = True
                item_id = site.items.get(sku)
                if item_id is None or cell_id not in site.cells:
                    problems.append(
                        _problem(site, event, "unknown_reference", f"товар {sku} или ячейка {cell_id} неизвестны", now)
                    )
                    continue
                deltas[(item_id, cell_id)] += delta
            if isinstance(fact, UnitsPicked) and fact.sku in site.items:
                picks[(fact.task, site.items[fact.sku])] += fact.qty
            if isinstance(fact, PickTaskReceived | PickTaskCompleted | UnitsShipped):
                followed.append((event, fact))
        ledger.append(
            (
                site.id,
                event.seq,
                event.event_id,
                event.type,
                event.occurred_at,
                event.actor,
                _encode(event.payload),
                event.schema_version,
                now,
            )
        )
        applied = event.seq
    if ledger:
        _insert_ledger(conn, ledger)
    problems += _project_stock(conn, site, deltas, applied, now)
    problems += _record_picks(conn, site, picks, applied, now)
    # Shop-floor work (central/production): the run's Work* events into work records, after the stock.
    problems += project_work(conn, site.id, [e for e in fresh if e.seq <= applied and e.event_id not in known], now)
    project_pick_facts(conn, site.id, followed, now)
    project_warehouse(conn, site.id, [e for e in fresh if e.seq <= applied and e.event_id not in known], now)
    project_packages(conn, site.id, [e for e in fresh if e.seq <= applied and e.event_id not in known], now)
    project_serials(conn, site.id, [e for e in fresh if e.seq <= applied and e.event_id not in known], now)
    if problems:
        conn.execute(insert(s.sync_exceptions), problems)
    # Transfers W1 ↔ S1 and the shop's consumption (central/production/transfers), after the exceptions above.
    project_transfers(conn, site.id, [e for e in fresh if e.seq <= applied and e.event_id not in known], now)
    conn.execute(
        update(s.sync_sites)
        .where(s.sync_sites.c.site_id == site.id)
        .values(applied_seq=applied, last_contact=now, held=1 if held else 0, last_error=held)
    )
    return applied


# The edge wrote the payload with sorted keys and the wire keeps their order, so no re-sorting here.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode

LEDGER_COLUMNS = (
    "site_id",
    "seq",
    "event_id",
    "type",
    "occurred_at",
    "actor",
    "payload",
    "schema_version",
    "applied_at",
)


def _insert_ledger(conn: Connection, rows: list[tuple[object, ...]]) -> None:
    """Insert ledger rows through the driver's executemany.

    Catching up a long backlog spends most of its time here; SQLAlchemy's per-row parameter handling
    doubled it, so the rows go to the driver as tuples, with datetimes rendered as the dialect stores them.
    """
    dialect = conn.dialect
    to_db = s.inbox.c.occurred_at.type.dialect_impl(dialect).bind_processor(dialect)
    if to_db is not None:
        applied_at = to_db(rows[0][8])  # one batch, one apply time
        rows = [(*r[:4], to_db(r[4]), *r[5:8], applied_at) for r in rows]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    columns = ", ".join(LEDGER_COLUMNS)
    marks = ", ".join([mark] * len(LEDGER_COLUMNS))
    conn.exec_driver_sql(f"INSERT INTO inbox ({columns}) VALUES ({marks})", rows)  # noqa: S608 - fixed names


def _problem(site: SiteRef, event: Event, kind: str, message: str, now: datetime) -> dict[str, object]:
    return {"site_id": site.id, "seq": event.seq, "kind": kind, "message": message, "created_at": now}


def _record_picks(
    conn: Connection, site: SiteRef, picks: dict[tuple[str, int], int], seq: int, now: datetime
) -> list[dict[str, object]]:
    """Add picked units per task; a task picked beyond what central reserved for its order is an exception.

    The pick happened (the edge owns that fact and it is in the ledger); the dispatcher decides what to do.
    """
    problems = []
    for (task, item_id), qty in picks.items():
        key = and_(s.picked.c.site_id == site.id, s.picked.c.task == task, s.picked.c.item_id == item_id)
        if conn.execute(update(s.picked).where(key).values(qty=s.picked.c.qty + qty)).rowcount == 0:
            conn.execute(insert(s.picked).values(site_id=site.id, task=task, item_id=item_id, qty=qty))
        order_id = order_of_task(conn, task)
        if order_id is None:
            continue  # not an order's pick (a transfer's): no sales reservation to measure it against
        total = conn.execute(select(s.picked.c.qty).where(key)).scalar_one()
        reserved = conn.execute(
            select(func.coalesce(func.sum(s.reservations.c.qty), 0))
            .join(s.order_lines, s.order_lines.c.id == s.reservations.c.order_line_id)
            .join(s.orders, s.orders.c.id == s.order_lines.c.order_id)
            .where(
                s.orders.c.id == order_id,
                s.reservations.c.item_id == item_id,
                s.reservations.c.site_id == site.id,
                s.reservations.c.status.in_(("active", "consumed")),
            )
        ).scalar_one()
        if total > reserved:
            sku = next((k for k, v in site.items.items() if v == item_id), str(item_id))
            problems.append(
                {
                    "site_id": site.id,
                    "seq": seq,
                    "kind": "pick_beyond_reservation",
                    "message": f"по заданию {task} отобрано {total} шт. {sku}, зарезервировано {reserved} шт.",
                    "created_at": now,
                }
            )
    return problems


def reused_sequences(conn: Connection, site: SiteRef, events: Sequence[Event], now: datetime) -> int:
    """Flag events that arrive under an applied sequence with another id: the edge's numbering went back.

    That happens when an edge is restored from an older backup; central keeps its ledger (nothing is
    overwritten) and tells the office once per sequence. Returns how many were flagged now.
    """
    if not events:
        return 0
    by_seq = {e.seq: e.event_id for e in events}
    recorded = dict(
        conn.execute(
            select(s.inbox.c.seq, s.inbox.c.event_id).where(
                s.inbox.c.site_id == site.id, s.inbox.c.seq.in_(list(by_seq))
            )
        ).all()
    )
    clashes = [seq for seq, event_id in by_seq.items() if seq in recorded and recorded[seq] != event_id]
    if not clashes:
        return 0
    flagged = set(
        conn.execute(
            select(s.sync_exceptions.c.seq).where(
                s.sync_exceptions.c.site_id == site.id,
                s.sync_exceptions.c.kind == "sequence_reused",
                s.sync_exceptions.c.seq.in_(clashes),
            )
        ).scalars()
    )
    rows = [
        {
            "site_id": site.id,
            "seq": seq,
            "kind": "sequence_reused",
            "message": f"площадка прислала другое событие под номером {seq}: восстановлена из старой копии?",
            "created_at": now,
        }
        for seq in clashes
        if seq not in flagged
    ]
    if rows:
        conn.execute(insert(s.sync_exceptions), rows)
    return len(rows)


def _project_stock(
    conn: Connection, site: SiteRef, deltas: dict[tuple[int, int], int], seq: int, now: datetime
) -> list[dict[str, object]]:
    """Add the batch's net deltas to central's stock of the site; a result below zero is an exception row."""
    changed = {key: delta for key, delta in deltas.items() if delta}
    if not changed:
        return []
    stock = s.stock.c
    current: dict[tuple[int, int], int] = {}
    keys = list(changed)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        current.update(
            ((item_id, cell_id), qty)
            for item_id, cell_id, qty in conn.execute(
                select(stock.item_id, stock.cell_id, stock.qty).where(
                    and_(stock.site_id == site.id, tuple_(stock.item_id, stock.cell_id).in_(chunk))
                )
            ).all()
        )
    updates, inserts, deletes, problems = [], [], [], []
    for (item_id, cell_id), delta in changed.items():
        new = current.get((item_id, cell_id), 0) + delta
        if new < 0:
            problems.append(
                {
                    "site_id": site.id,
                    "seq": seq,
                    "kind": "negative_stock",
                    "message": f"остаток товара {item_id} в ячейке {cell_id} ушёл бы в минус ({new}); принят ноль",
                    "created_at": now,
                }
            )
            new = 0
        key = {"s": site.id, "i": item_id, "c": cell_id, "q": new}
        if (item_id, cell_id) not in current:
            if new:
                inserts.append({"site_id": site.id, "item_id": item_id, "cell_id": cell_id, "qty": new})
        elif new:
            updates.append(key)
        else:
            deletes.append(key)
    match = and_(stock.site_id == bindparam("s"), stock.item_id == bindparam("i"), stock.cell_id == bindparam("c"))
    if updates:
        conn.execute(update(s.stock).where(match).values(qty=bindparam("q")), updates)
    if deletes:
        conn.execute(delete(s.stock).where(match), deletes)
    if inserts:
        conn.execute(insert(s.stock), inserts)
    return problems


def site_stock(conn: Connection, site_code: str) -> list[dict[str, object]]:
    """Central's view of a site's stock as ``[{"sku", "cell", "qty"}]`` sorted by sku then cell address."""
    rows = conn.execute(
        select(s.items.c.sku, s.cells.c.address, s.stock.c.qty)
        .join(s.items, s.items.c.id == s.stock.c.item_id)
        .join(s.cells, s.cells.c.id == s.stock.c.cell_id)
        .join(s.sites, s.sites.c.id == s.stock.c.site_id)
        .where(s.sites.c.code == site_code)
    ).all()
    # Sorted here, not by the database: PostgreSQL's collation would order codes differently from the edge.
    return [{"sku": sku, "cell": address, "qty": qty} for sku, address, qty in sorted(rows)]
