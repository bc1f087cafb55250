"""Every command on a server store as on the laptop's: backup of a campaign (restored into a laptop, imported into
another campaign), restore refused with the way that works, HQ's list with campaigns and check of every campaign."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import pg_server as pgs
from tests.conftest import run
from tests.test_pg_roles import _sql, seed

pytestmark = pytest.mark.postgresql


def _ok(*args: str) -> Any:
    r = run(*args)
    assert r.exit_code == 0, r.stderr
    return r


def _shown(ids: list[int]) -> list[dict[str, Any]]:
    out = []
    for iid in ids:
        data = _ok("incidents", "show", str(iid), "--json").json
        out.append({k: data[k] for k in ("record_sha256", "kind", "description", "created_at")} | {
            "exhibits": [(e["exhibit_ref"], (e.get("file") or {}).get("sha256")) for e in data["evidence"]],
            "amendments": len(data["amendments"]),
        })  # fmt: skip
    return out


def test_a_campaigns_backup_restores_into_a_laptop_and_imports_into_another_campaign(
    pg_server: pgs.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = seed(pg_server, tmp_path, monkeypatch)
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", s.urls["a"])
    ids = [i["id"] for i in _ok("incidents", "list", "--json").json["incidents"]]
    before = _shown(ids)
    done = _ok("backup", str(tmp_path / "a.zip"), "--json").json
    assert done["incidents"] == 2 and done["evidence_files"] == 1
    assert _ok("verify", str(tmp_path / "a.zip"), "--json").json["passed"]
    # the same file, from the server, put back into a laptop's empty data folder
    r = run("restore", str(tmp_path / "a.zip"))
    assert r.exit_code == 5 and "campaignsafe import" in r.stderr and "nothing was changed" in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 3  # the reason and the hint
    monkeypatch.delenv("CAMPAIGNSAFE_DATABASE_URL")
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "laptop"))
    _ok("restore", str(tmp_path / "a.zip"))
    assert [i["id"] for i in _ok("incidents", "list", "--json").json["incidents"]] == ids
    assert _shown(ids) == before
    assert _ok("check", "--json").json["passed"]
    # and imported into a new, empty campaign on the server
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "home"))
    n = next(pgs.numbers)
    url = _ok(
        "server", "add-campaign", f"Frome {n}", "--url", s.admin, "--password-out", str(tmp_path / "c.pw"), "--json"
    ).json["connect"]
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", url)
    got = _ok("import", str(tmp_path / "a.zip"), "--json").json
    assert len(got["imported"]) == 2
    new_ids = [m["id"] for m in got["imported"]]
    assert [x["record_sha256"] for x in _shown(new_ids)] == [x["record_sha256"] for x in before]
    assert [x["exhibits"] for x in _shown(new_ids)] == [x["exhibits"] for x in before]
    assert _ok("check", "--json").json["passed"]


def test_hq_backs_up_one_campaign_at_a_time(
    pg_server: pgs.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = seed(pg_server, tmp_path, monkeypatch)
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", s.urls["hq"])
    r = run("backup", str(tmp_path / "all.zip"))
    assert r.exit_code == 3 and "CAMPAIGNSAFE_CAMPAIGN=NAME campaignsafe backup" in r.stderr
    assert not (tmp_path / "all.zip").exists()
    monkeypatch.setenv("CAMPAIGNSAFE_CAMPAIGN", s.names["b"])
    assert _ok("backup", str(tmp_path / "b.zip"), "--json").json["incidents"] == 1
    monkeypatch.delenv("CAMPAIGNSAFE_CAMPAIGN")
    monkeypatch.delenv("CAMPAIGNSAFE_DATABASE_URL")
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "laptop"))
    _ok("restore", str(tmp_path / "b.zip"))
    assert [i["kind"] for i in _ok("incidents", "list", "--json").json["incidents"]] == ["harassment"]
    assert _ok("check", "--json").json["passed"]


def test_hq_lists_each_incidents_campaign_and_checks_every_campaign(
    pg_server: pgs.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = seed(pg_server, tmp_path, monkeypatch)
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", s.urls["hq"])
    listed = _ok("incidents", "list", "--json").json["incidents"]
    assert sorted(i["campaign"] for i in listed) == sorted([s.names["a"], s.names["a"], s.names["b"]])
    for columns in ("120", "60"):  # the table, and a narrow terminal's stacked list
        monkeypatch.setenv("COLUMNS", columns)
        text = _ok("incidents", "list").stdout
        assert s.names["a"] in text and s.names["b"] in text, text
    monkeypatch.setenv("COLUMNS", "120")
    assert "Campaign" in _ok("incidents", "list").stdout
    first = listed[0]["id"]
    assert _ok("incidents", "show", str(first), "--json").json["campaign"] == listed[0]["campaign"]
    shown = " ".join(_ok("incidents", "show", str(first)).stdout.split())
    assert f"Recorded by campaign {listed[0]['campaign']}" in shown  # not "you": HQ recorded none of them
    data = _ok("check", "--json").json
    assert data["passed"] and data["incidents"] == 3
    assert {c["campaign"]: c["incidents"] for c in data["campaigns"]} == {s.names["a"]: 2, s.names["b"]: 1}
    assert all(c["audit_head"]["seq"] > 0 for c in data["campaigns"])
    assert f"Campaign {s.names['b']} holds" in " ".join(_ok("check").stdout.split())
    # a member's list says its campaign in the JSON, and no column
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", s.urls["b"])
    assert {i["campaign"] for i in _ok("incidents", "list", "--json").json["incidents"]} == {s.names["b"]}
    assert "Campaign" not in _ok("incidents", "list").stdout
    # a finding in one campaign is named by it
    b_id = _sql(s.urls["b"], "SELECT id FROM incidents")[0][0]
    _sql(s.admin, "ALTER TABLE incidents DISABLE TRIGGER record_no_update")
    _sql(s.admin, "UPDATE incidents SET record = replace(record, 'b one', 'b ONE') WHERE id = %s", b_id)
    _sql(s.admin, "ALTER TABLE incidents ENABLE TRIGGER record_no_update")
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", s.urls["hq"])
    r = run("check", "--json")
    assert r.exit_code == 6
    subjects = {f["subject"] for f in r.json["findings"]}
    assert f"campaign {s.names['b']}, incident {b_id}" in subjects, subjects
    assert {c["campaign"]: c["passed"] for c in r.json["campaigns"]} == {s.names["a"]: True, s.names["b"]: False}


def test_an_administrator_without_createrole_is_told_what_it_lacks(
    pg_server: pgs.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's administrator (``createuser --createrole``): one made without it is told the privilege."""
    n = next(pgs.numbers)
    _sql(pg_server.url("postgres"), f"CREATE ROLE plain_admin_{n} LOGIN")
    _sql(pg_server.url("postgres"), f"CREATE DATABASE plain_{n} OWNER plain_admin_{n}")
    admin = pg_server.url(f"plain_{n}", user=f"plain_admin_{n}")
    _sql(
        pg_server.url("postgres"),
        "DO $$ BEGIN CREATE ROLE campaignsafe_member NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
    )
    _sql(
        pg_server.url("postgres"),
        "DO $$ BEGIN CREATE ROLE campaignsafe_hq NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
    )
    monkeypatch.delenv("CAMPAIGNSAFE_DATABASE_URL", raising=False)
    _ok("server", "init", "--url", admin)
    r = run("server", "add-campaign", f"Plain {n}", "--url", admin, "--password-out", str(tmp_path / "p.pw"))
    assert r.exit_code == 5
    assert f"ALTER ROLE plain_admin_{n} CREATEROLE" in " ".join(r.stderr.split()), r.stderr
    assert not (tmp_path / "p.pw").exists()
