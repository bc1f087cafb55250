"""restore and import killed half-way (SIGKILL, a real process): the store is as it was, or complete."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from campaignsafe.backup.restore import is_empty
from tests.backup_helpers import ok, snapshot, use_home
from tests.incident_helpers import write_json

FILES = 120
SIZE = 256 << 10


def _big_record(folder: Path) -> None:
    """One incident with many incompressible evidence files, so a restore or import takes a while."""
    ok("profile", "--name", "Jo Smith")
    files = folder / "files"
    files.mkdir(parents=True)
    for i in range(FILES):
        (files / f"photo-{i:03}.jpg").write_bytes(os.urandom(SIZE))
    data = {
        "occurred_at": "2026-04-01T10:00",
        "kind": "threats",
        "description": "Many photos.",
        "location": {"text": "High Street"},
        "evidence": [{"path": f"photo-{i:03}.jpg"} for i in range(FILES)],
    }
    ok("report", "--from-file", str(write_json(files, data)))


def _kill_when(argv: list[str], home: Path, ready: Callable[[], bool]) -> bool:
    """Start campaignsafe in a real process, SIGKILL it as soon as ``ready()``; True when it was killed mid-run."""
    env = {**os.environ, "CAMPAIGNSAFE_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "campaignsafe", *argv], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while proc.poll() is None and not ready() and time.monotonic() < deadline:
        time.sleep(0.002)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return killed


def _staged(home: Path, what: str) -> Callable[[], bool]:
    def ready() -> bool:
        for staging in home.parent.glob(f".{home.name}.restoring-*"):
            if what == "files" and any((staging / "evidence").rglob("*")):
                return True
            if what == "store" and (staging / "incidents.db").exists():
                return True
        return False

    return ready


@pytest.mark.parametrize("moment", ["files", "store"])
def test_restore_killed_half_way(moment: str, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A restore killed while it writes files, or while it builds the store, leaves the data folder empty;
    the next restore completes and gives the same store."""
    _big_record(tmp_path / "js")
    backup = tmp_path / "backup.zip"
    ok("backup", str(backup))
    before = snapshot(home)
    new = use_home(monkeypatch, tmp_path / "new-laptop")
    killed = _kill_when(["restore", str(backup)], new, _staged(new, moment))
    assert killed or moment == "store", "the restore finished before it could be killed: make the record bigger"
    if killed:
        assert is_empty(new)
    else:
        assert snapshot(new) == before
    if killed:
        ok("restore", str(backup))
    assert snapshot(new) == before
    assert ok("check").stdout.startswith("OK")
    assert not list(new.parent.glob(".new-laptop.*"))


def _modes(folder: Path) -> set[tuple[str, int]]:
    """(kind, permission bits) of ``folder`` and everything under it."""
    found = {("dir", folder.stat().st_mode & 0o777)}
    for p in folder.rglob("*"):
        found.add(("dir" if p.is_dir() else "file", p.lstat().st_mode & 0o777))
    return found


