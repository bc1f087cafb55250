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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from campaignsafe import paths, usertext
from campaignsafe.errors import InputError
from campaignsafe.hashing import CHUNK, sha256_file
from campaignsafe.incidents import schema
from campaignsafe.incidents.models import StoredFile, visible
from campaignsafe.incidents.when import LONDON

_NOATIME = getattr(os, "O_NOATIME", 0)
#: the longest file name kept (most file systems stop at 255 bytes).
NAME_MAX = 255


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
    # the file's name and path are never quoted (they may say what the incident was): the caller names the field
    name_problem = usertext.problem(Path(path_text).name, multiline=False, limit=NAME_MAX)
    if name_problem:
        raise InputError(f"an evidence file's name {name_problem} (rename the file)", code="bad_text")
    try:
        st = os.stat(path_text)
    except FileNotFoundError:
        raise InputError("no such file (check the path)", code="missing_file") from None
    except OSError as exc:
        raise InputError(f"the file cannot be read ({exc.strerror})", code="unreadable_file") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("it is a folder, not a file", code="is_a_directory")
    if not stat.S_ISREG(st.st_mode):
        raise InputError("it is not a regular file (a FIFO, device or socket)", code="unreadable_file")
    if paths.inside_home(Path(os.path.realpath(path_text))):  # the store, its key or a stored copy: never evidence
        raise InputError(
            "the file is inside campaignsafe's data folder, where the record and its signing key are kept",
            "give the original file, kept outside that folder",
            code="inside_data_folder",
        )
    try:
        try:
            fd = os.open(path_text, os.O_RDONLY | _NOATIME | paths.BINARY)
        except PermissionError:
            if not _NOATIME:
                raise
            fd = os.open(path_text, os.O_RDONLY | paths.BINARY)  # O_NOATIME needs ownership; plain read-only then
    except OSError as exc:
        raise InputError(f"the file cannot be read ({exc.strerror})", code="unreadable_file") from None
    try:
        if _linked_into_home(os.fstat(fd)):
            raise InputError(
                "the file is another name (a hard link) for a file in campaignsafe's data folder,"
                " where the record and its signing key are kept",
                "give the original file, kept outside that folder",
                code="inside_data_folder",
            )
    except BaseException:
        os.close(fd)
        raise
    return fd


def _linked_into_home(st: os.stat_result) -> bool:
    """Whether the opened file is also a file of the data folder (the key, the store, a stored copy…).

    Only a file with more than one name can be: then every file of the data folder on the same
    disk is compared by device and inode, so a hard link made outside the folder is caught too.
    """
    if st.st_nlink <= 1:
        return False
    home = paths.home()
    try:
        if home.stat().st_dev != st.st_dev:
            return False
    except OSError:
        return False
    for folder, _dirs, names in os.walk(home, followlinks=False):
        for name in names:
            with contextlib.suppress(OSError):
                own = os.lstat(os.path.join(folder, name))
                if own.st_ino == st.st_ino and own.st_dev == st.st_dev:
                    return True
    return False


@dataclass(frozen=True)
class Ingested:
    """A file now in the store: whether this call created the stored copy, or repaired a damaged one."""

    stored: StoredFile
    created: bool
    repaired: bool = False


def _folder() -> Path:
    """The evidence folder, created 0700; StoreError (touching nothing) when a file is in the way."""
    folder = root()
    schema.require_folder(folder, "evidence")
    paths.private_home()
    return paths.ensure_private_dir(folder)


def _read(src: int, path_text: str) -> bytes:
    try:
        return os.read(src, CHUNK)
    except OSError as exc:
        raise InputError(f"an evidence file cannot be read ({exc.strerror})", code="unreadable_file") from None


def _chunks(src: int, path_text: str) -> Iterator[bytes]:
    while chunk := _read(src, path_text):
        yield chunk


