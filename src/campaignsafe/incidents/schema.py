"""The incident database: connection settings and the named schema migrations.

Each migration is a named function applied once, in its own transaction, and recorded in
``_migrations``. A database recording a migration this build does not know was written by
a newer campaignsafe: it is refused (exit 5) and left untouched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePath

from campaignsafe import paths
from campaignsafe.errors import StoreError

#: seconds to wait for another process's write before reporting the store as locked.
BUSY_TIMEOUT_S = 10.0
LOCKED_HINT = "another campaignsafe is using it: wait a moment and try again, or close the other window"
FULL_HINT = "the disk is full: free some space and try again"
WRITE_HINT = "check that you can write to that folder, or set CAMPAIGNSAFE_HOME to a folder you own"
FOLDER_HINT = "check that the data folder (CAMPAIGNSAFE_HOME, if set) is a folder you can write to, with free space"


def os_failure(what: str, path: Path, exc: OSError) -> StoreError:
    """A one-line StoreError for an OSError met while writing the store: the path, the reason and a hint."""
    reason = exc.strerror or type(exc).__name__
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = FULL_HINT
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = WRITE_HINT
    else:
        hint = FOLDER_HINT
    return StoreError(f"cannot {what} {path}: {reason}", hint, code="store_unwritable")


def require_folder(path: Path, what: str) -> None:
    """Refuse (StoreError) when ``path``, or the nearest of its parents that exists, is not a folder.

    Checked before any folder is created or tightened, so a stray file where the data folder
    should be is reported, and left exactly as it was.
    """
    for p in (path, *path.parents):
        if os.path.lexists(p):
            if not p.is_dir():
                raise StoreError(
                    f"cannot keep {what} in {path}: " + ("it" if p == path else str(p)) + " is not a folder",
                    "move that file aside, or set CAMPAIGNSAFE_HOME to a folder",
                    code="store_unwritable",
                )
            return


def _initial(conn: sqlite3.Connection) -> None:
    for sql in (
        # The record as first stored (never updated) plus the current values used to list and
        # filter, kept in step with the amendments.
        """CREATE TABLE incidents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            record TEXT NOT NULL,
            record_sha256 TEXT NOT NULL,
            occurred_utc TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            time_known INTEGER NOT NULL,
            kind TEXT NOT NULL,
            place TEXT NOT NULL,
            postcode TEXT,
            force_id TEXT,
            force_name TEXT,
            reports TEXT NOT NULL DEFAULT '[]',
            police_reported INTEGER NOT NULL DEFAULT 0,
            amendment_count INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX incidents_by_time ON incidents (occurred_utc, id)",
        """CREATE TABLE amendments (
            incident_id INTEGER NOT NULL REFERENCES incidents (id),
            number INTEGER NOT NULL,
            at TEXT NOT NULL,
            amendment TEXT NOT NULL,
            PRIMARY KEY (incident_id, number)
        )""",
        """CREATE TABLE evidence (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id INTEGER NOT NULL REFERENCES incidents (id),
            exhibit_ref TEXT NOT NULL UNIQUE,
            added_at TEXT NOT NULL,
            file_sha256 TEXT,
            screenshot_sha256 TEXT,
            item TEXT NOT NULL
        )""",
        "CREATE INDEX evidence_by_incident ON evidence (incident_id)",
        "CREATE INDEX evidence_by_file ON evidence (file_sha256)",
        "CREATE INDEX evidence_by_screenshot ON evidence (screenshot_sha256)",
        # The last exhibit number given to each producer (initials); numbers are never reused.
        "CREATE TABLE exhibit_numbers (producer TEXT PRIMARY KEY, last INTEGER NOT NULL)",
        """CREATE TABLE audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            incident_id INTEGER,
            detail TEXT NOT NULL,
            prev_sha256 TEXT NOT NULL,
            sha256 TEXT NOT NULL
        )""",
    ):
        conn.execute(sql)


