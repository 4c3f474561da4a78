#!/usr/bin/python3
"""Online copy of an edge's SQLite database, checked, then the oldest copies beyond ``--keep`` deleted.

``stockyard-backup-sqlite /var/lib/stockyard/W1/W1.db /var/backups/stockyard/W1 --keep 72`` writes
``W1-20261122T013000Z.db``. SQLite's backup API copies a consistent snapshot while the edge keeps
writing (WAL mode), which a plain file copy of the database and its -wal file would not. Only the
standard library is used, so the script runs with Debian's python3 and needs no virtual environment.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
from pathlib import Path


def backup(source: Path, target_dir: Path, keep: int) -> Path:
    """Copy ``source`` into ``target_dir`` as ``STEM-STAMP.db`` and keep the newest ``keep`` copies."""
    if not source.is_file():
        raise FileNotFoundError(f"{source} does not exist")
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = target_dir / f"{source.stem}-{stamp}.db"
    part = target_dir / f".{final.name}.part"
    # Read-only: the backup must never write to the live database.
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(part)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
            result = dst.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise RuntimeError(f"the copy of {source} fails its integrity check: {result}")
        finally:
            dst.close()
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    with part.open("rb") as handle:
        os.fsync(handle.fileno())
    part.rename(final)
    prune(target_dir, source.stem, keep)
    return final


def prune(target_dir: Path, stem: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` copies of ``stem``; the stamp in the name orders them."""
    copies = sorted(target_dir.glob(f"{stem}-*.db"))
    doomed = copies[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink()
    return doomed


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints where the copy went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", type=Path, help="the site's database, e.g. /var/lib/stockyard/W1/W1.db")
    parser.add_argument("target_dir", type=Path, help="folder of the copies, e.g. /var/backups/stockyard/W1")
    parser.add_argument("--keep", type=int, default=72, help="how many copies to keep (default 72)")
    args = parser.parse_args(argv)
    os.umask(0o077)  # the copies hold the site's data: readable by the owner only
    if args.keep < 1:
        parser.error("--keep must be at least 1")
    try:
        final = backup(args.source, args.target_dir, args.keep)
    except (OSError, sqlite3.Error, RuntimeError) as exc:
        print(f"stockyard-backup-sqlite: {exc}", file=sys.stderr)
        return 1
    print(f"{args.source} backed up to {final}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
