"""Misbehaviour seen at central's inbox: a relay that duplicates, reorders and truncates; old and future schemas;
clocks that lie; a restored edge reusing numbers; an offline pick beyond the reservation."""

from __future__ import annotations

import datetime as dt
import json
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from central.store import schema as s
from central.store.engine import create_central_engine
from central.sync.worker import CentralSync
from sync import topics
from sync.messages import Event, UpAck, UpBatch
from sync.transport import BrokerAddress
from tests.sync.helpers import central_applied, ledger, wait_until

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


class Relay:
    """A client publishing on W1's topics as a broken relay would, and listening to central's acks."""

    def __init__(self, port: int) -> None:
        self.acks: list[int] = []
        self.got_ack = threading.Condition()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="relay")
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.subscribe(topics.up_ack("W1"), qos=1)
        self.client.loop_start()

    def _on_message(self, _c: object, _u: object, message: mqtt.MQTTMessage) -> None:
        with self.got_ack:
            self.acks.append(UpAck.decode(bytes(message.payload)).acked_seq)
            self.got_ack.notify_all()

    def send(self, payload: bytes) -> None:
        self.client.publish(topics.up("W1"), payload, qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def w1_facts(engine) -> tuple[str, int, int]:
    with engine.connect() as conn:
        sku = conn.execute(select(s.items.c.sku).order_by(s.items.c.sku).limit(1)).scalar_one()
        receiving = conn.execute(
            select(s.cells.c.id).join(s.sites).where(s.sites.c.code == "W1", s.cells.c.kind == "receiving").limit(1)
        ).scalar_one()
        storage = conn.execute(
            select(s.cells.c.id).join(s.sites).where(s.sites.c.code == "W1", s.cells.c.kind == "storage").limit(1)
        ).scalar_one()
    return sku, receiving, storage


def receipt(seq: int, sku: str, cell: int, qty: int = 1, version: int = 2, at: dt.datetime = T0, **extra) -> Event:
    payload = {"sku": sku, "cell_id": cell, "qty": qty, "receipt": None, **extra}
    if version >= 2:
        payload.setdefault("package", None)
    return Event(
        event_id=f"{seq:012x}{'ab' * 10}", seq=seq, type="UnitsReceived", occurred_at=at, actor="relay",
        payload=payload, schema_version=version,
    )  # fmt: skip


def batch(*events: Event) -> bytes:
    return UpBatch(site="W1", events=list(events), outbox_seq=max(e.seq for e in events)).encode()


def running(mosquitto, central_url):
    engine = create_central_engine(central_url)
    worker = CentralSync(engine, BrokerAddress.parse(mosquitto.url))
    worker.start()
    assert worker.link.wait_connected(10)
    return engine, worker


def count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def test_duplicated_reordered_and_truncated_publishes(mosquitto, central_url):
    engine, worker = running(mosquitto, central_url)
    relay = Relay(mosquitto.port)
    try:
        sku, cell, _ = w1_facts(engine)
        e1, e2, e3, e4 = (receipt(n, sku, cell) for n in range(1, 5))
        relay.send(batch(e3, e4))  # early: held until 1 and 2 arrive
        relay.send(batch(e3, e4))  # duplicated
        relay.send(batch(e1, e2)[:-7])  # truncated on the way: quarantined
        wait_until(lambda: count(engine, s.sync_quarantine) == 1, 10, "the truncated message quarantined")
        assert central_applied(engine, "W1") == 0
        relay.send(batch(e1, e2))
        wait_until(lambda: central_applied(engine, "W1") == 4, 10, "the gap filled")
        relay.send(batch(e1, e2, e3))  # a late duplicate of everything
        wait_until(lambda: 4 in relay.acks and relay.acks.count(4) >= 2, 10, "a re-acknowledgement")
        assert [seq for seq, _ in ledger(engine, "W1")] == [1, 2, 3, 4]
        assert count(engine, s.sync_quarantine) == 1
        assert worker.thread.is_alive()
    finally:
        relay.close()
        worker.stop()


def test_an_edge_one_release_behind_and_one_from_the_future(mosquitto, central_url):
    engine, worker = running(mosquitto, central_url)
    relay = Relay(mosquitto.port)
    try:
        sku, cell, _ = w1_facts(engine)
        old = receipt(1, sku, cell, version=1)  # v1 had no packages
        assert "package" not in old.payload
        relay.send(batch(old))
        wait_until(lambda: central_applied(engine, "W1") == 1, 10, "a v1 event applied")
        future = receipt(2, sku, cell, version=9)
        after = receipt(3, sku, cell)
        relay.send(batch(future, after))
        # A fresh connection per look: one held open would keep reading its first snapshot.
        wait_until(lambda: count(engine, s.sync_sites, s.sync_sites.c.held == 1) == 1, 10, "the future event held")
        with engine.connect() as conn:
            error = conn.execute(select(s.sync_sites.c.last_error)).scalar()
        assert "version 9" in error
        assert central_applied(engine, "W1") == 1  # nothing after the held event either
    finally:
        relay.close()
        worker.stop()


def test_clocks_a_day_off_or_jumping_back_do_not_reorder(mosquitto, central_url):
    engine, worker = running(mosquitto, central_url)
    relay = Relay(mosquitto.port)
    try:
        sku, cell, _ = w1_facts(engine)
        times = [T0 + dt.timedelta(days=1), T0 - dt.timedelta(hours=5), T0 + dt.timedelta(days=1, minutes=1)]
        events = [receipt(n, sku, cell, qty=n, at=at) for n, at in enumerate(times, start=1)]
        relay.send(batch(*events))
        wait_until(lambda: central_applied(engine, "W1") == 3, 10, "three events applied")
        with engine.connect() as conn:
            rows = conn.execute(select(s.inbox.c.seq, s.inbox.c.occurred_at).order_by(s.inbox.c.seq)).all()
        assert [seq for seq, _ in rows] == [1, 2, 3]
        assert [at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at for _, at in rows] == times
    finally:
        relay.close()
        worker.stop()


def test_a_restored_edge_reusing_numbers_is_flagged_not_overwritten(mosquitto, central_url):
    engine, worker = running(mosquitto, central_url)
    relay = Relay(mosquitto.port)
    try:
        sku, cell, _ = w1_facts(engine)
        relay.send(batch(receipt(1, sku, cell), receipt(2, sku, cell)))
        wait_until(lambda: central_applied(engine, "W1") == 2, 10, "two events")
        reused = receipt(2, sku, cell, qty=5).model_copy(update={"event_id": "f" * 32})
        relay.send(batch(reused))
        relay.send(batch(reused))
        kind = s.sync_exceptions.c.kind == "sequence_reused"
        wait_until(lambda: count(engine, s.sync_exceptions, kind) == 1, 10, "the reused number flagged once")
        assert ledger(engine, "W1")[1][1] == receipt(2, sku, cell).event_id
    finally:
        relay.close()
        worker.stop()


def test_an_offline_pick_beyond_the_reservation_is_kept_and_raised(mosquitto, central_url):
    engine, worker = running(mosquitto, central_url)
    relay = Relay(mosquitto.port)
    try:
        with engine.connect() as conn:
            number, sku, reserved, cell = conn.execute(
                select(s.orders.c.number, s.items.c.sku, s.reservations.c.qty, s.stock.c.cell_id)
                .join(s.order_lines, s.order_lines.c.order_id == s.orders.c.id)
                .join(s.reservations, s.reservations.c.order_line_id == s.order_lines.c.id)
                .join(s.items, s.items.c.id == s.reservations.c.item_id)
                .join(s.stock, (s.stock.c.item_id == s.items.c.id) & (s.stock.c.site_id == s.reservations.c.site_id))
                .where(s.reservations.c.status == "active", s.stock.c.qty > s.reservations.c.qty)
                .limit(1)
            ).one()
            assembly = (
                conn.execute(
                    select(s.cells.c.id).join(s.sites).where(s.sites.c.code == "W1", s.cells.c.kind == "assembly")
                )
                .scalars()
                .first()
            )
        pick = Event(
            event_id="e" * 32, seq=1, type="UnitsPicked", occurred_at=T0, actor="badge:1",
            payload={"task": number, "sku": sku, "from_cell_id": cell, "to_cell_id": assembly, "qty": reserved + 1,
                     "package": None},
            schema_version=2,
        )  # fmt: skip
        relay.send(batch(pick))
        wait_until(lambda: central_applied(engine, "W1") == 1, 10, "the pick applied")
        with engine.connect() as conn:
            message = conn.execute(
                select(s.sync_exceptions.c.message).where(s.sync_exceptions.c.kind == "pick_beyond_reservation")
            ).scalar_one()
        assert number in message and f"зарезервировано {reserved}" in message
        assert json.loads(json.dumps(pick.payload))["qty"] == reserved + 1
    finally:
        relay.close()
        worker.stop()
