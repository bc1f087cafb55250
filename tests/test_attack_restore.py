"""Attacks on ``restore``: another restore into the same data folder at the same time."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from campaignsafe import paths
from campaignsafe.backup import restore as restoring
from tests.backup_helpers import ok, use_home
from tests.conftest import run
from tests.export_helpers import make_record


@pytest.mark.skipif(sys.platform == "win32", reason="Windows holds no lock; an open folder cannot be removed there")
def test_a_second_restore_leaves_a_running_restores_staging_folder_alone(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every restore began by removing every ``.HOME.restoring-*`` folder, also one another restore was
    still filling: the first then failed, or put a half-removed record in place."""
    make_record(tmp_path / "js")
    backup = tmp_path / "backup.zip"
    ok("backup", str(backup))
    target = use_home(monkeypatch, tmp_path / "fresh")
    real_store = restoring._store

    def store_while_another_restore_starts(o: Any, staging: Path) -> int:
        paths.sweep_restores(target)  # the other restore, started now
        assert staging.is_dir()
        return real_store(o, staging)

    monkeypatch.setattr(restoring, "_store", store_while_another_restore_starts)
    r = run("restore", str(backup))
    assert r.exit_code == 0, r.stderr
    assert run("check").exit_code == 0
    assert not list(target.parent.glob(f".{target.name}.restoring-*"))
    assert not (target / restoring._OWNER).exists()


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")
def test_a_killed_restores_staging_folder_is_still_cleared(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_record(tmp_path / "js")
    backup = tmp_path / "backup.zip"
    ok("backup", str(backup))
    target = use_home(monkeypatch, tmp_path / "fresh")
    left = tmp_path / f".{target.name}.restoring-dead0000"
    left.mkdir(mode=0o700)
    (left / restoring._OWNER).write_text("")  # its restore was killed: nobody holds it
    (left / "incidents.db").write_text("half")
    assert run("restore", str(backup)).exit_code == 0
    assert not left.exists()
