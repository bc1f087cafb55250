"""``campaignsafe check``: each way of tampering with a real store through sqlite3 is caught and named."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from campaignsafe.incidents import audit, schema
from tests.conftest import run
from tests.export_helpers import make_record
from tests.incident_helpers import flat
from tests.old_store_helpers import older_campaignsafe

Tamper = Callable[[sqlite3.Connection, Path], None]


@pytest.fixture
def record(tmp_path: Path) -> list[int]:
    """Three incidents (the first amended), four exhibits, all through the CLI."""
    return make_record(tmp_path)


def _db(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "incidents.db", isolation_level=None)


def _drop(conn: sqlite3.Connection, *names: str) -> None:
    """What an attacker with sqlite3 does first: remove the protection in the way."""
    for name in names:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")


def _rehash_chain(conn: sqlite3.Connection) -> None:
    """Rewrite every audit hash so the chain is consistent again (a careful forger)."""
    _drop(conn, "audit_no_update")
    prev = audit.GENESIS
    rows = conn.execute(f"SELECT {audit.COLUMNS} FROM audit ORDER BY seq").fetchall()
    for seq, at, action, iid, detail, _prev, _sha in rows:
        sha = audit.digest(prev, seq, at, action, iid, json.loads(detail))
        conn.execute("UPDATE audit SET prev_sha256 = ?, sha256 = ? WHERE seq = ?", (prev, sha, seq))
        prev = sha


def _check(*extra: str) -> Any:
    r = run("check", "--json", *extra)
    return r, r.json


def _subjects(data: dict[str, Any]) -> set[str]:
    return {f["subject"] for f in data["findings"]}


def _codes(data: dict[str, Any]) -> set[str]:
    return {f["code"] for f in data["findings"]}


def _listing(col: str, value: object) -> Tamper:
    def tamper(conn: sqlite3.Connection, home: Path) -> None:
        conn.execute(f"UPDATE incidents SET {col} = ? WHERE id = 2", (value,))

    return tamper


def _delete_amendment(conn: sqlite3.Connection, home: Path) -> None:
    _drop(conn, "amendment_no_delete")
    conn.execute("DELETE FROM amendments WHERE incident_id = 1")


def _delete_evidence(conn: sqlite3.Connection, home: Path) -> None:
    _drop(conn, "evidence_no_delete")
    conn.execute("DELETE FROM evidence WHERE incident_id = 2")


def _delete_incident(conn: sqlite3.Connection, home: Path) -> None:
    _drop(conn, "evidence_no_delete", "amendment_no_delete", "incident_no_delete")
    for sql in ("DELETE FROM evidence WHERE incident_id = 2", "DELETE FROM incidents WHERE id = 2"):
        conn.execute(sql)


def _rewrite_record(with_hash: bool) -> Tamper:
    def tamper(conn: sqlite3.Connection, home: Path) -> None:
        _drop(conn, "record_no_update")
        (text,) = conn.execute("SELECT record FROM incidents WHERE id = 2").fetchone()
        forged = text.replace("naming my street", "naming my stree")
        conn.execute("UPDATE incidents SET record = ? WHERE id = 2", (forged,))
        if with_hash:
            conn.execute("UPDATE incidents SET record_sha256 = ? WHERE id = 2", (audit.sha256_text(forged),))

    return tamper


def _delete_audit(which: str) -> Tamper:
    def tamper(conn: sqlite3.Connection, home: Path) -> None:
        _drop(conn, "audit_no_delete")
        seq = conn.execute(f"SELECT {which}(seq) FROM audit WHERE action = 'evidence-added'").fetchone()[0]
        conn.execute("DELETE FROM audit WHERE seq = ?", (seq,))

    return tamper


def _edit_audit(conn: sqlite3.Connection, home: Path) -> None:
    _drop(conn, "audit_no_update")
    conn.execute("UPDATE audit SET at = '2026-01-01T00:00:00+00:00' WHERE incident_id = 3 AND action = 'created'")


def _repoint_exhibit(conn: sqlite3.Connection, home: Path) -> None:
    """Exhibit JS/3 (the letter) made to point at the photo's stored copy."""
    _drop(conn, "evidence_no_update")
    photo = conn.execute("SELECT file_sha256 FROM evidence WHERE incident_id = 1").fetchone()[0]
    (letter, item) = conn.execute("SELECT file_sha256, item FROM evidence WHERE incident_id = 3").fetchone()
    conn.execute(
        "UPDATE evidence SET file_sha256 = ?, item = ? WHERE incident_id = 3", (photo, item.replace(letter, photo))
    )


