"""``stockyard demo``: Mosquitto, central and the edges W1 and S1 on one machine, as one supervised group."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

import click
import httpx
from sqlalchemy import Engine

MOSQUITTO = "mosquitto"
RESTARTS_ALLOWED = 5
RESTART_WINDOW_S = 60.0
STARTUP_TIMEOUT_S = 60.0


@dataclass
class Child:
    """One supervised process with its command line and log file."""

    name: str
    argv: list[str]
    log_path: Path
    health_url: str | None = None
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)
    _log: IO[bytes] | None = None

    def start(self) -> None:
        """Start (or restart) the process in its own session so Ctrl-C reaches only the supervisor."""
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(self.argv, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self, timeout: float = 15.0) -> None:
        """Ask politely (SIGTERM), then insist (SIGKILL)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


def port_is_free(host: str, port: int) -> bool:
    """True when nothing listens on ``host:port``: ``port_is_free("127.0.0.1", 8000)``."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def wait_until_healthy(children: list[Child], timeout: float = STARTUP_TIMEOUT_S) -> None:
    """Poll every child's /healthz until all answer 200, or raise with the name of the one that did not."""
    deadline = time.monotonic() + timeout
    pending = [c for c in children if c.health_url]
    while pending:
        for child in list(pending):
            assert child.process is not None
            if child.process.poll() is not None:
                raise click.ClickException(f"{child.name} exited during start-up; see {child.log_path}")
            try:
                if httpx.get(child.health_url or "", timeout=1.0).status_code == 200:
                    pending.remove(child)
            except httpx.HTTPError:
                pass
        if pending and time.monotonic() > deadline:
            names = ", ".join(c.name for c in pending)
            raise click.ClickException(
                f"{names} did not become healthy in {timeout:.0f} s; see {children[0].log_path.parent}"
            )
        time.sleep(0.2)


def seed_if_empty(database_url: str) -> bool:
    """Migrate central's database and load the demo company into it on first start; True if it seeded."""
    from sqlalchemy import func, select

    from central.demo.company import seed_company
    from central.store.engine import create_central_engine, migrate
    from central.store.schema import users

    engine = create_central_engine(database_url)
    try:
        migrate(engine)
        with engine.connect() as conn:
            if conn.execute(select(func.count()).select_from(users)).scalar_one() > 0:
                return False
        click.echo("Загружаю демонстрационную компанию (первый запуск, около минуты)…")
        seed_company(engine, scale=1, seed=42)
        issue_demo_pick_tasks(engine, 5)
        send_demo_receipts(engine)
        release_demo_operations(engine)
        return True
    finally:
        engine.dispose()


def issue_demo_pick_tasks(engine: Engine, count: int) -> list[str]:
    """Give the warehouse W1 some pick tasks to work on: the first confirmed orders its cells can cover."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from central.dispatch.pick_tasks import PickTaskRefused, issue_pick_task
    from central.store.schema import orders

    with engine.connect() as conn:
        numbers = (
            conn.execute(select(orders.c.number).where(orders.c.status == "confirmed").order_by(orders.c.number))
            .scalars()
            .all()
        )
    codes: list[str] = []
    for number in numbers:
        if len(codes) == count:
            break
        try:
            with engine.begin() as conn:
                codes.append(issue_pick_task(conn, number, "W1", datetime.now(UTC)).code)
        except PickTaskRefused:
            continue
    return codes


def send_demo_receipts(engine: Engine) -> None:
    """Tell W1 which supplies to expect, so receiving against the expected receipt can be tried."""
    from central.warehouse.receipts import send_open_receipts

    send_open_receipts(engine, "W1")


def release_demo_operations(engine: Engine) -> int:
    """Send the open production tasks' operations to the shop floor S1, so its terminal has a queue."""
    from central.production.release import release_operations

    with engine.begin() as conn:
        return len(release_operations(conn, "S1"))


