"""What ``campaignsafe check`` proves about the store's own bookkeeping: its migrations and protections.

A store from an older campaignsafe lacks the newest migrations, and is checked as it is. But
``_migrations`` is a plain table: rows removed from it, with those migrations' triggers dropped,
would make a tampered store look merely old. So the migrations a store records must be the first
ones this build knows, in order; and a migration the store shows it had (one of its triggers or
tables is there, or audit entries carry row hashes, which only a store with ``ROW_HASHES_SINCE``
gets) must be recorded, and its triggers present and as the migration made them.
"""

from __future__ import annotations

import functools
import sqlite3
from typing import TYPE_CHECKING

from campaignsafe.incidents import backend, schema
from campaignsafe.incidents.backend import Conn
from campaignsafe.incidents.checklog import Log
from campaignsafe.usertext import visible

if TYPE_CHECKING:
    from campaignsafe.incidents.check import Report

#: finding codes about the migration log (``check`` then says nothing of an "older store").
CODES = ("migration_removed", "migration_unrecorded", "migrations_reordered")


def protections(conn: Conn, report: Report, log: Log) -> None:
    """Findings for a migration log that is not one campaignsafe writes and for missing or altered triggers."""
    found, had = altered(conn, log.row_hashed)
    for code, message in found:
        report.add("the store", code, message)
    _triggers(conn, report, had, backend.triggers(conn))


def altered(conn: Conn, row_hashed: int | None) -> tuple[list[tuple[str, str]], list[str]]:
    """(code, message) for each way the migration log was altered, and the migrations the store shows it had.

    ``row_hashed``: the first audit entry carrying a row hash (None: none does).
    """
    known = [name for name, _fn in schema.MIGRATIONS]
    done = [name for name in backend.recorded(conn) if name in known]  # a newer store was refused on opening
    present = backend.triggers(conn)
    tables = backend.tables(conn)
    had = {known.index(name) for name in done}
    expected = _expected(conn)
    for i, name in enumerate(known):
        made = [*expected.get(name, ()), *schema.MIGRATION_TABLES.get(name, ())]
        if any(t in present or t in tables for t in made):
            had.add(i)
    if row_hashed is not None:
        had.add(known.index(schema.ROW_HASHES_SINCE))
    needed = known[: max(had) + 1] if had else []
    found = []
    for name in needed:
        if name in done:
            continue
        if any(known.index(d) > known.index(name) for d in done):
            why = f"although it records {done[-1]}: rows were removed from its migration log"
            found.append(("migration_removed", f"it no longer records migration {name} {why}"))
        else:
            why = (
                f"although audit entries from {row_hashed} on were written after it"
                if row_hashed is not None and known.index(name) <= known.index(schema.ROW_HASHES_SINCE)
                else "although its protections or tables are there"
            )
            found.append(("migration_unrecorded", f"it no longer records migration {name} {why}"))
    if done != known[: len(done)] and set(done) == set(known[: len(done)]):
        found.append(("migrations_reordered", "its migration log lists migrations out of order (rewritten)"))
    return found, needed


def refuse_altered(conn: Conn, where: object) -> None:
    """Before migrating: refuse writing (StoreError, exit 5) to a store whose migration log was altered, since
    applying the forgotten migrations again would make the log look whole and hide what was done."""
    hashed = None
    if "audit" in backend.tables(conn):
        row = conn.execute(
            "SELECT min(seq) FROM audit WHERE detail LIKE ? OR detail LIKE ?", ('%"row_sha256":%', '%"import_sha256":%')
        ).fetchone()
        hashed = int(row[0]) if row and row[0] is not None else None
    found, _had = altered(conn, hashed)
    if found:
        raise schema.refused(where, "its migration log was altered")


def _triggers(conn: Conn, report: Report, migrations: list[str], present: set[str]) -> None:
    # on SQLite, a protection dropped and made again under its name doing nothing is seen by its SQL
    made = {} if backend.is_pg(conn) else _trigger_sql(tuple(name for name, _fn in schema.MIGRATIONS))
    sql = {} if backend.is_pg(conn) else {
        str(r[0]): " ".join(str(r[1]).split())
        for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    }  # fmt: skip
    expected = _expected(conn)
    for migration in migrations:
        for name in expected.get(migration, ()):
            if name not in present:
                report.add("the store", "trigger_removed", f"the protection {name} has been removed")
            elif made and sql.get(name) != made.get(name):
                report.add("the store", "trigger_altered", f"the protection {name} has been changed")
    for name in schema.foreign_triggers(conn) if isinstance(conn, sqlite3.Connection) else []:
        report.add("the store", "trigger_added", f"it holds a trigger campaignsafe did not make ({visible(name)})")


def _expected(conn: Conn) -> dict[str, tuple[str, ...]]:
    """The protections each migration makes on this kind of store (the server adds its campaign guards)."""
    if not backend.is_pg(conn):
        return schema.MIGRATION_TRIGGERS
    from campaignsafe.incidents import pg_schema

    merged = dict(schema.MIGRATION_TRIGGERS)
    for name, triggers in pg_schema.TRIGGERS.items():
        merged[name] = (*merged.get(name, ()), *triggers)
    return merged


@functools.cache
def _trigger_sql(names: tuple[str, ...]) -> dict[str, str]:
    """Each protection as the migrations ``names`` make it (spacing aside), from a store built in memory."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for name, fn in schema.MIGRATIONS:
            if name in names:
                fn(conn)
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        return {str(r[0]): " ".join(str(r[1]).split()) for r in rows}
    finally:
        conn.close()
