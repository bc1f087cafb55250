"""Exports check the record first, state the audit chain head, and carry any findings to the police."""

from __future__ import annotations

import email
import sqlite3
from email import policy
from pathlib import Path

import pytest

from tests.conftest import run
from tests.export_helpers import EPOCH, make_record, members


@pytest.fixture
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return make_record(tmp_path)


def _tamper(home: Path) -> None:
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute("UPDATE incidents SET kind = 'other' WHERE id = 2")
    conn.close()


def _head() -> str:
    head = run("check", "--json").json["audit_head"]
    return f"{head['seq']}:{head['sha256']}"


def test_every_export_states_the_audit_chain_head(record: list[int], tmp_path: Path) -> None:
    """JSON, both reports and the email draft give SEQ:SHA256, which check --anchor accepts."""
    anchor = _head()
    doc = run("export", "--all", "--format", "json").json
    assert doc["export"]["integrity"]["passed"] is True
    head = doc["export"]["integrity"]["audit_head"]
    assert f"{head['seq']}:{head['sha256']}" == anchor
    assert anchor in run("export", "--all", "--format", "md").stdout
    assert anchor in run("export", "--all", "--format", "html").stdout
    out = tmp_path / "police.eml"
    assert run("export", "--all", "--eml", str(out)).exit_code == 0
    msg = email.message_from_bytes(out.read_bytes(), policy=policy.default)
    body = msg.get_body(("plain",))
    assert body is not None and anchor in " ".join(body.get_content().split())
    assert run("check", "--anchor", anchor).exit_code == 0


def test_export_of_a_tampered_record_stops_and_writes_nothing(record: list[int], home: Path, tmp_path: Path) -> None:
    """exit 6 naming the incident; no bundle, no report, no email written."""
    _tamper(home)
    outs = [tmp_path / "b.zip", tmp_path / "r.html", tmp_path / "e.eml"]
    r = run("export", "--all", "--bundle", str(outs[0]), "-o", str(outs[1]), "--eml", str(outs[2]))
    assert r.exit_code == 6
    assert "incident 2" in r.stderr and "nothing was written" in r.stderr and "--anyway" in r.stderr
    assert not any(p.exists() for p in outs)
    assert list(tmp_path.glob("*.tmp")) == [] and list(tmp_path.glob(".*.tmp")) == []


def test_anyway_exports_with_the_findings_on_the_cover_and_in_the_json(
    record: list[int], home: Path, tmp_path: Path
) -> None:
    """--anyway writes the export; the cover leads with the warning and the JSON lists every finding."""
    _tamper(home)
    out = tmp_path / "b.zip"
    r = run("export", "--all", "--anyway", "--bundle", str(out))
    assert r.exit_code == 0 and "does not check out" in r.stderr
    files = members(out)
    html = files["report.html"].decode()
    assert "WARNING: campaignsafe check found" in html and "incident 2" in html
    assert "WARNING: campaignsafe check found" in files["report.md"].decode()
    import json

    facts = json.loads(files["incidents.json"])["export"]["integrity"]
    assert facts["passed"] is False and facts["exported_despite_findings"] is True
    assert any(f["subject"] == "incident 2" and f["code"] == "listing_altered" for f in facts["findings"])
    assert run("verify", str(out)).exit_code == 0  # the bundle itself is intact: what it says is the warning


# -- --anyway with a damaged row: the rest is exported, the damaged incident named ----------------

CANARY = "CANARY-damaged-7f3a"


def _damage(home: Path, *ids: int) -> None:
    """A stored record that is no longer JSON (holding a canary that must never be shown)."""
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS record_no_update")
    for iid in ids:
        conn.execute("UPDATE incidents SET record = ? WHERE id = ?", ('{"description": "' + CANARY, iid))
    conn.close()


def test_anyway_exports_the_rest_of_a_record_with_a_damaged_row(record: list[int], home: Path, tmp_path: Path) -> None:
    """One unreadable incident: --anyway exports the others, names it on stderr, the cover and in the JSON;
    the bundle verifies, and nothing of the damaged row is shown."""
    _damage(home, 2)
    out = tmp_path / "b.zip"
    assert run("export", "--all", "--bundle", str(out)).exit_code == 6 and not out.exists()
    r = run("export", "--all", "--anyway", "--bundle", str(out))
    assert r.exit_code == 0, r.stderr
    assert "incident 2 cannot be read from the store and is left out" in r.stderr
    files = members(out)
    import json

    doc = json.loads(files["incidents.json"])
    assert [c["record"]["id"] for c in doc["incidents"]] == [1, 3]
    facts = doc["export"]["integrity"]
    assert {"subject": "incident 2", "code": "left_out"}.items() <= next(
        f for f in facts["findings"] if f["code"] == "left_out"
    ).items()
    for name in ("report.html", "report.md"):
        text = files[name].decode()
        assert "WARNING: campaignsafe check found" in text and "not in this export" in text
    assert all(CANARY.encode() not in data for data in files.values())
    assert CANARY not in r.stdout + r.stderr
    assert run("verify", str(out)).exit_code == 0
    r = run("export", "--all", "--anyway", "--format", "json")
    assert r.exit_code == 0 and [c["record"]["id"] for c in json.loads(r.stdout)["incidents"]] == [1, 3]


def test_anyway_with_every_selected_row_damaged_writes_nothing(record: list[int], home: Path, tmp_path: Path) -> None:
    """Nothing readable left: exit 5, one line, no file."""
    _damage(home, 2)
    out = tmp_path / "b.zip"
    r = run("export", "2", "--anyway", "--bundle", str(out))
    assert r.exit_code == 5 and "every incident selected is damaged" in r.stderr and not out.exists()
    assert CANARY not in r.stderr
