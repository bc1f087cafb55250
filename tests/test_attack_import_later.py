"""Attack on importing later amendments: a file not signed by the incident's own signer adds none."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.backup_helpers import ok, rezip, unsigned, use_home
from tests.export_helpers import EPOCH, make_record


def _count(home: Path, iid: int) -> int:
    conn = sqlite3.connect(home / "incidents.db")
    try:
        return int(conn.execute("SELECT count(*) FROM amendments WHERE incident_id = ?", (iid,)).fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def later(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    """JS's signed bundle imported by AB, then JS amends incident 1 and exports again (signed, same key)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    make_record(tmp_path / "js")
    first = tmp_path / "js-1.zip"
    ok("export", "--all", "--bundle", str(first))
    ok("incidents", "edit", "1", "--place", "High Street, by the bank", "--reason", "remembered")
    second = tmp_path / "js-2.zip"
    ok("export", "--all", "--bundle", str(second))
    agent = use_home(monkeypatch, tmp_path / "agent")
    ok("profile", "--name", "Alex Brown", "--initials", "AB")
    ok("import", str(first))
    return agent, first, second


def test_an_unsigned_copy_with_later_amendments_adds_none(later: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """Anyone holding JS's bundle could make an unsigned copy with an amendment of their own, naming JS as
    its maker: it was added to AB's record as JS's amendment."""
    agent, _first, second = later
    held = _count(agent, 1)

    def forged(m: dict[str, bytes]) -> None:
        doc = json.loads(m["incidents.json"])
        doc["incidents"][0]["record"]["amendments"][-1]["reason"] = "Zq7Forged"
        m["incidents.json"] = json.dumps(doc).encode()

    bad = rezip(second, tmp_path / "forged.zip", unsigned(forged))
    data = ok("import", str(bad), "--json").json
    assert data["updated"] == [] and data["other_signer"] == [{"source_id": 1, "id": 1}]
    assert _count(agent, 1) == held
    text = " ".join(ok("import", str(bad)).stdout.split())
    assert "not signed by the key that signed the one it was imported from" in text


def test_the_same_signers_later_bundle_still_adds_them(later: tuple[Path, Path, Path]) -> None:
    agent, _first, second = later
    held = _count(agent, 1)
    data = ok("import", str(second), "--json").json
    assert [(u["id"], u["amendments"]) for u in data["updated"]] == [(1, 1)] and data["other_signer"] == []
    assert _count(agent, 1) == held + 1