def terminal_facts(database_url: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """Badges that sign in at the handhelds (role, name, badge) and the open pick tasks (code, order)."""
    from sqlalchemy import literal, select

    from central.store.engine import create_central_engine
    from central.store.schema import dispatch_tasks, orders, users, workers

    engine = create_central_engine(database_url)
    try:
        with engine.connect() as conn:
            badges = list(
                conn.execute(
                    select(users.c.role, users.c.full_name, users.c.badge)
                    .where(users.c.role.in_(("warehouse_manager", "picker")), users.c.badge.is_not(None))
                    .order_by(users.c.id)
                    .limit(3)
                ).all()
            )
            # Shop-floor workers sign in at S1's terminal with the same PIN.
            badges += conn.execute(
                select(literal("worker"), workers.c.full_name, workers.c.badge).order_by(workers.c.id).limit(3)
            ).all()
            tasks = conn.execute(
                select(dispatch_tasks.c.id, orders.c.number)
                .join(orders, orders.c.id == dispatch_tasks.c.order_id)
                .where(dispatch_tasks.c.kind == "pick", dispatch_tasks.c.status.in_(("new", "in_work")))
                .order_by(dispatch_tasks.c.id)
            ).all()
    finally:
        engine.dispose()
    from devices.barcodes import company_code

    return (
        [(role, name, badge) for role, name, badge in badges],
        [(company_code("task", task_id), number) for task_id, number in tasks],
    )


def mosquitto_config(data_dir: Path, host: str, port: int) -> Path:
    """The demo broker's configuration: one loopback listener, anonymous, no persistence."""
    path = data_dir / "mosquitto.conf"
    # The demo runs on one machine; production brokers use per-site identities (stockyard central mqtt-config).
    path.write_text(f"listener {port} {host}\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n")
    return path


def print_banner(
    host: str,
    central_port: int,
    edges: dict[str, int],
    mqtt_port: int,
    log_dir: Path,
    terminals: tuple[list[tuple[str, str, str]], list[tuple[str, str]]] = ([], []),
) -> None:
    """What a newcomer needs: where everything is and how to log in."""
    from central.auth.roles import role_title
    from central.demo.company import demo_logins

    click.echo("")
    click.echo("Stockyard demo is running. Ctrl-C stops everything.")
    click.echo(f"  Central office:     http://{host}:{central_port}/   (API docs: /api/docs)")
    for site, port in edges.items():
        click.echo(f"  Edge {site}:            http://{host}:{port}/")
        if site == "S1":
            click.echo(
                f"  Shop-floor terminal: http://{host}:{port}/shopfloor?station=Пост-1   (workers' badges, PIN 1234)"
            )
    click.echo(f"  MQTT broker:        mqtt://{host}:{mqtt_port}")
    click.echo(f"  Logs:               {log_dir}/")
    click.echo("")
    click.echo("Demo logins (password for all: see column):")
    for login in demo_logins():
        click.echo(f"  {role_title(login.role):<26} {login.login:<14} {login.password:<8} {login.full_name}")
    badges, tasks = terminals
    if badges:
        from central.demo.company import DEMO_PIN

        click.echo("")
        click.echo(f"Terminals: sign in with a badge code and PIN {DEMO_PIN} (handhelds at W1, shop floor at S1):")
        for role, name, badge in badges:
            title = "Рабочий цеха (S1)" if role == "worker" else role_title(role)
            click.echo(f"  {title:<26} {badge}  {name}")
    if tasks:
        click.echo("Pick tasks waiting at W1 (mode «Отбор», type or scan the code):")
        for code, order in tasks:
            click.echo(f"  {code}  заказ {order}")
    click.echo("", nl=True)
    sys.stdout.flush()


def supervise(children: list[Child]) -> None:
    """Restart a crashed child with a pause; give up (stopping all) after repeated crashes."""
    while True:
        for child in children:
            assert child.process is not None
            code = child.process.poll()
            if code is None:
                continue
            now = time.monotonic()
            child.restarts = [t for t in child.restarts if now - t < RESTART_WINDOW_S] + [now]
            if len(child.restarts) > RESTARTS_ALLOWED:
                raise click.ClickException(
                    f"{child.name} crashed {RESTARTS_ALLOWED} times in a minute; see {child.log_path}"
                )
            click.echo(f"{child.name} exited with code {code}; restarting (log: {child.log_path})")
            child.stop()
            time.sleep(1.0)
            child.start()
        time.sleep(0.5)


class _Stop(Exception):
    """Raised from the signal handler to leave the supervision loop."""


def _raise_stop(_signum: int, _frame: FrameType | None) -> None:
    raise _Stop


@click.command()
@click.option("--reset", is_flag=True, help="Delete the demo's data and start with a freshly seeded company.")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    default=Path("var/demo"),
    show_default=True,
    help="Demo data.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address every service listens on.")
