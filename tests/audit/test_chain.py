"""The audit chain detects a changed, deleted or reordered entry."""

from __future__ import annotations

from central.audit.chain import GENESIS, entry_hash, verify


def chain(n: int) -> list[dict[str, object]]:
    entries, previous = [], GENESIS
    for seq in range(1, n + 1):
        entry = {
            "seq": seq,
            "at": f"2026-11-23T10:00:0{seq}Z",
            "actor": "manager:ivanova",
            "on_behalf_of": "customer:17" if seq == 2 else None,
            "action": "order.confirm",
            "target": f"order:{seq}",
            "before": {"status": "draft"},
            "after": {"status": "confirmed"},
            "prev_hash": previous,
        }
        entry["hash"] = previous = entry_hash(previous, entry)
        entries.append(entry)
    return entries


def test_an_untouched_log_verifies():
    assert verify(chain(5)) == []


def test_a_changed_entry_is_found():
    entries = chain(5)
    entries[2]["after"] = {"status": "cancelled"}
    [found] = verify(entries)
    assert found.seq == 3
    assert "was changed" in found.reason


def test_a_deleted_entry_is_found():
    entries = chain(5)
    del entries[1]
    reasons = {(b.seq, b.reason.split(":")[0]) for b in verify(entries)}
    assert (3, "after entry 1 comes entry 3") in reasons


def test_a_rewritten_tail_with_recomputed_hashes_still_breaks_at_the_join():
    entries = chain(4)
    entries[3]["actor"] = "intruder"
    entries[3]["hash"] = entry_hash("f" * 64, entries[3])
    entries[3]["prev_hash"] = "f" * 64
    assert [b.seq for b in verify(entries)] == [4]
