"""Central's sync worker: one thread that applies what edges send and sends each site its downstream log.

The MQTT callbacks only queue what arrives; this thread owns every database write of sync, so batches
from many sites are applied one transaction at a time and acknowledged only after the commit.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from central.store import schema as s
from central.sync.downlog import down_head, read_down, snapshot
from central.sync.inbox import SiteRef, apply_events, reused_sequences, sync_state
from sync import topics
from sync.messages import BadMessage, DownAck, DownBatch, DownMessage, Event, Presence, UpAck, UpBatch
from sync.reliable import Sender, Sequencer
from sync.transport import BrokerAddress, MqttLink, Will

log = logging.getLogger(__name__)

VERSION = "0.1.0"
DRAIN = 200  # messages taken from the queue into one pass
HEAD_REFRESH_S = 0.25


@dataclass
class _Site:
    ref: SiteRef
    sequencer: Sequencer[Event]
    sender: Sender[DownMessage] | None = None
    head: int = 0
    head_read_at: float = 0.0


class CentralSync:
    """``CentralSync(engine, BrokerAddress.parse(url)).start()``; ``stop()`` on shutdown."""

    def __init__(
        self, engine: Engine, address: BrokerAddress, client_id: str = "stockyard-central", keepalive: int = 10
    ) -> None:
        self.engine = engine
        self.inbound: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.sites: dict[str, _Site] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="central-sync", daemon=True)
        self.link = MqttLink(
            address,
            client_id,
            subscriptions=[
                f"{topics.ROOT}/site/+/up",
                f"{topics.ROOT}/site/+/down/ack",
                f"{topics.ROOT}/site/+/status",
            ],
            on_message=lambda topic, payload: self.inbound.put((topic, payload)),
            will=Will(
                topics.CENTRAL_STATUS,
                Presence(who="central", state="offline").encode(),
                lambda: Presence(who="central", state="online", at=datetime.now(UTC), version=VERSION).encode(),
            ),
            keepalive=keepalive,
        )

    def start(self) -> None:
        """Connect and start applying."""
        self.link.start()
        self.thread.start()

    def stop(self) -> None:
        """Finish the current pass, then disconnect."""
        self.stopping.set()
        self.thread.join(timeout=10)
        self.link.stop()

    def _run(self) -> None:
        while not self.stopping.is_set():
            batch = self._drain()
            try:
                if batch:
                    self._handle(batch)
                self._pump()
            except Exception:
                # A database outage must not end the thread: unacknowledged events are resent by the edges.
                log.exception("sync pass failed; state reloaded from the database")
                self._reload()
                time.sleep(0.5)

    def _drain(self) -> list[tuple[str, bytes]]:
        try:
            first = self.inbound.get(timeout=0.05)
        except queue.Empty:
            return []
        batch = [first]
        while len(batch) < DRAIN:
            try:
                batch.append(self.inbound.get_nowait())
            except queue.Empty:
                break
        return batch

    def _handle(self, batch: list[tuple[str, bytes]]) -> None:
        ups: dict[str, list[UpBatch]] = {}
        for topic, payload in batch:
            code, kind = topics.site_of(topic), topics.kind_of(topic)
            try:
                if code is None:
                    raise BadMessage("topic without a site")
                self._site(code)  # LookupError for a site central does not know
                if kind == "up":
                    message = UpBatch.decode(payload)
                    if message.site != code:
                        raise BadMessage(f"batch of site {message.site} on the topic of {code}")
                    ups.setdefault(code, []).append(message)
                elif kind == "down/ack":
                    ack = DownAck.decode(payload)
                    if ack.site != code:
                        raise BadMessage(f"ack of site {ack.site} on the topic of {code}")
                    self._down_ack(ack)
                elif kind == "status":
                    self._presence(code, Presence.decode(payload) if payload else None)
            except (BadMessage, LookupError) as exc:
                self._quarantine(topic, str(exc), payload)
        for code, messages in ups.items():
            self._apply(code, messages)

    def _site(self, code: str) -> _Site:
        site = self.sites.get(code)
        if site is None:
            with self.engine.begin() as conn:
                ref = SiteRef.load(conn, code)
                applied = sync_state(conn, ref.id)
            site = _Site(ref, Sequencer(applied))
            self.sites[code] = site
        return site

    def _apply(self, code: str, messages: list[UpBatch]) -> None:
        site = self._site(code)
        arrived = [e for m in messages for e in m.events]
        behind = [e for e in arrived if e.seq <= site.sequencer.applied]
        ready = site.sequencer.offer(arrived)
        applied = site.sequencer.applied
        outbox_seq = max(m.outbox_seq for m in messages)
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                if ready:
                    applied = apply_events(conn, site.ref, ready, now)
                reused_sequences(conn, site.ref, behind, now)
                conn.execute(
                    update(s.sync_sites)
                    .where(s.sync_sites.c.site_id == site.ref.id)
                    .values(edge_outbox_seq=outbox_seq, last_contact=now)
                )
        except Exception:
            site.sequencer.reset(self._applied(site))
            raise
        if ready and applied < ready[-1].seq:
            site.sequencer.reset(applied)  # held for an unknown schema: drop what was queued behind it
        else:
            site.sequencer.done(applied)
        self.link.publish(topics.up_ack(code), UpAck(site=code, acked_seq=applied).encode())

    def _applied(self, site: _Site) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(select(s.sync_sites.c.applied_seq).where(s.sync_sites.c.site_id == site.ref.id)).scalar()
                or 0
            )

    def _down_ack(self, ack: DownAck) -> None:
        site = self._site(ack.site)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(
                update(s.sync_sites)
                .where(s.sync_sites.c.site_id == site.ref.id)
                .values(
                    down_acked=ack.cursor,
                    edge_outbox_seq=ack.outbox_seq,
                    edge_acked_seq=ack.acked_seq,
                    last_contact=now,
                )
            )
            if ack.want_snapshot:
                # A new or wiped edge: it starts from central's state, then follows the log from its head.
                picture = snapshot(conn, ack.site)
        if ack.want_snapshot:
            head = int(picture["head"])
            self.link.publish(topics.down(ack.site), DownBatch(site=ack.site, snapshot=picture, head=head).encode())
            site.sender = self._sender(site, head)
            return
        if site.sender is None:
            site.sender = self._sender(site, ack.cursor)
        site.sender.on_ack(ack.cursor)
        if ack.resend:
            site.sender.rewind()
        # An edge that is behind central's applied position lost acknowledgements: tell it again.
        self.link.publish(topics.up_ack(ack.site), UpAck(site=ack.site, acked_seq=site.sequencer.applied).encode())

    def _sender(self, site: _Site, acked: int) -> Sender[DownMessage]:
        code, site_id = site.ref.code, site.ref.id

        def read_after(after: int, limit: int) -> list[DownMessage]:
            with self.engine.connect() as conn:
                return read_down(conn, site_id, after, limit)

        def publish(messages: object) -> bool:
            assert isinstance(messages, list)
            batch = DownBatch(site=code, messages=messages, head=site.head)
            return self.link.publish(topics.down(code), batch.encode())

        return Sender(read_after, lambda: site.head, publish, acked=acked, batch=200, window=2_000)

    def _pump(self) -> None:
        now = time.monotonic()
        for site in self.sites.values():
            if site.sender is None:
                continue
            if now - site.head_read_at > HEAD_REFRESH_S:
                with self.engine.connect() as conn:
                    site.head = down_head(conn, site.ref.id)
                site.head_read_at = now
            site.sender.pump()

    def _presence(self, code: str, presence: Presence | None) -> None:
        site = self._site(code)
        state = presence.state if presence else "offline"
        with self.engine.begin() as conn:
            conn.execute(
                update(s.sync_sites)
                .where(s.sync_sites.c.site_id == site.ref.id)
                .values(presence=state, presence_at=datetime.now(UTC))
            )

    def _quarantine(self, topic: str, reason: str, payload: bytes) -> None:
        log.warning("quarantined a message on %s: %s", topic, reason)
        with self.engine.begin() as conn:
            conn.execute(
                insert(s.sync_quarantine).values(
                    topic=topic[:200],
                    reason=reason,
                    payload=json.dumps(payload.decode("utf-8", "replace"))[:100_000],
                    received_at=datetime.now(UTC),
                )
            )

    def _reload(self) -> None:
        for site in self.sites.values():
            # The database may still be away; the next pass tries again.
            with contextlib.suppress(Exception):
                site.sequencer.reset(self._applied(site))
