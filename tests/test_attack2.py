"""Attack pass 2: a foreign trigger planted in the store, and control characters in error lines."""

from __future__ import annotations

import sqlite3
from pathlib import Path

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
