"""The incident store as raw rows: every table read and written column by column, nothing re-derived.

A backup is these rows (plus the files of the data folder); a restore writes them back into a
new, migrated database, so ids, hashes, the audit chain and exhibit numbering come back as they
were. ``sqlite_sequence`` is carried too, so an id given out before a deletion is never reused.
A server campaign's rows are read in the same shape (SQLite's tables and columns, no ``campaign``).
"""

from __future__ import annotations

import functools
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


# -- a server campaign's rows, as the SQLite store has them (so a backup of either restores into either) ---------

#: each table's rows in the order SQLite's rowid keeps them.
_ORDER = {
    "incidents": "id",
    "amendments": "incident_id, number",
    "evidence": "id",
    "exhibit_numbers": "producer",
    "audit": "seq",
    "provenance": "incident_id",
    "imports": "seq",
}


@functools.cache
def sqlite_shape() -> dict[str, list[str]]:
    """The SQLite store's tables and their columns, from one built in memory by the migrations."""
    from campaignsafe.incidents import schema

    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for _name, fn in schema.MIGRATIONS:
            fn(conn)
        return {t: columns(conn, t) for t in tables(conn)}
    finally:
        conn.close()


def campaign_rows(conn: Any, table: str, campaign: str) -> Iterator[dict[str, Any]]:
    """Every row of one campaign's ``table`` on a server store, with SQLite's columns in SQLite's order."""
    names = sqlite_shape()[table]
    cols = ", ".join(f'"{c}"' for c in names)
    cur = conn.execute(f'SELECT {cols} FROM "{table}" WHERE campaign = ? ORDER BY {_ORDER[table]}', (campaign,))
    for row in cur:
        yield dict(zip(names, row, strict=True))


def campaign_count(conn: Any, table: str, campaign: str) -> int:
    return int(conn.execute(f'SELECT count(*) FROM "{table}" WHERE campaign = ?', (campaign,)).fetchone()[0])


def campaign_sequences(conn: Any, campaign: str) -> dict[str, int]:
    """What SQLite's ``sqlite_sequence`` would hold for one campaign: the highest incident id it was ever given
    (its audit log names each), exhibit row id, and audit entry."""
    q = (
        "SELECT (SELECT max(incident_id) FROM audit WHERE campaign = ?), (SELECT max(id) FROM incidents WHERE"
        " campaign = ?), (SELECT max(id) FROM evidence WHERE campaign = ?), (SELECT seq FROM audit_high WHERE"
        " campaign = ?)"
    )
    logged, held, exhibit, audit = conn.execute(q, (campaign,) * 4).fetchone()
    found = {"incidents": max(logged or 0, held or 0), "evidence": exhibit or 0, "audit": audit or 0}
    return {k: int(v) for k, v in found.items() if v}
