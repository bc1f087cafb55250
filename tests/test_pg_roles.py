"""Campaigns and roles on the PostgreSQL store, tested with raw SQL as each role the tool connects as.

A campaign's members read and write only their campaign's rows; HQ reads every campaign and changes
none; no tool role can UPDATE or DELETE an original, an amendment, an exhibit or an audit entry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests import pg_server as pgs
from tests.conftest import run
from tests.incident_helpers import write_json

pytestmark = pytest.mark.postgresql

DATA = ("incidents", "amendments", "evidence", "exhibit_numbers", "audit", "blobs", "blob_chunks")


@dataclass
class Seeded:
    admin: str
    urls: dict[str, str]  # "a", "b", "hq" → the URL each connects with (as `server add-*` printed it)
    names: dict[str, str]  # "a", "b" → campaign name
    folder: Path


def _sql(url: str, sql: str, *args: Any) -> Any:
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, args)
        return cur.fetchall() if cur.description else cur.rowcount


def _ok(*args: str) -> Any:
    r = run(*args)
    assert r.exit_code == 0, r.stderr
    return r


def seed(server: pgs.Server, folder: Path, mp: pytest.MonkeyPatch) -> Seeded:
    """init, campaigns A and B and an HQ login; A records two incidents (evidence, an amendment), B one."""
    n = next(pgs.numbers)
    admin = server.url(pgs.fresh_database(server))
    mp.setenv("CAMPAIGNSAFE_HOME", str(folder / "home"))
    mp.delenv("CAMPAIGNSAFE_DATABASE_URL", raising=False)
    _ok("server", "init", "--url", admin)
    names = {"a": f"Bath {n}", "b": f"Wells {n}"}
    urls = {}
    for key, name in names.items():
        out = folder / f"{key}.password"
        urls[key] = _ok("server", "add-campaign", name, "--url", admin, "--password-out", str(out), "--json").json[
            "connect"
        ]
    urls["hq"] = _ok(
        "server", "add-hq", "--url", admin, "--login", f"hq_{n}", "--password-out", str(folder / "hq.pw"), "--json"
    ).json["connect"]
    (folder / "a.jpg").write_bytes(b"campaign a's photo")
    (folder / "b.jpg").write_bytes(b"campaign b's photo")
    _ok("profile", "--name", "Jo Smith")
    base = {"occurred_at": "2026-05-01T18:30", "kind": "threats", "location": {"text": "High Street"}}
    mp.setenv("CAMPAIGNSAFE_DATABASE_URL", urls["a"])
    incidents = [{**base, "description": "a one", "evidence": [{"path": "a.jpg"}]}, {**base, "description": "a two"}]
    _ok("report", "--from-file", str(write_json(folder, incidents, "a.json")))
    _ok("incidents", "edit", "1", "--description", "a one, corrected")
    mp.setenv("CAMPAIGNSAFE_DATABASE_URL", urls["b"])
    incidents = [{**base, "description": "b one", "evidence": [{"path": "b.jpg"}]}]
    made = _ok("report", "--from-file", str(write_json(folder, incidents, "b.json")), "--json").json
    b_id = made["incidents"][0]["id"]
    _ok("incidents", "edit", str(b_id), "--kind", "harassment")
    return Seeded(admin, urls, names, folder)


@pytest.fixture(scope="module")
def seeded(pg_server: pgs.Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    with pytest.MonkeyPatch.context() as mp:
        yield seed(pg_server, tmp_path_factory.mktemp("roles"), mp)


def test_setup_prints_how_to_connect_and_never_a_password(
    pg_server: pgs.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """add-campaign writes a generated password to a 0600 file, prints only where it is, and stores a SCRAM
    verifier that the password proves (the server never sees the password itself)."""
    admin = pg_server.url(pgs.fresh_database(pg_server))
    r = run("server", "add-campaign", "Early", "--url", admin)
    assert r.exit_code == 5 and "server init" in r.stderr
    _ok("server", "init", "--url", admin)
    _ok("server", "init", "--url", admin)  # again: brought up to date, nothing broken
    n = next(pgs.numbers)
    out = tmp_path / "frome.password"
    r = _ok("server", "add-campaign", f"Frome {n}", "--url", admin, "--password-out", str(out))
    password = out.read_text().strip()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and len(password) >= 32
    assert password not in r.stdout + r.stderr
    assert f"export CAMPAIGNSAFE_DATABASE_URL='postgresql://cs_frome_{n}@" in r.stdout and str(out) in r.stdout
    # a member on Windows: the PowerShell line and where libpq looks for the password file there
    assert f"$env:CAMPAIGNSAFE_DATABASE_URL = 'postgresql://cs_frome_{n}@" in r.stdout
    assert "%APPDATA%\\postgresql\\pgpass.conf" in " ".join(r.stdout.split())
    verifier = _sql(admin, "SELECT rolpassword FROM pg_authid WHERE rolname = %s", f"cs_frome_{n}")[0][0]
    method, rest = verifier.split("$", 1)
    iterations_salt, keys = rest.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key = keys.split(":")[0]
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client = hmac.new(salted, b"Client Key", "sha256").digest()
    assert method == "SCRAM-SHA-256" and base64.b64encode(hashlib.sha256(client).digest()).decode() == stored_key
    # the same name again, a role that exists, a password file, a role to --grant
    assert run("server", "add-campaign", f"Frome {n}", "--url", admin).exit_code == 3
    (tmp_path / "pw").write_text("correct horse battery staple\n")
    r = run("server", "add-campaign", f"Keynsham {n}", "--url", admin, "--password-file", str(tmp_path / "pw"))
    assert r.exit_code == 0 and "correct horse" not in r.stdout + r.stderr
    r = run("server", "add-campaign", f"Radstock {n}", "--url", admin, "--grant", f"cs_keynsham_{n}", "--json")
    assert r.exit_code == 0 and r.json["created"] is False and r.json["login_role"] == f"cs_keynsham_{n}"
    assert run("server", "add-campaign", "bad;name", "--url", admin).exit_code == 3


def test_a_server_from_before_kept_copies_needs_init_again_and_then_keeps_them(
    pg_server: pgs.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server set up before 0007_copies_kept (members could delete copies): its members are told to have
    `server init` run; once it is, they can no longer delete or rename a copy."""
    from campaignsafe.incidents import pg_copies

    admin = pg_server.url(pgs.fresh_database(pg_server))
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CAMPAIGNSAFE_DATABASE_URL", raising=False)
    _ok("server", "init", "--url", admin)
    n = next(pgs.numbers)
    out = tmp_path / "p.password"
    member = _ok("server", "add-campaign", f"Old {n}", "--url", admin, "--password-out", str(out), "--json").json[
        "connect"
    ]
    for sql in (
        "DROP TRIGGER blobs_kept ON blobs",
        "DROP TRIGGER blob_chunks_kept ON blob_chunks",
        "DROP TRIGGER blob_chunks_staged_only ON blob_chunks",
        *(f"DROP FUNCTION {f}" for f in reversed(pg_copies.COPY_FUNCTIONS)),
        "DELETE FROM _migrations WHERE name = '0007_copies_kept'",
        "GRANT UPDATE (sha256) ON blob_chunks TO campaignsafe_member",
        "GRANT DELETE ON blobs, blob_chunks TO campaignsafe_member",
    ):
        _sql(admin, sql)
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", member)
    r = run("incidents", "list")
    assert r.exit_code == 5 and "0007_copies_kept" in r.stderr and "server init" in r.stderr, r.stderr
    monkeypatch.delenv("CAMPAIGNSAFE_DATABASE_URL")
    _ok("server", "init", "--url", admin)
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", member)
    _ok("incidents", "list")
    for sql in ("DELETE FROM blob_chunks", "UPDATE blob_chunks SET sha256 = 'x'", "DELETE FROM blobs"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _sql(member, sql)


def _count(url: str, table: str) -> int:
    return int(_sql(url, f"SELECT count(*) FROM {table}")[0][0])


@pytest.mark.parametrize("table", DATA)
def test_a_member_reads_only_its_campaign_and_hq_reads_all(seeded: Seeded, table: str) -> None:
    total = _count(seeded.admin, table)
    a, b, hq = (_count(seeded.urls[k], table) for k in ("a", "b", "hq"))
    assert a > 0 and b > 0 and a + b == total and hq == total
    campaigns = {k: {r[0] for r in _sql(seeded.urls[k], f"SELECT DISTINCT campaign FROM {table}")} for k in "ab"}
    assert campaigns == {"a": {seeded.names["a"]}, "b": {seeded.names["b"]}}


def test_a_member_cannot_change_or_add_to_another_campaign(seeded: Seeded) -> None:
    a, other = seeded.urls["a"], seeded.names["b"]
    before = {t: _count(seeded.admin, t) for t in DATA}
    # the rows it may change in its own campaign are invisible in another's: nothing matches
    assert _sql(a, "UPDATE incidents SET kind = 'other' WHERE campaign = %s", other) == 0
    assert _sql(a, "UPDATE exhibit_numbers SET last = last + 10 WHERE campaign = %s", other) == 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # row-level security's WITH CHECK
        _sql(
            a,
            "INSERT INTO incidents (campaign, created_at, record, record_sha256, occurred_utc, occurred_at,"
            " time_known, kind, place) VALUES (%s, '', '{}', '', '', '', 0, '', '')",
            other,
        )
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(
            a,
            "INSERT INTO audit (campaign, seq, at, action, detail, prev_sha256, sha256)"
            " VALUES (%s, 99, '', 'created', '{}', '', '')",
            other,
        )
    b_incident = _sql(seeded.urls["b"], "SELECT id FROM incidents")[0][0]
    with pytest.raises(psycopg.errors.Error):  # not its campaign's incident
        _sql(a, "SELECT campaignsafe_delete_incident(%s)", b_incident)
    assert {t: _count(seeded.admin, t) for t in DATA} == before
    assert _sql(seeded.admin, "SELECT kind FROM incidents WHERE campaign = %s", other) == [("harassment",)]


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO incidents (created_at, record, record_sha256, occurred_utc, occurred_at, time_known, kind, place)"
        " VALUES ('', '{}', '', '', '', 0, '', '')",
        "INSERT INTO audit (seq, at, action, detail, prev_sha256, sha256) VALUES (99, '', 'x', '{}', '', '')",
        "UPDATE incidents SET kind = 'other'",
        "UPDATE exhibit_numbers SET last = last + 1",
        "DELETE FROM blobs",
        "DELETE FROM blob_chunks",
        "SELECT campaignsafe_delete_incident(1)",
        "SELECT campaignsafe_remove_copy('x')",
        "SELECT campaignsafe_place_copy('.incoming-x', 'x', 0)",
    ],
)
def test_hq_changes_nothing(seeded: Seeded, sql: str) -> None:
    before = {t: _count(seeded.admin, t) for t in DATA}
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(seeded.urls["hq"], sql)
    assert {t: _count(seeded.admin, t) for t in DATA} == before


