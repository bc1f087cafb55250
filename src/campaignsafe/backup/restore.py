"""``restore``: a backup put back into an empty data folder, exactly as it was.

Everything is rebuilt in a private staging folder beside the data folder: the files written
and re-hashed, the store's rows inserted into a freshly migrated database in one transaction,
then checked (every record against its SHA-256, the audit chain, the row counts). Only then is
the staging folder renamed into place, so a restore cut short leaves the data folder as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from campaignsafe import paths
from campaignsafe.backup import archive, reading
from campaignsafe.errors import InputError, StoreError, VerifyError
from campaignsafe.hashing import CHUNK

_STAGING, _ASIDE, _OWNER = paths.RESTORING, paths.REPLACED, paths.RESTORE_OWNER


@dataclass(frozen=True)
class Restored:
    """What a restore put back."""

    home: Path
    incidents: int
    evidence_files: int
    files: int
    manifest_sha256: str
    encrypted: bool
    #: the fingerprint of the key that signed it (None: unsigned), to compare with the keeper's bundles
    signer: str | None = None


#: the highest id counter a backup may carry: far more ids than any record gives out, far below SQLite's limit
_SEQ_MAX = 2**53


def is_empty(home: Path) -> bool:
    """Whether the data folder holds nothing to lose: missing, empty, or only an unused incident store."""
    if not home.exists():
        return True
    if not home.is_dir():
        return False
    if archive.home_files(home):
        return False
    db = home / archive.DB
    if not db.exists():
        return True
    if not db.is_file():  # a FIFO or folder in the store's place is not an empty record (nor opened: a FIFO waits)
        return False
    from campaignsafe.incidents import schema

    try:
        conn = sqlite3.connect(schema.readonly_uri(db), uri=True)
        try:
            have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            used = sum(
                conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in ("incidents", "audit") if t in have
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return bool(used == 0)


def _refuse_non_empty(home: Path, shown: str) -> None:
    if not is_empty(home):
        raise StoreError(
            f"{home} already holds a record: restore fills only an empty data folder; nothing was changed",
            f"to add its incidents to yours: campaignsafe import {shown} (or set CAMPAIGNSAFE_HOME to an empty folder)",
            code="store_not_empty",
        )


def restore(path: Path, passphrase_file: str | None, ask: bool = False) -> Restored:
    """Verify the backup at ``path`` and put it back into the (empty) data folder."""
    from campaignsafe.incidents import backend

    if backend.url():
        raise StoreError(
            f"restore fills an empty data folder's record, but {backend.ENV} points this record at a PostgreSQL"
            " server, and nothing was changed",
            f"to bring the backup's incidents into this campaign: campaignsafe import {path}"
            f" (or unset {backend.ENV} to restore into the data folder)",
            code="server_store",
        )
    home = paths.home()
    _refuse_non_empty(home, str(path))
    with reading.opened(path, passphrase_file, ask) as o:
        if o.kind != "backup":
            raise InputError(
                f"{path} is an evidence bundle, not a backup",
                f"bring its incidents in with: campaignsafe import {path}",
                code="not_a_backup",
            )
        _refuse_other_signer(o)
        parent = home.parent
        if not parent.exists():
            paths.ensure_private_dir(parent)
        paths.sweep_restores(home)
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{paths.beside(home.name)}{_STAGING}", dir=parent))
        except OSError as exc:
            raise StoreError(f"cannot restore into {home}: {exc.strerror}", code="store_unwritable") from None
        owner = None
        try:
            owner = _hold(staging)
            evidence_files, files = _files(o, staging)
            incidents = _store(o, staging)
            if hasattr(os, "sync"):  # every restored file on disk before the record is put in place
                os.sync()
            _refuse_non_empty(home, str(path))  # nothing appeared meanwhile (after the sync, which can be slow)
            if sys.platform == "win32":  # an open file cannot be removed there (and holds no lock to give up)
                os.close(owner)
                owner = None
            os.unlink(staging / _OWNER)  # not into the data folder; the folder is fresh, so still left alone
            _swap(staging, home, str(path))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            if owner is not None:
                os.close(owner)
    return Restored(home, incidents, evidence_files, files, o.manifest_sha256, o.encrypted, o.signer)


def _refuse_other_signer(o: reading.Opened) -> None:
    """A backup is signed with the key it carries: one signed by any other key is not that record's backup.

    Every signed backup campaignsafe makes carries its key (made before the files are listed), so a
    signed one without it is refused too: restoring it would leave the record under nobody's key. And
    every backup carrying a key is signed by it: one that is not (its signature stripped, its rows
    rewritten with their hashes and audit chain recomputed) would put a forged record under the
    keeper's genuine key, which then signs bundles of it.
    """
    from campaignsafe.exports import signing

    name = archive.FILES + signing.KEY_FILE
    if o.signer is None:
        if name in o.digests:  # campaignsafe signs every backup with the key it carries: this one was re-packed
            raise VerifyError(
                f"{o.shown} holds a signing key but is not signed (its signature was removed); nothing was written",
                "campaignsafe signs every backup with the key in it: get another copy of the backup",
                code="signer_mismatch",
            )
        return  # unsigned and keyless: nothing could sign new bundles as the record's keeper
    if name not in o.digests:
        raise VerifyError(
            f"{o.shown} was signed by the key {o.signer} but holds no signing key; nothing was written",
            "campaignsafe puts its key in every backup it signs: get another copy of the backup",
            code="signer_mismatch",
        )
    with o.open(name) as fh:
        pem = fh.read(64 * 1024)
    inside = signing.key_fingerprint(pem)
    if inside != o.signer:
        raise VerifyError(
            f"{o.shown} was signed by the key {o.signer}, not by the signing key it holds"
            + (f" ({inside})" if inside else " (which cannot be read)")
            + "; nothing was written",
            "it is not a backup made by campaignsafe from this record: get another copy of the backup",
            code="signer_mismatch",
        )


def _hold(staging: Path) -> int:
    """Mark ``staging`` as this running restore's: made and held under another name, then renamed, so
    another restore never finds it made but not yet held (Windows holds no lock: its name at once)."""
    made = _OWNER if sys.platform == "win32" else _OWNER + ".new"
    fd = os.open(staging / made, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    paths.hold(fd)
    if made != _OWNER:
        os.rename(staging / made, staging / _OWNER)
    return fd


def _files(o: reading.Opened, staging: Path) -> tuple[int, int]:
    """Write every ``files/`` entry under ``staging``, re-hashed as written: (evidence files, files)."""
    n = n_evidence = 0
    for name, digest in sorted(o.digests.items()):
        if not name.startswith(archive.FILES):
            continue
        rel = name[len(archive.FILES) :]
        if not rel or archive.left_out(rel):
            raise InputError(f"{o.shown}: {name} may not be restored into a data folder", code="bad_backup")
        is_evidence = rel.startswith("evidence/")
        if is_evidence and rel.rsplit("/", 1)[-1] != digest:
            raise VerifyError(f"{o.shown}: {name} is not the evidence copy its name says", code="verify_failed")
        dest = staging / rel
        paths.ensure_private_dir(dest.parent)
        _copy_out(o, name, dest, digest)
        n += 1
        n_evidence += is_evidence
    return n_evidence, n


def _copy_out(o: reading.Opened, name: str, dest: Path, digest: str) -> None:
    h = hashlib.sha256()
    try:
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | paths.BINARY, 0o600)
        with os.fdopen(fd, "wb") as out, o.open(name) as src:
            while chunk := src.read(CHUNK):
                h.update(chunk)
                out.write(chunk)
            if not hasattr(os, "sync"):  # Windows: no sync() before the swap, so each file is flushed itself
                out.flush()
                os.fsync(out.fileno())
    except OSError as exc:
        raise StoreError(
            f"cannot restore {dest}: {exc.strerror}", "check the free space", code="store_unwritable"
        ) from None
    if h.hexdigest() != digest:
        raise VerifyError(f"{o.shown}: {name} changed while it was read", code="verify_failed")


def _store(o: reading.Opened, staging: Path) -> int:
    """Rebuild the incident store from the backup's rows, then check it; the number of incidents."""
    from campaignsafe.incidents import rows, schema

    db = staging / archive.DB
    conn = schema.connect(db)
    try:
        with schema.errors(db):
            tables = [t for t in o.info.get("tables", []) if isinstance(t, str)]
            have = set(rows.tables(conn))
            strange = [t for t in tables if t not in have or f"{archive.STORE}{t}.jsonl" not in o.digests]
            if strange:
                raise InputError(
                    f"{o.shown}: the backup's table {strange[0]!r} is not part of a store", code="bad_backup"
                )
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.execute("BEGIN IMMEDIATE")
            try:
                for t in tables:
                    try:
                        rows.write(conn, t, o.jsonl(f"{archive.STORE}{t}.jsonl"))
                    except (ValueError, sqlite3.IntegrityError) as exc:
                        raise InputError(
                            f"{o.shown}: store/{t}.jsonl cannot be restored ({exc})", code="bad_backup"
                        ) from None
                    except (sqlite3.ProgrammingError, sqlite3.InterfaceError, OverflowError):  # an object, a huge
                        # number: the backup's row, not the store being made, is at fault (it was "damaged")
                        raise InputError(
                            f"{o.shown}: store/{t}.jsonl holds a value of a kind no stored row has; "
                            "nothing was written",
                            code="bad_backup",
                        ) from None
                seqs = o.json(archive.SEQUENCES) if archive.SEQUENCES in o.digests else {}
                if not isinstance(seqs, dict) or not all(type(v) is int and 0 <= v <= _SEQ_MAX for v in seqs.values()):
                    # a counter at SQLite's largest integer restores, then every new incident fails ("disk full")
                    raise InputError(
                        f"{o.shown}: {archive.SEQUENCES} is not a table of the ids a record gives out (0 to 2**53)",
                        code="bad_backup",
                    )
                rows.set_sequences(conn, {str(k): int(v) for k, v in seqs.items()})
                if conn.execute("PRAGMA foreign_key_check").fetchone():
                    raise InputError(f"{o.shown}: the backup's rows do not refer to each other", code="bad_backup")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("PRAGMA foreign_keys = ON")
            return _check(conn, o)
    finally:
        conn.close()
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(OSError):
                p = db.with_name(db.name + suffix)
                if p.exists() and p.stat().st_size == 0:
                    p.unlink()