def _append_only(conn: sqlite3.Connection) -> None:
    """Triggers that make the audit log, original records and amendments impossible to rewrite."""
    for name, sql in (
        ("audit_no_update", "BEFORE UPDATE ON audit"),
        ("audit_no_delete", "BEFORE DELETE ON audit"),
        ("record_no_update", "BEFORE UPDATE OF record, record_sha256, created_at ON incidents"),
        ("amendment_no_update", "BEFORE UPDATE ON amendments"),
        ("evidence_no_update", "BEFORE UPDATE ON evidence"),
    ):
        conn.execute(f"CREATE TRIGGER {name} {sql} BEGIN SELECT RAISE(ABORT, 'append-only'); END")


def _tombstone_only(conn: sqlite3.Connection) -> None:
    """Triggers so exhibits and amendments are never deleted, nor an incident renumbered, and an incident
    is deleted only through the tombstone path: its ``deleted`` audit entry must already be the newest."""
    tomb = (
        "NOT EXISTS (SELECT 1 FROM audit WHERE seq = (SELECT max(seq) FROM audit)"
        " AND action = 'deleted' AND incident_id = OLD.{col})"
    )
    for name, sql in (
        ("evidence_no_delete", f"BEFORE DELETE ON evidence WHEN {tomb.format(col='incident_id')}"),
        ("amendment_no_delete", f"BEFORE DELETE ON amendments WHEN {tomb.format(col='incident_id')}"),
        ("incident_no_delete", f"BEFORE DELETE ON incidents WHEN {tomb.format(col='id')}"),
        ("incident_no_renumber", "BEFORE UPDATE OF id ON incidents"),
        ("exhibit_numbers_no_delete", "BEFORE DELETE ON exhibit_numbers"),
        ("exhibit_numbers_no_lower", "BEFORE UPDATE ON exhibit_numbers WHEN NEW.last < OLD.last"),
    ):
        conn.execute(f"CREATE TRIGGER {name} {sql} BEGIN SELECT RAISE(ABORT, 'append-only'); END")


#: the triggers each migration makes; ``campaignsafe check`` reports any that is missing.
MIGRATION_TRIGGERS: dict[str, tuple[str, ...]] = {
    "0002_append_only": (
        "audit_no_update",
        "audit_no_delete",
        "record_no_update",
        "amendment_no_update",
        "evidence_no_update",
    ),
    "0003_tombstone_only": (
        "evidence_no_delete",
        "amendment_no_delete",
        "incident_no_delete",
        "incident_no_renumber",
        "exhibit_numbers_no_delete",
        "exhibit_numbers_no_lower",
    ),
    "0004_provenance": ("provenance_no_update", "imports_no_update", "imports_no_delete"),
    "0005_provenance_no_delete": ("provenance_no_delete",),
}
#: the tables a migration after the first makes: a store holding one had that migration applied.
MIGRATION_TABLES: dict[str, tuple[str, ...]] = {"0004_provenance": ("provenance", "imports")}
#: the triggers every up-to-date store has.
TRIGGERS = tuple(name for names in MIGRATION_TRIGGERS.values() for name in names)


def _provenance(conn: sqlite3.Connection) -> None:
    from campaignsafe.incidents import provenance

    provenance.migrate(conn)


def _provenance_no_delete(conn: sqlite3.Connection) -> None:
    """Who recorded an imported incident goes only with the incident, through its tombstone."""
    tomb = (
        "NOT EXISTS (SELECT 1 FROM audit WHERE seq = (SELECT max(seq) FROM audit)"
        " AND action = 'deleted' AND incident_id = OLD.incident_id)"
    )
    conn.execute(
        f"CREATE TRIGGER provenance_no_delete BEFORE DELETE ON provenance WHEN {tomb}"
        " BEGIN SELECT RAISE(ABORT, 'append-only'); END"
    )


def _campaign_guards(conn: sqlite3.Connection) -> None:
    """Nothing on SQLite: one file is one campaign (the server store's rows are kept to their incident's)."""


def _copies_kept(conn: sqlite3.Connection) -> None:
    """Nothing on SQLite: its copies are files (the server store's copies change only through its functions)."""


