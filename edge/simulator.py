"""``stockyard simulate scans``: handheld terminals driven over HTTP through the edge's real scan path.

The simulator signs in K workstations with demo badges and sends raw barcodes to ``POST /api/v1/scans``
exactly as a handheld page or a bound scanner does: receipts (mode receive: item, item… or a typed
quantity, then the cell), put-away moves (receiving → storage), pick-like moves (storage → assembly; the
handheld has no pick mode without a pick task yet) and staging moves (assembly → shipping).

The whole script is planned before the first request from the seed and what the edge reports, so the same
seed against the same edge state sends the same barcodes. Every workstation works on its own share of the
catalogue, so workstations running in parallel never compete for the same (item, cell) stock and no planned
move asks for more than the cell holds. A small, seeded share of deliberate operator mistakes (a damaged
label, an item scanned before the source cell, one unit too many taken back with «Отменить») is planned
too; the report tells them apart from refusals nobody planned.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sqlite3
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import click
import httpx

from devices.barcodes import cell_barcode

DEMO_PIN = "1234"  # central.demo.company.DEMO_PIN: every demo member of staff and worker
PREFERRED_ROLES = ("picker", "storekeeper", "worker")  # who holds a handheld first
HOT_ITEMS = 40  # items a workstation receives, out of its share of the catalogue
ActionKind = Literal["mode", "scan", "qty", "undo"]


class SimulationError(click.ClickException):
    """The edge could not be driven: unreachable, a non-2xx answer, nothing to simulate with."""


# What the simulator needs to know about the site: read copies of central's facts, and the stock.
@dataclass(frozen=True)
class ItemFact:
    sku: str
    ean13: str
    tracked: bool = False  # serialized or lot-tracked: needs a GS1 code with serial/lot, left out of the mix


@dataclass(frozen=True)
class CellFact:
    id: int
    address: str
    kind: str
    barcode: str


@dataclass(frozen=True)
class BadgeFact:
    badge: str
    role: str


@dataclass(frozen=True)
class SiteFacts:
    items: tuple[ItemFact, ...]
    cells: tuple[CellFact, ...]
    badges: tuple[BadgeFact, ...]


class FactsSource(Protocol):
    """Where the items, cells and badges of the site come from."""

    def read(self) -> SiteFacts: ...


class EdgeApiFacts:
    """The site's read copies over the edge's HTTP API.

    Needs three read endpoints the edge does not have yet (asked of the lead): ``GET /api/v1/items`` →
    ``[{"sku", "name", "ean13", "serialized", "lot_tracked"}]``, ``GET /api/v1/cells`` →
    ``[{"id", "address", "barcode", "kind"}]`` and ``GET /api/v1/staff`` → ``[{"badge", "full_name", "role"}]``
    (never the PIN hash).
    """

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def read(self) -> SiteFacts:
        items = self._get("/api/v1/items")
        cells = self._get("/api/v1/cells")
        staff = self._get("/api/v1/staff")
        return facts_from_rows(items, cells, staff)

    def _get(self, path: str) -> list[dict[str, Any]]:
        response = _request(self.client, "GET", path, allow_missing=True)
        if response is None:
            raise SimulationError(
                f"the edge at {self.client.base_url} has no GET {path}; pass --data-dir and --site to read the"
                " site's items, cells and badges from the edge's database instead"
            )
        rows: list[dict[str, Any]] = response.json()
        return rows


class DatabaseFacts:
    """The site's read copies straight from the edge's SQLite file, opened read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> SiteFacts:
        if not self.path.exists():
            raise SimulationError(f"the edge's database {self.path} does not exist")
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            items = [dict(r) for r in conn.execute("SELECT sku, ean13, serialized, lot_tracked FROM items")]
            cells = [dict(r) for r in conn.execute("SELECT id, address, barcode, kind FROM cells")]
            staff = [dict(r) for r in conn.execute("SELECT badge, role FROM staff WHERE pin_hash IS NOT NULL")]
        except sqlite3.Error as exc:
            raise SimulationError(f"cannot read the edge's database {self.path}: {exc}") from exc
        finally:
            conn.close()
        return facts_from_rows(items, cells, staff)


