"""An export killed half-way (SIGKILL) leaves its scratch folder and the bundle's temporary file; the next
export sweeps them, but never those of an export still running; backups never carry scratch folders."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from campaignsafe.backup.archive import home_files
from campaignsafe.exports import spool
from tests.conftest import run
from tests.export_helpers import make_record

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and flock are POSIX")

KILL_AT_REPLACE = """
import os, signal, sys
real = os.replace
def replace(src, dst, *a, **k):
    if str(dst).endswith("out.zip"):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(src, dst, *a, **k)
os.replace = replace
from campaignsafe.cli import main
sys.argv = ["campaignsafe", *sys.argv[1:]]
main()
"""

HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(120)
"""


@pytest.fixture
def record(tmp_path: Path) -> list[int]:
    return make_record(tmp_path)


def _scratch(home: Path) -> list[Path]:
    return sorted(p for p in home.iterdir() if p.name.startswith(".export-"))


def _partials(folder: Path) -> list[Path]:
    return sorted(folder.glob(".out.zip.*.tmp"))


def _holder(path: Path) -> subprocess.Popen[str]:
    """Another running process holding ``path`` as a live export holds its files."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


@POSIX
def test_a_killed_export_is_swept_by_the_next(record: list[int], home: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.zip"
    env = {**os.environ, "CAMPAIGNSAFE_HOME": str(home)}
    p = subprocess.run(
        [sys.executable, "-c", KILL_AT_REPLACE, "export", "--all", "--bundle", str(out)], env=env, capture_output=True
    )
    assert p.returncode == -signal.SIGKILL, p.stderr
    assert len(_scratch(home)) == 1 and len(_partials(tmp_path)) == 1 and not out.exists()
    r = run("export", "--all", "--bundle", str(out))
    assert r.exit_code == 0, r.stderr
    assert _scratch(home) == [] and _partials(tmp_path) == []
    assert run("verify", str(out)).exit_code == 0


@POSIX
def test_a_killed_export_is_swept_by_an_export_to_another_file(record: list[int], home: Path, tmp_path: Path) -> None:
    """The scratch folder lives in the data folder: any later export sweeps it."""
    env = {**os.environ, "CAMPAIGNSAFE_HOME": str(home)}
    p = subprocess.run(
        [sys.executable, "-c", KILL_AT_REPLACE, "export", "--all", "--bundle", str(tmp_path / "out.zip")],
        env=env,
        capture_output=True,
    )
    assert p.returncode == -signal.SIGKILL and len(_scratch(home)) == 1
    assert run("export", "--all", "--format", "csv").exit_code == 0
    assert _scratch(home) == []


@POSIX
def test_a_running_exports_files_are_never_swept(record: list[int], home: Path, tmp_path: Path) -> None:
    """Held by a live process: its scratch folder and its half-written bundle stay; once it is gone, they go."""
    live = home / ".export-live1234"
    live.mkdir(mode=0o700)
    (live / "json").write_text("part")
    partial = tmp_path / ".out.zip.abcd1234.tmp"
    holders = [_holder(live / spool.OWNER), _holder(partial)]
    try:
        r = run("export", "--all", "--bundle", str(tmp_path / "out.zip"))
        assert r.exit_code == 0, r.stderr
        assert (live / "json").exists() and partial.exists()
    finally:
        for h in holders:
            h.kill()
            h.wait()
    assert run("export", "--all", "--bundle", str(tmp_path / "out.zip")).exit_code == 0
    assert not live.exists() and not partial.exists()


def test_an_old_scratch_folder_without_an_owner_is_swept(record: list[int], home: Path) -> None:
    """One from an older campaignsafe (or killed as it was made): swept once it is an hour old, not before."""
    young, old = home / ".export-young000", home / ".export-old00000"
    for folder in (young, old):
        folder.mkdir(mode=0o700)
        (folder / "md").write_text("part")
    past = time.time() - 2 * spool.NO_OWNER_STALE
    os.utime(old, (past, past))
    assert run("export", "--all", "--format", "md").exit_code == 0
    assert young.exists() and not old.exists()


def test_a_backup_never_carries_a_scratch_folder(record: list[int], home: Path, tmp_path: Path) -> None:
    """A scratch folder (live or killed) holds the export's copy of the record: never in a backup."""
    stale = home / ".export-stale000"
    stale.mkdir(mode=0o700)
    (stale / "json").write_text("a killed export's part file")
    assert not any(rel.startswith(".export-") for rel in home_files(home))
    out = tmp_path / "b.zip"
    r = run("backup", str(out))
    assert r.exit_code == 0, r.stderr
    with zipfile.ZipFile(out) as zf:
        assert not [n for n in zf.namelist() if ".export-" in n]
