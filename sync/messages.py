"""What travels over MQTT, as pydantic models encoded to JSON: ``UpBatch.decode(payload)``.

Every message carries ``v`` (the protocol version). A message that does not validate is refused with
``BadMessage`` so the receiver can quarantine it instead of crashing on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

PROTOCOL = 1


class BadMessage(ValueError):
    """A payload that is not a valid message; ``reason`` names what was wrong."""


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    v: int = PROTOCOL

    def encode(self) -> bytes:
        """``UpAck(site="W1", acked_seq=5).encode()`` → JSON bytes."""
        return self.model_dump_json().encode()

    @classmethod
    def decode(cls, payload: bytes) -> Self:
        """Validate a received payload or raise ``BadMessage``."""
        try:
            return cls.model_validate_json(payload)
        except ValidationError as exc:
            raise BadMessage(f"{cls.__name__}: {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}") from exc


class Event(BaseModel):
    """One fact recorded at an edge, immutable; ``seq`` is its place in the site's gap-free order."""

    model_config = ConfigDict(frozen=True)
    event_id: str = Field(min_length=16, max_length=64)
    seq: int = Field(ge=1)
    type: str
    occurred_at: datetime
    actor: str | None
    payload: dict[str, Any]
    schema_version: int = Field(ge=1)


class UpBatch(_Message):
    """Edge → central: consecutive outbox events (a resend may repeat some)."""

    site: str
    events: list[Event]
    outbox_seq: int = 0  # the edge's newest sequence when sent, for the backlog figure


class UpAck(_Message):
    """Central → edge: every event up to ``acked_seq`` is applied and durable at central."""

    site: str
    acked_seq: int
    held: list[str] = []  # event ids central cannot apply yet (unknown schema), for the edge's log


class DownMessage(BaseModel):
    """One entry of a site's downstream log: a catalogue delta, a task, an expected receipt."""

    model_config = ConfigDict(frozen=True)
    seq: int = Field(ge=1)
    kind: str
    payload: dict[str, Any]


class DownBatch(_Message):
    """Central → edge: log entries in order, or a snapshot that replaces the edge's read copies."""

    site: str
    messages: list[DownMessage] = []
    snapshot: dict[str, Any] | None = None
    head: int = 0  # the newest downstream sequence at central when sent


class DownAck(_Message):
    """Edge → central: the downstream cursor (asking for what follows it) and the edge's own upstream side."""

    site: str
    cursor: int
    want_snapshot: bool = False
    resend: bool = False  # the edge saw a gap: send again from the cursor now, not after the timer
    outbox_seq: int = 0
    acked_seq: int = 0


class Presence(_Message):
    """Retained status of a participant; the broker publishes ``offline`` as the Last Will."""

    who: str
    state: Literal["online", "offline"]
    at: datetime | None = None
    version: str = ""