def _reuse_id(conn: sqlite3.Connection, home: Path) -> None:
    """Incident 3 deleted the proper way, the id counter set back, a new incident given id 3."""
    conn.close()
    assert run("incidents", "delete", "3", "--yes").exit_code == 0
    c = sqlite3.connect(home / "incidents.db", isolation_level=None)
    c.execute("UPDATE sqlite_sequence SET seq = 2 WHERE name = 'incidents'")
    c.close()
    r = run("report", "--when", "2026-05-05", "--kind", "threats", "--place", "Market", "--description", "x")
    assert r.exit_code == 0, r.stderr


def _swap_ids(conn: sqlite3.Connection, home: Path) -> None:
    _drop(conn, "incident_no_renumber")
    conn.execute("PRAGMA foreign_keys = OFF")
    for a, b in ((100, 2), (2, 3), (3, 100)):
        conn.execute("UPDATE incidents SET id = ? WHERE id = ?", (a, b))


CASES: dict[str, tuple[Tamper, str, str]] = {
    "listing kind": (_listing("kind", "harassment"), "incident 2", "listing_altered"),
    "listing place": (_listing("place", "Elsewhere"), "incident 2", "listing_altered"),
    "listing time": (_listing("occurred_utc", "2020-01-01T00:00:00Z"), "incident 2", "listing_altered"),
    "listing reported": (_listing("police_reported", 1), "incident 2", "listing_altered"),
    "amendment deleted": (_delete_amendment, "incident 1", "amendment_removed"),
    "evidence deleted": (_delete_evidence, "exhibit JS/2", "exhibit_removed"),
    "incident deleted": (_delete_incident, "incident 2", "incident_removed"),
    "record rewritten": (_rewrite_record(False), "incident 2", "record_altered"),
    "record and hash rewritten": (_rewrite_record(True), "incident 2", "record_replaced"),
    "audit entry deleted": (_delete_audit("min"), "audit entry", "audit_chain_broken"),
    "last audit entry deleted": (_delete_audit("max"), "exhibit JS/3", "no_audit_entry"),
    "audit entry edited": (_edit_audit, "audit entry", "audit_entry_altered"),
    "exhibit repointed": (_repoint_exhibit, "exhibit JS/3", "exhibit_repointed"),
    "id reused": (_reuse_id, "incident 3", "id_reused"),
    "ids swapped": (_swap_ids, "incident 2", "record_replaced"),
}


def test_an_untouched_store_passes(store_backend: str, record: list[int]) -> None:
    """The record made through the CLI checks out, with the chain head stated."""
    r, data = _check()
    assert r.exit_code == 0, data["findings"]
    assert data["passed"] and data["incidents"] == 3 and data["exhibits"] == 3 and data["files_checked"] == 3
    assert data["audit_head"]["seq"] == data["audit_entries"]
    text = run("check")
    head = f"{data['audit_head']['seq']}:{data['audit_head']['sha256']}"  # the form check --anchor takes
    assert text.exit_code == 0 and "OK: the record holds" in text.stdout and head in text.stdout.split()
    assert run("check", "--quick", "--anchor", head).exit_code == 0


