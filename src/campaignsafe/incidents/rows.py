"""The incident store as raw rows: every table read and written column by column, nothing re-derived.

A backup is these rows (plus the files of the data folder); a restore writes them back into a
new, migrated database, so ids, hashes, the audit chain and exhibit numbering come back as they
were. ``sqlite_sequence`` is carried too, so an id given out before a deletion is never reused.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

#: tables not carried: SQLite's own, and the migration log (the restoring build migrates itself).
_SKIP = ("sqlite_%", "_migrations")


def tables(conn: sqlite3.Connection) -> list[str]:
    """The store's data tables, by name."""
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE ? AND name != ? ORDER BY name", _SKIP
    )
    return [r[0] for r in rows]


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """A table's column names, in order."""
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]


def read(conn: sqlite3.Connection, table: str) -> Iterator[dict[str, Any]]:
    """Every row of ``table`` as {column: value}, in rowid order, streamed."""
    names = columns(conn, table)
    cols = ", ".join(f'"{c}"' for c in names)
    for row in conn.execute(f'SELECT {cols} FROM "{table}" ORDER BY rowid'):
        yield dict(zip(names, row, strict=True))


def sequences(conn: sqlite3.Connection) -> dict[str, int]:
    """The highest id each AUTOINCREMENT table has ever given out."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        return {}
    return {name: int(seq) for name, seq in conn.execute("SELECT name, seq FROM sqlite_sequence")}


def migrations(conn: sqlite3.Connection) -> list[str]:
    """The migration names the database records, in the order applied."""
    return [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


def write(conn: sqlite3.Connection, table: str, rows: Iterable[dict[str, Any]]) -> int:
    """Insert raw rows into ``table`` (inside the caller's transaction); columns it does not have are refused."""
    known = set(columns(conn, table))
    n = 0
    for row in rows:
        extra = set(row) - known
        if extra:
            raise ValueError(f"{table} has no column {sorted(extra)[0]!r}")
        names = list(row)
        cols = ", ".join(f'"{c}"' for c in names)
        conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({",".join("?" * len(names))})', [row[c] for c in names])
        n += 1
    return n


def set_sequences(conn: sqlite3.Connection, seqs: dict[str, int]) -> None:
    """Make each AUTOINCREMENT counter at least what it was (inside the caller's transaction)."""
    for name, seq in seqs.items():
        cur = conn.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", (seq, name))
        if cur.rowcount == 0:
            conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, seq))
