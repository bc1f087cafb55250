"""``check`` covers whole rows: amendment values, exhibit fields, provenance and imports, edited with sqlite3.

Each audit entry's detail carries the SHA-256 of the whole row it logs (``row_sha256``; for an
import, of every row it added), and ``check`` recomputes it. Stores written before that still
check out against what their entries did record.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from campaignsafe.incidents import audit
from tests.backup_helpers import ok, use_home
from tests.conftest import run
from tests.export_helpers import EPOCH, make_record
from tests.old_store_helpers import older_campaignsafe

Tamper = Callable[[sqlite3.Connection], None]


def _db(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "incidents.db", isolation_level=None)


def _drop(conn: sqlite3.Connection, *names: str) -> None:
    for name in names:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")


def _check() -> tuple[int, dict[str, Any]]:
    r = run("check", "--json", "--quick")
    return r.exit_code, r.json


def _found(data: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["subject"], f["code"]) for f in data["findings"] if f["code"] != "trigger_removed"}


def _rehash_chain(conn: sqlite3.Connection) -> None:
    _drop(conn, "audit_no_update")
    prev = audit.GENESIS
    for seq, at, action, iid, detail, _p, _s in conn.execute(
        f"SELECT {audit.COLUMNS} FROM audit ORDER BY seq"
    ).fetchall():
        sha = audit.digest(prev, seq, at, action, iid, json.loads(detail))
        conn.execute("UPDATE audit SET prev_sha256 = ?, sha256 = ? WHERE seq = ?", (prev, sha, seq))
        prev = sha


# -- a record made here ---------------------------------------------------------------------------


@pytest.fixture
def record(tmp_path: Path) -> list[int]:
    return make_record(tmp_path)


def _amendment_value(conn: sqlite3.Connection) -> None:
    """The same field changed, to another value: the fields the entry names still match."""
    _drop(conn, "amendment_no_update")
    text = conn.execute("SELECT amendment FROM amendments WHERE incident_id = 1").fetchone()[0]
    data = json.loads(text)
    data["changes"][0]["new"] = "2026-04-01T09:00:00+01:00" if data["changes"][0]["field"] == "occurred_at" else "x"
    conn.execute("UPDATE amendments SET amendment = ? WHERE incident_id = 1", (json.dumps(data),))


def _amendment_reason(conn: sqlite3.Connection) -> None:
    _drop(conn, "amendment_no_update")
    text = conn.execute("SELECT amendment FROM amendments WHERE incident_id = 1").fetchone()[0]
    conn.execute(
        "UPDATE amendments SET amendment = ? WHERE incident_id = 1", (json.dumps({**json.loads(text), "reason": "z"}),)
    )


def _exhibit_field(name: str, value: Any) -> Tamper:
    def tamper(conn: sqlite3.Connection) -> None:
        _drop(conn, "evidence_no_update")
        for ref, text in conn.execute("SELECT exhibit_ref, item FROM evidence").fetchall():
            item = json.loads(text)
            if name in item or (name in ("platform", "url", "seen_at") and item.get("type") == "url"):
                conn.execute(
                    "UPDATE evidence SET item = ? WHERE exhibit_ref = ?", (json.dumps({**item, name: value}), ref)
                )
                return
        raise AssertionError(f"no exhibit has {name}")

    return tamper


def _exhibit_added_at(conn: sqlite3.Connection) -> None:
    _drop(conn, "evidence_no_update")
    conn.execute("UPDATE evidence SET added_at = '2020-01-01T00:00:00+00:00' WHERE id = 1")


def _created_at(conn: sqlite3.Connection) -> None:
    _drop(conn, "record_no_update")
    conn.execute("UPDATE incidents SET created_at = '2020-01-01T00:00:00+00:00' WHERE id = 3")


@pytest.mark.parametrize(
    ("tamper", "subject", "code"),
    [
        (_amendment_value, "incident 1", "amendment_altered"),
        (_amendment_reason, "incident 1", "amendment_altered"),
        (_exhibit_field("note", "another note"), "exhibit JS/1", "exhibit_edited"),
        (_exhibit_field("platform", "Facebook"), None, "exhibit_edited"),
        (_exhibit_field("url", "https://example.org/other"), None, "exhibit_edited"),
        (_exhibit_field("seen_at", "2020-01-01T00:00:00+00:00"), None, "exhibit_edited"),
        (_exhibit_added_at, "exhibit JS/1", "exhibit_edited"),
        (_created_at, "incident 3", "row_altered"),
    ],
    ids=["amendment-value", "amendment-reason", "note", "platform", "url", "seen-at", "added-at", "created-at"],
)
def test_a_row_edited_with_sqlite3_is_caught(
    record: list[int], home: Path, tamper: Tamper, subject: str | None, code: str
) -> None:
    """Values no audit entry names (an amendment's new value or reason, an exhibit's platform, note, address,
    when it was seen or added, when an incident was recorded) are covered by the row's hash."""
    assert _check()[0] == 0
    conn = _db(home)
    tamper(conn)
    conn.close()
    code_, data = _check()
    assert code_ == 6
    found = _found(data)
    assert any(c == code and (subject is None or s == subject) for s, c in found), found


