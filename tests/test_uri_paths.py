"""A data folder whose name holds a URI's own characters (``#``, ``?``, ``%``), or that is on a Windows share, is
opened read-only as itself."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from campaignsafe.incidents.schema import file_uri
from tests.conftest import run

FLAGS = ("--when", "2026-05-01 18:30", "--kind", "threats", "--place", "High Street", "--description", "x")


@pytest.mark.parametrize("name", ["a#b", "what?now", "100%41", "h#1?x%20"])
def test_restore_never_fills_a_folder_whose_store_holds_incidents(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store was opened as ``file:/…/a#b/incidents.db?mode=ro``: the ``#`` cut the path at ``…/a``, so SQLite
    made an empty database there (outside the data folder) and restore took the folder for empty and replaced a
    store holding an incident. Now the folder is refused and its store is as it was."""
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "first"))
    assert run("report", *FLAGS).exit_code == 0
    backup = tmp_path / "b.zip"
    assert run("backup", str(backup)).exit_code == 0
    odd = tmp_path / "odd" / name
    odd.mkdir(parents=True)
    shutil.copy(tmp_path / "first" / "incidents.db", odd / "incidents.db")  # a store and nothing else
    before = hashlib.sha256((odd / "incidents.db").read_bytes()).hexdigest()
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(odd))
    r = run("restore", str(backup))
    assert r.exit_code != 0 and "already holds a record" in r.stderr, r.stderr
    assert hashlib.sha256((odd / "incidents.db").read_bytes()).hexdigest() == before
    assert sorted(p.name for p in (tmp_path / "odd").iterdir()) == [name]  # nothing made beside it


def test_check_and_export_read_the_store_in_such_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "Jo's #1 campaign? 100%"))
    assert run("report", *FLAGS).exit_code == 0 and run("report", *FLAGS).exit_code == 0
    checked = run("check", "--json")
    assert checked.exit_code == 0 and checked.json["incidents"] == 2, checked.stdout
    out = tmp_path / "b.zip"
    assert run("export", "--all", "--bundle", str(out)).exit_code == 0
    assert run("verify", str(out)).exit_code == 0


def test_a_windows_share_gets_the_empty_authority_sqlite_needs() -> None:
    """``file://server/share/…`` is refused by SQLite ("invalid uri authority"); ``file:////server/share/…`` is the
    same share with an empty authority. A drive path and a POSIX path are unchanged, and all are percent-encoded."""
    assert file_uri(PureWindowsPath(r"\\server\campaign\data #2\incidents.db")) == (
        "file:////server/campaign/data%20%232/incidents.db"
    )
    assert file_uri(PureWindowsPath(r"C:\Users\Jo\incidents.db")) == "file:///C:/Users/Jo/incidents.db"
    assert file_uri(PurePosixPath("/home/jo/a?b/incidents.db")) == "file:///home/jo/a%3Fb/incidents.db"
