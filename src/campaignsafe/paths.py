"""Where the user's private data lives, and the only code that sets permissions.

Everything is under ``platformdirs.user_data_path("campaignsafe")`` unless
``CAMPAIGNSAFE_HOME`` is set. Folders are 0700 and files 0600; writes are atomic
(temporary file in the same folder, fsync, ``os.replace``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from campaignsafe.errors import InputError, StoreError

ENV_HOME = "CAMPAIGNSAFE_HOME"


def home() -> Path:
    """The user's campaignsafe data folder (not created)."""
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_data_path("campaignsafe", appauthor=False)


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents with mode 0700; tighten ``path`` if it exists."""
    try:
        missing = [p for p in (path, *path.parents) if not p.exists()]
        for folder in reversed(missing):  # every folder we create is private, not just the last
            folder.mkdir(mode=0o700, exist_ok=True)
            folder.chmod(0o700)
        if not path.is_dir():
            raise NotADirectoryError(20, "it is a file, not a folder")
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError as exc:
        raise StoreError(
            f"cannot use {path} as a private folder: {exc.strerror}",
            f"check {ENV_HOME} or the permissions of the folders above it",
            code="store_unwritable",
        ) from None
    return path


def private_home() -> Path:
    """The data folder, created 0700."""
    return ensure_private_dir(home())


#: a name longer than this (in bytes) is shortened where a temporary name is made from it
_BESIDE_MAX = 120


def beside(name: str) -> str:
    """``name`` as the start of a temporary file's or folder's name made beside it: itself, or, when long, its
    first 40 characters and a hash of the whole, so the temporary name stays within a file name's 255 bytes."""
    raw = os.fsencode(name)
    if len(raw) <= _BESIDE_MAX:
        return name
    import hashlib  # seldom: a very long name

    return f"{name[:40]}~{hashlib.sha256(raw).hexdigest()[:12]}"


