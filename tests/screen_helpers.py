"""What a user sees on a narrow terminal: no line wider than the screen, nothing to copy split."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from tests.incident_helpers import flat

__all__ = ["FINGERPRINT", "HASH", "WHOLE", "assert_fits", "flat", "on_a_terminal", "split_hashes", "too_wide"]

#: what may never be split, and alone may be wider than the screen (it could not fit any line)
WHOLE = re.compile(
    r"[(<\"']?(?:https?://|www\.)\S+"  # a web address
    r"|\S*[0-9a-f]{32,}\S*"  # a SHA-256, an audit anchor SEQ:SHA256
    r"|\S*SHA256:[A-Za-z0-9+/=]{20,}\S*"  # an SSH key fingerprint
    r"|campaignsafe \S.*",  # a command to type
    re.IGNORECASE,
)
HASH = re.compile(r"\b[0-9a-f]{64}\b")
FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")


def too_wide(text: str, columns: int) -> list[str]:
    """Lines wider than ``columns``, except one thing that cannot be split alone on its line: an
    address, hash, fingerprint, command to type or any other single word (a long file name)."""
    return [
        line for line in text.splitlines()
        if len(line) > columns and not WHOLE.fullmatch(line.strip()) and " " in line.strip()
    ]  # fmt: skip


def split_hashes(text: str, wanted: list[str]) -> list[str]:
    """The hashes and fingerprints of ``wanted`` that are not whole on one line of ``text``."""
    lines = text.splitlines()
    return [h for h in wanted if not any(h in line for line in lines)]


def assert_fits(text: str, columns: int, whole: Sequence[str] = ()) -> None:
    """No line too wide; every string of ``whole`` (hashes, commands, addresses) on one line."""
    wide = too_wide(text, columns)
    assert not wide, f"wider than {columns}:\n" + "\n".join(wide)
    broken = split_hashes(text, list(whole))
    assert not broken, f"split across lines: {broken}\n{text}"


#: how long a program run on a pseudo-terminal may take before the test fails (it would otherwise hang CI)
TERMINAL_TIMEOUT_S = 120.0


def on_a_terminal(
    argv: Sequence[str], env: dict[str, str] | None = None, reply: tuple[bytes, bytes] | None = None
) -> tuple[int, bytes]:
    """Run ``argv`` on a pseudo-terminal (POSIX) with ``env`` added, typing ``reply[1]`` once ``reply[0]``
    (lower case) has been shown: its exit code and everything it showed."""
    import pty
    import signal

    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        # as a shell starts a command: no signal blocked or ignored. A Python started with SIGINT ignored keeps it
        # so (Ctrl-C then does nothing), and this pytest process may carry what another test left behind.
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGTERM):
            signal.signal(s, signal.SIG_DFL)
        os.environ.update(env or {})
        os.execvp(argv[0], list(argv))
    import select
    import time

    seen, sent = b"", reply is None
    deadline = time.monotonic() + TERMINAL_TIMEOUT_S
    while True:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:  # a prompt never shown (or never answered): fail, never wait for ever
            try:  # which signals it blocked, ignored and caught, to tell a hang from a harness's leftovers
                status = Path(f"/proc/{pid}/status").read_text().splitlines()
                masks = [ln for ln in status if ln.startswith("Sig")]
            except OSError:
                masks = []
            seen += ("\n" + " ".join(masks)).encode()
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(fd)
            raise AssertionError(f"no end after {TERMINAL_TIMEOUT_S:.0f} s on the terminal; it showed: {seen!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child has gone and closed its side
            break
        if not chunk:
            break
        seen += chunk
        if not sent and reply is not None and reply[0] in seen.lower():
            os.write(fd, reply[1])
            sent = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), seen
