"""Real damage to a real SQLite file, as a failing SD card or a torn write leaves it: the
tests of the integrity check and of what follows from it use these."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# A table b-tree leaf page whose header says its free space starts past the page's end.
BAD_PAGE_HEADER = b"\x0d\x00\x00\x00\x05\xff\xff"


def _root_page(path: Path, table: str) -> tuple[int, int]:
    """The page size and the first page of ``table``, with every committed change moved from
    the write-ahead log into the file itself (where the damage is done)."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
        (root,) = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                                     (table,)).fetchone()
    finally:
        connection.close()
    return page_size, root


def damage_page_header(path: Path, table: str) -> None:
    """Break the header of ``table``'s first page: the file still opens and the other tables
    read, but ``PRAGMA integrity_check`` finds the damage."""
    page_size, root = _root_page(path, table)
    with path.open("r+b") as stream:
        stream.seek((root - 1) * page_size)
        stream.write(BAD_PAGE_HEADER)


def overwrite_page(path: Path, table: str) -> None:
    """Zeros over the whole of ``table``'s first page: reading it fails ("malformed")."""
    page_size, root = _root_page(path, table)
    with path.open("r+b") as stream:
        stream.seek((root - 1) * page_size)
        stream.write(bytes(page_size))


def destroy_header(path: Path) -> None:
    """Zeros over the file's header: SQLite no longer takes it for a database."""
    _root_page(path, "setting")
    with path.open("r+b") as stream:
        stream.write(bytes(100))