@click.option("--central-port", type=int, default=8000, show_default=True, help="Central's HTTP port.")
@click.option("--w1-port", type=int, default=8101, show_default=True, help="Warehouse edge W1's HTTP port.")
@click.option("--s1-port", type=int, default=8102, show_default=True, help="Shop-floor edge S1's HTTP port.")
@click.option("--mqtt-port", type=int, default=1883, show_default=True, help="The demo broker's port.")
def demo(reset: bool, data_dir: Path, host: str, central_port: int, w1_port: int, s1_port: int, mqtt_port: int) -> None:
    """Run everything on this machine: broker, central, warehouse edge W1, shop-floor edge S1, demo data."""
    if shutil.which(MOSQUITTO) is None and not Path("/usr/sbin/mosquitto").exists():
        raise click.ClickException(
            "Mosquitto is not installed: run `sudo apt-get install mosquitto` (make demo does it)."
        )
    mosquitto_bin = shutil.which(MOSQUITTO) or "/usr/sbin/mosquitto"
    ports = {"central": central_port, "W1": w1_port, "S1": s1_port, "mosquitto": mqtt_port}
    busy = [f"{name} ({port})" for name, port in ports.items() if not port_is_free(host, port)]
    if busy:
        raise click.ClickException(f"Ports already in use: {', '.join(busy)}. Stop what uses them or pick other ports.")
    if reset and data_dir.exists():
        shutil.rmtree(data_dir)
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{(data_dir / 'central.db').resolve()}"
    mqtt_url = f"mqtt://{host}:{mqtt_port}"
    seed_if_empty(database_url)

    stockyard = [sys.executable, "-m", "central.cli"]
    edges = {"W1": w1_port, "S1": s1_port}
    children = [
        Child(
            "mosquitto",
            [mosquitto_bin, "-c", str(mosquitto_config(data_dir, host, mqtt_port))],
            log_dir / "mosquitto.log",
        ),
        Child(
            "central",
            [
                *stockyard,
                "central",
                "--host",
                host,
                "--port",
                str(central_port),
                "--database-url",
                database_url,
                "--mqtt-url",
                mqtt_url,
            ],
            log_dir / "central.log",
            health_url=f"http://{host}:{central_port}/healthz",
        ),
        *(
            Child(
                f"edge {site}",
                [
                    *stockyard,
                    "edge",
                    "--site",
                    site,
                    "--host",
                    host,
                    "--port",
                    str(port),
                    "--data-dir",
                    str(data_dir / "edges"),
                    "--mqtt-url",
                    mqtt_url,
                ],
                log_dir / f"edge-{site}.log",
                health_url=f"http://{host}:{port}/healthz",
            )
            for site, port in edges.items()
        ),
    ]
    previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for child in children:
            child.start()
        wait_until_healthy(children)
        print_banner(host, central_port, edges, mqtt_port, log_dir, terminal_facts(database_url))
        supervise(children)
    except _Stop:
        click.echo("Stopping…")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for child in reversed(children):
            child.stop()
    click.echo("Stopped.")