def _check(conn: sqlite3.Connection, o: reading.Opened) -> int:
    """Refuse a restored store whose records, audit chain or counts do not check out."""
    from campaignsafe.incidents import audit

    counts = o.info.get("counts", {})
    for t in o.info.get("tables", []):
        got = conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
        if isinstance(counts, dict) and counts.get(t) not in (None, got):
            raise VerifyError(f"{o.shown}: {t} holds {got} rows, the backup says {counts.get(t)}", code="verify_failed")
    for iid, record, digest in conn.execute("SELECT id, record, record_sha256 FROM incidents"):
        if audit.sha256_text(record) != digest:
            raise VerifyError(
                f"{o.shown}: incident {iid}'s record does not match its record_sha256; nothing was written",
                code="verify_failed",
            )
    broken = audit.verify(conn)
    if broken:
        raise VerifyError(f"{o.shown}: the audit chain breaks at entry {broken[0]}", code="verify_failed")
    from campaignsafe.incidents import check

    found = check.run(conn, quick=True)  # every copy was re-hashed as it was written
    if not found.passed:
        first = found.findings[0].line()
        raise VerifyError(
            f"{o.shown}: the restored record does not check out ({first}); nothing was written",
            code="verify_failed",
        )
    return int(conn.execute("SELECT count(*) FROM incidents").fetchone()[0])