@contextlib.contextmanager
def atomic_file(path: Path, *, private: bool = True) -> Iterator[BinaryIO]:
    """A file opened for writing that replaces ``path`` only when the block succeeds (mode 0600).

    ``private`` files live in campaignsafe's data folder (created 0700; a failure is a store
    problem, exit 5). Otherwise ``path`` is an export the user named: its folder must exist and
    is left as it is, and a failure is about that output (exit 3).
    """
    import tempfile  # not needed on the lookup path

    if private:
        ensure_private_dir(path.parent)
    else:
        check_output(path)
        clear_partial(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{beside(path.name)}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _write_error(path, exc, private) from None
    try:
        hold(fd)  # so another run's clear_partial() leaves it alone while this process lives
        make_private(fd, tmp)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _write_error(path, exc, private) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


#: a scratch file nobody holds is only taken as abandoned after this many seconds where no lock shows
#: whether its process still runs (Windows, where an open file cannot be deleted anyway).
STALE_AFTER = 24 * 3600.0
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
#: for every ``os.open`` of bytes: on Windows a descriptor is otherwise in text mode, which turns LF into CR LF on
#: writing, drops the CR of CR LF on reading and takes a Ctrl-Z byte (0x1A) for the end of the file
BINARY = getattr(os, "O_BINARY", 0)


def hold(fd: int) -> None:
    """Mark an open scratch file as this process's until it is closed or the process ends (even
    by SIGKILL): an exclusive ``flock`` that :func:`abandoned` tests. Windows already refuses to
    delete a file another process has open, so nothing is needed there."""
    if sys.platform != "win32":
        import fcntl

        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def abandoned(path: str | Path) -> bool:
    """Whether a scratch file was left by a process no longer running: nobody holds it (see :func:`hold`).

    Where that cannot be told (Windows), a file older than ``STALE_AFTER`` counts as abandoned.
    """
    if sys.platform == "win32":
        import time

        try:
            return time.time() - os.lstat(path).st_mtime > STALE_AFTER
        except OSError:
            return False
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # held: its process is still writing it
    else:
        return True
    finally:
        os.close(fd)


def sweep(folder: Path, prefixes: tuple[str, ...], owner: str, no_owner_stale: float) -> list[Path]:
    """Remove the scratch folders in ``folder`` (names starting with one of ``prefixes``) that killed runs left.

    A running one holds its ``owner`` file (see :func:`hold`) and is never taken; one with no owner
    file (killed as it was made, or while it is being renamed into place) is taken only once it has
    been left alone ``no_owner_stale`` seconds. Links are never followed.
    """
    import time

    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not entry.name.startswith(prefixes) or not entry.is_dir(follow_symlinks=False):
                continue
            held = Path(entry.path) / owner
            stale = False
            if os.path.lexists(held):
                stale = abandoned(held)
            else:
                with contextlib.suppress(OSError):
                    stale = time.time() - entry.stat(follow_symlinks=False).st_mtime > no_owner_stale
            if stale:
                import shutil  # only now: every store open sweeps, and there is seldom anything to remove

                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(Path(entry.path))
    return removed


#: what ``restore`` makes beside the data folder HOME: ``.HOME.restoring-*`` (the record being rebuilt,
#: unencrypted) and ``.HOME.replaced-*`` (the folder it replaces, while swapping), and its owner file.
RESTORING, REPLACED, RESTORE_OWNER = ".restoring-", ".replaced-", ".restore-owner"
#: a restore's folder with no owner file (killed as it was made, or swapping into place) is left this long
RESTORE_NO_OWNER_STALE = 3600.0


def sweep_restores(data: Path | None = None) -> list[Path]:
    """Remove what a killed ``restore`` left beside the data folder (never one still running)."""
    data = data or home()
    names = tuple(f".{beside(data.name)}{p}" for p in (RESTORING, REPLACED))
    return sweep(data.parent, names, RESTORE_OWNER, RESTORE_NO_OWNER_STALE)


#: an export's or import's scratch folder in the data folder (see ``exports.spool``), and its owner file
SCRATCH, SCRATCH_OWNER = ".export-", "owner"
#: a scratch folder with no owner file (killed as it was made, or an older campaignsafe's) is swept after this
SCRATCH_NO_OWNER_STALE = 3600.0


def sweep_scratch(data: Path) -> list[Path]:
    """Remove the scratch folders of exports and imports killed before they could (their owner file is held by no
    one); a folder a running command holds is left alone."""
    return sweep(data, (SCRATCH,), SCRATCH_OWNER, SCRATCH_NO_OWNER_STALE)


def sweep_leftovers(data: Path | None = None) -> list[Path]:
    """What killed commands left: a restore's copy beside the data folder, an export's or import's scratch folder
    in it (which can hold a decrypted backup's rows); never one a running command holds."""
    data = data or home()
    return sweep_restores(data) + (sweep_scratch(data) if data.is_dir() else [])


def clear_partial(path: Path) -> list[Path]:
    """Remove the temporary files a killed write of ``path`` left beside it (``.NAME.xxxxxxxx.tmp``).

    One that another running campaignsafe is still writing (it holds it, see :func:`hold`) is left alone.
    """
    import re

    pattern = re.compile(rf"^\.{re.escape(beside(path.name))}\.[A-Za-z0-9_]{{8}}\.tmp$")
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            if pattern.match(entry.name) and entry.is_file(follow_symlinks=False) and abandoned(entry.path):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def _write_error(path: Path, exc: OSError, private: bool) -> StoreError | InputError:
    reason = exc.strerror or type(exc).__name__
    if private:
        return StoreError(
            f"cannot write {path}: {reason}", "check the free space and permissions", code="store_unwritable"
        )
    return InputError(f"cannot write {path}: {reason}", code="bad_output")


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write private ``data`` to ``path`` atomically with mode 0600."""
    with atomic_file(path) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


def check_output(target: str | Path) -> Path:
    """An export file the user named, checked before any work is done.

    Refused: a folder, a missing folder, anything inside campaignsafe's data folder (the record
    itself), and an existing target that is not a regular file (a link, device or FIFO).
    """
    import stat

    path = Path(target).expanduser()
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a folder", "give a file name", code="bad_output")
    if not path.parent.is_dir():
        raise InputError(f"cannot write {path}: the folder {path.parent} does not exist", code="bad_output")
    if inside_home(path):
        raise InputError(
            f"cannot write {path}: it is inside campaignsafe's data folder, where the record is kept",
            "write exports somewhere else, e.g. your Documents folder",
            code="output_in_data_folder",
        )
    try:
        st = path.lstat()
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}", code="bad_output") from None
    if not stat.S_ISREG(st.st_mode):
        what = "a link" if stat.S_ISLNK(st.st_mode) else "a device, FIFO or other special file"
        raise InputError(f"cannot write {path}: it is {what}, not a file", "give a new file name", code="bad_output")
    return path


def inside_home(path: Path) -> bool:
    """Whether ``path`` (existing or not) is the data folder or lies under it, whatever the spelling or links."""
    try:
        home_st = home().stat()
    except OSError:
        return False
    # the folders it is really in: ``a/home/../x`` is not inside ``a/home`` (its lexical parents say it is)
    real = Path(os.path.realpath(path.parent))
    for folder in (path, real, *real.parents):
        with contextlib.suppress(OSError):
            if os.path.samestat(folder.stat(), home_st):
                return True
    return False


def write_output(target: str | Path, data: str | bytes | Iterable[bytes]) -> Path:
    """Write an export the user named (text as UTF-8, bytes, or chunks of bytes) atomically, readable only by them."""
    path = check_output(target)
    with atomic_file(path, private=False) as fh:
        if isinstance(data, str):
            fh.write(data.encode("utf-8"))
        elif isinstance(data, bytes):
            fh.write(data)
        else:
            for chunk in data:
                fh.write(chunk)
    return path


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries to disk where the platform allows it (Windows cannot open a folder)."""
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def place_new(tmp: str | Path, dest: Path) -> None:
    """Put the finished file ``tmp`` at ``dest`` only if nothing is there (FileExistsError otherwise).

    A hard link where the disk has them. FAT32 and exFAT (a USB stick) have none, so there it is a
    rename that never replaces: Windows' own, elsewhere after a check; callers hold the lock that
    keeps another campaignsafe from placing the same file in between.
    """
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_LINKS and getattr(exc, "winerror", None) not in (1, 50):
            raise
        if sys.platform != "win32" and os.path.lexists(dest):
            raise FileExistsError(errno.EEXIST, "File exists", str(dest)) from None
        os.rename(tmp, dest)


