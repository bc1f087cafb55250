"""Attacks on the export's check beside it, the batched read, restore's write lock and the JSON escapes:
each asserts what a user would notice (a write said saved and lost, a file written by a refused export,
an internal error)."""

from __future__ import annotations

import sqlite3
import sys
import threading
from pathlib import Path

import pytest

from tests.backup_helpers import full_record, ok, use_home
from tests.conftest import run
from tests.incident_helpers import minimal, write_json

posix = pytest.mark.skipif(sys.platform == "win32", reason="Windows refuses to rename a folder with an open file")


@posix
def test_a_write_into_an_older_empty_store_waiting_on_restores_lock_is_not_lost(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty store from an older campaignsafe (a migration to apply): a report that opens it while
    restore swaps the folder waits on restore's lock to migrate it, then must not save into the file
    restore deletes (it said 'Saved' and the incident was nowhere)."""
    from campaignsafe.backup import restore as restoring
    from campaignsafe.errors import StoreError
    from campaignsafe.incidents.store import Store
    from tests.test_restore_writer_race import _incident

    full_record(tmp_path)
    backup = tmp_path / "backup.zip"
    ok("backup", str(backup))
    new = use_home(monkeypatch, tmp_path / "new-laptop")
    ok("incidents", "list")  # an empty store, as an older campaignsafe left it: one migration short
    conn = sqlite3.connect(new / "incidents.db", isolation_level=None)
    conn.execute("DELETE FROM _migrations WHERE name = '0007_copies_kept'")
    conn.close()
    outcome: list[object] = []

    def write() -> None:  # a report in another process, begun as restore moves the folder aside
        try:
            with Store.open() as store:
                outcome.append(store.add([_incident(store)], None))  # type: ignore[list-item]
        except StoreError as exc:
            outcome.append(exc)

    writer = threading.Thread(target=write)
    real_rename = restoring.os.rename

    def rename(src: object, dst: object) -> None:
        if Path(str(src)) == new and not writer.is_alive() and not outcome:
            writer.start()
            writer.join(0.5)  # its migration waits for the write lock restore holds
        real_rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(restoring.os, "rename", rename)
    try:
        ok("restore", str(backup))
    finally:
        writer.join(30)
    monkeypatch.undo()
    use_home(monkeypatch, tmp_path / "new-laptop")
    [result] = outcome
    listed = run("incidents", "list", "--json").json["incidents"]
    saved = not isinstance(result, StoreError)
    assert not saved or len(listed) == 4, "the write was said to be saved, but the restored record lacks it"
    assert isinstance(result, StoreError) and result.code == "store_replaced"
    assert len(listed) == 3 and ok("check").stdout.startswith("OK")


def test_an_export_refused_for_a_tampered_record_makes_no_signing_key(home: Path, tmp_path: Path) -> None:
    """Nothing is written when the record does not check out (exit 6): not even the bundle signing key,
    which the export made in the data folder before the check (run beside it) had answered."""
    from tests.test_export_integrity import _tamper

    for n in range(2):
        ok("report", "--from-file", str(write_json(tmp_path, minimal(description=f"said {n}"), f"{n}.json")))
    _tamper(home)
    before = sorted(p.name for p in home.iterdir())
    for argv in (["--format", "json"], ["--bundle", str(tmp_path / "b.zip")], ["--eml", str(tmp_path / "d.eml")]):
        r = run("export", "--all", *argv)
        assert r.exit_code == 6 and "nothing was written" in r.stderr, r.stderr
        assert sorted(p.name for p in home.iterdir()) == before, argv
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["0.json", "1.json", "home"])


def test_the_export_runs_no_python_file_of_the_folder_it_is_run_in(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check's child was started as 'python -m', which puts the current folder first on the import
    path: an export run in a folder holding, say, decimal.py ran that file (and checked in-process)."""
    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    here = tmp_path / "documents"
    here.mkdir()
    for name in ("decimal", "uuid", "csv", "email", "html", "json", "sqlite3", "typing_extensions", "pydantic"):
        (here / f"{name}.py").write_text(f"open({str(here / ('RAN-' + name))!r}, 'w').close()\n")
    monkeypatch.chdir(here)
    doc = run("export", "--all", "--format", "json").json
    assert doc["export"]["integrity"]["passed"] is True
    assert sorted(p.name for p in here.glob("RAN-*")) == []


def test_a_lone_surrogate_in_a_stored_report_is_escaped_in_the_lists_json(home: Path, tmp_path: Path) -> None:
    """A report's platform or reference changed in the store to a JSON escape of half a surrogate pair
    ('\\ud800'): incidents list --json was an internal error on both its paths (UnicodeEncodeError as it
    printed); it is written as its \\u escape, and the JSON reads back the same value."""
    import json as jsonlib
    import os
    import subprocess

    from campaignsafe.jsontext import json_text

    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute(
        "UPDATE incidents SET reports = ?",
        ('[{"to": "platform", "platform": "X\\ud800"}, {"to": "police", "reference": "R\\udfff\\u009b"}]',),
    )
    conn.close()
    listed = run("incidents", "list", "--json")
    fast = subprocess.run(
        [sys.executable, "-c", "from campaignsafe.cli import main; main()", "incidents", "list", "--json"],
        capture_output=True, env=dict(os.environ),
    )  # fmt: skip
    assert listed.exit_code == 0 and fast.returncode == 0, fast.stderr
    assert fast.stdout.decode() == listed.stdout and "\\ud800" in listed.stdout and "\\udfff" in listed.stdout
    labels = jsonlib.loads(listed.stdout)["incidents"][0]["reported_to"]
    assert any("X\ud800" in label for label in labels) and any("R\udfff\x9b" in label for label in labels)
    assert json_text(["\ud800", "a\udc00b"]).encode() == b'["\\ud800", "a\\udc00b"]'