@pytest.mark.parametrize("case", list(CASES))
def test_each_tampering_is_caught_and_named(record: list[int], home: Path, case: str) -> None:
    """Each change made with sqlite3 behind campaignsafe's back fails check (exit 6), naming what changed."""
    tamper, subject, code = CASES[case]
    conn = _db(home)
    tamper(conn, home)
    conn.close()
    r, data = _check()
    assert r.exit_code == 6
    assert not data["passed"] and data["error"]["code"] == "check_failed"
    assert code in _codes(data), data["findings"]
    assert any(s.startswith(subject) for s in _subjects(data)), data["findings"]
    text = run("check")
    assert text.exit_code == 6 and f"FAILED  {subject}" in text.stdout


def test_findings_never_quote_the_record(record: list[int], home: Path) -> None:
    """A finding names the incident and the column, never what the user wrote there."""
    conn = _db(home)
    _listing("place", "Secret Road")(conn, home)
    _rewrite_record(False)(conn, home)
    conn.close()
    r = run("check")
    assert r.exit_code == 6
    assert "Secret" not in r.stdout + r.stderr and "naming my" not in r.stdout + r.stderr


def test_a_changed_evidence_copy_is_caught_unless_quick(record: list[int], home: Path) -> None:
    """A stored copy altered on disk names its exhibit; --quick skips re-hashing the copies."""
    copy = next(p for p in (home / "evidence").rglob("*") if p.is_file() and not p.name.startswith("."))
    copy.chmod(0o600)
    copy.write_bytes(b"changed")
    r, data = _check()
    assert r.exit_code == 6 and "copy_altered" in _codes(data)
    r, data = _check("--quick")
    assert r.exit_code == 0 and data["files_checked"] is None


def test_consistent_rewrite_is_caught_by_the_anchor(record: list[int], home: Path) -> None:
    """Record, hash and audit chain all rewritten consistently pass a plain check, but not --anchor."""
    _r, before = _check()
    anchor = f"{before['audit_head']['seq']}:{before['audit_head']['sha256']}"
    assert run("check", "--anchor", anchor).exit_code == 0
    conn = _db(home)
    _rewrite_record(True)(conn, home)
    _drop(conn, "audit_no_update")
    created_at, text = conn.execute("SELECT created_at, record FROM incidents WHERE id = 2").fetchone()
    forged = audit.sha256_text(text)
    (seq, detail) = conn.execute(
        "SELECT seq, detail FROM audit WHERE incident_id = 2 AND action = 'created'"
    ).fetchone()
    row = audit.row_digest("incidents", (created_at, text, forged))  # a careful forger rewrites the row hash too
    new = json.loads(detail) | {"record_sha256": forged, "row_sha256": row}
    conn.execute("UPDATE audit SET detail = ? WHERE seq = ?", (audit.canonical_json(new), seq))
    _rehash_chain(conn)
    conn.close()
    r, data = _check("--quick")
    assert {c for c in _codes(data)} <= {"trigger_removed"}  # only the dropped protections show
    r, data = _check("--anchor", anchor)
    assert r.exit_code == 6 and data["anchor"]["holds"] is False and "anchor_mismatch" in _codes(data)


def test_an_anchor_copied_with_the_wrong_number_is_said_to_be_a_slip_not_tampering(record: list[int]) -> None:
    """``check --anchor 2:<entry 3's hash>`` said the anchor "has changed since that export" and to tell the
    police officer in the case: a copying slip read as tampering. A hash found unchanged in the chain under
    another number says which entry it is, and to copy the anchor again (still exit 6: it proves nothing)."""
    _r, before = _check()
    head = before["audit_head"]
    slip = f"{head['seq'] - 1}:{head['sha256']}"
    r = run("check", "--anchor", slip)
    said = " ".join((r.stdout + r.stderr).split())
    assert r.exit_code == 6 and f"has the hash of audit entry {head['seq']}, not {head['seq'] - 1}" in said
    assert "copy the anchor again" in said and "tell the police officer" not in said
    r, data = _check("--anchor", slip)
    assert data["anchor"]["holds"] is False and _codes(data) == {"anchor_misnumbered"}
    forged = run("check", "--anchor", f"{head['seq']}:{'0' * 64}")
    assert forged.exit_code == 6 and "tell the police officer" in " ".join(forged.stderr.split())


