"""campaignsafe's own small files in the data folder: a FIFO, device or socket in their place is refused
unopened (exit 5, one line naming the file), never waited on or read without end."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from campaignsafe.errors import StoreError
from campaignsafe.inputfiles import read_data_file
from tests.conftest import run

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev files are POSIX")
FLAGS = ("--when", "2026-05-01 18:30", "--place", "High Street", "--kind", "threats")

#: (the file in the data folder, a command that reads it)
CASES = [
    ("profile.json", ("profile",)),
    ("profile.json", ("incidents", "list")),
    ("contacts.json", ("contact", "saved")),
    ("drafts/report.json", ("report", "--resume")),
    ("checklist/default.json", ("checklist", "list")),
    ("bundle-signing-key", ("export", "--all", "--bundle", "{tmp}/out.zip")),
]


def cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[bytes]:
    """The command in a real process: a hang fails the test through the timeout."""
    return subprocess.run(
        [sys.executable, "-m", "campaignsafe", *args], capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def _record() -> None:
    r = run("report", *FLAGS, "--description", "A man shouted.", "--no-input")
    assert r.exit_code == 0, r.stderr


def _place(home: Path, rel: str, kind: str) -> Path:
    target = home / rel
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if target.exists():
        target.unlink()
    if kind == "fifo":
        os.mkfifo(target, 0o600)
    elif kind == "device":
        target.symlink_to("/dev/zero")
    return target


@POSIX
@pytest.mark.parametrize("kind", ["fifo", "device"])
@pytest.mark.parametrize(("rel", "command"), CASES, ids=[f"{r}-{c[0]}" for r, c in CASES])
def test_a_special_file_in_the_data_folder_is_refused(
    rel: str, command: tuple[str, ...], kind: str, home: Path, tmp_path: Path
) -> None:
    if kind == "device" and not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    _record()
    target = _place(home, rel, kind)
    r = cli(*(c.format(tmp=tmp_path) for c in command))
    assert r.returncode == 5, (r.returncode, r.stderr)
    err = r.stderr.decode()
    assert "not a file" in err and str(target.name) in err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2
    assert not (tmp_path / "out.zip").exists()


@POSIX
def test_a_socket_in_place_of_the_profile_is_refused(home: Path, tmp_path: Path) -> None:
    home.mkdir(mode=0o700)
    target = home / "profile.json"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(target))
        r = cli("profile")
    finally:
        sock.close()
    assert r.returncode == 5 and b"socket" in r.stderr


def test_read_data_file_caps_and_misses(tmp_path: Path) -> None:
    """The core function: None when the file is missing, its bytes when small, StoreError when too large."""
    p = tmp_path / "profile.json"
    assert read_data_file(p, "your profile") is None
    p.write_bytes(b"{}")
    assert read_data_file(p, "your profile") == b"{}"
    p.write_bytes(b"x" * 101)
    with pytest.raises(StoreError) as exc:
        read_data_file(p, "your profile", limit=100)
    assert exc.value.exit_code == 5 and "larger than 100 bytes" in exc.value.message
    (tmp_path / "folder.json").mkdir()
    with pytest.raises(StoreError, match="a folder"):
        read_data_file(tmp_path / "folder.json", "your profile")
