"""Mosquitto's password file, ACL and configuration for one MQTT identity per site (SYNC-2).

Each site logs in as its own code (``W1``) with a password derived from central's secret key, so central
can regenerate every file at any time and an operator can read a site's password off central to give it to
that edge. The ACL fences each site into its own topics; central (user ``central``) reads and writes all.

``write_broker_config("out", secret, ["W1", "S1"])`` writes::

    out/passwords            user:$7$… lines, as mosquitto_passwd writes them    (0600)
    out/acl                  topic read|write|readwrite lines per user          (0600)
    out/mosquitto.conf       the snippet to include in Mosquitto's configuration
    out/credentials/W1.env   STOCKYARD_MQTT_URL=mqtt://W1:…@HOST:1883 for the edge (0600)
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sync import topics

CENTRAL_USER = "central"
SITE_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,15}$")
"""The same rule the edge applies to ``--site``; it also keeps ``+``, ``#`` and ``/`` out of the ACL."""

PBKDF2_SALT_BYTES = 12
"""mosquitto_passwd's salt length for the ``$7$`` (PBKDF2-SHA512) format."""

SECRET_MODE = 0o600


def mosquitto_password_line(user: str, password: str, salt: bytes | None = None, iterations: int = 101) -> str:
    """One password file line, ``user:$7$101$<salt>$<hash>``, exactly as ``mosquitto_passwd -b`` writes it.

    The hash is PBKDF2-HMAC-SHA512 over the password with a 12-byte random salt, both in standard
    base64: ``mosquitto_password_line("W1", "pw", salt=bytes(12)).startswith("W1:$7$101$AAAAAAAAAAAAAAAA$")``.
    """
    if not user or ":" in user or "\n" in user:
        raise ValueError(f"MQTT user name {user!r} must be non-empty and hold no ':' or line break")
    if "\n" in password:
        raise ValueError("an MQTT password must not hold a line break")
    if iterations < 1:
        raise ValueError(f"PBKDF2 iterations must be positive, not {iterations}")
    if salt is None:
        salt = secrets.token_bytes(PBKDF2_SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations)
    encoded_salt = base64.b64encode(salt).decode("ascii")
    encoded_hash = base64.b64encode(digest).decode("ascii")
    return f"{user}:$7${iterations}${encoded_salt}${encoded_hash}"