def test_entries_from_before_row_hashes_still_check_out(record: list[int], home: Path) -> None:
    """A store written before row hashes (no row_sha256 in any entry) passes check, and is checked against
    what its entries recorded (the fields an amendment changed, the files an exhibit points at)."""
    conn = _db(home)
    _drop(conn, "audit_no_update")
    for seq, detail in conn.execute("SELECT seq, detail FROM audit").fetchall():
        old = {k: v for k, v in json.loads(detail).items() if k != "row_sha256"}
        conn.execute("UPDATE audit SET detail = ? WHERE seq = ?", (audit.canonical_json(old), seq))
    _rehash_chain(conn)
    conn.execute("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'append-only'); END")
    conn.close()
    code, data = _check()
    assert code == 0, data["findings"]
    conn = _db(home)
    _amendment_reason(conn)  # not named by an old entry: this is what row hashes add
    conn.close()
    assert not _found(_check()[1])
    conn = _db(home)
    _drop(conn, "evidence_no_update")
    conn.execute("UPDATE evidence SET file_sha256 = NULL, item = '{}' WHERE exhibit_ref = 'JS/1'")
    conn.close()
    code, data = _check()
    assert code == 6 and ("exhibit JS/1", "exhibit_repointed") in _found(data)


# -- an imported record: provenance and imports -----------------------------------------------------


