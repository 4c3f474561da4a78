"""kill -9 of the edge, of central and of the broker while work is in flight: nothing lost, nothing doubled."""

from __future__ import annotations

import random
import threading
import time
from collections import deque

from tests.faults.cluster import Cluster
from tests.faults.driver import EdgeDown, Operator, SiteCodes, receipts
from tests.faults.invariants import assert_converged
from tests.sync.helpers import wait_until


def burst(cluster: Cluster, site: str, plan: list[tuple[str, str]], operators: int, on_progress) -> set[int]:
    """Scan ``plan`` from several workstations; an unanswered scan is scanned again, as an operator would."""
    codes = SiteCodes.read(cluster.edge_db(site))
    work = deque(plan)
    lock = threading.Lock()
    acknowledged: set[int] = set()
    done = [0]
    errors: list[BaseException] = []

    def operate(n: int) -> None:
        operator = Operator(cluster.edge_url(site), f"ТСД-{n}", codes.badges[n])
        try:
            while True:
                with lock:
                    if not work:
                        return
                    ean, cell = work.popleft()
                for _attempt in range(600):
                    try:
                        seqs = operator.receive(ean, cell)
                    except EdgeDown:
                        time.sleep(0.05)
                        continue
                    if seqs:
                        break
                else:
                    raise AssertionError("a receipt was never acknowledged")
                with lock:
                    acknowledged.update(seqs)
                    done[0] += 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=operate, args=(n,)) for n in range(operators)]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        on_progress(done[0])
        time.sleep(0.01)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return acknowledged


def bootstrapped(cluster: Cluster, site: str) -> None:
    wait_until(lambda: cluster.edge_sync(site)["bootstrapped"], 30, f"{site} to take the snapshot")


def test_edge_killed_at_random_points_of_a_10000_scan_burst(tmp_path, central_url):
    rng = random.Random(7)
    with Cluster(tmp_path, central_url, ["W1"]) as cluster:
        bootstrapped(cluster, "W1")
        codes = SiteCodes.read(cluster.edge_db("W1"))
        plan = receipts(codes, 5_000, seed=7)  # two scans each: 10,000 scans
        kill_at = sorted(rng.sample(range(300, 4_700), 3))
        resumed: list[float] = []

        def on_progress(done: int) -> None:
            if kill_at and done >= kill_at[0]:
                kill_at.pop(0)
                time.sleep(rng.random() * 0.02)  # land inside a request, not between two
                cluster.edges["W1"].kill()
                resumed.append(cluster.start_edge("W1"))

        acknowledged = burst(cluster, "W1", plan, operators=4, on_progress=on_progress)
        assert len(resumed) == 3
        print(f"edge back after kill -9 in {', '.join(f'{s:.2f}' for s in resumed)} s")
        counts = assert_converged(central_url, {"W1": cluster.edge_db("W1")}, {"W1": acknowledged})
        assert counts["W1"] >= 5_000


def add_warehouse(central_url: str, code: str) -> None:
    """A third site for the three-edge test: a small warehouse with receiving and storage cells."""
    from sqlalchemy import func, insert, select

    from central.store import schema as s
    from central.store.engine import create_central_engine
    from devices.barcodes import cell_barcode

    engine = create_central_engine(central_url)
    with engine.begin() as conn:
        conn.execute(insert(s.sites).values(code=code, name="Склад готовой продукции", kind="warehouse"))
        site_id = conn.execute(select(s.sites.c.id).where(s.sites.c.code == code)).scalar_one()
        first = conn.execute(select(func.max(s.cells.c.id))).scalar_one() + 1
        conn.execute(
            insert(s.cells),
            [
                {
                    "id": first + n,
                    "site_id": site_id,
                    "address": f"{code}-{n:03d}",
                    "barcode": cell_barcode(first + n),
                    "kind": "receiving" if n < 4 else "storage",
                }
                for n in range(40)
            ],
        )
    engine.dispose()


def test_central_killed_mid_batch_with_three_edges_sending(tmp_path, central_url):
    sites = ["W1", "S1", "W2"]
    add_warehouse(central_url, "W2")
    with Cluster(tmp_path, central_url, sites) as cluster:
        for site in sites:
            bootstrapped(cluster, site)
        acknowledged: dict[str, set[int]] = {}
        threads = []
        kills = [400]

        def on_progress(done: int) -> None:
            if kills and done >= kills[0]:
                kills.pop(0)
                cluster.central.kill()
                time.sleep(1.0)
                cluster.start_central()

        def run(site: str, progress) -> None:
            codes = SiteCodes.read(cluster.edge_db(site))
            acknowledged[site] = burst(cluster, site, receipts(codes, 1_000, seed=len(site)), 2, progress)

        for site in sites:
            progress = on_progress if site == "W1" else (lambda _done: None)
            threads.append(threading.Thread(target=run, args=(site, progress)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not kills, "central was killed while the edges were sending"
        counts = assert_converged(central_url, {s: cluster.edge_db(s) for s in sites}, acknowledged)
        assert all(count >= 1_000 for count in counts.values())


def test_broker_killed_with_uplink_unacknowledged_and_downlink_queued(tmp_path, central_url):
    from central.store.engine import create_central_engine
    from central.sync.downlog import append_down
    from edge.store import open_site_database

    with Cluster(tmp_path, central_url, ["W1"]) as cluster:
        bootstrapped(cluster, "W1")
        codes = SiteCodes.read(cluster.edge_db("W1"))
        plan = receipts(codes, 1_000, seed=3)
        killed = [False]

        def on_progress(done: int) -> None:
            if not killed[0] and done >= 400:
                killed[0] = True
                cluster.broker.kill()
                engine = create_central_engine(central_url)
                with engine.begin() as conn:
                    for n in range(50):
                        append_down(conn, "W1", "task", {"id": f"B{n}", "kind": "pick"})
                engine.dispose()
                time.sleep(1.0)
                cluster.start_broker()

        acknowledged = burst(cluster, "W1", plan, operators=2, on_progress=on_progress)
        assert_converged(central_url, {"W1": cluster.edge_db("W1")}, {"W1": acknowledged})
        db = open_site_database(cluster.edge_db("W1"))
        wait_until(
            lambda: db.execute("SELECT count(*) FROM tasks").fetchone()[0] == 50, 30, "50 tasks after the restart"
        )
        db.conn.close()
