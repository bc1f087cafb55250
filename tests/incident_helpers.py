"""Helpers shared by the incident tests: a minimal incident, counting what was written, forcing prompts."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run


def minimal(**over: Any) -> dict[str, Any]:
    """The minimal valid incident from the issue, with any fields replaced."""
    data: dict[str, Any] = {
        "occurred_at": "2026-05-01T18:30",
        "kind": "threats",
        "description": 'He said "you will regret standing"',
        "location": {"text": "High Street", "postcode": "SW1A 1AA"},
    }
    data.update(over)
    return data


def write_json(folder: Path, data: Any, name: str = "incident.json") -> Path:
    """Write ``data`` as a JSON file and return its path."""
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def server_url() -> str | None:
    """The PostgreSQL store the test runs on (``store_backend``), or None for the SQLite file."""
    return os.environ.get("CAMPAIGNSAFE_DATABASE_URL") or None


def server_rows(sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Rows of a query on the PostgreSQL store, as its owner (no campaignsafe code in between)."""
    import psycopg

    url = server_url()
    assert url
    with psycopg.connect(url, autocommit=True) as conn:
        return list(conn.execute(sql, args).fetchall())


def count(home: Path, table: str = "incidents") -> int:
    """Rows in a table of the incident database (0 when there is no database)."""
    if server_url():
        return int(server_rows(f"SELECT count(*) FROM {table}")[0][0])
    db = home / "incidents.db"
    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone():
            return 0
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def stored_files(home: Path) -> list[Path]:
    """Every evidence copy in the store (on PostgreSQL, named by hash; a partial copy by its staging name)."""
    if server_url():
        return sorted(Path(r[0]) for r in server_rows("SELECT DISTINCT sha256 FROM blob_chunks"))
    root = home / "evidence"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def nothing_written(home: Path) -> bool:
    """No incident, no exhibit and no evidence copy exists."""
    return count(home) == 0 and count(home, "evidence") == 0 and not stored_files(home)


def set_initials(name: str = "Jo Smith") -> None:
    """Give the profile a name (so exhibits are numbered with its initials)."""
    assert run("profile", "--name", name).exit_code == 0


def prompts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``report`` ask its questions although CliRunner's stdin is not a terminal."""
    monkeypatch.setattr("campaignsafe.cli._render.interactive", lambda no_input: not no_input)


def flat(text: str) -> str:
    """Output with line wrapping undone, for matching phrases."""
    return " ".join(text.split())


def report_json(*args: str) -> dict[str, Any]:
    """Run ``report`` with flags and ``--json``; the stored record."""
    r = run("report", *args, "--json")
    assert r.exit_code == 0, r.stderr
    data: dict[str, Any] = r.json
    return data


def unreadable(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``path`` unreadable: chmod 000, or (as root, who can read anything) refuse opening it."""
    path.chmod(0)
    if os.geteuid() == 0:
        real_open = os.open

        def refuse(p: object, flags: int, *args: object, **kw: object) -> int:
            if os.fspath(p) == str(path):  # type: ignore[arg-type]
                raise PermissionError(13, "Permission denied")
            return real_open(p, flags, *args, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "open", refuse)
