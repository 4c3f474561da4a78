"""Central's clock: jobs that run every ``jobs_interval`` seconds beside the web server.

Each job is ``job(engine, now)`` in its own transaction(s); one failing job is logged and does not stop the
others or the next round. Jobs: mail the pending notices, expire reservations past their term, remind about
documents not returned. ``STOCKYARD_JOBS_INTERVAL=0`` turns the clock off (tests drive the jobs by hand).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence

import structlog
from sqlalchemy import Engine

log = structlog.get_logger(__name__)

Job = Callable[[Engine, dt.datetime], object]


class Clock:
    """``Clock(engine, [("mail", job)], interval=60).start()``; ``stop()`` waits for the round in progress."""

    def __init__(self, engine: Engine, jobs: Sequence[tuple[str, Job]], interval: float) -> None:
        self.engine = engine
        self.jobs = list(jobs)
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="central-clock", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def tick(self, now: dt.datetime | None = None) -> None:
        """One round of every job: ``clock.tick()``."""
        moment = now or dt.datetime.now(dt.UTC)
        for name, job in self.jobs:
            try:
                job(self.engine, moment)
            except Exception:
                log.exception("job_failed", job=name)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.tick()