#: every migration, in order. Names are recorded in ``_migrations``; never rename or reorder.
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("0001_initial", _initial),
    ("0002_append_only", _append_only),
    ("0003_tombstone_only", _tombstone_only),
    ("0004_provenance", _provenance),
    ("0005_provenance_no_delete", _provenance_no_delete),
    ("0006_campaign_guards", _campaign_guards),
    ("0007_copies_kept", _copies_kept),
]
#: audit entries carry row hashes (``row_sha256``) only in a store that had applied this migration:
#: they came in together, so such a store lacking it had rows removed from ``_migrations``.
ROW_HASHES_SINCE = "0005_provenance_no_delete"


@contextlib.contextmanager
def errors(path: Path | str) -> Iterator[None]:
    """Turn sqlite3 errors into one-line StoreErrors that name the file, never the data.

    (A server store's errors are already StoreErrors: :class:`campaignsafe.incidents.backend.PgConn`.)
    """
    try:
        yield
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "decode to UTF-8" in text:  # sqlite's message quotes the stored text: never shown
            raise damaged_row(path, "a stored row") from None
        text = text.split(" with text ", 1)[0]
        if "locked" in text or "busy" in text:
            raise StoreError(f"the incident store {path} is busy", LOCKED_HINT, code="store_locked") from None
        if "readonly" in text or "unable to open" in text:
            raise StoreError(
                f"cannot write to the incident store {path}", WRITE_HINT, code="store_unwritable"
            ) from None
        if "disk is full" in text or ("disk I/O error" in text and disk_full(path)):
            raise StoreError(f"cannot use the incident store {path}: the disk is full", FULL_HINT) from None
        raise StoreError(f"the incident store {path} cannot be used ({text})", code="store_error") from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"the incident store {path} is damaged ({exc})",
            f"keep a copy of {getattr(path, 'name', path)} and its folder; do not delete it",
            code="store_corrupt",
        ) from None


def disk_full(path: Path | str) -> bool:
    """Whether the disk holding the store has (next to) no room left: SQLite says only "disk I/O error" when
    its shared-memory file cannot grow, for every command, even one that only reads."""
    import shutil

    if not isinstance(path, Path):  # a server store: its disk is the server's
        return False
    try:
        return shutil.disk_usage(path.parent).free < 1 << 20
    except OSError:
        return False


