"""The hash chain behind the audit log: each entry's hash covers its content and the previous hash.

Changing, deleting or reordering any stored entry breaks every hash from it on, which ``verify`` finds
and names. The chain is as strong as its anchor: operators export the latest hash with each backup.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
CHAINED_FIELDS = ("seq", "at", "actor", "on_behalf_of", "action", "target", "before", "after")


def entry_hash(previous: str, entry: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and the entry's canonical JSON: ``entry_hash(GENESIS, {...})``."""
    content = {field: entry.get(field) for field in CHAINED_FIELDS}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    """Where the chain stops holding, and why."""

    seq: int
    reason: str


def verify(entries: Iterable[Mapping[str, Any]]) -> list[Break]:
    """Check stored entries in ``seq`` order; an empty list means the log is intact."""
    breaks: list[Break] = []
    previous = GENESIS
    expected_seq = 1
    for entry in entries:
        seq = int(entry["seq"])
        if seq != expected_seq:
            breaks.append(Break(seq, f"after entry {expected_seq - 1} comes entry {seq}: entries are missing"))
        if entry["prev_hash"] != previous:
            breaks.append(Break(seq, "the stored previous hash does not match the entry before it"))
        if entry_hash(entry["prev_hash"], entry) != entry["hash"]:
            breaks.append(Break(seq, "the entry's content does not match its hash: it was changed"))
        previous = entry["hash"]
        expected_seq = seq + 1
    return breaks
