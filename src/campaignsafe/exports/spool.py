"""Scratch space for one export, so its memory does not grow with the number of incidents.

An export reads the store once, incident by incident; what it cannot write yet (each format's
incidents wait for the cover and summary, which need every incident) goes to files in a private
folder inside campaignsafe's data folder (0700, files 0600), removed when the export ends. The
evidence names already given and each file's place in the bundle live in a small SQLite database
there, so the bundle can list its evidence in order without holding it in memory.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from campaignsafe import paths
from campaignsafe.errors import StoreError
from campaignsafe.hashing import CHUNK

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from campaignsafe.incidents.backend import Conn
    from campaignsafe.incidents.models import AuditEntry

#: one incident's audit rows as a JSON array of entries, oldest first.
_TRAIL = (
    "SELECT json_group_array(json_object('seq', seq, 'at', at, 'action', action, 'incident_id', incident_id,"
    " 'detail', json(detail), 'prev_sha256', prev_sha256, 'sha256', sha256)) FROM"
    " (SELECT * FROM audit WHERE incident_id = ? ORDER BY seq)"
)


@functools.cache
def _trail_reader() -> TypeAdapter[list[AuditEntry]]:
    from pydantic import TypeAdapter

    from campaignsafe.incidents.models import AuditEntry

    return TypeAdapter(list[AuditEntry])


#: text is kept for a part until it reaches about this many characters, then written in one piece.
_PIECE = 1 << 18
#: evidence files noted are put into the table this many at a time.
_FILES_AT_ONCE = 1000


PREFIX, OWNER, NO_OWNER_STALE = paths.SCRATCH, paths.SCRATCH_OWNER, paths.SCRATCH_NO_OWNER_STALE


sweep = paths.sweep_scratch


class Spool:
    """A private scratch folder: part files to append to and replay, and the evidence table."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: dict[str, IO[bytes]] = {}
        # held while this process lives: a later export sweeps the folder only once it is not. It is
        # made and held under another name first: a sweep that found it made but not yet held would
        # take the folder as abandoned (and its own test lock would keep this one from holding it).
        # Windows holds no lock (an open file cannot be renamed there, nor deleted): its own name at once.
        made = OWNER if sys.platform == "win32" else f".{OWNER}"
        self._owner = os.open(folder / made, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        paths.hold(self._owner)
        if made != OWNER:
            os.rename(folder / made, folder / OWNER)
        self._new_files: list[tuple[str, str]] = []  # evidence files not yet in the table (put in together)
        self._pending: dict[str, list[str]] = {}  # text not yet written, by part (written in big pieces)
        self._sizes: dict[str, int] = {}
        os.close(
            os.open(folder / "scratch.db", os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        )  # 0600 before SQLite opens it
        self.db = sqlite3.connect(folder / "scratch.db", isolation_level=None)
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("PRAGMA cache_size = -4000")  # at most ~4 MB of pages in memory
        self.db.execute("CREATE TABLE taken (key TEXT PRIMARY KEY) WITHOUT ROWID")
        self.db.execute("CREATE TABLE files (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL) WITHOUT ROWID")
        self.db.execute("BEGIN")

    @classmethod
    @contextlib.contextmanager
    def open(cls) -> Iterator[Spool]:
        """A new scratch folder in the data folder, removed afterwards (whatever happens)."""
        home = paths.home()
        paths.ensure_private_dir(home)
        sweep(home)
        try:
            folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=home))  # created 0700
        except OSError as exc:  # a full disk has no room for even the folder's entry
            raise _scratch_error(home, exc) from None
        spool = None
        try:
            try:
                spool = cls(folder)
            except (sqlite3.OperationalError, OSError) as exc:  # no room for the scratch database
                raise _scratch_error(home, exc) from None
            yield spool
        finally:
            if spool is not None:
                spool.close()
            shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self.db.close()
        os.close(self._owner)

    # -- part files --------------------------------------------------------------------------

    def write(self, part: str, text: str) -> None:
        """Append ``text`` (UTF-8) to the part file ``part``."""
        pending = self._pending.get(part)
        if pending is None:
            try:
                fd = os.open(self.folder / part, os.O_RDWR | os.O_CREAT | os.O_EXCL | paths.BINARY, 0o600)
            except OSError as exc:
                raise self._full(exc) from None
            self._files[part] = os.fdopen(fd, "w+b")
            pending = self._pending[part] = []
            self._sizes[part] = 0
        pending.append(text)
        self._sizes[part] += len(text)
        if self._sizes[part] >= _PIECE:
            self._flush(part)

    def _flush(self, part: str) -> None:
        pending = self._pending[part]
        try:
            self._files[part].write("".join(pending).encode("utf-8"))
            self._files[part].flush()
        except OSError as exc:
            raise self._full(exc) from None
        pending.clear()
        self._sizes[part] = 0

    def _full(self, exc: OSError | sqlite3.Error) -> StoreError:
        """The scratch folder (in the data folder) cannot be written: said so, not blamed on the export's target."""
        why = (exc.strerror if isinstance(exc, OSError) else str(exc)) or type(exc).__name__
        return StoreError(
            f"cannot write the scratch files in {self.folder.parent}: {why}",
            "an export or import works in your data folder while it runs: free some space on that disk and try again",
            code="store_unwritable",
        )

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """The scratch database's failures (a full disk) as StoreError, as its part files' are."""
        try:
            yield
        except sqlite3.Error as exc:
            raise self._full(exc) from None

    def replay(self, part: str) -> Iterator[bytes]:
        """The bytes appended to ``part`` so far (nothing when it was never written), in chunks."""
        fh = self._files.get(part)
        if fh is None:
            return
        self._flush(part)
        fh.flush()
        fh.seek(0)
        while chunk := fh.read(CHUNK):
            yield chunk
        fh.seek(0, os.SEEK_END)

    # -- evidence names and files ------------------------------------------------------------

    def __contains__(self, key: object) -> bool:
        return self.db.execute("SELECT 1 FROM taken WHERE key = ?", (key,)).fetchone() is not None

    def add(self, key: str) -> None:
        self.db.execute("INSERT INTO taken VALUES (?)", (key,))

    def add_file(self, path: str, sha256: str) -> None:
        """Note that the bundle holds ``path`` with these bytes (the blob with this SHA-256)."""
        self._new_files.append((path, sha256))
        if len(self._new_files) >= _FILES_AT_ONCE:
            self._file_rows()

    def _file_rows(self) -> None:
        self.db.executemany("INSERT INTO files VALUES (?, ?)", self._new_files)
        self._new_files.clear()

    def files(self) -> Iterator[tuple[str, str]]:
        """(bundle path, SHA-256) of every evidence file, in path order (the bundle's order)."""
        self._file_rows()
        yield from self.db.execute("SELECT path, sha256 FROM files ORDER BY path")

    def count_files(self) -> int:
        self._file_rows()
        return int(self.db.execute("SELECT count(*) FROM files").fetchone()[0])

    # -- the audit trail, indexed by incident ----------------------------------------------------

    def load_audit(self, store: Conn) -> None:
        """Copy the store's audit log here, indexed by incident (the log itself has no such index)."""
        from campaignsafe.incidents.audit import COLUMNS

        self.db.execute(f"CREATE TABLE audit ({COLUMNS}, PRIMARY KEY (incident_id, seq)) WITHOUT ROWID")
        rows = store.execute(f"SELECT {COLUMNS} FROM audit WHERE incident_id IS NOT NULL")
        self.db.executemany("INSERT INTO audit VALUES (?,?,?,?,?,?,?)", rows)

    def audit(self, incident_id: int) -> list[AuditEntry]:
        """One incident's audit trail, oldest first (what ``audit.entry`` makes of each row).

        SQLite gives the trail as one JSON array and pydantic reads it in one go: an export of
        many incidents asks for thousands of these.
        """
        from campaignsafe.incidents.audit import damaged

        try:
            row = self.db.execute(_TRAIL, (incident_id,)).fetchone()
            return _trail_reader().validate_json(row[0] or "[]")
        except (sqlite3.OperationalError, ValueError):  # an entry's detail is not JSON (edited with sqlite3)
            raise damaged(None) from None


def _scratch_error(home: Path, exc: BaseException) -> Exception:
    """What to say when the scratch folder's database cannot be made: the disk is full, or the folder unwritable."""
    from campaignsafe.incidents.schema import FOLDER_HINT, FULL_HINT, disk_full

    if "full" in str(exc) or getattr(exc, "errno", None) == errno.ENOSPC or disk_full(home / "scratch.db"):
        return StoreError(f"no room for scratch files in the data folder {home}: the disk is full", FULL_HINT)
    return StoreError(f"cannot write scratch files in the data folder {home}", FOLDER_HINT, code="store_unwritable")
