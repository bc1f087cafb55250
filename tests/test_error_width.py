"""Error and hint lines fit the terminal: folded to its width on a terminal, one line each anywhere else.

Driven through the real CLI with stderr on a pseudo-terminal, as a user sees it: no line is wider
than the terminal (which would break a word or a command in two where it ends), continuation lines
are indented, and the command a hint gives stays whole on one line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.backup_helpers import ok
from tests.export_helpers import make_record

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")

WHEN = ["report", "--when", "next blursday", "--place", "High Street", "--kind", "threats", "--description", "d"]


def _stderr_on_a_terminal(argv: list[str], cwd: Path, columns: int) -> tuple[int, list[str]]:
    """Run campaignsafe with stderr on a pseudo-terminal ``columns`` wide: its exit code and stderr's lines."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {**os.environ, "COLUMNS": str(columns)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "campaignsafe", *argv],
        cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave,
    )  # fmt: skip
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the other end closed (Linux says EIO)
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    code = proc.wait(timeout=60)
    return code, out.decode("utf-8").replace("\r\n", "\n").splitlines()


def _stderr_in_a_pipe(argv: list[str], cwd: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "campaignsafe", *argv], cwd=cwd, capture_output=True, text=True, timeout=60
    )
    return done.stderr.splitlines()


@pytest.fixture
def cases(tmp_path: Path, home: Path) -> dict[str, tuple[list[str], str | None]]:
    """argv → the command its hint must give whole (None: no command), for the three longest errors."""
    make_record(tmp_path / "js")
    ok("backup", str(tmp_path / "b.zip"))
    folder = tmp_path / "a-folder-with-a-longer-name-than-most"
    folder.mkdir()
    (folder / "not-a-backup-at-all.zip").write_text("hello\n")
    return {
        "when": (WHEN, None),
        "restore": (["restore", "b.zip"], "campaignsafe import b.zip"),
        "import": (["import", str(folder / "not-a-backup-at-all.zip")], None),
    }


def test_a_path_with_spaces_is_never_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The data folder on macOS is under "Application Support": its path stays whole on one line."""
    home = tmp_path / "Library" / "Application Support" / "campaignsafe"
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(home))
    make_record(tmp_path / "js")
    ok("backup", str(tmp_path / "b.zip"))
    for columns in (80, 70, 60):
        code, lines = _stderr_on_a_terminal(["restore", "b.zip"], tmp_path, columns)
        assert code == 5 and any(str(home) in line for line in lines), "\n".join(lines)


@pytest.mark.parametrize("columns", [80, 50])
@pytest.mark.parametrize("case", ["when", "restore", "import"])
def test_error_lines_fit_the_terminal(
    case: str, columns: int, cases: dict[str, tuple[list[str], str | None]], tmp_path: Path
) -> None:
    argv, command = cases[case]
    code, lines = _stderr_on_a_terminal(argv, tmp_path, columns)
    assert code in (3, 5), lines
    assert lines[0].startswith("campaignsafe: error:")
    # only a path longer than the terminal itself is wider (never split: it still copies whole)
    assert all(len(line) <= columns or len(line.split()) == 1 for line in lines), "\n".join(lines)
    piped = _stderr_in_a_pipe(argv, tmp_path)
    assert len(piped) > 1 or any(len(line) > columns for line in piped), "short anyway: not a test of folding"
    assert len(lines) > len(piped)  # folded, and nothing lost: the same words in the same order
    assert " ".join(" ".join(lines).split()) == " ".join(" ".join(piped).split())
    for line in lines[1:]:  # indented, unless a path too long to fit indented (it starts the line instead)
        assert line.startswith(("    ", "  hint: ")) or (len(line.split()) == 1 and len(line) + 4 > columns), line
    if command is not None:
        assert any(command in line for line in lines), "the command was split:\n" + "\n".join(lines)


def test_errors_stay_one_line_each_when_not_on_a_terminal(
    cases: dict[str, tuple[list[str], str | None]], tmp_path: Path
) -> None:
    """A pipe or a log gets the error and its hint as one line each, as before (what scripts and tests read)."""
    for argv, _command in cases.values():
        lines = _stderr_in_a_pipe(argv, tmp_path)
        assert 1 <= len(lines) <= 2 and lines[0].startswith("campaignsafe: error: ")
        assert len(lines) == 1 or lines[1].startswith("  hint: ")
