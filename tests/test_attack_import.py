"""Attacks on ``campaignsafe import``: an incidents.json whose parts have the wrong type, and ids that are text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.backup_helpers import ok, rezip, snapshot, unsigned, use_home
from tests.conftest import run
from tests.export_helpers import EPOCH, make_record
from tests.incident_helpers import minimal, write_json

CANARY = "Zq7CanaryText"


@pytest.fixture
def candidate(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    make_record(tmp_path / "js")
    bundle = tmp_path / "js-bundle.zip"
    ok("export", "--all", "--bundle", str(bundle))
    return bundle


def _case(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, bytes]], None]:
    """Edit the first incident of incidents.json (then the bundle is re-hashed and posed as unsigned)."""

    def apply(m: dict[str, bytes]) -> None:
        doc = json.loads(m["incidents.json"])
        change(doc["incidents"][0])
        m["incidents.json"] = json.dumps(doc).encode()

    return unsigned(apply)


def _set(*path: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(case: dict[str, Any]) -> None:
        for key in path[:-1]:
            case = case[key]
        case[path[-1]] = value

    return change


@pytest.mark.parametrize(
    "change",
    [
        _set("objects", value=CANARY),
        _set("objects", "evidence", value=[CANARY]),
        _set("objects", "evidence", value=[{"files": 5}]),
        _set("objects", "evidence", value=[{"files": [{"sha256": [CANARY], "bundle_path": "x"}]}]),
        _set("provenance", value={"amendments_by": 5}),
    ],
    ids=["objects-text", "evidence-text", "files-number", "sha256-list", "amendments_by-number"],
)
def test_a_part_of_the_wrong_type_is_refused_in_one_line(
    change: Callable[[dict[str, Any]], None], candidate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """These were an internal error (exit 1, AttributeError/TypeError); now exit 3, nothing written."""
    bad = rezip(candidate, tmp_path / "bad.zip", _case(change))
    home = use_home(monkeypatch, tmp_path / "agent")
    ok("profile", "--name", "Alex Brown", "--role", "agent")
    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    before = snapshot(home)
    r = run("import", str(bad))
    assert r.exit_code == 3, r.stderr
    assert r.stderr.startswith("campaignsafe: error:") and "incident 1 in incidents.json" in r.stderr
    assert "internal error" not in r.stderr and CANARY not in r.stderr + r.stdout
    assert snapshot(home) == before


def test_an_incident_id_that_is_text_is_not_quoted(
    candidate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusal named the incident by whatever its ``id`` held, quoting text from the file."""
    bad = rezip(candidate, tmp_path / "bad.zip", _case(_set("record", "id", value=CANARY)))
    use_home(monkeypatch, tmp_path / "agent")
    r = run("import", str(bad))
    assert r.exit_code == 3, r.stderr
    assert CANARY not in r.stderr + r.stdout and "incident 1 in incidents.json" in r.stderr