def derive_password(secret: str, user: str) -> str:
    """A broker password for ``user``: HMAC-SHA256 of the user under central's secret, base64url, 43 chars.

    Deterministic, so central regenerates the same password every time; without the secret it cannot be
    guessed. URL-safe, so it goes into ``mqtt://user:password@host`` as it is.
    """
    if not secret:
        raise ValueError("the secret key to derive MQTT passwords from is empty")
    mac = hmac.new(secret.encode("utf-8"), f"stockyard/mqtt-password/v1\x00{user}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode("ascii").rstrip("=")


def site_password(secret: str, site: str) -> str:
    """The password site ``site`` logs into the broker with: ``site_password(secret, "W1")``."""
    return derive_password(secret, check_site(site))


def default_central_password(secret: str) -> str:
    """The password central logs into the broker with, unless the operator chose one."""
    return derive_password(secret, CENTRAL_USER)


def check_site(site: str) -> str:
    """Return ``site`` if it is a valid site code (``W1``), else raise ValueError with the rule."""
    if not SITE_CODE.match(site):
        raise ValueError(f"site code {site!r} must be upper-case letters and digits, like W1 or S1")
    return site


def site_permissions(site: str) -> list[tuple[str, str]]:
    """(access, topic) pairs of a site: what it publishes, what it reads, nothing of other sites."""
    check_site(site)
    return [
        ("write", topics.up(site)),
        ("write", topics.down_ack(site)),
        ("write", topics.status(site)),
        ("read", topics.up_ack(site)),
        ("read", topics.down(site)),
        ("read", topics.CENTRAL_STATUS),
    ]


def acl_text(sites: Iterable[str]) -> str:
    """The Mosquitto ACL file: ``central`` reads and writes ``stockyard/v1/#``; each site only its own topics.

    Nothing precedes the first ``user`` line, so an anonymous client (were one let in) gets no topic.
    """
    lines = [
        "# Stockyard broker ACL, written by `stockyard central mqtt-config`; regenerate rather than edit.",
        "# One MQTT identity per site: a site reads and writes only its own topics.",
        "",
        f"user {CENTRAL_USER}",
        f"topic readwrite {topics.ROOT}/#",
    ]
    for site in _unique_sites(sites):
        lines += ["", f"user {site}"]
        lines += [f"topic {access} {topic}" for access, topic in site_permissions(site)]
    return "\n".join(lines) + "\n"


def password_file_text(secret: str, sites: Iterable[str], central_password_value: str | None = None) -> str:
    """The Mosquitto password file for ``central`` and every site, with fresh salts."""
    central = central_password_value if central_password_value is not None else default_central_password(secret)
    lines = [mosquitto_password_line(CENTRAL_USER, central)]
    lines += [mosquitto_password_line(site, site_password(secret, site)) for site in _unique_sites(sites)]
    return "\n".join(lines) + "\n"


def mosquitto_conf_text(password_file: Path, acl_file: Path, port: int = 1883) -> str:
    """The snippet to include in Mosquitto's configuration (e.g. ``/etc/mosquitto/conf.d/stockyard.conf``)."""
    return f"""\
# Stockyard broker settings, written by `stockyard central mqtt-config`.
# Include this file from mosquitto.conf (Debian: copy it into /etc/mosquitto/conf.d/).

# One set of settings for every listener, so no listener can be left open by mistake.
per_listener_settings false
allow_anonymous false
password_file {password_file}
acl_file {acl_file}

# Edges reach the broker over the LAN on this port. For TLS add a listener with
# cafile/certfile/keyfile and give edges mqtts://SITE:PASSWORD@HOST:8883?ca=/path/ca.pem.
listener {port}

# Without TCP_NODELAY Nagle's algorithm adds 40-90 ms to every acknowledgement round trip.
set_tcp_nodelay true

# Stockyard does not rely on the broker keeping anything: edges and central acknowledge end to end and
# resend, so a broker restarted without its state loses nothing. Persistence would only add disk writes;
# remove this line if other applications on this broker need it.
persistence false
"""


@dataclass(frozen=True)
class BrokerFiles:
    """What ``write_broker_config`` wrote, with each site's credentials file."""

    directory: Path
    password_file: Path
    acl_file: Path
    config_file: Path
    central_credentials: Path
    site_credentials: dict[str, Path]

    def all_files(self) -> list[Path]:
        """Every file written, in the order an operator reads about them."""
        return [
            self.password_file,
            self.acl_file,
            self.config_file,
            self.central_credentials,
            *self.site_credentials.values(),
        ]


def broker_url(user: str, password: str, host: str, port: int) -> str:
    """``mqtt://user:password@host:port`` with user and password quoted for a URL."""
    return f"mqtt://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}"


def write_broker_config(
    out_dir: Path | str,
    secret: str,
    sites: Iterable[str],
    central_password: str | None = None,
    *,
    broker_host: str = "BROKER_HOST",
    broker_port: int = 1883,
) -> BrokerFiles:
    """Write password file, ACL, configuration snippet and credentials files into ``out_dir``.

    The password file, the ACL and the credentials are written with mode 0600; the configuration names
    the password file and ACL by their absolute paths in ``out_dir``. Raises OSError when ``out_dir``
    cannot be created or written, ValueError for an invalid site code.
    """
    site_list = _unique_sites(sites)
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    credentials_dir = out / "credentials"
    credentials_dir.mkdir(mode=0o700, exist_ok=True)

    password_file = out / "passwords"
    acl_file = out / "acl"
    config_file = out / "mosquitto.conf"
    central_pw = central_password if central_password is not None else default_central_password(secret)
    _write(password_file, password_file_text(secret, site_list, central_pw), SECRET_MODE)
    _write(acl_file, acl_text(site_list), SECRET_MODE)
    _write(config_file, mosquitto_conf_text(password_file, acl_file, broker_port), 0o644)

    central_credentials = credentials_dir / f"{CENTRAL_USER}.env"
    _write(central_credentials, _env_text(CENTRAL_USER, central_pw, broker_host, broker_port), SECRET_MODE)
    site_credentials: dict[str, Path] = {}
    for site in site_list:
        path = credentials_dir / f"{site}.env"
        _write(path, _env_text(site, site_password(secret, site), broker_host, broker_port), SECRET_MODE)
        site_credentials[site] = path
    return BrokerFiles(
        directory=out,
        password_file=password_file,
        acl_file=acl_file,
        config_file=config_file,
        central_credentials=central_credentials,
        site_credentials=site_credentials,
    )


def _env_text(user: str, password: str, host: str, port: int) -> str:
    return (
        f"# MQTT credentials of {user}, written by `stockyard central mqtt-config`. Keep secret.\n"
        f"STOCKYARD_MQTT_URL={broker_url(user, password, host, port)}\n"
    )


def _write(path: Path, text: str, mode: int) -> None:
    """Write ``text`` so the file never exists with wider permissions than ``mode``, even for a moment."""
    tmp = path.with_name(f".{path.name}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    tmp.chmod(mode)  # the umask may have narrowed it further; make it exactly ``mode``
    tmp.replace(path)


def _unique_sites(sites: Iterable[str]) -> list[str]:
    """Valid site codes, sorted and without duplicates, so the files are stable from run to run."""
    return sorted({check_site(site) for site in sites})
