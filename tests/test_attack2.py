"""Attack pass 2: a foreign trigger planted in the store, and control characters in error lines."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from campaignsafe.backup import restore
from tests.backup_helpers import rezip, unsigned
from tests.conftest import run

REPORT = ("report", "--when", "yesterday 9pm", "--place", "High St", "--kind", "threats", "--no-input")


def _report(text: str = "SECRET words") -> int:
    return run(*REPORT, "--description", text).exit_code


def test_foreign_trigger_dropping_audit_entries_fails_check_and_refuses_writes(home: Path) -> None:
    assert _report() == 0
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute("CREATE TRIGGER zz_hide BEFORE INSERT ON audit BEGIN SELECT RAISE(IGNORE); END")
    conn.close()
    checked = run("check")
    assert checked.exit_code == 6, checked.stdout
    assert "zz_hide" in checked.stdout and "did not make" in checked.stdout
    # a new report would be stored with its audit entry silently dropped: refused, nothing written
    refused = run(*REPORT, "--description", "SECRET two")
    assert refused.exit_code == 5
    assert "trigger campaignsafe did not make" in refused.stderr and "SECRET" not in refused.stderr
    conn = sqlite3.connect(home / "incidents.db")
    assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == 1
    conn.close()


def test_error_line_never_writes_control_characters_raw(tmp_path: Path) -> None:
    name = str(tmp_path / "a\x1b]0;owned\x07b\nsecond line\u202e.zip")
    for cmd in ("import", "restore", "verify"):
        r = run(cmd, name)
        assert r.exit_code != 0
        assert "\x1b" not in r.stderr and "\x07" not in r.stderr and "\u202e" not in r.stderr, cmd
        assert len([line for line in r.stderr.splitlines() if line.startswith("campaignsafe: error:")]) == 1
        assert "\\x1b" in r.stderr


def _backup(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    assert _report("SECRET kept") == 0
    out = tmp_path / "b.zip"
    assert run("backup", str(out)).exit_code == 0
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "fresh"))
    return out


def _incidents(home: Path) -> list[str]:
    conn = sqlite3.connect(home / "incidents.db")
    try:
        return [str(r[0]) for r in conn.execute("SELECT record FROM incidents")]
    finally:
        conn.close()


def test_restore_never_deletes_an_incident_reported_while_it_synced(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _backup(home, tmp_path, monkeypatch)
    real = restore.os.sync
    monkeypatch.setattr(restore.os, "sync", lambda: (_report("DURING restore"), real()))
    r = run("restore", str(out))
    assert r.exit_code == 5 and "already holds a record" in r.stderr
    assert ["DURING" in rec for rec in _incidents(tmp_path / "fresh")] == [True]


def test_restore_never_deletes_an_incident_reported_just_after_its_last_look(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _backup(home, tmp_path, monkeypatch)
    real, calls = restore._refuse_non_empty, []

    def then_report(where: Path, shown: str) -> None:
        real(where, shown)
        calls.append(1)
        if len(calls) == 2:  # the look before the swap: a report lands just after it
            assert _report("JUST AFTER") == 0

    monkeypatch.setattr(restore, "_refuse_non_empty", then_report)
    r = run("restore", str(out))
    assert r.exit_code == 5 and "already holds a record" in r.stderr
    assert ["JUST AFTER" in rec for rec in _incidents(tmp_path / "fresh")] == [True]
    assert not [p for p in tmp_path.iterdir() if ".restoring-" in p.name or ".replaced-" in p.name]


def test_restore_refuses_a_backup_carrying_a_key_but_with_its_signature_stripped(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stripped of its signature a backup's rows can be rewritten (record hashes and audit chain are
    public algorithms); restored, the forged record would be signed in future bundles by the real key."""
    out = _backup(home, tmp_path, monkeypatch)
    stripped = rezip(out, tmp_path / "stripped.zip", unsigned(lambda members: None))
    r = run("restore", str(stripped))
    assert r.exit_code == 6 and "is not signed" in r.stderr
    assert not (tmp_path / "fresh" / "incidents.db").exists()


def test_restore_names_the_key_that_signed_the_backup(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forger re-signing a whole backup with their own key is only seen by its fingerprint: restore says it."""
    from campaignsafe.exports import signing

    out = _backup(home, tmp_path, monkeypatch)
    mine = signing.key_fingerprint((home / signing.KEY_FILE).read_bytes())
    r = run("restore", str(out), "--json")
    assert r.exit_code == 0 and mine and r.json["signer"] == mine


def test_show_does_not_call_an_imported_record_altered(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An imported incident has no 'created' entry (one 'imported' entry names it): show warned it was altered."""
    out = _backup(home, tmp_path, monkeypatch)
    assert _report("mine") == 0
    assert run("import", str(out)).exit_code == 0
    assert run("check").exit_code == 0
    shown = run("incidents", "show", "2")
    assert shown.exit_code == 0 and "WARNING" not in shown.stdout and "SECRET kept" in shown.stdout


def test_import_never_prints_the_files_recorder_name_raw(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    out = _backup(home, tmp_path, monkeypatch)

    def rename(members: dict[str, bytes]) -> None:
        info = json.loads(members["BACKUP.json"])
        info["producer"] = {"name": "Evil\x1b]0;title\x07\x1b[2J\u202e", "initials": "E\x1bV"}
        members["BACKUP.json"] = json.dumps(info).encode()
        members.pop("files/bundle-signing-key", None)

    r = run("import", str(rezip(out, tmp_path / "evil.zip", unsigned(rename))))
    # refused now (campaignsafe never records such a name: it would reach the reports raw), and never printed
    assert r.exit_code == 3, r.stderr
    assert "contains control characters" in r.stderr
    for raw in ("\x1b", "\x07", "\u202e", "Evil"):
        assert raw not in r.stdout and raw not in r.stderr