REWRITES = [
    "UPDATE incidents SET record = '{}'",
    "UPDATE incidents SET record_sha256 = 'x'",
    "UPDATE incidents SET created_at = 'x'",
    "UPDATE incidents SET campaign = 'x'",
    "DELETE FROM incidents",
    "UPDATE amendments SET amendment = '{}'",
    "DELETE FROM amendments",
    "UPDATE evidence SET item = '{}'",
    "UPDATE evidence SET file_sha256 = 'x'",
    "DELETE FROM evidence",
    "UPDATE audit SET detail = '{}'",
    "DELETE FROM audit",
    "UPDATE audit_high SET seq = 0",
    "DELETE FROM exhibit_numbers",
    "UPDATE provenance SET recorded_by = '{}'",
    "UPDATE blobs SET size = 0",
    "UPDATE blobs SET sha256 = 'x'",
    "DELETE FROM blobs",
    "UPDATE blob_chunks SET sha256 = 'x'",
    "UPDATE blob_chunks SET data = 'forged'",
    "DELETE FROM blob_chunks",
    "INSERT INTO blob_chunks (sha256, n, data) SELECT sha256, 99, 'appended' FROM blobs",
    "ALTER TABLE blob_chunks DISABLE TRIGGER blob_chunks_kept",
    "ALTER TABLE audit DISABLE TRIGGER audit_no_update",
    "DROP TRIGGER audit_no_delete ON audit",
    "ALTER TABLE incidents DISABLE ROW LEVEL SECURITY",
]