def store_chunks(
    chunks: Iterable[bytes],
    before_placing: Callable[[str, int], None] | None = None,
    unsynced: set[Path] | None = None,
) -> tuple[str, int, bool, bool]:
    """Stream bytes into the store as one copy, hashing as it goes: ``(sha256, size, created, repaired)``.

    The copy is written to a temporary file and flushed; ``before_placing(sha256, size)`` may then
    refuse it (by raising), else it is put in place under its hash (see :func:`_place`, which also
    says what ``unsynced`` is for). StoreError (one line, with the folder and the reason) when it
    cannot be written: a file in the way, no permission, a full disk.
    """
    folder = _folder()
    try:
        fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=folder)
    except OSError as exc:
        raise schema.os_failure("store a copy of the evidence in", folder, exc) from None
    try:
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                paths.make_private(out.fileno(), tmp)
                for chunk in chunks:
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise schema.os_failure("store a copy of the evidence in", folder, exc) from None
        sha = digest.hexdigest()
        if before_placing is not None:
            before_placing(sha, size)
        created, repaired = _place(Path(tmp), sha, unsynced)
        return sha, size, created, repaired
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def ingest(path_text: str) -> Ingested:
    """Copy one file into the store (streaming, hashing as it goes) and describe it.

    InputError when the original cannot be read or changed while it was copied; StoreError when
    the copy cannot be written (see :func:`store_chunks`).
    """
    src = _open(path_text)
    try:
        before = os.fstat(src)
        sha, size, created, repaired = store_chunks(
            _chunks(src, path_text), lambda _sha, size: refuse_changed(src, before, size)
        )
    finally:
        os.close(src)
    stored = stored_file(path_text, before, sha, size)
    return Ingested(stored, created, repaired)


def refuse_changed(src: int, before: os.stat_result, size: int) -> None:
    """InputError when the open original changed while it was copied (``size`` bytes read)."""
    after = os.fstat(src)
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or size != after.st_size:
        raise InputError("an evidence file changed while it was being copied; try again", code="file_changed")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def stored_file(path_text: str, before: os.stat_result, sha: str, size: int) -> StoredFile:
    """How a copied original is described: its hash, name, size, modification time and any link."""
    # counted on from 1970 rather than fromtimestamp(), which Windows refuses (OSError) for a time before 1970
    modified = (_EPOCH + timedelta(microseconds=before.st_mtime_ns // 1000)).astimezone(LONDON)
    return StoredFile(
        sha256=sha,
        original_name=visible(Path(path_text).name or path_text),
        size=size,
        modified_at=modified,
        stored_path=relative(sha),
        link_target=_link_target(path_text),
    )


def _link_target(path_text: str) -> str | None:
    """Where ``path_text`` pointed, when the user gave a symbolic link (recorded, never followed silently)."""
    try:
        if not os.path.islink(path_text):
            return None
        target = os.readlink(path_text)
        resolved = os.path.realpath(path_text)
    except OSError:
        return None
    shown = target if target == resolved else f"{target} = {resolved}"
    return visible(shown)[:4_096]


def intact(sha256: str) -> bool:
    """Whether the stored copy with this hash exists and still hashes to it."""
    try:
        return sha256_file(blob(sha256)) == sha256
    except OSError:
        return False


def _place(tmp: Path, sha: str, unsynced: set[Path] | None = None) -> tuple[bool, bool]:
    """Put the finished copy in place: ``(created, repaired)``.

    A stored copy already there is kept only when its SHA-256 is right; a damaged one (of any
    size) is replaced atomically by the fresh bytes, so adding the original again repairs it.
    Its folder is flushed to disk now, or (``unsynced``) added to the folders the caller flushes,
    once each, before the record that names the copy is committed.
    """
    final = blob(sha)
    paths.ensure_private_dir(final.parent)
    try:
        try:
            paths.place_new(tmp, final)
            created, repaired = True, False
        except FileExistsError:
            if intact(sha):
                return False, False
            os.replace(tmp, final)
            created, repaired = False, True
        if unsynced is None:
            paths.fsync_dir(final.parent)
        else:
            unsynced.add(final.parent)
    except OSError as exc:
        raise schema.os_failure("store a copy of the evidence in", final.parent, exc) from None
    return created, repaired


def remove(shas: Iterable[str]) -> list[str]:
    """Delete the stored copies with these hashes (callers check nothing uses them)."""
    removed = []
    for sha in shas:
        with contextlib.suppress(OSError):  # gone already, or not ours to remove: left, and not counted
            blob(sha).unlink()
            removed.append(sha)
    return removed


@contextlib.contextmanager
def lock() -> Iterator[None]:
    """Serialise adding and removing stored copies across processes (StoreError when it cannot be taken)."""
    home = paths.home()
    schema.require_folder(home, "evidence")
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(paths.locked(root()))
        except OSError as exc:
            raise schema.os_failure("lock the evidence folder in", home, exc) from None
        clear_incoming()
        yield


def clear_incoming() -> list[str]:
    """Remove the partial copies (``evidence/.incoming-*``) a killed run left. Call holding :func:`lock`:
    every copy being made is made under it, so none of these is still being written."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(root()):
            if entry.name.startswith(".incoming-") and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(entry.name)
    return removed
