"""Files the user points the tool at to read (an import file, a batch of queries), opened safely.

Only regular files are read (``-`` means standard input): a FIFO would hang the command and
a device such as ``/dev/zero`` never ends, so both are refused with exit 3 before anything is
read. Sizes are capped: an import file at ``IMPORT_MAX`` bytes, a batch line at ``LINE_MAX``.
Messages name the file and the reason, never its content. campaignsafe's own small files in the
data folder (profile, saved contacts, the report draft, checklist progress, the signing key) are
read through :func:`read_data_file` by the same rule: a FIFO or device in their place is refused
unopened, as a damaged store is (exit 5).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from campaignsafe import paths, usertext
from campaignsafe.errors import InputError

#: the largest import file read (a backlog of thousands of incidents is a few MiB).
IMPORT_MAX = 32 * 1024 * 1024
#: the longest batch line read; a query is at most a few hundred characters.
LINE_MAX = 4096
#: the largest of campaignsafe's own small files read from the data folder (profile, contacts, draft…).
DATA_MAX = 16 * 1024 * 1024
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _shown(path_text: str) -> str:
    return path_text if len(path_text) <= 200 else path_text[:200] + "…"


def open_regular(path_text: str, what: str | None = None) -> BinaryIO:
    """``path_text`` opened for reading in binary; InputError unless it is an existing regular file.

    Messages name the file by ``what`` when given (an incident file's name is never quoted), else by its path.
    """
    shown = what or _shown(path_text)
    try:
        fd = os.open(path_text, os.O_RDONLY | _NONBLOCK | paths.BINARY)
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file", code="missing_file") from None
    except IsADirectoryError:
        raise InputError(f"{shown} is a folder, not a file", code="is_a_directory") from None
    except PermissionError as exc:
        if os.path.isdir(path_text):  # Windows says "permission denied" for a folder
            raise InputError(f"{shown} is a folder, not a file", code="is_a_directory") from None
        raise InputError(f"{shown}: cannot read it ({exc.strerror})", code="unreadable_file") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read it ({exc.strerror})", code="unreadable_file") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(f"{shown} is a folder, not a file", code="is_a_directory")
        if not stat.S_ISREG(mode):
            hint = "give a saved file, or '-' for stdin"
            raise InputError(f"{shown} is {_kind(mode)}, not a file", hint, code="not_a_file")
        if _NONBLOCK and sys.platform != "win32":
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(
    path_text: str, limit: int | None = None, what: str | None = None, too_large: InputError | None = None
) -> bytes:
    """The whole of a regular file (or stdin for ``-``), refused when larger than ``limit`` (``IMPORT_MAX``) bytes
    (with ``too_large``, when given, the error in the caller's words).

    ``what`` names the file in messages instead of its path (see :func:`open_regular`).
    """
    limit = IMPORT_MAX if limit is None else limit
    shown = "standard input" if path_text == "-" else (what or _shown(path_text))
    with contextlib.ExitStack() as stack:
        fh = sys.stdin.buffer if path_text == "-" else stack.enter_context(open_regular(path_text, what))
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise InputError(f"{shown}: cannot read it ({exc.strerror})", code="unreadable_file") from None
    if len(data) > limit:
        raise too_large or InputError(
            f"{shown} is larger than {limit:,} bytes", "split it into smaller files", code="too_large"
        )
    return data


#: the most read from standard input for one text field (``--description -``, which holds 50,000 characters)
TEXT_MAX = 1024 * 1024


def stdin_text(flag: str) -> str:
    """Standard input as the text of ``flag`` (``--description -``): read as UTF-8 whatever the system's code page
    (Windows reads a pipe as cp1252, which turned "café" into "cafÃ©" in the record), a byte-order mark dropped
    and CR LF taken as a line break, as text mode took it; refused when not UTF-8, empty, or larger than
    ``TEXT_MAX``. Every refusal says nothing was saved."""
    too_large = InputError(
        f"{flag}: standard input is larger than {TEXT_MAX:,} bytes, more than the field can hold",
        f"nothing was saved: the field holds {usertext.LONG_MAX:,} characters; keep a longer account as an"
        " evidence file",
        code="too_large",
    )
    data = read_capped("-", TEXT_MAX, too_large=too_large)
    hint = "nothing was saved: save the text as UTF-8 (most editors offer it), or give it in the flag itself"
    text = utf8_text(data, f"{flag}: standard input", hint).replace("\r\n", "\n")
    if not text.strip():
        raise InputError(
            f"{flag}: standard input was empty",
            f"nothing was saved: pipe the text in ({flag} < account.txt), or give it in the flag itself",
            code="empty_input",
        )
    return text


def utf8_text(data: bytes, what: str, hint: str | None = None) -> str:
    """``data`` as UTF-8 text, a byte-order mark dropped; InputError naming ``what`` (never quoting it) if not."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not UTF-8 text (at byte {exc.start})", hint, code="bad_file") from None


def lines(src: BinaryIO, limit: int = LINE_MAX) -> Iterator[bytes | None]:
    """The lines of ``src`` (newline kept off); None for a line longer than ``limit`` bytes, which is skipped.

    Memory stays flat whatever the input: a line without end (``/dev/zero`` on stdin) is read
    and dropped in ``limit``-sized pieces. A UTF-8 byte-order mark at the start is dropped.
    """
    first = True
    while True:
        try:
            line = src.readline(limit + 2)
        except OSError as exc:
            raise InputError(f"cannot read the input ({exc.strerror})", code="unreadable_file") from None
        if not line:
            return
        if first:
            line = line.removeprefix(b"\xef\xbb\xbf")
            first = False
        if len(line.rstrip(b"\r\n")) > limit:
            while not line.endswith(b"\n"):
                try:
                    line = src.readline(limit + 2)
                except OSError as exc:
                    raise InputError(f"cannot read the input ({exc.strerror})", code="unreadable_file") from None
                if not line:
                    break
            yield None
            continue
        yield line.rstrip(b"\r\n")


def read_data_file(path: Path, what: str, limit: int = DATA_MAX) -> bytes | None:
    """One of campaignsafe's own small files in the data folder (profile, contacts, draft, progress), or None.

    Only a regular file is read: a FIFO, device or socket put in its place would hang the command
    or never end, so it is refused unopened for reading (StoreError, exit 5), as is a file larger
    than ``limit`` bytes. The message names the file, never its content.
    """
    from campaignsafe.errors import StoreError

    hint = f"move it aside (e.g. rename it to {path.name}.bad); campaignsafe then starts it afresh"
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | paths.BINARY)
    except (FileNotFoundError, NotADirectoryError):  # not there (or its folder is not a folder: reported elsewhere)
        return None
    except IsADirectoryError:
        raise StoreError(f"{what} {path} is a folder, not a file", hint, code="not_a_file") from None
    except OSError as exc:
        raise StoreError(f"cannot read {what} {path} ({exc.strerror})", code="unreadable_file") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else _kind(mode)
            raise StoreError(f"{what} {path} is {kind}, not a file: it was not read", hint, code="not_a_file")
        if _NONBLOCK and sys.platform != "win32":
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            data = fh.read(limit + 1)
    except OSError as exc:
        raise StoreError(f"cannot read {what} {path} ({exc.strerror})", code="unreadable_file") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > limit:
        raise StoreError(f"{what} {path} is larger than {limit:,} bytes: it was not read", hint, code="too_large")
    return data
