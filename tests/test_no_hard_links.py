"""A data folder on a disk without hard links (FAT32 or exFAT on a USB stick): the record is made there all the same,
and still never written over."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from campaignsafe import paths
from tests.conftest import run
from tests.export_helpers import make_record


@pytest.fixture
def no_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """``link`` fails as Linux's vfat makes it fail (macOS's exFAT says ENOTSUP instead)."""

    def refuse(src: object, dst: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", refuse)


def test_the_whole_record_works_where_the_disk_has_no_hard_links(no_links: None, tmp_path: Path, home: Path) -> None:
    """Creating the store failed ("cannot create the incident store"), so such a stick could hold no record: now
    reports, evidence, an amendment, the check and a verified bundle all work there."""
    ids = make_record(tmp_path)
    assert len(ids) == 3 and (home / "incidents.db").is_file()
    stored = [p for p in (home / "evidence").rglob("*") if p.is_file()]
    assert stored and all(hashlib.sha256(p.read_bytes()).hexdigest() == p.name for p in stored)
    again = run("incidents", "add-evidence", str(ids[1]), str(tmp_path / "files" / "photo.jpg"))
    assert again.exit_code == 0, again.stderr
    assert sorted(p for p in (home / "evidence").rglob("*") if p.is_file()) == sorted(stored)  # one copy of each
    assert run("check").exit_code == 0
    out = tmp_path / "b.zip"
    assert run("export", "--all", "--bundle", str(out)).exit_code == 0
    assert run("verify", str(out)).exit_code == 0
    assert not [p for p in home.rglob("*") if p.name.startswith((".incoming-", ".incidents.db."))]


@pytest.mark.parametrize("links", [True, False], ids=["hard-link", "rename"])
def test_placing_never_replaces_what_is_there(links: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways of placing a finished file refuse a path that already holds one, and leave it as it was."""
    if not links:
        monkeypatch.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.ENOTSUP, "no links")))
    dest, tmp = tmp_path / "incidents.db", tmp_path / ".incidents.db.tmp"
    dest.write_bytes(b"the record")
    tmp.write_bytes(b"something else")
    with pytest.raises(FileExistsError):
        paths.place_new(tmp, dest)
    assert dest.read_bytes() == b"the record"
    fresh = tmp_path / "new"
    paths.place_new(tmp, fresh)
    assert fresh.read_bytes() == b"something else"


def test_another_failure_of_link_is_not_taken_for_a_disk_without_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    """A full disk or a read-only one is reported as itself (exit 5), not worked around."""
    monkeypatch.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.EROFS, "Read-only")))
    r = run("report", "--when", "2026-05-01 18:30", "--kind", "threats", "--place", "High Street", "--description", "x")
    assert r.exit_code == 5 and "cannot create the incident store" in r.stderr and "Read-only" in r.stderr
    assert not (home / "incidents.db").exists()


def test_a_rename_that_fails_half_way_leaves_no_store_and_the_next_run_makes_one(
    no_links: None, monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    """Stopped at the rename (a full disk, a pulled stick), nothing is left that looks like a store, and the
    temporary file is cleared; the next report makes the store and is saved."""
    real = os.rename

    def pulled(src: object, dst: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "rename", pulled)
    flags = ("--when", "2026-05-01 18:30", "--kind", "threats", "--place", "High Street", "--description", "x")
    r = run("report", *flags)
    assert r.exit_code == 5 and "Input/output error" in r.stderr
    assert sorted(p.name for p in home.iterdir() if not p.name.endswith(".lock")) == []
    monkeypatch.setattr(os, "rename", real)
    assert run("report", *flags).exit_code == 0
    assert run("incidents", "list", "--json").json["incidents"][0]["id"] == 1
