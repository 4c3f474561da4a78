"""MQTT topic names; the site code is the only variable part, so a broker ACL can fence each site in."""

from __future__ import annotations

ROOT = "stockyard/v1"
CENTRAL_STATUS = f"{ROOT}/central/status"


def site_root(site: str) -> str:
    """``site_root("W1") == "stockyard/v1/site/W1"``."""
    return f"{ROOT}/site/{site}"


def up(site: str) -> str:
    """Edge → central event batches: ``up("W1") == "stockyard/v1/site/W1/up"``."""
    return f"{site_root(site)}/up"


def up_ack(site: str) -> str:
    """Central → edge: the highest contiguous sequence applied."""
    return f"{site_root(site)}/up/ack"


def down(site: str) -> str:
    """Central → edge: the site's downstream log and snapshots."""
    return f"{site_root(site)}/down"


def down_ack(site: str) -> str:
    """Edge → central: its downstream cursor (a resend request when behind) and its own backlog."""
    return f"{site_root(site)}/down/ack"


def status(site: str) -> str:
    """Retained presence of an edge, written by itself and by its Last Will."""
    return f"{site_root(site)}/status"


def site_of(topic: str) -> str | None:
    """The site a topic belongs to: ``site_of("stockyard/v1/site/W1/up") == "W1"``."""
    parts = topic.split("/")
    if len(parts) >= 4 and parts[0] == "stockyard" and parts[1] == "v1" and parts[2] == "site":
        return parts[3]
    return None


def kind_of(topic: str) -> str:
    """What follows the site: ``kind_of("stockyard/v1/site/W1/down/ack") == "down/ack"``."""
    return "/".join(topic.split("/")[4:])