def facts_from_rows(
    items: Iterable[dict[str, Any]], cells: Iterable[dict[str, Any]], staff: Iterable[dict[str, Any]]
) -> SiteFacts:
    """Rows as the read copies hold them → ``SiteFacts``, sorted so that planning is deterministic."""
    return SiteFacts(
        items=tuple(
            sorted(
                (
                    ItemFact(str(r["sku"]), str(r["ean13"]), bool(r.get("serialized")) or bool(r.get("lot_tracked")))
                    for r in items
                    if r.get("ean13")
                ),
                key=lambda i: i.sku,
            )
        ),
        cells=tuple(
            sorted(
                (
                    CellFact(int(r["id"]), str(r["address"]), str(r["kind"]), r.get("barcode") or cell_barcode(r["id"]))
                    for r in cells
                ),
                key=lambda c: c.id,
            )
        ),
        badges=tuple(sorted((BadgeFact(str(r["badge"]), str(r["role"])) for r in staff), key=lambda b: b.badge)),
    )


# The plan: what each workstation does, computed before the first scan.
@dataclass(frozen=True)
class Action:
    kind: ActionKind
    value: str  # the mode, the raw code, the typed quantity; empty for undo
    expect_ok: bool = True
    completes: bool = False  # the scan that records a receipt or a move (one outbox event)
    unreadable: bool = False  # a deliberately damaged label: the edge cannot read it


@dataclass
class WorkstationPlan:
    workstation: str
    badge: str
    actions: list[Action] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [a.value for a in self.actions if a.kind == "scan"]


Stock = dict[tuple[str, int], int]


