"""``import`` of a large file, a batch at a time: every batch its own audit entry and ``imports`` row, all in one
transaction, so a file that fails late imports nothing and leaves no evidence copy behind (both stores)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from campaignsafe.backup import importing
from tests.backup_helpers import ok, rezip, unsigned, use_home
from tests.conftest import run
from tests.export_helpers import EPOCH, make_record
from tests.incident_helpers import server_rows


def _bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The candidate's three incidents (three evidence files) as a bundle, made in a data folder of its own."""
    url = os.environ.pop("CAMPAIGNSAFE_DATABASE_URL", None)
    use_home(monkeypatch, tmp_path / "js")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    make_record(tmp_path / "js-files")
    bundle = tmp_path / "js.zip"
    ok("export", "--all", "--bundle", str(bundle))
    if url is not None:
        monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", url)
    use_home(monkeypatch, tmp_path / "agent")
    ok("profile", "--name", "Alex Brown", "--initials", "AB")
    return bundle


def _audit(store: str, home: Path) -> list[tuple[str, dict[str, Any]]]:
    sql = "SELECT action, detail FROM audit ORDER BY seq"
    if store == "postgresql":
        rows = server_rows(sql)
    else:
        import sqlite3

        conn = sqlite3.connect(home / "incidents.db")
        rows = conn.execute(sql).fetchall()
        conn.close()
    return [(str(a), json.loads(d)) for a, d in rows]


def _copies(store: str, home: Path) -> int:
    if store == "postgresql":
        return int(server_rows("SELECT count(*) FROM blobs")[0][0])
    folder = home / "evidence"
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0  # a temporary copy too


def test_a_file_larger_than_a_batch_is_one_import_in_several_entries(
    store_backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two incidents a batch, the three incidents come in as two `imported` entries naming the same
    manifest and signer (2 + 1 incidents); the record checks out, each incident keeps who recorded it, and
    importing again adds nothing."""
    bundle = _bundle(tmp_path, monkeypatch)
    monkeypatch.setattr(importing, "BATCH", 2)
    done = ok("import", str(bundle), "--json").json
    assert [m["id"] for m in done["imported"]] == [1, 2, 3] and done["files_copied"] == 3
    entries = [d for a, d in _audit(store_backend, tmp_path / "agent") if a == "imported"]
    assert [len(d["incidents"]) for d in entries] == [2, 1]
    assert {(d["manifest_sha256"], d["signer"]) for d in entries} == {(done["manifest_sha256"], done["signer"])}
    checked = ok("check", "--json").json
    assert checked["passed"] and checked["incidents"] == 3 and checked["audit_entries"] == 2
    listed = ok("incidents", "list", "--json").json["incidents"]
    assert [i["recorded_by"] for i in listed] == ["JS", "JS", "JS"]
    again = ok("import", str(bundle), "--json").json
    assert again["imported"] == [] and again["already_held"] == 3
    assert ok("check", "--json").json["audit_entries"] == 2


def test_an_incident_that_fails_after_others_were_copied_in_imports_nothing(
    store_backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One incident a batch: the third incident's record does not match its hash, found after the first two (and
    their evidence) were copied in and set aside. Nothing is imported, no evidence copy is left, the error names
    no text from the file, and the good file then imports in full."""
    bundle = _bundle(tmp_path, monkeypatch)

    def third_changed(members: dict[str, bytes]) -> None:
        doc = json.loads(members["incidents.json"])
        doc["incidents"][2]["record"]["description"] = "words the candidate never wrote"
        members["incidents.json"] = json.dumps(doc).encode()

    bad = rezip(bundle, tmp_path / "bad.zip", unsigned(third_changed))
    monkeypatch.setattr(importing, "BATCH", 1)
    home = tmp_path / "agent"
    r = run("import", str(bad))
    assert r.exit_code == 6 and "does not match its record_sha256" in r.stderr and "never wrote" not in r.stderr
    assert "nothing was imported" in r.stderr
    assert ok("incidents", "list", "--json").json["incidents"] == []
    assert _copies(store_backend, home) == 0
    assert [a for a, _d in _audit(store_backend, home)] == []
    assert ok("import", str(bundle), "--json").json["files_copied"] == 3
    assert ok("check", "--json").json["passed"]


def test_a_backup_imports_a_batch_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A backup's incidents (their exhibits, amendments and trail kept on disk meanwhile) import in batches
    too, with the same records and amendments as one batch gives."""
    _bundle(tmp_path, monkeypatch)  # (the candidate's record, in tmp/js)
    use_home(monkeypatch, tmp_path / "js")
    backup = tmp_path / "js-backup.zip"
    ok("backup", str(backup))
    shown: list[list[dict[str, Any]]] = []
    for batch, home in ((1, "agent-1"), (1000, "agent-2")):
        use_home(monkeypatch, tmp_path / home)
        monkeypatch.setattr(importing, "BATCH", batch)
        assert len(ok("import", str(backup), "--json").json["imported"]) == 3
        assert ok("check").stdout.startswith("OK")
        shown.append([ok("incidents", "show", str(n), "--json").json for n in (1, 2, 3)])
    for one, whole in zip(*shown, strict=True):
        assert one["record_sha256"] == whole["record_sha256"] and one["amendments"] == whole["amendments"]
        assert one["evidence"] == whole["evidence"]


def test_show_checks_an_imported_record_against_the_import_that_brought_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`incidents show` of an imported incident finds the `imported` entry that made it (one batch of several):
    a true record shows no warning; its record and hash rewritten, or its provenance pointed at another import,
    shows the warning."""
    import sqlite3

    from campaignsafe.incidents import audit

    bundle = _bundle(tmp_path, monkeypatch)
    monkeypatch.setattr(importing, "BATCH", 1)
    ok("import", str(bundle))
    for n in (1, 2, 3):
        shown = ok("incidents", "show", str(n), "--json").json["record_check"]
        assert shown["matches"] is True and shown["findings"] == []
    conn = sqlite3.connect(tmp_path / "agent" / "incidents.db")
    conn.execute("DROP TRIGGER IF EXISTS record_no_update")
    (text,) = conn.execute("SELECT record FROM incidents WHERE id = 3").fetchone()
    forged = text.replace('"kind":', '"kind" :', 1)  # the same record to a reader, other bytes
    assert forged != text
    conn.execute("UPDATE incidents SET record = ?, record_sha256 = ? WHERE id = 3", (forged, audit.sha256_text(forged)))
    conn.execute("DROP TRIGGER IF EXISTS provenance_no_update")
    conn.execute("UPDATE provenance SET import_seq = (SELECT import_seq FROM provenance WHERE incident_id = 1)"
                 " WHERE incident_id = 2")  # fmt: skip
    conn.commit()
    conn.close()
    assert ok("incidents", "show", "1", "--json").json["record_check"]["matches"] is True
    for n, code in ((2, "provenance_altered"), (3, "record_replaced")):
        r = ok("incidents", "show", str(n))
        assert "WARNING" in r.stdout
        found = ok("incidents", "show", str(n), "--json").json["record_check"]["findings"]
        assert [f["code"] for f in found] == [code]
    assert {"provenance_altered", "record_replaced"} <= {f["code"] for f in run("check", "--json").json["findings"]}
