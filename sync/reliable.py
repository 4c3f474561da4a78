"""The two halves of at-least-once, in-order delivery over a lossy link, used in both directions.

``Sender`` sends a numbered log from the receiver's acknowledged position, a window at a time, and goes
back to the acknowledged position after a reconnect or when acknowledgements stall. ``Sequencer`` lets the
receiver apply exactly the next numbers in order: duplicates fall away, early arrivals wait for the gap to
fill. Neither touches storage or the network; their owners pass callbacks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar


class Numbered(Protocol):
    @property
    def seq(self) -> int: ...


T = TypeVar("T", bound=Numbered)
Clock = Callable[[], float]


class Sender(Generic[T]):
    """``Sender(read_after, newest, publish).pump()`` sends what the receiver has not acknowledged yet."""

    def __init__(
        self,
        read_after: Callable[[int, int], Sequence[T]],
        newest: Callable[[], int],
        publish: Callable[[Sequence[T]], bool],
        acked: int = 0,
        batch: int = 500,
        window: int = 20_000,
        resend_after: float = 3.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.read_after = read_after
        self.newest = newest
        self.publish = publish
        self.acked = acked
        self.sent = acked
        self.batch = batch
        self.window = window
        self.resend_after = resend_after
        self.clock = clock
        self.last_progress = clock()
        self.resends = 0

    def rewind(self) -> None:
        """Send again from the acknowledged position: after a reconnect, or when the receiver restarted."""
        self.sent = self.acked
        self.last_progress = self.clock()

    def on_ack(self, seq: int) -> bool:
        """Take an acknowledgement; True when it moved forward.

        A lower number than before means the receiver lost what it had acknowledged (restored from a
        backup, wiped): everything after it is sent again, since the log here still holds it.
        """
        if seq > self.acked:
            self.acked = seq
            self.sent = max(self.sent, seq)
            self.last_progress = self.clock()
            return True
        if seq < self.acked:
            self.acked = seq
            self.rewind()
        return False

    def pump(self) -> int:
        """Send within the window; return how many items were handed to the link."""
        if self.sent > self.acked and self.clock() - self.last_progress > self.resend_after:
            self.resends += 1
            self.rewind()
        handed = 0
        newest = self.newest()
        while self.sent < newest and self.sent - self.acked < self.window:
            items = self.read_after(self.sent, min(self.batch, self.window - (self.sent - self.acked)))
            if not items or not self.publish(items):
                break
            if self.sent == self.acked:
                self.last_progress = self.clock()
            self.sent = items[-1].seq
            handed += len(items)
        return handed

    @property
    def backlog(self) -> int:
        """Items the receiver has not acknowledged."""
        return max(0, self.newest() - self.acked)


class Sequencer(Generic[T]):
    """``Sequencer(applied=41).offer(items)`` returns the items to apply now, in order, without duplicates."""

    def __init__(self, applied: int = 0, limit: int = 200_000) -> None:
        self.applied = applied
        self.limit = limit
        self.held: dict[int, T] = {}

    def offer(self, items: Sequence[T]) -> list[T]:
        """Accept arrivals in any order; ``applied`` is not moved until ``done`` confirms the apply."""
        for item in items:
            if item.seq > self.applied and (item.seq in self.held or len(self.held) < self.limit):
                self.held[item.seq] = item
        ready: list[T] = []
        nxt = self.applied + 1
        while nxt in self.held:
            ready.append(self.held.pop(nxt))
            nxt += 1
        return ready

    def done(self, seq: int) -> None:
        """The items up to ``seq`` are durable; drop anything held at or below it."""
        self.applied = max(self.applied, seq)
        for stale in [s for s in self.held if s <= self.applied]:
            del self.held[stale]

    def reset(self, applied: int) -> None:
        """Start over from ``applied`` (the durable state after a failed apply or a snapshot)."""
        self.applied = applied
        self.held.clear()

    @property
    def gap(self) -> bool:
        """Something later than the next expected number is waiting."""
        return bool(self.held)
