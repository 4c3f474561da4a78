"""The edge's sync link: one thread sends the outbox up and applies central's log, on its own connection.

``EdgeSync(settings.site, database_path, address).start()``. The scan path never waits for it: a scan is
acknowledged once it is in the outbox, and this thread delivers it whenever the link allows.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from edge.store import open_site_database
from edge.sync import state
from edge.sync.downstream import apply_messages, apply_snapshot
from edge.warehouse.service import apply_adjustments, has_pending_adjustments
from sync import topics
from sync.messages import BadMessage, DownAck, DownBatch, DownMessage, Event, Presence, UpAck, UpBatch
from sync.reliable import Sender, Sequencer
from sync.transport import BrokerAddress, MqttLink, Will

log = logging.getLogger(__name__)

VERSION = "0.1.0"
HEARTBEAT_S = 1.0
POLL_S = 0.01


class EdgeSync:
    """The edge's half of the protocol; ``connected`` and ``report()`` feed ``GET /api/v1/sync``."""

    def __init__(
        self,
        site: str,
        database: Path,
        address: BrokerAddress,
        batch: int = 500,
        window: int = 20_000,
        resend_after: float = 3.0,
        keepalive: int = 10,
    ) -> None:
        self.site = site
        self.db = open_site_database(database)
        self.inbound: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.stopping = threading.Event()
        self.reconnected = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"edge-sync-{site}", daemon=True)
        self.quarantined = 0
        self.sender: Sender[Event] = Sender(
            lambda after, limit: state.events_after(self.db, after, limit),
            lambda: state.outbox_seq(self.db),
            self._publish_up,
            acked=state.get(self.db, "acked_seq"),
            batch=batch,
            window=window,
            resend_after=resend_after,
        )
        self.down: Sequencer[DownMessage] = Sequencer(state.get(self.db, "down_cursor"))
        self.link = MqttLink(
            address,
            f"stockyard-edge-{site}",
            subscriptions=[topics.up_ack(site), topics.down(site), topics.CENTRAL_STATUS],
            on_message=lambda topic, payload: self.inbound.put((topic, payload)),
            on_connected=self.reconnected.set,
            will=Will(
                topics.status(site),
                Presence(who=site, state="offline").encode(),
                lambda: Presence(who=site, state="online", at=datetime.now(UTC), version=VERSION).encode(),
            ),
            keepalive=keepalive,
        )

    @property
    def connected(self) -> bool:
        """Whether the broker link is up right now."""
        return self.link.connected

    def start(self) -> None:
        """Connect and start delivering."""
        self.link.start()
        self.thread.start()

    def stop(self) -> None:
        """Stop delivering and disconnect; nothing is lost, the outbox keeps what was not acknowledged."""
        self.stopping.set()
        self.thread.join(timeout=10)
        self.link.stop()
        self.db.conn.close()

    def _run(self) -> None:
        last_heartbeat = 0.0
        while not self.stopping.is_set():
            try:
                if self.reconnected.is_set():
                    self.reconnected.clear()
                    self.sender.rewind()
                    last_heartbeat = 0.0
                self._handle_inbound()
                self.sender.pump()
                if time.monotonic() - last_heartbeat > HEARTBEAT_S:
                    self._down_ack()
                    # A retry for adjustments whose first application failed (a busy or full disk).
                    if has_pending_adjustments(self.db):
                        apply_adjustments(self.db)
                    last_heartbeat = time.monotonic()
            except Exception:
                # A full disk or a locked database must not end delivery; the next pass tries again.
                log.exception("edge sync pass failed")
                time.sleep(0.5)

    def _handle_inbound(self) -> None:
        try:
            topic, payload = self.inbound.get(timeout=POLL_S)
        except queue.Empty:
            return
        while True:
            self._dispatch(topic, payload)
            try:
                topic, payload = self.inbound.get_nowait()
            except queue.Empty:
                return

    def _dispatch(self, topic: str, payload: bytes) -> None:
        try:
            if topic == topics.CENTRAL_STATUS:
                if payload and Presence.decode(payload).state == "online":
                    # Central (re)started: whatever it had not acknowledged is sent again right away.
                    self.sender.rewind()
                    self._down_ack()
            elif topic == topics.up_ack(self.site):
                self._up_ack(UpAck.decode(payload))
            elif topic == topics.down(self.site):
                self._down(DownBatch.decode(payload))
        except BadMessage as exc:
            self.quarantined += 1
            log.warning("ignored a malformed message on %s: %s", topic, exc)

    def _up_ack(self, ack: UpAck) -> None:
        if ack.site != self.site:
            return
        newest = state.outbox_seq(self.db)
        if ack.acked_seq > newest:
            # Central has applied more of this site than the site remembers: restored from an older copy.
            # New events must not reuse numbers central already holds; central lists the gap for the office.
            log.error("central applied up to %s but the outbox ends at %s: numbering moved on", ack.acked_seq, newest)
            state.skip_sequence_to(self.db, ack.acked_seq)
        moved = self.sender.on_ack(ack.acked_seq)
        if moved or ack.acked_seq != state.get(self.db, "acked_seq"):
            state.put(self.db, "acked_seq", self.sender.acked)

    def _down(self, batch: DownBatch) -> None:
        if batch.site != self.site:
            return
        if batch.snapshot is not None:
            if state.get(self.db, "bootstrapped"):
                return  # a snapshot asked for earlier, arriving late: the log already carries us
            cursor = apply_snapshot(self.db, batch.snapshot)
            self.down.reset(cursor)
            self.sender.acked = max(self.sender.acked, state.get(self.db, "acked_seq"))
            self.sender.rewind()
            self._down_ack()
            return
        ready = self.down.offer(batch.messages)
        if ready:
            try:
                cursor = apply_messages(self.db, ready)
            except Exception:
                self.down.reset(state.get(self.db, "down_cursor"))
                raise
            self.down.done(cursor)
            # Approved count adjustments are applied as soon as they arrive, not at the next scan.
            apply_adjustments(self.db)
            self._down_ack()
        elif self.down.gap:
            self._down_ack(resend=True)

    def _down_ack(self, resend: bool = False) -> None:
        ack = DownAck(
            site=self.site,
            cursor=self.down.applied,
            want_snapshot=not state.get(self.db, "bootstrapped"),
            resend=resend,
            outbox_seq=state.outbox_seq(self.db),
            acked_seq=self.sender.acked,
        )
        self.link.publish(topics.down_ack(self.site), ack.encode())

    def _publish_up(self, events: Sequence[Event]) -> bool:
        batch = UpBatch(site=self.site, events=list(events), outbox_seq=state.outbox_seq(self.db))
        return self.link.publish(topics.up(self.site), batch.encode())
