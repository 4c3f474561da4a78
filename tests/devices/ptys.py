"""Pseudo-terminals standing in for serial scanners in the tests."""

from __future__ import annotations

import os
from pathlib import Path


class Pty:
    """A pseudo-terminal whose slave is reached through a stable symlink, as udev's /dev/serial/by-id links are."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self.master = -1
        self.plug()

    def plug(self) -> None:
        """A fresh pseudo-terminal behind the link: ``pty.plug()``."""
        master, slave = os.openpty()
        name = os.ttyname(slave)
        os.close(slave)  # the reader opens the slave by name
        temporary = self.link.with_suffix(".new")
        temporary.symlink_to(name)
        temporary.replace(self.link)
        self.master = master

    def unplug(self) -> None:
        """Hang up the line, as pulling the scanner's cable does: ``pty.unplug()``."""
        os.close(self.master)
        self.master = -1

    def write(self, data: bytes) -> None:
        os.write(self.master, data)
