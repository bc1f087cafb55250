"""A full disk under the data folder is said to be one, for every command, not "disk I/O error".

When the disk is full SQLite cannot grow the store's shared-memory file and answers every command,
even one that only reads, with "disk I/O error". campaignsafe says the disk is full (exit 5, with
the way out) when it is, and nothing else when it is not.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections import namedtuple
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run
from tests.incident_helpers import count

FLAGS = ("--when", "2026-05-01 18:30", "--place", "High Street", "--kind", "threats", "--description", "d")
Usage = namedtuple("Usage", "total used free")


def _io_error(*_a: object, **_k: object) -> None:
    raise sqlite3.OperationalError("disk I/O error")


@pytest.mark.parametrize(("free", "said"), [(0, "the disk is full"), (10 << 30, "disk I/O error")])
def test_a_disk_i_o_error_on_a_full_disk_says_the_disk_is_full(
    free: int, said: str, monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    assert run("report", *FLAGS).exit_code == 0
    monkeypatch.setattr("campaignsafe.incidents.audit.append", _io_error)
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: Usage(1 << 30, (1 << 30) - free, free))
    r = run("report", *FLAGS)
    assert r.exit_code == 5, r.stderr
    assert said in r.stderr and len(r.stderr.strip().splitlines()) <= 2
    assert ("free some space" in r.stderr) == (free == 0)
    monkeypatch.undo()
    assert count(home) == 1


@contextlib.contextmanager
def _small_disk(where: Path) -> Iterator[Path]:
    """A real 600 KiB file system (tmpfs), or a skip where this user cannot mount one."""
    where.mkdir()
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root on Linux")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(where)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_a_really_full_disk_is_said_by_every_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with _small_disk(tmp_path / "small") as disk:
        monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(disk / "home"))
        assert run("report", *FLAGS).exit_code == 0
        with contextlib.suppress(OSError), (disk / "fill").open("wb") as fh:
            while True:
                fh.write(b"\0" * 65536)
        for argv in (("incidents", "list"), ("check", "--quick"), ("report", *FLAGS)):
            r = run(*argv)
            assert r.exit_code == 5, (argv, r.stdout, r.stderr)
            assert "the disk is full" in r.stderr and "free some space" in r.stderr, (argv, r.stderr)
        (disk / "fill").unlink()
        r = run("incidents", "list", "--json")
        assert r.exit_code == 0 and len(r.json["incidents"]) == 1  # nothing lost
