"""A reader that went away (``campaignsafe … | head``): told apart from other output errors on every platform."""

from __future__ import annotations

import errno
import os
import sys
from typing import Any


def reader_gone(exc: BaseException, stream: Any = None) -> bool:
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