class _Planner:
    """One workstation's script over its share of the catalogue, with its own model of that stock."""

    def __init__(self, facts: SiteFacts, stock: Stock, index: int, workstations: int, seed: int, mistakes: float):
        self.rng = random.Random(f"stockyard-simulate:{seed}:{index}")
        self.mistakes = mistakes
        share = [item for n, item in enumerate(facts.items) if n % workstations == index and not item.tracked]
        self.items = {item.sku: item for item in share}
        self.stock: Stock = {key: qty for key, qty in stock.items() if key[0] in self.items and qty > 0}
        self.hot = self.rng.sample(share, min(HOT_ITEMS, len(share)))
        self.cells = {c.id: c for c in facts.cells}
        self.by_kind: dict[str, list[CellFact]] = {}
        for cell in facts.cells:
            self.by_kind.setdefault(cell.kind, []).append(cell)
        self.mode = "move"  # a fresh login starts in move mode
        self.actions: list[Action] = []

    def run(self, budget: int) -> list[Action]:
        """Operations until ``budget`` scans; the last one is cut short if it does not fit."""
        planned: list[Action] = []
        scans = 0
        while scans < budget and self.hot:
            self.actions = []
            self._operation()
            for action in self.actions:
                if action.kind == "scan":
                    if scans == budget:
                        break  # the step stays pending; logging out drops it, as on a real handheld
                    scans += 1
                planned.append(action)
        return planned

    def _operation(self) -> None:
        roll = self.rng.random()
        if roll < 0.35:
            self._receive()
        elif roll < 0.65:
            self._move(("receiving",), "putaway")
        elif roll < 0.90:
            self._move(("storage",), "pick")
        else:
            self._move(("assembly",), "stage")

    def _switch(self, mode: str) -> None:
        if self.mode != mode:
            self.actions.append(Action("mode", mode))
            self.mode = mode

    def _scan(self, code: str, **flags: bool) -> None:
        self.actions.append(Action("scan", code, **flags))

    def _mistake(self) -> bool:
        return self.rng.random() < self.mistakes

    def _units(self, item: ItemFact, qty: int) -> None:
        """Scan the item once per unit, or once and type the quantity."""
        if qty <= 4 and self.rng.random() < 0.7:
            for _ in range(qty):
                self._scan(item.ean13)
            if self._mistake():  # one unit too many, taken back
                self._scan(item.ean13)
                self.actions.append(Action("undo", ""))
        else:
            self._scan(item.ean13)
            if qty > 1:
                self.actions.append(Action("qty", str(qty)))

    def _receive(self) -> None:
        self._switch("receive")
        item = self.rng.choice(self.hot)
        qty = self.rng.randint(1, 4) if self.rng.random() < 0.6 else self.rng.randint(5, 60)
        if self._mistake():
            self._scan(damaged(item.ean13), expect_ok=False, unreadable=True)
        self._units(item, qty)
        kind = "receiving" if self.rng.random() < 0.85 or not self.by_kind.get("storage") else "storage"
        cells = self.by_kind.get(kind) or self.by_kind.get("receiving") or self.by_kind["storage"]
        cell = self.rng.choice(cells)
        self._scan(cell.barcode, completes=True)
        self.stock[(item.sku, cell.id)] = self.stock.get((item.sku, cell.id), 0) + qty

    def _move(self, sources: tuple[str, ...], purpose: str) -> None:
        target_kind = {"putaway": "storage", "pick": "assembly", "stage": "shipping"}[purpose]
        held = sorted(
            (key for key, qty in self.stock.items() if qty > 0 and self.cells[key[1]].kind in sources),
        )
        if not held or not self.by_kind.get(target_kind):
            self._receive()
            return
        sku, source = self.rng.choice(held)
        have = self.stock[(sku, source)]
        if purpose == "pick":
            qty = self.rng.randint(1, min(have, 10))
        elif purpose == "putaway" and self.rng.random() < 0.3:
            qty = self.rng.randint(1, have)
        else:
            qty = have
        target = self._target(sku, source, target_kind)
        item = self.items[sku]
        self._switch("move")
        slip = self.rng.random() if self._mistake() else None
        if slip is not None and slip < 0.5:
            self._scan(item.ean13, expect_ok=False)  # the item before the source cell
        self._scan(self.cells[source].barcode)
        if slip is not None and slip >= 0.5:
            self._scan(damaged(item.ean13), expect_ok=False, unreadable=True)
        self._units(item, qty)
        self._scan(target.barcode, completes=True)
        self.stock[(sku, source)] = have - qty
        self.stock[(sku, target.id)] = self.stock.get((sku, target.id), 0) + qty

    def _target(self, sku: str, source: int, kind: str) -> CellFact:
        if kind == "storage" and self.rng.random() < 0.5:
            # Put away next to what is already there when possible.
            same = sorted(c for (s, c), q in self.stock.items() if s == sku and q > 0 and c != source)
            same = [c for c in same if self.cells[c].kind == "storage"]
            if same:
                return self.cells[self.rng.choice(same)]
        choices = [c for c in self.by_kind[kind] if c.id != source]
        return self.rng.choice(choices)


def damaged(code: str) -> str:
    """The same code with a wrong check digit, as a scuffed label reads: ``damaged("4601234567894")``."""
    return code[:-1] + str((int(code[-1]) + 1) % 10)


def choose_badges(facts: SiteFacts, count: int) -> list[str]:
    """Warehouse staff first (pickers, storekeeper, workers), then anyone else with a badge and PIN."""
    rank = {role: n for n, role in enumerate(PREFERRED_ROLES)}
    ordered = sorted(facts.badges, key=lambda b: (rank.get(b.role, len(rank)), b.badge))
    if len(ordered) < count:
        raise SimulationError(f"{count} workstations need {count} badges; the edge knows {len(ordered)}")
    return [b.badge for b in ordered[:count]]