def test_a_bad_anchor_is_a_usage_problem(record: list[int]) -> None:
    """--anchor that is not SEQ:HASH is refused (exit 3) with what to give."""
    r = run("check", "--anchor", "12")
    assert r.exit_code == 3 and "SEQ:SHA256" in r.stderr


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 command-line tool is not installed")
def test_tampering_with_the_sqlite3_command_is_caught(record: list[int], home: Path) -> None:
    """The sqlite3 shell, as an attacker would use it, cannot delete or edit without check noticing."""
    db = str(home / "incidents.db")
    refused = subprocess.run(["sqlite3", db, "DELETE FROM evidence WHERE incident_id = 2;"], capture_output=True)
    assert refused.returncode != 0 and b"append-only" in refused.stderr
    refused = subprocess.run(["sqlite3", db, "DELETE FROM incidents WHERE id = 3;"], capture_output=True)
    assert refused.returncode != 0
    subprocess.run(["sqlite3", db, "UPDATE incidents SET kind = 'other' WHERE id = 3;"], check=True)
    r, data = _check()
    assert r.exit_code == 6 and "incident 3" in _subjects(data)


def test_delete_through_campaignsafe_still_works_and_checks_out(store_backend: str, record: list[int]) -> None:
    """The tombstone path deletes an incident with its exhibits and amendments; the record still holds."""
    assert run("incidents", "delete", "1", "--yes").exit_code == 0
    r, data = _check()
    assert r.exit_code == 0, data["findings"]
    assert data["incidents"] == 2


def test_show_flags_a_record_that_does_not_match_its_hash(record: list[int], home: Path) -> None:
    """incidents show prints a warning (and --json says matches: false) for an altered record."""
    assert run("incidents", "show", "2", "--json").json["record_check"]["matches"] is True
    assert "WARNING" not in run("incidents", "show", "2").stdout
    conn = _db(home)
    _rewrite_record(False)(conn, home)
    conn.close()
    r = run("incidents", "show", "2")
    assert r.exit_code == 0
    assert "WARNING: this record may have been altered: its record no longer matches" in flat(r.stdout)
    data = run("incidents", "show", "2", "--json").json
    assert data["record_check"]["matches"] is False
    assert "record_altered" in {f["code"] for f in data["record_check"]["findings"]}


def test_check_before_anything_is_recorded_creates_nothing(home: Path) -> None:
    """On a fresh machine check says the (empty) record holds, and makes no store."""
    r = run("check")
    assert r.exit_code == 0 and "OK: the record holds: 0 incidents" in r.stdout
    assert not (home / "incidents.db").exists()


