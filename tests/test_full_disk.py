"""A full disk under the data folder is said to be one, not "disk I/O error", and the record can still be read.

When the disk is full SQLite cannot make the store's shared-memory file and answers every command,
even one that only reads, with "disk I/O error". campaignsafe says the disk is full (exit 5, with
the way out) when it is, and nothing else when it is not; a command that only reads reads the store
file as it stands when that file holds the whole record.
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


def _fill(disk: Path) -> None:
    with contextlib.suppress(OSError), (disk / "fill").open("wb") as fh:
        while True:
            fh.write(b"\0" * 65536)


def test_a_full_disk_still_lets_the_record_be_read_and_says_full_to_what_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a full disk every command, even one that only reads, failed with "the disk is full" (SQLite could not
    make the shared-memory file a reader of a WAL store needs): the record could not be listed, shown or checked
    until space was freed. The store file holds the whole record then, so it is read as it stands; what writes is
    still refused as the disk being full, and an export says its scratch folder has no room (it was "cannot write
    the output … what the command did is kept", exit 7)."""
    with _small_disk(tmp_path / "small") as disk:
        monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(disk / "home"))
        assert run("report", *FLAGS).exit_code == 0
        _fill(disk)
        listed = run("incidents", "list", "--json")
        assert listed.exit_code == 0 and len(listed.json["incidents"]) == 1, listed.stderr
        shown = run("incidents", "show", "1")
        assert shown.exit_code == 0 and "High Street" in shown.stdout, shown.stderr
        checked = run("check", "--quick")
        assert checked.exit_code == 0 and "the record holds" in checked.stdout, checked.stderr
        for argv in (("report", *FLAGS), ("incidents", "delete", "1", "--yes"), ("export", "--all")):
            r = run(*argv)
            assert r.exit_code == 5, (argv, r.stdout, r.stderr)
            assert "the disk is full" in r.stderr and "free some space" in r.stderr, (argv, r.stderr)
        (disk / "fill").unlink()
        r = run("incidents", "list", "--json")
        assert r.exit_code == 0 and len(r.json["incidents"]) == 1  # nothing lost, nothing added


def test_a_full_disk_with_transactions_still_in_the_wal_is_not_read_without_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read as it stands, a store whose ``-wal`` still holds transactions (a process killed before SQLite moved
    them into the file) would be shown without them: refused as the disk being full instead."""
    with _small_disk(tmp_path / "small") as disk:
        monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(disk / "home"))
        assert run("report", *FLAGS).exit_code == 0
        db = disk / "home" / "incidents.db"
        killed = (
            "import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None);"
            " c.execute('PRAGMA wal_autocheckpoint = 0');"
            " c.execute('CREATE TABLE t (x)'); c.execute('DROP TABLE t'); os._exit(0)"
        )
        subprocess.run([sys.executable, "-c", killed, str(db)], check=True)
        assert (disk / "home" / "incidents.db-wal").stat().st_size > 0
        (disk / "home" / "incidents.db-shm").unlink()  # as after a restart: the next reader must make it again
        _fill(disk)
        for argv in (("incidents", "list"), ("check", "--quick")):
            r = run(*argv)
            assert r.exit_code == 5, (argv, r.stdout, r.stderr)
            assert "the disk is full" in r.stderr, (argv, r.stderr)
        (disk / "fill").unlink()
        assert run("incidents", "list").exit_code == 0


def test_a_store_read_on_a_full_disk_is_held_so_no_writer_tears_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read as it stood (SQLite's ``immutable``), the store took no locks: once space was freed, another process
    could write and move its ``-wal`` into the file mid-read, so a long check read a torn record and called it
    damaged. Read with the ``-wal`` index in memory and the store held, a writer waits until the read is done."""
    if sys.platform == "win32":
        pytest.skip("no unix-excl layer on Windows: there a full disk is refused")
    from campaignsafe.incidents import schema

    with _small_disk(tmp_path / "small") as disk:
        monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(disk / "home"))
        assert run("report", *FLAGS).exit_code == 0
        db = disk / "home" / "incidents.db"
        _fill(disk)
        conn, _pending = schema.connect_readonly(db)
        try:
            assert conn.execute("SELECT count(*) FROM incidents").fetchone() == (1,)
            (disk / "fill").unlink()  # room again: a writer could go ahead
            other = sqlite3.connect(db, timeout=0.1, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
        finally:
            conn.close()
        assert run("report", *FLAGS).exit_code == 0  # released when the read is done
        assert run("check", "--quick").exit_code == 0