def plan(
    facts: SiteFacts, stock: Stock, scans: int, seed: int, workstations: int, mistakes: float
) -> list[WorkstationPlan]:
    """Every workstation's script: ``plan(facts, stock, scans=300, seed=1, workstations=4, mistakes=0.02)``.

    Pure: the same facts, stock and arguments give the same barcodes.
    """
    badges = choose_badges(facts, workstations)
    if not any(c.kind == "receiving" for c in facts.cells) and not any(c.kind == "storage" for c in facts.cells):
        raise SimulationError("the edge knows no receiving or storage cell to receive into")
    plans = []
    for index in range(workstations):
        budget = scans // workstations + (1 if index < scans % workstations else 0)
        planner = _Planner(facts, stock, index, workstations, seed, mistakes)
        actions = planner.run(budget) if budget else []
        plans.append(WorkstationPlan(f"SIM-{index + 1}", badges[index], actions))
    return plans


def plan_digest(plans: Iterable[WorkstationPlan]) -> str:
    """A short fingerprint of every workstation's barcodes, to compare two runs."""
    digest = hashlib.sha256()
    for p in plans:
        digest.update(json.dumps([p.workstation, p.codes]).encode())
    return digest.hexdigest()[:16]


# Running the plan.
class TokenBucket:
    """At most ``rate`` scans per second overall, shared by every workstation (bucket of one token)."""

    def __init__(self, rate: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1 / rate if rate else 0.0
        self.clock = clock
        self.lock = threading.Lock()
        self.next_at = 0.0

    def take(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = self.clock()
            at = max(now, self.next_at)
            self.next_at = at + self.interval
        if at > now:
            time.sleep(at - now)


@dataclass
class _Tally:
    sent: int = 0
    accepted: int = 0
    refused: int = 0
    invalid: int = 0
    planned_refusals: int = 0
    events_reported: int = 0
    recorded: int = 0  # completing scans the edge accepted
    reasons: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    first_at: float | None = None  # perf_counter at the first scan, and after the last answer
    last_at: float | None = None


@dataclass
class SimulationReport:
    edge_url: str
    seed: int
    workstations: int
    plan_digest: str
    scans_sent: int
    accepted: int
    refused: int
    invalid: int
    refusal_reasons: dict[str, int]
    planned_refusals: int
    unexpected: int
    unexpected_examples: list[str]
    operations_recorded: int
    events_reported: int
    events_created: int
    elapsed_s: float
    rate_per_s: float
    latency_p50_ms: float
    latency_p99_ms: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def reason_of(message: str) -> str:
    """A refusal message with its particulars masked, so refusals of one kind count together."""
    masked = re.sub(r"«[^»]*»", "«…»", message)
    return re.sub(r"\S*\d\S*", lambda m: "…" + (m[0][-1] if m[0][-1] in ",.;:" else ""), masked)


def _request(
    client: httpx.Client, method: str, path: str, body: dict[str, Any] | None = None, allow_missing: bool = False
) -> httpx.Response | None:
    try:
        response = client.request(method, path, json=body)
    except httpx.HTTPError as exc:
        raise SimulationError(f"the edge at {client.base_url} does not answer {method} {path}: {exc}") from exc
    if allow_missing and response.status_code in (404, 405):
        return None
    if not response.is_success:
        raise SimulationError(f"the edge answered {response.status_code} to {method} {path}: {response.text[:200]}")
    return response


def _call(client: httpx.Client, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = _request(client, method, path, body)
    assert response is not None
    answer: dict[str, Any] = response.json()
    return answer


def read_stock(client: httpx.Client, facts: SiteFacts) -> Stock:
    """``GET /api/v1/stock`` keyed by (sku, cell id), cells matched by their address."""
    ids = {c.address: c.id for c in facts.cells}
    response = _request(client, "GET", "/api/v1/stock")
    assert response is not None
    stock: Stock = {}
    for row in response.json():
        if row["cell"] in ids:
            stock[(str(row["sku"]), ids[row["cell"]])] = int(row["qty"])
    return stock


def _drive(
    client: httpx.Client, workstation: WorkstationPlan, bucket: TokenBucket, stop: threading.Event, pin: str
) -> _Tally:
    tally = _Tally()
    ws = workstation.workstation
    login = _call(client, "POST", f"/api/v1/terminal/{ws}/login", {"badge": workstation.badge, "pin": pin})
    if not login["ok"]:
        raise SimulationError(f"badge {workstation.badge} was refused at {ws}: {login['message']}")
    try:
        for action in workstation.actions:
            if stop.is_set():
                break
            if action.kind == "scan":
                bucket.take()
                started = time.perf_counter()
                if tally.first_at is None:
                    tally.first_at = started
                answer = _call(
                    client, "POST", "/api/v1/scans", {"workstation": ws, "code": action.value, "source": "simulator"}
                )
                tally.last_at = time.perf_counter()
                tally.latencies.append(tally.last_at - started)
                tally.sent += 1
                tally.planned_refusals += not action.expect_ok
                tally.events_reported += len(answer["event_seqs"])
                if answer["ok"]:
                    tally.accepted += 1
                    tally.recorded += action.completes
                else:
                    tally.reasons[reason_of(answer["message"])] += 1
                    if action.unreadable:
                        tally.invalid += 1
                    else:
                        tally.refused += 1
            elif action.kind == "mode":
                answer = _call(client, "POST", f"/api/v1/terminal/{ws}/mode", {"mode": action.value})
            elif action.kind == "qty":
                answer = _call(client, "POST", f"/api/v1/terminal/{ws}/qty", {"qty": int(action.value)})
            else:
                answer = _call(client, "POST", f"/api/v1/terminal/{ws}/undo")
            if answer["ok"] != action.expect_ok:
                tally.unexpected.append(f"{ws} {action.kind} {action.value}: {answer['message']}")
    finally:
        _call(client, "POST", f"/api/v1/terminal/{ws}/logout")
    return tally


def _percentile_ms(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return round(values[0] * 1000, 2)
    return round(statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1] * 1000, 2)


def run_simulation(
    edge_url: str,
    scans: int,
    rate: float | None = None,
    seed: int = 1,
    workstations: int = 4,
    *,
    mistakes: float = 0.02,
    facts: FactsSource | None = None,
    pin: str = DEMO_PIN,
) -> SimulationReport:
    """Drive the edge at ``edge_url`` with ``scans`` handheld scans: ``run_simulation("http://127.0.0.1:8101", 300)``.

    ``facts`` says where the site's items, cells and badges are read (the edge's API by default); raises
    ``SimulationError`` (a ``click.ClickException``) when the edge cannot be driven.
    """
    with httpx.Client(base_url=edge_url, timeout=30) as client:
        sync_before = _call(client, "GET", "/api/v1/sync")
        if not sync_before.get("bootstrapped", True):
            raise SimulationError(f"the edge at {edge_url} has not received central's snapshot yet: nothing to scan")
        site = (facts or EdgeApiFacts(client)).read()
        if not site.items:
            raise SimulationError(f"the edge at {edge_url} knows no item with a barcode")
        plans = plan(site, read_stock(client, site), scans, seed, workstations, mistakes)
    bucket = TokenBucket(rate)
    stop = threading.Event()

    def drive(workstation: WorkstationPlan) -> _Tally:
        with httpx.Client(base_url=edge_url, timeout=30) as c:
            try:
                return _drive(c, workstation, bucket, stop, pin)
            except BaseException:
                stop.set()
                raise

    with ThreadPoolExecutor(max_workers=workstations, thread_name_prefix="simulate") as pool:
        futures = [pool.submit(drive, p) for p in plans]
        tallies = [f.result() for f in futures]
    # From the first scan to the last answer: signing in (Argon2 on purpose) is not scanning.
    firsts = [t.first_at for t in tallies if t.first_at is not None]
    lasts = [t.last_at for t in tallies if t.last_at is not None]
    elapsed = max(lasts) - min(firsts) if firsts else 0.0
    with httpx.Client(base_url=edge_url, timeout=30) as client:
        sync_after = _call(client, "GET", "/api/v1/sync")
    total = _Tally()
    for t in tallies:
        total.sent += t.sent
        total.accepted += t.accepted
        total.refused += t.refused
        total.invalid += t.invalid
        total.planned_refusals += t.planned_refusals
        total.events_reported += t.events_reported
        total.recorded += t.recorded
        total.reasons.update(t.reasons)
        total.unexpected.extend(t.unexpected)
        total.latencies.extend(t.latencies)
    return SimulationReport(
        edge_url=edge_url,
        seed=seed,
        workstations=workstations,
        plan_digest=plan_digest(plans),
        scans_sent=total.sent,
        accepted=total.accepted,
        refused=total.refused,
        invalid=total.invalid,
        refusal_reasons=dict(total.reasons.most_common()),
        planned_refusals=total.planned_refusals,
        unexpected=len(total.unexpected),
        unexpected_examples=total.unexpected[:10],
        operations_recorded=total.recorded,
        events_reported=total.events_reported,
        events_created=int(sync_after["outbox_seq"]) - int(sync_before["outbox_seq"]),
        elapsed_s=round(elapsed, 3),
        rate_per_s=round(total.sent / elapsed, 1) if elapsed else 0.0,
        latency_p50_ms=_percentile_ms(total.latencies, 0.50),
        latency_p99_ms=_percentile_ms(total.latencies, 0.99),
    )


def print_report(report: SimulationReport) -> None:
    rows = [
        ("scans sent", report.scans_sent),
        ("  accepted", report.accepted),
        ("  refused", report.refused),
        ("  invalid (unreadable code)", report.invalid),
        ("refusals planned as operator mistakes", report.planned_refusals),
        ("unexpected answers", report.unexpected),
        ("receipts and moves recorded", report.operations_recorded),
        ("events reported in answers", report.events_reported),
        ("events created (edge outbox grew by)", report.events_created),
        ("elapsed", f"{report.elapsed_s} s"),
        ("achieved rate", f"{report.rate_per_s} scans/s"),
        ("latency per scan, p50", f"{report.latency_p50_ms} ms"),
        ("latency per scan, p99", f"{report.latency_p99_ms} ms"),
        ("plan digest (same seed, same barcodes)", report.plan_digest),
    ]
    click.echo(f"{'measure':<40} {'value':>18}")
    for name, value in rows:
        click.echo(f"{name:<40} {value!s:>18}")
    if report.refusal_reasons:
        click.echo("\nrefusals by reason")
        for reason, count in report.refusal_reasons.items():
            click.echo(f"{count:>6}  {reason}")
    if report.unexpected_examples:
        click.echo("\nunexpected answers (first ten)")
        for line in report.unexpected_examples:
            click.echo(f"  {line}")


@click.command("scans")
@click.option("--edge-url", required=True, help="The edge to drive, e.g. http://127.0.0.1:8101.")
@click.option("--scans", type=click.IntRange(min=1), required=True, help="How many scans to send in all.")
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    help="Scans per second overall [default: as fast as possible].",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the plan: same seed, same barcodes.")
@click.option(
    "--workstations", type=click.IntRange(min=1), default=4, show_default=True, help="Handhelds signed in at once."
)
@click.option(
    "--mistakes",
    type=click.FloatRange(min=0, max=1),
    default=0.02,
    show_default=True,
    help="Share of operations with a deliberate operator mistake (damaged label, wrong order, undo).",
)
@click.option("--pin", default=DEMO_PIN, show_default=True, help="PIN of the badges used.")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Read items, cells and badges from the edge's database in this folder (with --site).",
)
@click.option("--site", help="The edge's site code, with --data-dir.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def simulate_scans(
    edge_url: str,
    scans: int,
    rate: float | None,
    seed: int,
    workstations: int,
    mistakes: float,
    pin: str,
    data_dir: Path | None,
    site: str | None,
    as_json: bool,
) -> None:
    """Drive an edge as handheld scanners do: receipts, put-away and pick moves through POST /api/v1/scans."""
    if (data_dir is None) != (site is None):
        raise click.UsageError("--data-dir and --site go together")
    facts = DatabaseFacts(data_dir / f"{site}.db") if data_dir is not None and site is not None else None
    report = run_simulation(edge_url, scans, rate, seed, workstations, mistakes=mistakes, facts=facts, pin=pin)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        print_report(report)