@pytest.mark.parametrize("role", ["a", "b", "hq"])
@pytest.mark.parametrize("sql", REWRITES)
def test_no_tool_role_can_rewrite_an_original_amendment_exhibit_or_audit_entry(
    seeded: Seeded, role: str, sql: str
) -> None:
    before = {t: _sql(seeded.admin, f"SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {t} t") for t in DATA}
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(seeded.urls[role], sql)
    after = {t: _sql(seeded.admin, f"SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {t} t") for t in DATA}
    assert after == before


def _digest(url: str) -> dict[str, Any]:
    return {t: _sql(url, f"SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {t} t") for t in DATA}


def _unused_copy(seeded: Seeded, key: str, data: bytes) -> str:
    """A copy in campaign ``key`` that no exhibit uses (what a failed save leaves), put there by the owner."""
    sha = hashlib.sha256(data).hexdigest()
    campaign = seeded.names[key]
    _sql(seeded.admin, "INSERT INTO blobs (campaign, sha256, size) VALUES (%s, %s, %s)", campaign, sha, len(data))
    _sql(
        seeded.admin, "INSERT INTO blob_chunks (campaign, sha256, n, data) VALUES (%s, %s, 0, %s)", campaign, sha, data
    )
    return sha


def test_a_copy_is_taken_back_only_by_its_campaign_and_only_while_no_exhibit_uses_it(seeded: Seeded) -> None:
    a, b = seeded.urls["a"], seeded.urls["b"]
    used = _sql(a, "SELECT file_sha256 FROM evidence WHERE file_sha256 IS NOT NULL")[0][0]
    before = _digest(seeded.admin)
    assert _sql(a, "SELECT campaignsafe_remove_copy(%s)", used) == [(False,)]  # an exhibit points at it
    assert _digest(seeded.admin) == before
    left = _unused_copy(seeded, "b", b"a failed save's copy in campaign b")
    before = _digest(seeded.admin)
    assert _sql(a, "SELECT campaignsafe_remove_copy(%s)", left) == [(False,)]  # not campaign a's copy
    assert _digest(seeded.admin) == before
    assert _sql(b, "SELECT campaignsafe_remove_copy(%s)", left) == [(True,)]  # its own campaign takes it back
    assert _sql(seeded.admin, "SELECT count(*) FROM blob_chunks WHERE sha256 = %s", left) == [(0,)]
    assert _sql(seeded.admin, "SELECT count(*) FROM blobs WHERE sha256 = %s", left) == [(0,)]


