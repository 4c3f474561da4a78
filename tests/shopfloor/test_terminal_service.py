"""The shop-floor service at the edge: actions, the rules for several workers and operations, shift end."""

from __future__ import annotations

from edge.shopfloor.service import ShopFloor
from edge.store import open_site_database
from tests.shopfloor.site import IVANOV, MSK_8AM, PETROV, PIN, Clock, load_shop, operation, outbox


def shop(tmp_path, operations=None):
    db = open_site_database(tmp_path / "S1.db")
    clock = Clock(MSK_8AM)
    service = ShopFloor(db, clock=clock)
    load_shop(db, operations)
    return db, clock, service


def test_a_worker_starts_pauses_resumes_and_finishes(tmp_path):
    db, clock, sf = shop(tmp_path)
    assert not sf.login("пост-1", IVANOV, "0000").ok
    assert sf.login("пост-1", IVANOV, PIN).ok
    assert sf.start("пост-1", None).ok  # the next one: ПР-00101 op 1
    [session] = sf.state("пост-1")["sessions"]
    clock.advance(minutes=50)
    assert not sf.pause("пост-1", session["id"], "nap").ok
    assert sf.pause("пост-1", session["id"], "break").ok
    clock.advance(minutes=15)
    assert sf.resume("пост-1", session["id"]).ok
    clock.advance(minutes=70)
    refused = sf.finish("пост-1", session["id"], 11, 0)
    assert (refused.ok, refused.message) == (False, "По операции осталось сделать 10 шт. годных")
    assert sf.finish("пост-1", session["id"], 10, 1).ok
    events = outbox(db)
    assert [e[0] for e in events] == ["WorkStarted", "WorkPaused", "WorkResumed", "WorkFinished"]
    assert {e[2] for e in events} == {2}
    assert events[0][1]["norm_minutes_per_unit"] == 12 and events[0][1]["worker"] == IVANOV
    assert events[3][1] == {"session": session["id"], "good": 10, "defective": 1, "at": "2026-11-23T07:15:00Z"}
    row = db.execute("SELECT worked_seconds, state FROM work_sessions").fetchone()
    assert row == (120 * 60, "finished")
    # the operation is done and leaves the queue
    assert [op["id"] for op in sf.state("пост-1")["queue"]] == ["op:ПР-00101:2"]


def test_several_workers_on_one_operation_and_one_at_a_time_for_a_worker(tmp_path):
    _db, clock, sf = shop(tmp_path)
    sf.login("пост-1", IVANOV, PIN)
    sf.login("пост-2", PETROV, PIN)
    assert sf.start("пост-1", "op:ПР-00101:1").ok
    assert sf.start("пост-2", "op:ПР-00101:1").ok  # two workers on one operation
    refused = sf.start("пост-1", "op:ПР-00101:2")  # a second one on a group that is not parallel-capable
    assert (refused.ok, refused.code) == (False, "busy")
    mine = sf.state("пост-1")["sessions"][0]["id"]
    sf.pause("пост-1", mine, "other_work")
    assert sf.start("пост-1", "op:ПР-00101:2").ok  # a paused one does not count
    assert not sf.resume("пост-1", mine).ok
    clock.advance(minutes=30)
    theirs = sf.state("пост-2")["sessions"][0]["id"]
    assert sf.finish("пост-2", theirs, 6, 0).ok
    refused = sf.finish("пост-1", mine, 5, 0)
    assert refused.message == "По операции осталось сделать 4 шт. годных"


def test_parallel_capable_groups_allow_two_operations(tmp_path):
    ops = [operation("ПР-00102", n, parallel=True, group_code="WG4", group_name="Покраска") for n in (1, 2, 3)]
    _db, _clock, sf = shop(tmp_path, ops)
    sf.login("пост-1", IVANOV, PIN)
    assert sf.start("пост-1", "op:ПР-00102:1").ok
    assert sf.start("пост-1", "op:ПР-00102:2").ok
    refused = sf.start("пост-1", "op:ПР-00102:3")
    assert (refused.ok, refused.code) == (False, "parallel_limit")


def test_open_work_is_closed_by_rule_at_shift_end(tmp_path):
    db, clock, sf = shop(tmp_path)
    sf.login("пост-1", IVANOV, PIN)
    sf.login("пост-2", PETROV, PIN)
    sf.start("пост-1", "op:ПР-00101:1")
    clock.advance(hours=9)  # 17:00 Moscow
    sf.start("пост-2", "op:ПР-00101:2")
    clock.advance(hours=1)
    sf.pause("пост-2", sf.state("пост-2")["sessions"][0]["id"], "equipment")
    clock.advance(hours=4)  # 22:00 Moscow: both are past 20:00
    assert sf.state("пост-1")["sessions"] == []
    rows = db.execute(
        "SELECT worker, state, closed_by_rule, worked_seconds, ended_at FROM work_sessions ORDER BY worker"
    ).fetchall()
    assert rows == [
        (IVANOV, "closed", 1, 12 * 3600, "2026-11-23T20:00:00+03:00"),
        (PETROV, "closed", 1, 3600, "2026-11-23T20:00:00+03:00"),
    ]
    closed = [e for e in outbox(db) if e[0] == "WorkClosedByRule"]
    assert [e[1]["rule"] for e in closed] == ["shift_end", "shift_end"]
