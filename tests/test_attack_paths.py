"""Attacks on where exports and backups may be written, and on sweeping killed exports' scratch folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from campaignsafe import paths
from tests.backup_helpers import ok
from tests.conftest import run
from tests.incident_helpers import minimal, write_json


def test_a_target_beside_the_data_folder_spelt_with_dotdot_is_written(home: Path, tmp_path: Path) -> None:
    """``HOME/../out.zip`` is beside the data folder, not in it: it was refused as inside it (its lexical
    parents include HOME)."""
    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    ok("backup", str(home / ".." / "b.zip"))
    assert (tmp_path / "b.zip").is_file()
    ok("export", "--all", "--format", "json", "-o", str(home / ".." / "x.json"))
    assert (tmp_path / "x.json").is_file()


def test_a_target_inside_the_data_folder_is_still_refused_however_spelt(home: Path, tmp_path: Path) -> None:
    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "up").symlink_to(home)
    for target in (home / "x.json", home / "." / "x.json", tmp_path / "out" / "up" / "x.json",
                   tmp_path / "out" / ".." / "home" / "x.json"):  # fmt: skip
        r = run("export", "--all", "--format", "json", "-o", str(target))
        assert r.exit_code == 3 and "inside campaignsafe's data folder" in r.stderr, target
    assert not list(home.glob("x.json"))


@pytest.mark.skipif(sys.platform == "win32", reason="Windows holds no lock; an open file cannot be deleted there")
def test_a_sweep_the_moment_an_export_makes_its_owner_file_leaves_it_alone(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another export sweeping between this one making its owner file and locking it took the live folder
    as abandoned and removed it (and its own test lock kept this one from ever holding it)."""
    from campaignsafe import paths
    from campaignsafe.exports import spool

    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    real_hold = paths.hold
    swept: list[list[Path]] = []

    def hold_after_a_sweep(fd: int) -> None:
        swept.append(spool.sweep(home))  # the other export, at the worst moment
        real_hold(fd)

    monkeypatch.setattr(spool.paths, "hold", hold_after_a_sweep)
    r = run("export", "--all", "--bundle", str(tmp_path / "out.zip"))
    assert r.exit_code == 0, r.stderr
    assert swept and swept[0] == []
    assert (tmp_path / "out.zip").is_file() and not list(home.glob(".export-*"))


def test_a_full_data_folder_during_an_export_is_not_blamed_on_the_target(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export's scratch files live in the data folder; with that disk full the export said
    'cannot write OUT.zip: No space left on device' (exit 3), about a target on another disk."""
    import errno
    import os

    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fh: object) -> None:
            self.fh = fh

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name: str) -> object:
            return getattr(self.fh, name)

    def fdopen(fd: int, mode: str = "r", *args: object, **kw: object) -> object:
        fh = real_fdopen(fd, mode, *args, **kw)  # type: ignore[call-overload]
        return Full(fh) if mode == "w+b" else fh  # the scratch part files only

    monkeypatch.setattr(os, "fdopen", fdopen)
    out = tmp_path / "out.zip"
    r = run("export", "--all", "--bundle", str(out))
    assert r.exit_code == 5, r.stderr
    assert "scratch files in" in r.stderr and "cannot write " + str(out) not in r.stderr
    assert not out.exists()


def test_a_data_folder_or_an_export_named_near_the_limit_still_works(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Temporary names were the whole name and more (``.NAME.restoring-xxxx``, ``.NAME.xxxxxxxx.tmp``): a folder or
    file named with 240 bytes (80 Welsh or Greek letters) could not be restored into ("File name too long", exit
    5) or exported to. A long name is shortened in the temporary one; a killed restore's is still swept."""
    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    ok("backup", str(tmp_path / "b.zip"))
    long_name = "ŵ" * 120  # 240 bytes in UTF-8
    out = tmp_path / f"{'x' * 245}.json"
    ok("export", "--all", "--format", "json", "-o", str(out))
    assert out.is_file()
    target = tmp_path / "sticks" / long_name
    target.parent.mkdir()
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(target))
    ok("restore", str(tmp_path / "b.zip"))
    assert len(run("incidents", "list", "--json").json["incidents"]) == 1
    assert [p.name for p in target.parent.iterdir()] == [long_name]  # nothing left beside it

    killed = target.parent / f".{paths.beside(long_name)}{paths.RESTORING}abc"
    killed.mkdir()
    old = 4 * 3600
    os.utime(killed, (killed.stat().st_atime - old, killed.stat().st_mtime - old))
    assert killed in paths.sweep_restores(target)