#: what ``link`` fails with on a disk without hard links (Linux vfat: EPERM; macOS exFAT: ENOTSUP)
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}


def make_private(fd: int, path: str | Path) -> None:
    """Make an open file readable and writable by its owner only (0600).

    POSIX sets the mode on the open descriptor; Windows has no ``fchmod`` and no group or
    other bits (a file in the user's profile folder is private to them already), so only the
    read-only flag is cleared there.
    """
    if sys.platform == "win32":
        import stat

        os.chmod(path, stat.S_IREAD | stat.S_IWRITE)
    else:
        os.fchmod(fd, 0o600)


#: how long a command waits for another campaignsafe holding the same file before giving up.
LOCK_TIMEOUT = 60.0


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (a sidecar ``.lock`` file) on every platform.

    ``filelock`` uses ``flock`` on Linux and macOS and ``msvcrt.locking`` on Windows; it is
    imported here so that lookups never load it.
    """
    import filelock

    ensure_private_dir(path.parent)
    lock_path = path.with_name(path.name + ".lock")
    lock = filelock.FileLock(lock_path, timeout=timeout, mode=0o600)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise StoreError(
            f"{path.name} is in use by another campaignsafe",
            "wait for the other command to finish, then try again",
            code="store_locked",
        ) from None
    except OSError as exc:
        raise _write_error(lock_path, exc, True) from None
    try:
        yield
    finally:
        lock.release()
