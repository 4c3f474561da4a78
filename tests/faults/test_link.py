"""The link misbehaves: partitioned, flapping, half-open, or a consumer too slow for the broker's queue."""

from __future__ import annotations

import random
import threading
import time

from central.store.engine import create_central_engine
from central.sync.downlog import append_down
from edge.store import open_site_database
from edge.sync.bench import pile_up
from tests.faults.cluster import Cluster
from tests.faults.driver import SiteCodes, receipts
from tests.faults.invariants import assert_converged
from tests.faults.test_kills import bootstrapped, burst
from tests.sync.helpers import wait_until

FAST_KEEPALIVE = {"STOCKYARD_MQTT_KEEPALIVE": "2"}


def test_partition_while_100000_events_pile_up_then_heal(tmp_path, central_url):
    with Cluster(tmp_path, central_url, ["W1"]) as cluster:
        bootstrapped(cluster, "W1")
        cluster.broker.kill()
        pile_up(cluster.edge_db("W1"), 100_000)
        assert cluster.edge_sync("W1")["backlog"] == 100_000
        cluster.start_broker()
        counts = assert_converged(central_url, {"W1": cluster.edge_db("W1")}, timeout=240)
        assert counts["W1"] == 100_000
        wait_until(lambda: cluster.edge_sync("W1")["acked_seq"] == 100_000, 30, "the edge to record the last ack")


def test_flapping_link_and_a_half_open_connection(tmp_path, central_url):
    rng = random.Random(11)
    with Cluster(tmp_path, central_url, ["W1"], env=FAST_KEEPALIVE) as cluster:
        bootstrapped(cluster, "W1")
        codes = SiteCodes.read(cluster.edge_db("W1"))
        finished = threading.Event()
        disconnected_seen = []

        def misbehave() -> None:
            for _flap in range(4):
                time.sleep(rng.uniform(1.0, 2.0))
                cluster.broker.kill()
                time.sleep(rng.uniform(1.0, 2.0))
                cluster.start_broker()
            # Half-open: the broker stops answering without closing a connection. Keepalive must notice.
            time.sleep(1.0)
            cluster.broker.pause()
            wait_until(lambda: not cluster.edge_sync("W1")["connected"], 15, "the edge to give up the dead link")
            disconnected_seen.append(True)
            cluster.broker.resume()
            finished.set()

        chaos = threading.Thread(target=misbehave)
        chaos.start()
        acknowledged: set[int] = set()
        seed = 0
        while not finished.is_set():
            seed += 1
            acknowledged |= burst(
                cluster, "W1", receipts(codes, 100, seed=seed), operators=2, on_progress=lambda _d: None
            )
        chaos.join()
        assert disconnected_seen
        assert_converged(central_url, {"W1": cluster.edge_db("W1")}, {"W1": acknowledged})


def test_paused_central_behind_a_small_broker_queue(tmp_path, central_url):
    with Cluster(
        tmp_path, central_url, ["W1"], broker_config="max_queued_messages 5\nmax_inflight_messages 2\n"
    ) as cluster:
        bootstrapped(cluster, "W1")
        cluster.central.pause()
        pile_up(cluster.edge_db("W1"), 20_000, chunk=500)
        time.sleep(3)  # the edge sends its window; the broker drops most of it for the stopped consumer
        cluster.central.resume()
        counts = assert_converged(central_url, {"W1": cluster.edge_db("W1")}, timeout=120)
        assert counts["W1"] == 20_000


def test_edge_restarted_while_central_pushes_100_tasks(tmp_path, central_url):
    with Cluster(tmp_path, central_url, ["W1"]) as cluster:
        bootstrapped(cluster, "W1")
        engine = create_central_engine(central_url)
        for n in range(100):
            with engine.begin() as conn:
                append_down(conn, "W1", "task", {"id": f"T{n:03d}", "kind": "pick", "n": n})
            if n in (30, 70):
                cluster.edges["W1"].kill()
            if n in (45, 85):
                cluster.start_edge("W1")
            time.sleep(0.01)
        engine.dispose()
        db = open_site_database(cluster.edge_db("W1"))
        try:
            wait_until(lambda: db.execute("SELECT count(*) FROM tasks").fetchone()[0] == 100, 30, "all 100 tasks")
            assert db.execute("SELECT count(DISTINCT down_seq) FROM tasks").fetchone()[0] == 100
            wait_until(lambda: cluster.edge_sync("W1")["downstream_cursor"] == 100, 10, "the cursor at 100")
        finally:
            db.conn.close()