@contextlib.contextmanager
def _write_lock(db: Path) -> Iterator[None]:
    """Hold the write lock of the (empty) store being replaced while it is moved aside.

    Every campaignsafe write begins by taking this lock and then checks that the data folder's store
    is still the file it opened (``Store._tx``): one that waited here is refused, never written into
    the folder about to be deleted. On Windows a folder with an open file cannot be renamed at all, so
    there the rename itself refuses while another command has the store open.
    """
    if sys.platform == "win32" or not db.is_file():
        yield
        return
    from campaignsafe.incidents import schema

    conn = sqlite3.connect(db, timeout=schema.BUSY_TIMEOUT_S, isolation_level=None)
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # not a database, say, is left to is_empty(), which refuses it
            if "locked" in str(exc) or "busy" in str(exc):  # still busy after the timeout
                raise StoreError(
                    f"cannot restore into {db.parent}: another campaignsafe command is writing to it; nothing was"
                    " changed",
                    "let it finish, then restore again",
                    code="store_locked",
                ) from None
        except sqlite3.DatabaseError:
            pass
        yield
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        conn.close()


def _swap(staging: Path, home: Path, shown: str) -> None:
    """Put the finished staging folder where the data folder is (renames, so all or nothing).

    The folder it replaces is looked at once more when moved aside: a record another command began in
    it since the last look is put back and the restore refused, never deleted with the empty folder.
    """
    try:
        if home.exists():
            with _write_lock(home / archive.DB):  # a writer waits, then finds its file replaced and saves nothing
                aside = Path(tempfile.mkdtemp(prefix=f".{paths.beside(home.name)}{_ASIDE}", dir=home.parent))
                os.rename(home, aside / "old")
                if not is_empty(aside / "old"):
                    os.rename(aside / "old", home)
                    shutil.rmtree(aside, ignore_errors=True)
                    _refuse_non_empty(home, shown)
                os.rename(staging, home)
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.rename(staging, home)
    except OSError as exc:
        raise StoreError(
            f"cannot put the restored record in place at {home}: {exc.strerror}",
            "set CAMPAIGNSAFE_HOME to a new folder on the same disk and restore again",
            code="store_unwritable",
        ) from None
    with contextlib.suppress(OSError):
        fd = os.open(home.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
