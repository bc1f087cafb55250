"""Where stored evidence copies live: files in the data folder, or chunks in the PostgreSQL store.

Both are content-addressed by SHA-256 and streamed in and out in chunks of 1 MiB, so a large
file never sits whole in memory. On the server a copy is written into ``blob_chunks`` under a
staging name inside one transaction and renamed to its hash only once the hash is known (under
the campaign's write lock), so a killed run leaves nothing, and nothing depends on a shared disk.
The tool's roles can add copies but never update or delete one: renaming, repairing and taking
back go through the server's functions ``campaignsafe_place_copy`` and ``campaignsafe_remove_copy``.

Taking back the copies a failed save made must not take one another writer is about to point an
exhibit at (it found the copy there, so made none of its own). In the data folder one lock is held
from the first copy to the last write; on the server every writer holds the campaign's copies lock
shared for as long (:func:`held`), and a removal takes it alone: it waits for the writers in flight
to finish, then removes only what no exhibit uses.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator
from typing import Protocol

from campaignsafe.errors import StoreError
from campaignsafe.hashing import CHUNK
from campaignsafe.incidents import backend, evidence
from campaignsafe.incidents.backend import PgConn


class Blobs(Protocol):
    """The stored copies, by SHA-256."""

    def ingest(self, path_text: str) -> evidence.Ingested: ...

    def exists(self, sha256: str) -> bool: ...

    def intact(self, sha256: str) -> bool: ...

    def chunks(self, sha256: str) -> Iterator[bytes]: ...

    def remove(self, shas: Iterable[str]) -> list[str]: ...


class FileBlobs:
    """``evidence/<sha256[:2]>/<sha256>`` in the data folder (see :mod:`.evidence`)."""

    def ingest(self, path_text: str) -> evidence.Ingested:
        return evidence.ingest(path_text)

    def exists(self, sha256: str) -> bool:
        return evidence.blob(sha256).is_file()

    def intact(self, sha256: str) -> bool:
        return evidence.intact(sha256)

    def chunks(self, sha256: str) -> Iterator[bytes]:
        with evidence.blob(sha256).open("rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk

    def remove(self, shas: Iterable[str]) -> list[str]:
        return evidence.remove(shas)


class PgBlobs:
    """``blobs`` (hash, size) and ``blob_chunks`` (hash, n, bytes) in the server store."""

    def __init__(self, conn: PgConn) -> None:
        self.conn = conn
        self.shared = False  # holding the campaign's copies lock shared (a writer in flight: see held())

    def _copies_lock(self, how: str) -> None:
        """``lock_shared``, ``unlock_shared``, ``lock`` or ``unlock`` the campaign's copies lock (this session's)."""
        self.conn.execute(f"SELECT pg_advisory_{how}(?, hashtext(campaignsafe_campaign()))", (backend.LOCK_CLASS + 1,))

    def exists(self, sha256: str) -> bool:
        return self.conn.execute("SELECT 1 FROM blobs WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def chunks(self, sha256: str) -> Iterator[bytes]:
        n = 0
        while True:
            row = self.conn.execute("SELECT data FROM blob_chunks WHERE sha256 = ? AND n = ?", (sha256, n)).fetchone()
            if row is None:
                return
            yield bytes(row[0])
            n += 1

    def intact(self, sha256: str) -> bool:
        if not self.exists(sha256):
            return False
        h = hashlib.sha256()
        for chunk in self.chunks(sha256):
            h.update(chunk)
        return h.hexdigest() == sha256

    def _stage(self, chunks: Iterable[bytes]) -> tuple[str, str, int]:
        """Write ``chunks`` under a staging name (inside the caller's transaction): (name, SHA-256, size)."""
        staging = f".incoming-{uuid.uuid4().hex}"
        h, size = hashlib.sha256(), 0
        for n, chunk in enumerate(chunks):
            h.update(chunk)
            size += len(chunk)
            self.conn.execute("INSERT INTO blob_chunks (sha256, n, data) VALUES (?, ?, ?)", (staging, n, chunk))
        return staging, h.hexdigest(), size

    def _place(self, staging: str, sha: str, size: int) -> tuple[bool, bool]:
        """Give the staged chunks their hash under the write lock: ``(created, repaired)``. The tool's roles may
        not rename or delete a copy's chunks: ``campaignsafe_place_copy`` does, as the schema's owner, and
        replaces a copy only when its bytes no longer hash to it and the staged ones do."""
        self.conn.lock_writes()
        if self.exists(sha) and self.intact(sha):
            return False, False  # the caller rolls back: the staged chunks are not kept
        how = self.conn.execute("SELECT campaignsafe_place_copy(?, ?, ?)", (staging, sha, size)).fetchone()[0]
        return how == "created", how == "repaired"

    def put(self, chunks: Iterable[bytes], sha256: str) -> bool:
        """Store a copy that must hash to ``sha256`` (ValueError, nothing kept, when it does not): True when new."""
        self.conn.execute("BEGIN")
        try:
            staging, sha, size = self._stage(chunks)
            if sha != sha256:
                raise ValueError("the bytes do not have the expected SHA-256")
            created, repaired = self._place(staging, sha, size)
            self.conn.execute("COMMIT" if created or repaired else "ROLLBACK")
        except BaseException:
            self.conn.rollback()
            raise
        return created

    def ingest(self, path_text: str) -> evidence.Ingested:
        """Copy one original into the server (streamed, hashed as it goes), as :func:`evidence.ingest` does."""
        src = evidence._open(path_text)
        try:
            before = os.fstat(src)
            self.conn.execute("BEGIN")
            try:
                staging, sha, size = self._stage(_read_all(src, path_text))
                evidence.refuse_changed(src, before, size)
                created, repaired = self._place(staging, sha, size)
                self.conn.execute("COMMIT" if created or repaired else "ROLLBACK")
            except BaseException:
                self.conn.rollback()
                raise
        finally:
            os.close(src)
        stored = evidence.stored_file(path_text, before, sha, size)
        return evidence.Ingested(stored, created, repaired)

    def remove(self, shas: Iterable[str]) -> list[str]:
        """Delete the copies with these hashes that no exhibit uses, once no other writer is in flight (checked
        under the lock). When the others take longer than :data:`backend.WAIT_S`, the copies stay: unused, but
        never one an exhibit is about to point at."""
        shas = list(shas)
        if not shas:
            return []
        if self.shared:
            self._copies_lock("unlock_shared")
        try:
            try:
                self._copies_lock("lock")
            except StoreError:  # busy: keep them (safe), and keep the caller's own error the one reported
                return []
            try:
                return self._remove_unused(shas)
            finally:
                self._copies_lock("unlock")
        finally:
            if self.shared:
                self._copies_lock("lock_shared")

    def _remove_unused(self, shas: list[str]) -> list[str]:
        removed = []
        for sha in shas:
            self.conn.begin_write()
            try:
                if self.conn.execute("SELECT campaignsafe_remove_copy(?)", (sha,)).fetchone()[0]:
                    removed.append(sha)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.rollback()
                raise
        return removed


def _read_all(src: int, path_text: str) -> Iterator[bytes]:
    while chunk := evidence._read(src, path_text):
        yield chunk


def of(conn: backend.Conn) -> Blobs:
    """The copies belonging to the open store ``conn``."""
    return PgBlobs(conn) if isinstance(conn, PgConn) else FileBlobs()


@contextlib.contextmanager
def held() -> Iterator[Blobs]:
    """The copies, for adding or removing: the data folder's under its lock, or the server's on a connection of
    their own holding the campaign's copies lock shared (see the module's docstring)."""
    if backend.url():
        conn, _where = backend.connect()
        try:
            assert isinstance(conn, PgConn)
            copies = PgBlobs(conn)
            copies._copies_lock("lock_shared")  # a writer in flight: no removal until it is done
            copies.shared = True
            yield copies
        finally:
            conn.close()  # (and the lock with it)
    else:
        with evidence.lock():
            yield FileBlobs()