@pytest.fixture
def merged(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """AB's record holding JS's three incidents, imported from JS's bundle (ids 2–4 here)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    make_record(tmp_path / "js")
    bundle = tmp_path / "js.zip"
    ok("export", "--all", "--bundle", str(bundle))
    agent = use_home(monkeypatch, tmp_path / "agent")
    ok("profile", "--name", "Alex Brown", "--role", "agent", "--initials", "AB")
    ok("report", "--kind", "harassment", "--when", "2026-04-20 17:00", "--place", "Elm Road",
       "--description", "Shouted at on a doorstep.", "--no-input")  # fmt: skip
    ok("import", str(bundle))
    assert _check()[0] == 0
    return agent


def _provenance_recorder(conn: sqlite3.Connection) -> None:
    _drop(conn, "provenance_no_update")
    by = json.loads(conn.execute("SELECT recorded_by FROM provenance WHERE incident_id = 2").fetchone()[0])
    conn.execute(
        "UPDATE provenance SET recorded_by = ? WHERE incident_id = 2", (json.dumps({**by, "name": "Someone"}),)
    )


def _provenance_trail(conn: sqlite3.Connection) -> None:
    _drop(conn, "provenance_no_update")
    conn.execute("UPDATE provenance SET source_audit = '[]' WHERE incident_id = 3")


def _provenance_deleted(conn: sqlite3.Connection) -> None:
    _drop(conn, "provenance_no_delete")
    conn.execute("DELETE FROM provenance WHERE incident_id = 4")


def _provenance_added(conn: sqlite3.Connection) -> None:
    """The agent's own incident made to look recorded by the candidate."""
    row = conn.execute(
        "SELECT recorded_by, source_id, amendments_by, source_audit, import_seq FROM provenance"
    ).fetchone()
    conn.execute(
        "INSERT INTO provenance (incident_id, recorded_by, source_id, amendments_by, source_audit, import_seq)"
        " VALUES (1,?,?,?,?,?)",
        row,
    )


def _import_signer(conn: sqlite3.Connection) -> None:
    _drop(conn, "imports_no_update")
    conn.execute("UPDATE imports SET signer = 'SHA256:someone-else'")


def _import_producer(conn: sqlite3.Connection) -> None:
    _drop(conn, "imports_no_update")
    conn.execute('UPDATE imports SET producer = \'{"name": "Someone", "initials": "JS"}\'')


def _import_deleted(conn: sqlite3.Connection) -> None:
    _drop(conn, "imports_no_delete")
    conn.execute("DELETE FROM imports")


def _imported_amendment(conn: sqlite3.Connection) -> None:
    _amendment_at(conn, 2)


def _amendment_at(conn: sqlite3.Connection, iid: int) -> None:
    _drop(conn, "amendment_no_update")
    conn.execute("UPDATE amendments SET at = '2020-01-01T00:00:00+00:00' WHERE incident_id = ?", (iid,))


def _imported_exhibit(conn: sqlite3.Connection) -> None:
    _drop(conn, "evidence_no_update")
    item = json.loads(conn.execute("SELECT item FROM evidence WHERE exhibit_ref = 'JS/1'").fetchone()[0])
    conn.execute("UPDATE evidence SET item = ? WHERE exhibit_ref = 'JS/1'", (json.dumps({**item, "note": "n"}),))


@pytest.mark.parametrize(
    ("tamper", "subject", "code"),
    [
        (_provenance_recorder, "incident 2", "provenance_altered"),
        (_provenance_trail, "incident 3", "provenance_altered"),
        (_provenance_deleted, "incident 4", "provenance_removed"),
        (_provenance_added, "incident 1", "provenance_unlogged"),
        (_import_signer, None, "import_altered"),
        (_import_producer, None, "import_altered"),
        (_import_deleted, None, "import_removed"),
        (_imported_amendment, "incident 2", "amendment_altered"),
        (_imported_exhibit, "exhibit JS/1", "exhibit_edited"),
    ],
    ids=[
        "recorder",
        "trail",
        "provenance-deleted",
        "provenance-added",
        "signer",
        "producer",
        "import-deleted",
        "imported-amendment",
        "imported-exhibit",
    ],
)
def test_provenance_and_imports_edited_with_sqlite3_are_caught(
    merged: Path, tamper: Tamper, subject: str | None, code: str
) -> None:
    """Who recorded an imported incident, and the import itself, are under check like everything else."""
    conn = _db(merged)
    tamper(conn)
    conn.close()
    r = run("check", "--quick")
    assert r.exit_code == 6
    _code, data = _check()
    found = _found(data)
    assert any(c == code and (subject is None or s == subject) for s, c in found), found
    assert "Someone" not in r.stdout + r.stderr  # what was written is never quoted


def test_provenance_rows_cannot_be_deleted_but_go_with_their_incident(merged: Path) -> None:
    """The database refuses deleting a provenance row (the 0005 trigger); deleting the incident takes it along."""
    conn = _db(merged)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM provenance WHERE incident_id = 2")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM imports")
    conn.close()
    ok("incidents", "delete", "2", "--yes")
    conn = _db(merged)
    assert conn.execute("SELECT count(*) FROM provenance WHERE incident_id = 2").fetchone()[0] == 0
    conn.close()
    assert _check()[0] == 0


