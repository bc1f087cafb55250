"""Evidence files copied into the store, content-addressed by SHA-256; originals only ever read.

A file goes to ``evidence/<sha256[:2]>/<sha256>`` under the data folder (0600, folders 0700),
hashed while it streams, with its original name, size and modification time recorded. The
original is opened read-only (``O_NOATIME`` where allowed), so neither its bytes nor its
times change: the first ACPO principle for digital evidence.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from campaignsafe import paths
from campaignsafe.errors import InputError
from campaignsafe.hashing import CHUNK
from campaignsafe.incidents.models import StoredFile
from campaignsafe.incidents.when import LONDON

_NOATIME = getattr(os, "O_NOATIME", 0)


def root() -> Path:
    """The evidence folder (not created)."""
    return paths.home() / "evidence"


def relative(sha256: str) -> str:
    """Where a file with this hash is kept, relative to the data folder."""
    return f"evidence/{sha256[:2]}/{sha256}"


def blob(sha256: str) -> Path:
    """The stored copy of the file with this hash."""
    return paths.home() / relative(sha256)


def problem(path_text: str) -> str | None:
    """Why ``path_text`` cannot be added as evidence, or None when it can. Writes nothing."""
    try:
        fd = _open(path_text)
    except InputError as exc:
        return exc.message
    os.close(fd)
    return None


def _open(path_text: str) -> int:
    """Open the original read-only without touching its access time; InputError when impossible."""
    shown = path_text if len(path_text) <= 200 else path_text[:200] + "…"
    try:
        st = os.stat(path_text)
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file", code="missing_file") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read it ({exc.strerror})", code="unreadable_file") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{shown} is a folder, not a file", code="is_a_directory")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{shown} is not a regular file", code="unreadable_file")
    try:
        try:
            return os.open(path_text, os.O_RDONLY | _NOATIME)
        except PermissionError:
            if not _NOATIME:
                raise
            return os.open(path_text, os.O_RDONLY)  # O_NOATIME needs ownership; plain read-only then
    except OSError as exc:
        raise InputError(f"{shown}: cannot read it ({exc.strerror})", code="unreadable_file") from None


@dataclass(frozen=True)
class Ingested:
    """A file now in the store, and whether this call created the stored copy."""

    stored: StoredFile
    created: bool


def ingest(path_text: str) -> Ingested:
    """Copy one file into the store (streaming, hashing as it goes) and describe it."""
    src = _open(path_text)
    try:
        before = os.fstat(src)
        paths.private_home()
        folder = paths.ensure_private_dir(root())
        fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=folder)
        try:
            os.fchmod(fd, 0o600)
            digest = hashlib.sha256()
            size = 0
            with os.fdopen(fd, "wb") as out:
                while chunk := os.read(src, CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            after = os.fstat(src)
            if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or size != after.st_size:
                raise InputError(f"{path_text} changed while it was being copied; try again", code="file_changed")
            sha = digest.hexdigest()
            created = _place(Path(tmp), sha)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    finally:
        os.close(src)
    seconds, nanos = divmod(before.st_mtime_ns, 1_000_000_000)
    modified = datetime.fromtimestamp(seconds, LONDON) + timedelta(microseconds=nanos // 1000)
    stored = StoredFile(
        sha256=sha,
        original_name=Path(path_text).name or path_text,
        size=size,
        modified_at=modified,
        stored_path=relative(sha),
    )
    return Ingested(stored, created)


def _place(tmp: Path, sha: str) -> bool:
    """Link the finished copy into place unless an identical copy is already there."""
    final = blob(sha)
    paths.ensure_private_dir(final.parent)
    if final.exists() and final.stat().st_size == tmp.stat().st_size:
        return False
    try:
        os.link(tmp, final)
    except FileExistsError:
        os.replace(tmp, final)  # a damaged copy of the wrong size: the fresh bytes replace it
    _fsync_dir(final.parent)
    return True


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove(shas: Iterable[str]) -> list[str]:
    """Delete the stored copies with these hashes (callers check nothing uses them)."""
    removed = []
    for sha in shas:
        with contextlib.suppress(FileNotFoundError):
            blob(sha).unlink()
            removed.append(sha)
    return removed


@contextlib.contextmanager
def lock() -> Iterator[None]:
    """Serialise adding and removing stored copies across processes."""
    with paths.locked(root()):
        yield
