"""Operators at handhelds, scanning through the edge's terminal API: receipts of one unit at a time."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from edge.store import open_site_database

DEMO_PIN = "1234"


class EdgeDown(Exception):
    """The edge did not answer: the operator saw no success and will scan again."""


@dataclass
class SiteCodes:
    """Barcodes an operator can scan at a site, read from its read copies after the snapshot."""

    badges: list[str]
    items: list[str]
    receiving: list[str]

    @classmethod
    def read(cls, path: Path) -> SiteCodes:
        db = open_site_database(path)
        try:
            return cls(
                badges=[r[0] for r in db.execute("SELECT badge FROM staff WHERE role != 'worker' ORDER BY badge")],
                # Receiving by EAN alone: serialized items would ask for each unit's serial (WH-1).
                items=[r[0] for r in db.execute("SELECT ean13 FROM items WHERE NOT serialized ORDER BY sku LIMIT 300")],
                receiving=[r[0] for r in db.execute("SELECT barcode FROM cells WHERE kind = 'receiving' ORDER BY id")],
            )
        finally:
            db.conn.close()


@dataclass
class Operator:
    """One workstation: ``Operator(url, "ТСД-1", badge).receive(ean, cell)`` → the acknowledged event seqs."""

    url: str
    workstation: str
    badge: str
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))
    signed_in: bool = False

    def _post(self, path: str, body: dict[str, object]) -> dict[str, object]:
        try:
            response = self.client.post(self.url + path, json=body)
        except httpx.HTTPError as exc:
            self.signed_in = False
            raise EdgeDown(str(exc)) from exc
        if response.status_code != 200:
            raise AssertionError(f"{path}: HTTP {response.status_code} {response.text[:200]}")
        return dict(response.json())

    def sign_in(self) -> None:
        ws = self.workstation
        reply = self._post(f"/api/v1/terminal/{ws}/login", {"badge": self.badge, "pin": DEMO_PIN})
        assert reply["ok"], reply
        assert self._post(f"/api/v1/terminal/{ws}/mode", {"mode": "receive"})["ok"]
        self.signed_in = True

    def receive(self, ean: str, cell: str) -> list[int]:
        """Scan an item then a receiving cell; the event seqs the edge acknowledged (empty if refused)."""
        if not self.signed_in:
            self.sign_in()
        first = self._post("/api/v1/scans", {"workstation": self.workstation, "code": ean})
        if not first["ok"]:
            # A restarted edge forgot the session; sign in again and let the caller retry.
            self.signed_in = False
            return []
        second = self._post("/api/v1/scans", {"workstation": self.workstation, "code": cell})
        seqs = second.get("event_seqs") or []
        assert isinstance(seqs, list)
        return [int(s) for s in seqs]


def receipts(codes: SiteCodes, n: int, seed: int) -> list[tuple[str, str]]:
    """A seeded list of (item, receiving cell) scans."""
    rng = random.Random(seed)
    return [(rng.choice(codes.items), rng.choice(codes.receiving)) for _ in range(n)]