def test_the_protections_refuse_direct_deletes(record: list[int], home: Path) -> None:
    """With the triggers in place, sqlite3 cannot delete an exhibit, an amendment or an incident, nor renumber one."""
    conn = _db(home)
    for sql in (
        "DELETE FROM evidence WHERE incident_id = 1",
        "DELETE FROM amendments WHERE incident_id = 1",
        "DELETE FROM incidents WHERE id = 3",
        "UPDATE incidents SET id = 99 WHERE id = 3",
        "UPDATE exhibit_numbers SET last = 0",
        "DELETE FROM exhibit_numbers",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(sql)
    conn.close()
    assert run("check").exit_code == 0


def test_an_older_store_gains_the_protections(tmp_path: Path, home: Path) -> None:
    """A store made by a campaignsafe from before migration 0003 (the real runner applied 0001-0002) passes
    check as it is (check never migrates) and gets its triggers the next time another command opens it."""
    with older_campaignsafe("0002_append_only"):
        make_record(tmp_path)
    r, data = _check()
    assert r.exit_code == 0, data["findings"]
    assert data["pending_migrations"] == [
        "0003_tombstone_only",
        "0004_provenance",
        "0005_provenance_no_delete",
        "0006_campaign_guards",
        "0007_copies_kept",
    ]
    assert run("incidents", "list").exit_code == 0
    r, data = _check()
    assert r.exit_code == 0 and data["pending_migrations"] == [], data["findings"]
    conn = _db(home)
    names = [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM evidence WHERE incident_id = 1")
    conn.close()
    assert names == [name for name, _fn in schema.MIGRATIONS]


def test_an_empty_anchor_is_refused_not_skipped(record: list[int]) -> None:
    """`check --anchor "$ANCHOR"` with the variable unset passed (exit 0) without checking any anchor."""
    r = run("check", "--anchor", "")
    assert r.exit_code == 3 and "SEQ:SHA256" in r.stderr


def test_the_jsons_audit_head_copied_whole_is_taken_as_the_anchor(record: list[int], home: Path) -> None:
    """The hint names the JSON's audit_head, an object: it was refused as not SEQ:SHA256."""
    data = _check()[1]
    whole = json.dumps(data["audit_head"])
    r, held = _check("--anchor", whole)
    assert r.exit_code == 0 and held["anchor"]["holds"] is True
    with _db(home) as conn:
        conn.execute("UPDATE incidents SET kind = 'other' WHERE id = 3")
    assert run("check", "--anchor", whole).exit_code == 6
    assert run("check", "--anchor", '{"seq": "1", "sha256": 5}').exit_code == 3


def test_a_failed_check_keeps_its_exit_code_when_the_reader_leaves_early(
    record: list[int], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check | head -n1` (or `| grep -q FAILED` under pipefail) exited 0 on a record that does not check out: the
    pipe closing part-way ended the command "quietly" with success. It now ends with the check's own code, 6."""
    from campaignsafe.cli import check as command

    assert run("check").exit_code == 0
    with _db(home) as conn:
        kind = conn.execute("SELECT kind FROM incidents WHERE id = 3").fetchone()[0]
        conn.execute("UPDATE incidents SET kind = 'other' WHERE id = 3")

    def reader_gone(report: Any) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(command, "_print", reader_gone)
    r = run("check")
    assert r.exit_code == 6 and "does not check out" in r.stderr
    with _db(home) as conn:
        conn.execute("UPDATE incidents SET kind = ? WHERE id = 3", (kind,))
    assert run("check").exit_code == 0  # a sound record, the reader gone as well: still 0


def test_another_records_anchor_is_not_taken_for_tampering_alone(record: list[int], home: Path) -> None:
    """An anchor from another record (or mistyped in its hash) said the entry "has changed since that export" and
    to tell the police officer, accusing a sound record: when everything else holds, the hint first asks whether
    the anchor is this record's, copied exactly."""
    head = _check()[1]["audit_head"]
    other = run("check", "--anchor", f"{head['seq']}:{'ab' * 32}")
    said = " ".join(other.stderr.split())
    assert other.exit_code == 6 and "first check the anchor is this record's, copied exactly" in said
    found = run("check", "--json", "--anchor", f"{head['seq']}:{'ab' * 32}").json["findings"]
    assert "copied wrongly or from another record" in found[0]["message"]
    with _db(home) as conn:
        conn.execute("UPDATE incidents SET kind = 'other' WHERE id = 3")
    tampered = " ".join(run("check", "--anchor", f"{head['seq']}:{'ab' * 32}").stderr.split())
    assert "first check the anchor" not in tampered and "tell the police officer" in tampered


def test_an_anchor_nested_far_too_deep_is_refused_as_not_an_anchor(record: list[int]) -> None:
    """A JSON-looking anchor nested 100,000 deep was an internal error (RecursionError)."""
    r = run("check", "--anchor", '{"a":' + "[" * 100_000)
    assert r.exit_code == 3 and "SEQ:SHA256" in r.stderr