def test_an_import_from_before_row_hashes_still_checks_out(merged: Path) -> None:
    """An ``imported`` entry without row hashes (an older campaignsafe) passes, and its imports row is still
    checked against the signer and manifest hash the entry named."""
    conn = _db(merged)
    _drop(conn, "audit_no_update")
    seq, detail = conn.execute("SELECT seq, detail FROM audit WHERE action = 'imported'").fetchone()
    old = json.loads(detail)
    old.pop("import_sha256")
    for item in old["incidents"]:
        for key in ("row_sha256", "amendment_rows", "provenance_sha256"):
            item.pop(key)
        for ex in item["exhibits"]:
            ex.pop("row_sha256")
    conn.execute("UPDATE audit SET detail = ? WHERE seq = ?", (audit.canonical_json(old), seq))
    _rehash_chain(conn)
    conn.close()
    code, data = _check()
    assert not _found(data), data["findings"]
    conn = _db(merged)
    _import_signer(conn)
    conn.close()
    code, data = _check()
    assert code == 6 and any(c == "import_altered" for _s, c in _found(data))


# -- check reads only: the store is never migrated or changed -------------------------------------


def _state(home: Path) -> tuple[bytes, list[str]]:
    conn = _db(home)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        names = [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]
    finally:
        conn.close()
    return (home / "incidents.db").read_bytes(), names


def test_check_changes_nothing(record: list[int], home: Path) -> None:
    """check opens the store read-only: the database's bytes are the same afterwards."""
    before = _state(home)
    assert run("check").exit_code == 0
    assert run("check", "--json").exit_code == 0
    assert _state(home) == before


def test_an_older_store_is_checked_as_it_is_not_migrated(tmp_path: Path, home: Path) -> None:
    """A store made before migration 0005 passes check with a note naming it, and is left exactly as it was;
    the next command that records something upgrades it."""
    with older_campaignsafe("0004_provenance"):
        make_record(tmp_path)
    before = _state(home)
    r = run("check")
    assert r.exit_code == 0, r.stdout
    text = " ".join(r.stdout.split())
    assert "lacks 0005_provenance_no_delete" in text and "not changed" in text
    data = run("check", "--json").json
    assert data["passed"] is True and data["pending_migrations"] == [
        "0005_provenance_no_delete",
        "0006_campaign_guards",
        "0007_copies_kept",
    ]
    assert _state(home) == before
    ok("incidents", "edit", "2", "--kind", "harassment", "--reason", "checked")
    assert "0005_provenance_no_delete" in _state(home)[1]
    data = run("check", "--json").json
    assert data["passed"] is True and data["pending_migrations"] == []


def test_a_newer_store_is_refused_by_check_and_left_alone(record: list[int], home: Path) -> None:
    """A store from a newer campaignsafe: exit 5, one line, nothing changed."""
    conn = _db(home)
    conn.execute("INSERT INTO _migrations (name, applied_at) VALUES ('9999_future', '2030-01-01')")
    conn.close()
    before = _state(home)
    r = run("check")
    assert r.exit_code == 5 and "newer version" in r.stderr and len(r.stderr.strip().splitlines()) <= 2
    assert _state(home) == before


def test_a_sqlite_file_that_is_not_a_store_is_refused_by_check(home: Path) -> None:
    """An SQLite database that campaignsafe never made: exit 5, and no tables are added to it."""
    home.mkdir(mode=0o700)
    conn = _db(home)
    conn.execute("CREATE TABLE other (x)")
    conn.close()
    r = run("check")
    assert r.exit_code == 5 and "not a campaignsafe incident store" in r.stderr
    conn = _db(home)
    assert [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["other"]
    conn.close()
