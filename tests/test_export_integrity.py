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
    md = run("export", "--all", "--format", "md").stdout
    assert f"- Check it later: campaignsafe check --anchor {anchor}" in " ".join(md.split())
    html = run("export", "--all", "--format", "html").stdout
    # whole in monospace on the cover (a printed hash broken mid-way is easily mistyped), and the command
    assert f'<td><code class="mono">{anchor}</code></td>' in html
    assert f'<th>Check it later</th><td><code class="mono">campaignsafe check --anchor {anchor}</code>' in html
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


# -- the check runs in a child process beside the export -------------------------------------------


def _child_answer() -> dict[str, object]:
    """What the export's child process prints, run as the export runs it."""
    import json
    import os
    import subprocess

    from campaignsafe.exports import integrity

    out = subprocess.run(integrity._CHILD, capture_output=True, env=os.environ.copy(), check=True, timeout=120)
    assert out.stderr == b""
    return dict(json.loads(out.stdout))


def test_the_child_gives_what_check_quick_gives(record: list[int], home: Path) -> None:
    """The export's check, run in its own process, finds what `check --quick` finds: nothing, then the tamper."""
    quick = run("check", "--quick", "--json").json
    answer = _child_answer()["report"]
    assert isinstance(answer, dict)
    assert answer["audit_head"] == quick["audit_head"] and answer["findings"] == [] and answer["incidents"] == 3
    _tamper(home)
    answer = _child_answer()["report"]
    assert isinstance(answer, dict)
    assert answer["findings"] == run("check", "--quick", "--json").json["findings"] != []


def test_the_childs_error_is_raised_as_its_own(record: list[int], home: Path) -> None:
    """A store the child cannot read (one from a newer campaignsafe): its error crosses as its class, code and
    words, and the export refuses it with that message and exit 5."""
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute("INSERT INTO _migrations VALUES ('9999_from_the_future', '2030-01-01T00:00:00Z')")
    conn.close()
    error = _child_answer()["error"]
    assert isinstance(error, dict) and error["class"] == "StoreError" and error["code"] == "store_newer"
    from campaignsafe.errors import StoreError
    from campaignsafe.exports import integrity

    raised = integrity._error(dict(error))
    assert isinstance(raised, StoreError) and raised.code == "store_newer" and raised.hint == error.get("hint")
    r = run("export", "--all", "--format", "json")
    assert r.exit_code == 5 and " ".join(error["message"].split()) in " ".join(r.stderr.split())


@pytest.mark.parametrize(
    "child",
    [
        ["/nonexistent/python"],  # cannot be started
        ["{python}", "-c", "print('not json')"],  # says something else
        ["{python}", "-c", "import os; os._exit(9)"],  # dies without a word
        ["{python}", "-c", 'print(\'{"error": {"class": "Path", "message": "x", "code": "y"}}\')'],
    ],
)
def test_without_the_childs_answer_the_export_checks_itself(
    record: list[int], home: Path, monkeypatch: pytest.MonkeyPatch, child: list[str]
) -> None:
    """No usable answer from the child: the check runs in the export's process, and still stops a tampered record."""
    import sys

    from campaignsafe.exports import integrity

    monkeypatch.setattr(integrity, "_CHILD", [part.replace("{python}", sys.executable) for part in child])
    doc = run("export", "--all", "--format", "json").json
    assert doc["export"]["integrity"]["passed"] is True and doc["export"]["integrity"]["audit_head"]["seq"] > 0
    _tamper(home)
    r = run("export", "--all", "--format", "json")
    assert r.exit_code == 6 and "incident 2" in r.stderr and r.stdout == ""


def test_a_child_still_checking_is_ended_with_the_export(record: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The export left before asking (an error, ^C): its child does not linger."""
    import sys
    import time

    from campaignsafe.exports import integrity

    monkeypatch.setattr(integrity, "_CHILD", [sys.executable, "-c", "import time; time.sleep(60)"])
    t0 = time.monotonic()
    with integrity.Beside(anyway=False) as check:
        proc = check._proc
        assert proc is not None and proc.poll() is None
    assert proc.poll() is not None and time.monotonic() - t0 < 30


def test_how_to_verify_reads_in_80_columns() -> None:
    """An officer opens HOW-TO-VERIFY.txt in Notepad or a terminal: its lines ran to 101 characters, and an
    80-column terminal split the audit chain head they copy. Every line fits now, the head on a line of its own,
    and bundles made before (the head beside its label) still give theirs."""
    from campaignsafe.exports.signing import anchor_in, how_to

    text = how_to("campaignsafe", "SHA256:" + "A" * 43, "12:" + "ab" * 32)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert anchor_in(text) == "12:" + "ab" * 32
    assert anchor_in("Audit chain head: 12:" + "ab" * 32 + "\n") == "12:" + "ab" * 32  # a bundle made before