def test_placing_a_copy_never_replaces_an_intact_one_nor_renames_a_stored_one(seeded: Seeded) -> None:
    a = seeded.urls["a"]
    used = _sql(a, "SELECT file_sha256 FROM evidence WHERE file_sha256 IS NOT NULL")[0][0]
    before = _digest(seeded.admin)
    with psycopg.connect(a) as conn:  # one transaction: forged bytes staged, then offered under the real hash
        conn.execute("INSERT INTO blob_chunks (sha256, n, data) VALUES ('.incoming-forged', 0, 'forged')")
        assert conn.execute("SELECT campaignsafe_place_copy('.incoming-forged', %s, 6)", (used,)).fetchone() == (
            "kept",
        )
        conn.commit()
    assert _digest(seeded.admin) == before  # the stored copy intact, the forged chunks not kept
    with pytest.raises(psycopg.errors.InvalidParameterValue):  # a stored copy is not a staged one
        _sql(a, "SELECT campaignsafe_place_copy(%s, 'x', 0)", used)
    assert _digest(seeded.admin) == before


def test_a_copy_granted_away_by_mistake_is_still_kept_by_the_server(seeded: Seeded) -> None:
    """Privileges aside, the server's triggers refuse a tool role's UPDATE or DELETE of a stored copy."""
    before = _digest(seeded.admin)
    _sql(seeded.admin, "GRANT UPDATE, DELETE ON blobs, blob_chunks TO campaignsafe_member")
    try:
        for sql in ("DELETE FROM blob_chunks", "UPDATE blobs SET size = 0"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="stored copies are kept"):
                _sql(seeded.urls["a"], sql)
    finally:
        _sql(seeded.admin, "REVOKE UPDATE, DELETE ON blobs, blob_chunks FROM campaignsafe_member")
    assert _digest(seeded.admin) == before