@pytest.mark.skipif(sys.platform == "win32", reason="flock and permission bits are POSIX")
@pytest.mark.parametrize("moment", ["files", "store"])
def test_a_killed_restores_copy_is_private_and_swept_by_the_next_command(
    moment: str, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restore killed half-way leaves an unencrypted copy of the record beside the data folder: folders 0700,
    files 0600, and gone after the next command that opens the data folder (not only the next restore)."""
    _big_record(tmp_path / "js")
    backup = tmp_path / "backup.zip"
    ok("backup", str(backup))
    new = use_home(monkeypatch, tmp_path / "new-laptop")
    if not _kill_when(["restore", str(backup)], new, _staged(new, moment)):
        assert moment == "store", "the restore finished before it could be killed: make the record bigger"
        pytest.skip("the restore finished before it could be killed while building the store")
    left = list(new.parent.glob(f".{new.name}.restoring-*"))
    assert len(left) == 1 and any((left[0] / "evidence").rglob("*"))
    assert _modes(left[0]) <= {("dir", 0o700), ("file", 0o600)}, _modes(left[0])
    env = {**os.environ, "CAMPAIGNSAFE_HOME": str(new)}
    done = subprocess.run(
        [sys.executable, "-m", "campaignsafe", "incidents", "list"], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert not list(new.parent.glob(f".{new.name}.*")), "the killed restore's copy is still there"
    ok("restore", str(backup))  # the folder holds only an unused store: still restorable
    assert ok("check").stdout.startswith("OK")


def _count(home: Path) -> int:
    conn = sqlite3.connect(home / "incidents.db")
    try:
        return int(conn.execute("SELECT count(*) FROM incidents").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("moment", ["copying", "late"])
def test_import_killed_half_way(moment: str, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An import killed while it copies evidence (or at the end) leaves the record as it was or complete,
    never in between; importing again completes it, once."""
    _big_record(tmp_path / "js")
    bundle = tmp_path / "js.zip"
    ok("export", "--all", "--bundle", str(bundle))
    agent = use_home(monkeypatch, tmp_path / "agent")
    ok("profile", "--name", "Alex Brown")
    ok("report", "--when", "2026-05-09 10:00", "--kind", "threats", "--description", "mine", "--place", "Here")
    before = snapshot(agent)

    def ready() -> bool:
        stored = [p for p in (agent / "evidence").rglob("*") if p.is_file()] if (agent / "evidence").exists() else []
        return len(stored) >= (2 if moment == "copying" else FILES)

    killed = _kill_when(["import", str(bundle)], agent, ready)
    assert killed or moment == "late", "the import finished before it could be killed: make the bundle bigger"
    n = _count(agent)
    assert n in (1, 2)
    if n == 1:
        assert snapshot(agent)["tables"] == before["tables"]
    assert ok("check").stdout.startswith("OK")
    ok("import", str(bundle))
    assert _count(agent) == 2
    assert ok("check").stdout.startswith("OK")
    assert ok("import", str(bundle), "--json").json["imported"] == []


@pytest.mark.parametrize("encrypt", [False, True], ids=["plain", "encrypted"])
def test_backup_killed_half_way(encrypt: bool, home: Path, tmp_path: Path) -> None:
    """A backup killed while it writes leaves no backup file (never half of one), and an encrypted one
    leaves nothing unencrypted on the disk; the next backup clears the partial file and writes one that
    verifies (an encrypted one: that restores)."""
    from tests.backup_helpers import passphrase_file

    _big_record(tmp_path / "js")
    out_dir = tmp_path / "usb"
    out_dir.mkdir()
    out = out_dir / ("campaign.age" if encrypt else "campaign.zip")
    extra = ["--encrypt", "--passphrase-file", str(passphrase_file(tmp_path))] if encrypt else []

    def writing() -> bool:
        return any(p.stat().st_size > (1 << 20) for p in out_dir.glob(f".{out.name}.*.tmp"))

    partial: list[bytes] = []

    def caught() -> bool:
        if not writing():
            return False
        partial.extend(p.read_bytes() for p in out_dir.glob(f".{out.name}.*.tmp"))
        return True

    assert _kill_when(["backup", str(out), *extra], home, caught), "the backup finished before it could be killed"
    assert not out.exists()
    if encrypt:  # sealed as it was written: the part on disk is ciphertext only
        assert partial and all(p.startswith(b"age-encryption.org/v1") for p in partial)
        assert not any(b"BACKUP.json" in p or b"incidents" in p or b"PK\x03\x04" in p for p in partial)
    ok("backup", str(out), *extra)
    if encrypt:
        target = tmp_path / "restored"
        env = {**os.environ, "CAMPAIGNSAFE_HOME": str(target)}
        done = subprocess.run(
            [sys.executable, "-m", "campaignsafe", "restore", str(out), *extra[1:]], env=env, capture_output=True
        )
        assert done.returncode == 0, done.stderr
    else:
        assert ok("verify", str(out)).stdout.startswith("OK")
    assert [p.name for p in out_dir.iterdir()] == [out.name]


@pytest.mark.skipif(sys.platform == "win32", reason="flock and permission bits are POSIX")
def test_check_with_no_record_yet_sweeps_a_killed_restores_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check` before anything is recorded (a restore killed on a new laptop) still removes the abandoned copy."""
    new = use_home(monkeypatch, tmp_path / "new-laptop")
    left = tmp_path / f".{new.name}.restoring-x1y2z3"
    (left / "evidence").mkdir(parents=True)
    (left / "evidence" / "photo.jpg").write_bytes(b"unencrypted evidence")
    (left / ".restore-owner").write_bytes(b"")  # its owner file, held by no running restore
    r = ok("check")
    assert r.stdout.startswith("OK")
    assert not left.exists(), "the killed restore's copy is still there"
