"""Where the user's private data lives, and the only code that sets permissions.

Everything is under ``platformdirs.user_data_path("campaignsafe")`` unless
``CAMPAIGNSAFE_HOME`` is set. Folders are 0700 and files 0600; writes are atomic
(temporary file in the same folder, fsync, ``os.replace``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from campaignsafe.errors import StoreError

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
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError as exc:
        raise StoreError(f"cannot create private folder {path}: {exc.strerror}") from None
    return path


def private_home() -> Path:
    """The data folder, created 0700."""
    return ensure_private_dir(home())


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600."""
    import tempfile

    if isinstance(data, str):
        data = data.encode("utf-8")
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (a sidecar ``.lock`` file)."""
    import fcntl

    ensure_private_dir(path.parent)
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
