"""A stateful property test: random receipts, moves, tasks, kills, partitions and restarts; after quiescence the
ledger is the outbox, central's stock is the edge's, and every task arrived once."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import ClassVar

import hypothesis.strategies as st
from hypothesis import HealthCheck, event, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from central.store.engine import create_central_engine
from central.sync.downlog import append_down
from central.sync.worker import CentralSync
from edge.bench import free_port
from edge.store import open_site_database
from edge.sync.client import EdgeSync
from edge.warehouse.domain import MoveUnits, ReceiveUnits, Refused
from edge.warehouse.service import handle
from sync.transport import BrokerAddress
from tests.faults.cluster import Proc
from tests.faults.invariants import assert_converged
from tests.services import MOSQUITTO, require, wait_for_port
from tests.sync.helpers import wait_until


class SyncUnderChaos(RuleBasedStateMachine):
    template: Path  # the seeded central database, set by the test
    chaos: ClassVar[Counter[str]] = Counter()

    @initialize()
    def start(self) -> None:
        require("Mosquitto", Path(MOSQUITTO).exists(), "apt-get install mosquitto")
        self.tmp = Path(tempfile.mkdtemp(prefix="stockyard-prop-"))
        shutil.copy(self.template, self.tmp / "central.db")
        self.central_url = f"sqlite:///{self.tmp / 'central.db'}"
        port = free_port()
        conf = self.tmp / "mosquitto.conf"
        conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n")
        self.broker = Proc("mosquitto", [MOSQUITTO, "-c", str(conf)], self.tmp / "mosquitto.log")
        self.port = port
        self.broker.start()
        wait_for_port(port)
        self.address = BrokerAddress.parse(f"mqtt://127.0.0.1:{port}")
        self.engine = create_central_engine(self.central_url)
        self.central: CentralSync | None = None
        self.edge: EdgeSync | None = None
        self.start_central()
        self.start_edge()
        self.db = open_site_database(self.tmp / "W1.db")
        wait_until(
            lambda: self.db.execute("SELECT 1 FROM sync_state WHERE key = 'bootstrapped'").fetchone(), 30, "bootstrap"
        )
        self.receiving = self.db.execute("SELECT id FROM cells WHERE kind = 'receiving' LIMIT 1").fetchone()[0]
        self.storage = [
            r[0] for r in self.db.execute("SELECT id FROM cells WHERE kind = 'storage' ORDER BY id LIMIT 5")
        ]
        self.skus = [r[0] for r in self.db.execute("SELECT sku FROM items ORDER BY sku LIMIT 5")]
        self.tasks = 0

    def start_central(self) -> None:
        self.central = CentralSync(self.engine, self.address, keepalive=2)
        self.central.start()

    def start_edge(self) -> None:
        self.edge = EdgeSync("W1", self.tmp / "W1.db", self.address, keepalive=2, resend_after=1.0)
        self.edge.start()

    @rule(sku=st.integers(0, 4), qty=st.integers(1, 20), times=st.integers(1, 30))
    def receive(self, sku: int, qty: int, times: int) -> None:
        for _ in range(times):
            handle(self.db, ReceiveUnits(self.skus[sku], self.receiving, qty), actor="prop")

    @rule(sku=st.integers(0, 4), to=st.integers(0, 4), qty=st.integers(1, 10))
    def move(self, sku: int, to: int, qty: int) -> None:
        # Not that much there: the rules say no and nothing is written.
        with contextlib.suppress(Refused):
            handle(self.db, MoveUnits(self.skus[sku], self.receiving, self.storage[to], qty), actor="prop")

    @rule(n=st.integers(1, 10))
    def push_tasks(self, n: int) -> None:
        with self.engine.begin() as conn:
            for _ in range(n):
                self.tasks += 1
                append_down(conn, "W1", "task", {"id": f"P{self.tasks}", "kind": "count"})

    @rule()
    def broker_down_and_up(self) -> None:
        event("broker killed")
        SyncUnderChaos.chaos["broker"] += 1
        self.broker.kill()
        handle(self.db, ReceiveUnits(self.skus[0], self.receiving, 1), actor="prop")  # recorded while cut off
        self.broker.start()
        wait_for_port(self.port)

    @rule()
    def restart_edge_sync(self) -> None:
        SyncUnderChaos.chaos["edge"] += 1
        assert self.edge is not None
        self.edge.stop()
        self.start_edge()

    @rule()
    def restart_central(self) -> None:
        event("central restarted")
        SyncUnderChaos.chaos["central"] += 1
        assert self.central is not None
        self.central.stop()
        self.start_central()

    @invariant()
    def nothing_negative(self) -> None:
        if hasattr(self, "db"):
            assert self.db.execute("SELECT count(*) FROM stock WHERE qty < 0").fetchone()[0] == 0

    def teardown(self) -> None:
        try:
            if hasattr(self, "db"):
                assert_converged(self.central_url, {"W1": self.tmp / "W1.db"}, timeout=60)
                wait_until(
                    lambda: self.db.execute("SELECT count(*) FROM tasks").fetchone()[0] == self.tasks, 30, "every task"
                )
        finally:
            if self.edge is not None:
                self.edge.stop()
            if self.central is not None:
                self.central.stop()
            self.broker.stop()
            if hasattr(self, "db"):
                self.db.conn.close()
            self.engine.dispose()
            shutil.rmtree(self.tmp, ignore_errors=True)


def test_sync_invariants_hold_after_random_chaos(central_template):
    SyncUnderChaos.template = central_template
    SyncUnderChaos.TestCase.settings = settings(
        max_examples=8,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    SyncUnderChaos.TestCase().runTest()
    print(f"chaos injected: {dict(SyncUnderChaos.chaos)}")
    assert sum(SyncUnderChaos.chaos.values()) >= 3
