"""A reader that went away (``campaignsafe … | head``): told apart from other output errors on every platform."""

from __future__ import annotations

import errno
import os
import sys
from typing import Any, TypeGuard


def reader_gone(exc: BaseException, stream: Any = None) -> TypeGuard[OSError]:
    """Whether ``exc`` says the reader of ``stream`` (standard output) went away: BrokenPipeError, or on Windows
    the OSError EINVAL a write to a closed pipe raises there (python/cpython#79935), when it cannot be written."""
    if isinstance(exc, BrokenPipeError) or (isinstance(exc, OSError) and exc.errno == errno.EPIPE):
        return True
    if sys.platform != "win32" or not isinstance(exc, OSError) or exc.errno != errno.EINVAL:
        return False
    try:  # EINVAL from anything else: the stream still takes what it holds
        (sys.stdout if stream is None else stream).flush()
    except OSError:
        return True
    return False


#: the failure a command reaches before it prints (check, verify): kept when the reader goes away part-way
_verdict: list[Any] = []


def verdict(failure: Any) -> None:
    """Say, before printing, the failure (a CampaignsafeError, or None) this command ends with: a reader that
    goes away part-way (``verify x.zip | head``) must not turn a failed check into exit 0."""
    _verdict[:] = [] if failure is None else [failure]


def pending() -> Any:
    """The failure :func:`verdict` gave, or None."""
    return _verdict[0] if _verdict else None


def silence(stream: object) -> None:
    """Send what is still to be written to ``stream`` (stdout or stderr) nowhere, so the exit says nothing more."""
    fileno = getattr(stream, "fileno", None)
    if fileno is None:
        return
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), fileno())
    except (OSError, ValueError):  # a test's capture, which has no descriptor of its own
        return


def output_full(exc: BaseException) -> TypeGuard[OSError]:
    """Whether ``exc`` is a full disk (or quota) met while writing: left unwrapped, it can only be the output's,
    since every write of the record and of an export's files reports its own as a typed error."""
    return isinstance(exc, OSError) and exc.errno in _FULL


_FULL = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}

#: the exit code when the command's output could not be written (a full disk): what it did is kept
UNWRITTEN = 7


def unwritten(exc: OSError, code: int) -> int:
    """The exit code once writing standard output failed with ``exc`` (what is left of it goes nowhere).

    A reader that went away (``| head``) ends the command quietly with its own code. A full disk (``> /dev/full``)
    is said on stderr with the fact that what the command did is kept (a report is saved before it is said, and
    running it again would record it twice), and the code is 7. Either way a check or verify that failed (see
    :func:`verdict`) says its failure and keeps its own code.
    """
    silence(sys.stdout)
    from campaignsafe.cli._app import error_line

    failure = pending()
    if failure is not None:
        error_line(failure.message, failure.hint)
    if reader_gone(exc, sys.stdout):
        return failure.exit_code if failure is not None else code
    error_line(
        f"cannot write the output ({exc.strerror or type(exc).__name__}); what the command did is kept",
        "free some space, or send the output elsewhere; if it saved something (a report, a change), that is"
        " saved, so do not do it again (campaignsafe incidents list shows the record)",
    )
    return failure.exit_code if failure is not None else code or UNWRITTEN