def test_each_campaign_works_on_its_own_record_through_the_cli(
    pg_server: pgs.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Members list, check, delete and export their own; HQ lists and checks every campaign, exports one at a time."""
    s = seed(pg_server, tmp_path, monkeypatch)
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", s.urls["a"])
    assert [i["id"] for i in _ok("incidents", "list", "--json").json["incidents"]] == [1, 2]
    assert _ok("check", "--json").json["passed"]
    refs = [e["exhibit_ref"] for e in _ok("incidents", "show", "1", "--json").json["evidence"]]
    assert refs == ["JS/1"]
    b_id = _sql(s.urls["b"], "SELECT id FROM incidents")[0][0]
    assert run("incidents", "show", str(b_id)).exit_code == 4  # B's incident does not exist for A
    _ok("export", "--all", "--bundle", str(tmp_path / "a.zip"))
    assert _ok("verify", str(tmp_path / "a.zip"), "--json").json["passed"]
    _ok("incidents", "delete", "2", "--yes")
    assert _ok("check", "--json").json["passed"]
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", s.urls["b"])
    data = _ok("incidents", "list", "--json").json["incidents"]
    assert [i["id"] for i in data] == [b_id]
    assert _ok("check", "--json").json["passed"]
    assert [e["exhibit_ref"] for e in _ok("incidents", "show", str(b_id), "--json").json["evidence"]] == ["JS/1"]
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", s.urls["hq"])
    assert sorted(i["id"] for i in _ok("incidents", "list", "--json").json["incidents"]) == [1, b_id]
    assert _ok("check", "--json").json["passed"]  # every campaign, each its own chain
    r = run("export", "--all", "--bundle", str(tmp_path / "hq.zip"))
    assert r.exit_code == 3 and "CAMPAIGNSAFE_CAMPAIGN=NAME" in r.stderr
    r = run("report", "--when", "now", "--place", "x", "--kind", "threats", "--description", "d")
    assert r.exit_code == 5 and "refused" in r.stderr
    for key in ("a", "b"):
        monkeypatch.setenv("CAMPAIGNSAFE_CAMPAIGN", s.names[key])
        assert _ok("check", "--json").json["passed"]
        _ok("export", "--all", "--bundle", str(tmp_path / f"hq-{key}.zip"))
        assert _ok("verify", str(tmp_path / f"hq-{key}.zip"), "--json").json["passed"]
    assert len(_ok("incidents", "list", "--json").json["incidents"]) == 1