def damaged_row(path: Path | str, what: str) -> StoreError:
    """A row that cannot be read back (not JSON, not UTF-8, not a record): exit 5, quoting none of it."""
    keep = f"keep a copy of {path.name} and its folder" if isinstance(path, Path) else "keep a backup of the database"
    return StoreError(
        f"{what} in the incident store {path} is damaged and cannot be read",
        f"{keep}; do not delete it",
        code="record_corrupt",
    )


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating it 0600) and migrate the database at ``path``."""
    require_folder(path.parent, "the incident store")
    paths.ensure_private_dir(path.parent)
    if not os.path.lexists(path):
        _create(path)
    require_sqlite(path)
    _private(path)
    with errors(path):
        try:
            conn = _write_open(path)
        except sqlite3.OperationalError as exc:
            conn, done = _held_if_full(path, exc)
            if done != [name for name, _fn in MIGRATIONS]:  # it needs a migration, which needs room
                conn.close()
                raise
            return conn  # held: a write on it fails for want of room, said as the disk being full (errors)
    try:
        for suffix in ("-wal", "-shm"):
            _private(path.with_name(path.name + suffix))
    except StoreError:
        conn.close()
        raise
    return conn


def _write_open(path: Path) -> sqlite3.Connection:
    """A connection to the store at ``path`` for reading and writing, migrated."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        _wal(conn)
        conn.execute("PRAGMA synchronous = FULL")
        migrate(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def readonly_uri(path: Path) -> str:
    """``path`` as an SQLite URI opened read-only (see :func:`file_uri`)."""
    return file_uri(path.resolve()) + "?mode=ro"


def file_uri(path: PurePath) -> str:
    """An absolute path as a ``file:`` URI SQLite takes: percent-encoded (a ``#``, ``?`` or ``%`` in a folder's
    name is part of the name, not the URI's), and a Windows share (``\\\\server\\share``) with the empty
    authority SQLite needs, since it refuses ``file://server/…``."""
    uri = path.as_uri()
    return uri if uri.startswith("file:///") else "file:////" + uri.removeprefix("file://")


def connect_readonly(path: Path) -> tuple[sqlite3.Connection, list[str]]:
    """Open the database at ``path`` for reading only: nothing is created, migrated or tightened.

    Returns the connection and the migrations the store lacks (one from an older campaignsafe is
    read as it is; it is upgraded the next time campaignsafe writes to it). A store from a newer
    campaignsafe, or a file that is not a campaignsafe store, is refused (StoreError, exit 5).
    """
    require_sqlite(path)
    known = [name for name, _fn in MIGRATIONS]
    with errors(path):
        try:
            conn, done = _read_open(readonly_uri(path))
        except sqlite3.OperationalError as exc:
            conn, done = _held_if_full(path, exc)
        try:
            refuse_newer(done, known, path)
            if known[0] not in done:
                raise StoreError(
                    f"{path} is not a campaignsafe incident store (it records no migrations)",
                    DAMAGED_HINT.format(name=path.name, folder=path.parent),
                    code="store_corrupt",
                )
        except BaseException:
            conn.close()
            raise
    return conn, [name for name in known if name not in done]


def _read_open(uri: str, hold: bool = False) -> tuple[sqlite3.Connection, list[str]]:
    """A connection to ``uri`` and the migrations it records (its first read); with ``hold``, the store is held
    for this connection alone until it closes (no shared-memory file; other campaignsafes wait, then say busy)."""
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if hold:
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        return conn, recorded(conn)
    except BaseException:
        conn.close()
        raise


def _held_if_full(path: Path, exc: sqlite3.OperationalError) -> tuple[sqlite3.Connection, list[str]]:
    """The store opened held (:func:`_held_uri`) when ``exc`` came of a full disk it can still be read on
    (:func:`_no_room_to_read`); otherwise ``exc`` raised again."""
    if not _no_room_to_read(path, exc):
        raise exc
    return _read_open(_held_uri(path), hold=True)


def _held_uri(path: Path) -> str:
    """The store opened by SQLite's ``unix-excl`` file system layer: its index of the ``-wal`` kept in memory, not
    in a shared-memory file, which a full disk has no room for. Held exclusively (``_read_open(hold=True)``), so
    no other process writes while it is read: a consistent record, never a torn one."""
    return file_uri(path.resolve()) + "?vfs=unix-excl"


def _no_room_to_read(path: Path, exc: sqlite3.OperationalError) -> bool:
    """Whether the store could not be read only because its disk is full (SQLite could not make the shared-memory
    file every reader of a WAL store needs) and the file itself holds the whole record (no ``-wal`` with
    transactions in it), so it can be read, held (:func:`_held_uri`): a full laptop can still list, show and
    check its record. Not on Windows, which has no such layer (there the disk must be freed first)."""
    if sys.platform == "win32":
        return False
    if getattr(exc, "sqlite_errorcode", 0) & 0xFF not in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
        return False
    wal = path.with_name(path.name + "-wal")
    try:
        held = wal.stat().st_size > 0
    except FileNotFoundError:
        held = False
    except OSError:
        return False
    return not held and disk_full(path)


SQLITE_HEADER = b"SQLite format 3\x00"
DAMAGED_HINT = (
    "nothing has been changed. Keep the file: it is evidence. Move the whole data folder ({folder}) somewhere safe;"
    " then campaignsafe restore BACKUP makes a new one in its place from your backup. With no backup, moving only"
    " {name} (and any {name}-wal beside it) out of the folder starts a new, empty store"
)


def require_sqlite(path: Path) -> None:
    """Refuse (StoreError, exit 5) a store file that is empty or not SQLite: damaged, never taken as new."""
    import stat

    try:
        st = path.stat()
        header = b""
        if stat.S_ISREG(st.st_mode):  # a FIFO in its place is never opened: that waits for a writer forever
            with path.open("rb") as fh:
                header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise os_failure("read the incident store", path, exc) from None
    if not stat.S_ISREG(st.st_mode):
        why = "it is not a regular file"
    elif st.st_size == 0:
        why = "it is empty (0 bytes)"
    elif header != SQLITE_HEADER:
        why = "it is not an SQLite database"
    else:
        return
    raise StoreError(
        f"the incident store {path} is damaged: {why}",
        DAMAGED_HINT.format(name=path.name, folder=path.parent),
        code="store_corrupt",
    )


def _create(path: Path) -> None:
    """Make a new store: built in a temporary file, then linked into place whole (never an empty file).

    Under a lock, so two first runs make one store; a temporary file left by a killed run is cleared.
    """
    import tempfile

    try:
        with paths.locked(path):
            if os.path.lexists(path):
                return
            paths.clear_partial(path)
            fd, tmp = tempfile.mkstemp(prefix=f".{paths.beside(path.name)}.", suffix=".tmp", dir=path.parent)
            os.close(fd)
            try:
                with errors(path):
                    conn = sqlite3.connect(tmp, isolation_level=None)
                    try:
                        conn.execute("PRAGMA synchronous = FULL")
                        migrate(conn, path)
                    finally:
                        conn.close()
                paths.place_new(tmp, path)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
    except OSError as exc:
        raise os_failure("create the incident store", path, exc) from None


def quick_check(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse writing to a store that fails SQLite's ``PRAGMA quick_check`` (StoreError, exit 5)."""
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check")]
    except sqlite3.OperationalError:
        with errors(path):
            raise
    except sqlite3.DatabaseError:  # so malformed that the check itself cannot finish
        rows = []
    if rows != ["ok"]:
        raise StoreError(
            f"the incident store {path} fails SQLite's integrity check: it is refused for writing",
            "nothing was written. You can still read and export it (campaignsafe check shows what is wrong); "
            "keep a copy of the whole data folder",
            code="store_corrupt",
        )


def _wal(conn: sqlite3.Connection) -> None:
    """Switch to write-ahead logging. SQLite answers "busy" at once (without waiting) when another
    connection is reading at that moment, which happens when two processes create the store
    together, so the switch is retried until the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _private(path: Path) -> None:
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise os_failure("set the permissions of", path, exc) from None


def recorded(conn: sqlite3.Connection) -> list[str]:
    """The migrations this database records, reading only (none when it has no migration log)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_migrations'").fetchone():
        return []
    return [str(r[0]) for r in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


def applied(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations this database records, in the order applied."""
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    return [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply every migration not yet recorded, each in its own transaction."""
    known = [name for name, _fn in MIGRATIONS]
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_migrations'").fetchone():
        conn.execute("BEGIN IMMEDIATE")
        applied(conn)
        conn.execute("COMMIT")
    done = applied(conn)
    refuse_newer(done, known, path)
    if any(name not in done for name in known):
        from campaignsafe.incidents import checkschema

        quick_check(conn, path)
        checkschema.refuse_altered(conn, path)
    if foreign_triggers(conn):
        raise refused(path, "it holds a trigger campaignsafe did not make")
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not conn.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone():
                fn(conn)
                stamp = datetime.now(UTC).isoformat(timespec="seconds")
                conn.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (name, stamp))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def foreign_triggers(conn: sqlite3.Connection) -> list[str]:
    """The triggers campaignsafe did not make: one can silently drop or rewrite new rows (a
    ``BEFORE INSERT ... RAISE(IGNORE)`` on the audit log loses every later entry while commands succeed)."""
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    return sorted(str(r[0]) for r in rows if str(r[0]) not in TRIGGERS)


def refused(where: object, why: str) -> StoreError:
    """The StoreError (exit 5) for a store refused for writing because it was tampered with."""
    return StoreError(
        f"the incident store {where} is refused for writing: {why}",
        "nothing was written. campaignsafe check names what is wrong; keep a copy of the whole data folder",
        code="store_corrupt",
    )


def refuse_newer(done: list[str], known: list[str], where: Path | str) -> None:
    """Refuse a store (a file, or a server's name) that records a migration this version does not know."""
    unknown = [name for name in done if name not in known]
    if unknown:
        raise StoreError(
            f"{where} was created by a newer version of campaignsafe (it records migration {unknown[0]!r})",
            "upgrade campaignsafe to read it; nothing has been changed",
            code="store_newer",
        )
