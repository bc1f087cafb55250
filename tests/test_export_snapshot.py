"""An export reads the record in one snapshot, and the audit chain head it states is that snapshot's.

Before, each batch of incidents was read as the store stood at that moment: an amendment made while
an export ran could be exported without its audit entry, under a head from before it, and an incident
deleted meanwhile made the export fail as "damaged". Now a change made while the export runs is simply
not in it (the next export has it), and what the export states of the record is what it exported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from campaignsafe.incidents.store import Store
from tests.conftest import run
from tests.export_helpers import EPOCH, make_record


def _head() -> dict[str, Any]:
    head: dict[str, Any] = run("check", "--json").json["audit_head"]
    return head


def _cli(*argv: str) -> subprocess.CompletedProcess[str]:
    """Another campaignsafe process on the same data folder (a second terminal, or a colleague)."""
    return subprocess.run(
        [sys.executable, "-m", "campaignsafe", *argv], capture_output=True, text=True, env=dict(os.environ), check=False
    )


@pytest.fixture
def record(store_backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The example record, on SQLite and on the PostgreSQL store (whose snapshot is REPEATABLE READ)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return make_record(tmp_path)


def _while_reading(monkeypatch: pytest.MonkeyPatch, *argv: str) -> list[subprocess.CompletedProcess[str]]:
    """Run ``campaignsafe ARGV`` in another process once the export has chosen its incidents and copied the
    audit log, just before it reads the incidents themselves."""
    done: list[subprocess.CompletedProcess[str]] = []
    real = Store.readable

    def readable(self: Store, ids: Any) -> Any:
        if not done:
            done.append(_cli(*argv))
        return real(self, ids)

    monkeypatch.setattr(Store, "readable", readable)
    return done


@pytest.mark.parametrize(
    "change",
    [
        ("incidents", "edit", "3", "--description", "Changed while exporting", "--reason", "typo"),
        ("incidents", "delete", "3", "--yes"),
        ("report", "--when", "2026-05-02 10:00", "--place", "online", "--kind", "online-abuse", "--description", "new"),
    ],
    ids=["amended", "deleted", "reported"],
)
def test_a_change_made_while_exporting_is_not_half_exported(
    record: list[int], monkeypatch: pytest.MonkeyPatch, change: tuple[str, ...]
) -> None:
    """The export has the record as it stood when it began: incident 3 unchanged with its own audit trail,
    under the head of that moment (which `check --anchor` accepts); the change itself is kept in the store."""
    before = _head()
    shown = run("incidents", "show", "3", "--json").json
    done = _while_reading(monkeypatch, *change)
    r = run("export", "--all", "--format", "json")
    assert done and done[0].returncode == 0, done[0].stderr if done else "the change never ran"
    assert r.exit_code == 0, r.stderr
    doc = r.json
    assert doc["export"]["integrity"]["audit_head"] == before and doc["export"]["integrity"]["passed"] is True
    assert [c["id"] for c in doc["incidents"]] == record
    third = next(c for c in doc["incidents"] if c["id"] == 3)
    assert third["event"]["description"] == shown["description"]
    assert third["event"]["amendments"] == len(shown["amendments"])
    assert "amended" not in [a["action"] for a in third["audit"]][len(shown["amendments"]) + 2 :]
    assert run("check", "--anchor", f"{before['seq']}:{before['sha256']}").exit_code == 0
    assert _head()["seq"] > before["seq"]  # the change was made, after the export's snapshot


def test_a_stale_check_answer_is_checked_again_in_the_exports_snapshot(
    record: list[int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """When the check beside the export saw an older chain than the export read (a report made in between),
    the check runs again on the export's own snapshot: the head stated is the one of what was exported."""
    from campaignsafe.exports import integrity

    stale = run("check", "--quick", "--json").json
    assert run("report", "--when", "2026-05-02 10:00", "--place", "online", "--kind", "online-abuse",
               "--description", "made between the two").exit_code == 0  # fmt: skip
    now = _head()
    assert now != stale["audit_head"]
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps({"report": stale}), encoding="utf-8")
    monkeypatch.setattr(integrity, "_CHILD", [sys.executable, "-c", f"print(open({str(answer)!r}).read())"])
    doc = run("export", "--all", "--format", "json").json
    assert doc["export"]["integrity"]["audit_head"] == now
    assert len(doc["incidents"]) == len(record) + 1
