"""The PostgreSQL store: the same migrations, protections enforced by the server, evidence held in the database.

The behaviour both stores share is tested on both (``store_backend``); these are the server's own.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from campaignsafe.incidents import schema
from tests import pg_server as pgs
from tests.conftest import run
from tests.export_helpers import EPOCH, LETTER, PHOTO, SHOT, make_record, members
from tests.incident_helpers import count, report_json, server_rows, set_initials, stored_files

pytestmark = pytest.mark.postgresql

FLAGS = ("--when", "2026-05-01 18:30", "--place", "High Street", "--kind", "threats", "--description", "d")


@pytest.fixture
def pg(pg_server: pgs.Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh server store: its URL, set as CAMPAIGNSAFE_DATABASE_URL."""
    name = pgs.fresh_database(pg_server)
    url = pg_server.url(name)
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", url)
    try:
        yield url
    finally:
        monkeypatch.delenv("CAMPAIGNSAFE_DATABASE_URL", raising=False)
        pgs.drop_database(pg_server, name)


def _sql(url: str, sql: str, *args: Any) -> Any:
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, args)
        return cur.fetchall() if cur.description else None


def test_the_same_named_migrations_build_the_schema(pg: str, home: Path) -> None:
    """The server records the migrations SQLite does, in order; nothing is written to the data folder's store."""
    report_json(*FLAGS)
    names = [r[0] for r in _sql(pg, "SELECT name FROM _migrations ORDER BY ord")]
    assert names == [name for name, _fn in schema.MIGRATIONS]
    assert not (home / "incidents.db").exists()


def test_a_store_from_a_newer_version_is_refused_untouched(pg: str) -> None:
    report_json(*FLAGS)
    _sql(pg, "INSERT INTO _migrations (name, applied_at) VALUES ('0099_from_the_future', 'later')")
    r = run("incidents", "list")
    assert r.exit_code == 5 and "created by a newer version of campaignsafe" in r.stderr
    assert count(Path()) == 1


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE incidents SET record = '{}' WHERE id = 1",
        "UPDATE incidents SET record_sha256 = 'x'",
        "UPDATE amendments SET amendment = '{}'",
        "DELETE FROM amendments",
        "UPDATE evidence SET item = '{}'",
        "DELETE FROM evidence",
        "UPDATE audit SET detail = '{}'",
        "DELETE FROM audit",
        "DELETE FROM incidents",
        "UPDATE incidents SET id = 7",
        "UPDATE exhibit_numbers SET last = 0",
        "DELETE FROM exhibit_numbers",
        "DELETE FROM audit_high",
    ],
)
def test_the_server_refuses_rewriting_history_even_for_the_owner(pg: str, tmp_path: Path, sql: str) -> None:
    """Triggers on the server refuse changing an original, an amendment, an exhibit or the audit log."""
    set_initials()
    (tmp_path / "a.jpg").write_bytes(b"jpeg")
    report_json(*FLAGS, "--evidence", str(tmp_path / "a.jpg"))
    assert run("incidents", "edit", "1", "--description", "corrected").exit_code == 0
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        _sql(pg, sql)
    assert run("check", "--json").json["passed"]


def test_evidence_is_held_in_the_database_in_chunks(pg: str, tmp_path: Path, home: Path) -> None:
    """A 3 MB file is stored as three 1 MiB chunks in the server, hashed; nothing in the data folder."""
    set_initials()
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(os.urandom(3_000_000))
    r = run("incidents", "add-evidence", str(report_json(*FLAGS)["id"]), str(photo), "--json")
    assert r.exit_code == 0, r.stderr
    item = r.json["evidence"][0]
    sha = hashlib.sha256(photo.read_bytes()).hexdigest()
    assert item["file"]["sha256"] == sha and item["file"]["stored_path"] == f"evidence/{sha[:2]}/{sha}"
    chunks = _sql(pg, "SELECT n, length(data) FROM blob_chunks WHERE sha256 = %s ORDER BY n", sha)
    assert chunks == [(0, 1 << 20), (1, 1 << 20), (2, 3_000_000 - 2 * (1 << 20))]
    assert _sql(pg, "SELECT size FROM blobs WHERE sha256 = %s", sha) == [(3_000_000,)]
    assert not (home / "evidence").exists()
    # the same file again on another incident: one stored copy; deleting one incident keeps it
    second = report_json(*FLAGS)["id"]
    assert run("incidents", "add-evidence", str(second), str(photo)).exit_code == 0
    assert len(stored_files(home)) == 1
    assert run("incidents", "delete", "1", "--yes").exit_code == 0 and len(stored_files(home)) == 1
    assert run("incidents", "delete", str(second), "--yes").exit_code == 0 and stored_files(home) == []
    assert run("check", "--json").json["passed"]


def test_a_bundle_from_the_server_is_the_same_bundle(
    pg: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    """Exported from PostgreSQL, the bundle has the files a SQLite export has, verifies, and sha256sum -c passes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    make_record(tmp_path / "pg")
    assert run("export", "--all", "--bundle", str(tmp_path / "pg.zip")).exit_code == 0
    monkeypatch.delenv("CAMPAIGNSAFE_DATABASE_URL")
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "sqlite-home"))
    make_record(tmp_path / "sqlite")
    assert run("export", "--all", "--bundle", str(tmp_path / "sqlite.zip")).exit_code == 0
    on_pg, on_sqlite = members(tmp_path / "pg.zip"), members(tmp_path / "sqlite.zip")
    assert sorted(on_pg) == sorted(on_sqlite)
    evidence = [n for n in on_pg if n.startswith("evidence/")]
    assert {on_pg[n] for n in evidence} == {PHOTO, SHOT, LETTER}
    assert all(on_pg[n] == on_sqlite[n] for n in evidence)
    r = run("verify", str(tmp_path / "pg.zip"), "--json")
    assert r.exit_code == 0 and r.json["passed"] and r.json["signature"]["status"] == "valid"
    with zipfile.ZipFile(tmp_path / "pg.zip") as zf:
        zf.extractall(tmp_path / "unpacked")
    done = subprocess.run(["sha256sum", "-c", "--quiet", "MANIFEST.sha256"], cwd=tmp_path / "unpacked", check=False)
    assert done.returncode == 0


def test_an_altered_or_missing_chunk_is_caught(pg: str, tmp_path: Path) -> None:
    """A stored copy changed in the server: check names the exhibit (not with --quick) and a bundle is refused."""
    make_record(tmp_path)
    sha = hashlib.sha256(SHOT).hexdigest()
    _sql(pg, "UPDATE blob_chunks SET data = %s WHERE sha256 = %s", b"forged", sha)
    data = run("check", "--json").json
    assert not data["passed"] and {f["code"] for f in data["findings"]} == {"copy_altered"}
    assert run("check", "--quick").exit_code == 0
    r = run("export", "--all", "--bundle", str(tmp_path / "b.zip"))
    assert r.exit_code == 5 and "exhibit JS/2" in r.stderr and not (tmp_path / "b.zip").exists()
    _sql(pg, "DELETE FROM blob_chunks WHERE sha256 = %s", hashlib.sha256(PHOTO).hexdigest())
    _sql(pg, "DELETE FROM blobs WHERE sha256 = %s", hashlib.sha256(PHOTO).hexdigest())
    data = run("check", "--json").json
    assert "copy_missing" in {f["code"] for f in data["findings"]}
    r = run("export", "--all", "--bundle", str(tmp_path / "b.zip"))
    assert r.exit_code == 5 and "exhibit JS/1 is missing" in r.stderr and "photo.jpg" not in r.stderr


def test_check_catches_what_the_owner_does_around_the_triggers(pg: str, tmp_path: Path) -> None:
    """An owner who disables the triggers and rewrites a record, or removes the last audit entries, is caught."""
    make_record(tmp_path)
    assert run("check").exit_code == 0
    _sql(pg, "ALTER TABLE incidents DISABLE TRIGGER record_no_update")
    _sql(pg, "UPDATE incidents SET record = replace(record, 'letter', 'leaflet') WHERE id = 3")
    _sql(pg, "ALTER TABLE audit DISABLE TRIGGER audit_no_delete")
    _sql(pg, "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    r = run("check", "--json")
    codes = {(f["subject"], f["code"]) for f in r.json["findings"]}
    assert r.exit_code == 6
    assert ("incident 3", "record_altered") in codes
    assert ("the store", "trigger_removed") in codes
    assert any(c == "audit_tail_removed" for _s, c in codes)
    assert "leaflet" not in r.stdout


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://campaign:S3cretPassw0rd@/no_such_db?host={sock}&port={port}",
        "postgresql://campaign@/no_such_db?host={sock}&port={port}&password=S3cretPassw0rd",
        "host={sock} port={port} dbname=no_such_db user=campaign password=S3cretPassw0rd",
        "postgresql://campaign:S3cretPassw0rd@127.0.0.1:1/x?connect_timeout=2",
        "postgresql://campaign:S3cretPassw0rd@[not a host/x",
    ],
)
def test_a_server_that_cannot_be_reached_gives_one_line_and_never_the_password(
    pg_server: pgs.Server, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", url.format(sock=pg_server.socket_dir, port=pg_server.port))
    for args in (("incidents", "list"), ("check",), ("report", *FLAGS), ("--debug", "incidents", "list", "--json")):
        r = run(*args)
        assert r.exit_code == 5, (args, r.stderr)
        assert "S3cretPassw0rd" not in r.stdout + r.stderr
        assert "Traceback" not in r.stderr and "internal error" not in r.stderr
        assert "incident store" in r.stderr


def test_backup_works_and_restore_points_to_import(pg: str, tmp_path: Path) -> None:
    """On a server store a backup is written as on a laptop; restore (which fills an empty data folder) is
    refused with the command that brings a backup into a campaign."""
    report_json(*FLAGS)
    assert run("backup", str(tmp_path / "b.zip")).exit_code == 0
    r = run("restore", str(tmp_path / "b.zip"))
    assert r.exit_code == 5 and f"campaignsafe import {tmp_path / 'b.zip'}" in r.stderr, r.stderr
    assert count(Path(), "incidents") == 1


KILLED = """
import sys
from campaignsafe.cli import main
sys.argv = ["campaignsafe", "incidents", "add-evidence", "1", sys.argv[1]]
main()
"""


def test_a_copy_killed_half_way_leaves_nothing(pg: str, tmp_path: Path, home: Path) -> None:
    """A process killed while it streams a large file into the server leaves no chunk, exhibit or audit entry."""
    set_initials()
    report_json(*FLAGS)
    big = tmp_path / "video.mp4"
    with big.open("wb") as fh:
        for _ in range(200):
            fh.write(os.urandom(1 << 20))
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(big)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until the copy is under way (chunks written, not committed)
        busy = server_rows(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'campaignsafe'"
            " AND query LIKE 'INSERT INTO blob_chunks%%'"
        )
        if busy[0][0]:
            break
        time.sleep(0.02)
    else:
        pytest.fail("the copy never started")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    time.sleep(0.5)
    assert count(home, "blob_chunks") == 0 and count(home, "evidence") == 0
    assert run("check", "--json").json["passed"]
    # and the next run works
    small = tmp_path / "small.jpg"
    small.write_bytes(b"jpeg")
    assert run("incidents", "add-evidence", "1", str(small)).exit_code == 0
    assert [r[0] for r in server_rows("SELECT exhibit_ref FROM evidence")] == ["JS/1"]


WRITER = """
import sys
from pathlib import Path
from campaignsafe.incidents import entry
folder = Path(sys.argv[2])
for n in range(int(sys.argv[3])):
    name = f"{sys.argv[1]}-{n}.txt"
    (folder / name).write_text(f"evidence {sys.argv[1]} {n}")
    raw = {"occurred_at": "2026-05-01T18:30", "kind": "threats", "description": f"{sys.argv[1]} {n}",
           "location": {"text": "High Street"}, "evidence": [{"path": name}]}
    entry.save(entry.check([raw], base=folder))
"""


def writers(tmp_path: Path, processes: int, each: int) -> None:
    """``processes`` processes recording ``each`` incidents with one file each, all at once."""
    folders = []
    for p in range(processes):
        folders.append(tmp_path / f"w{p}")
        folders[-1].mkdir()
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, f"w{p}", str(folders[p]), str(each)]) for p in range(processes)
    ]
    assert [p.wait(timeout=1800) for p in procs] == [0] * processes


def assert_numbered(total: int) -> None:
    refs = [r[0] for r in server_rows("SELECT exhibit_ref FROM evidence")]
    numbers = sorted(int(r.split("/")[1]) for r in refs)
    assert numbers == list(range(1, total + 1))  # no gap, no repeat
    assert count(Path(), "incidents") == total and count(Path(), "blobs") == total
    data = run("check", "--json").json
    assert data["passed"], data["findings"][:5]
    assert data["incidents"] == total and data["exhibits"] == total and data["files_checked"] == total


def test_concurrent_writers_never_reuse_an_exhibit_number(pg: str, tmp_path: Path) -> None:
    """4 processes recording 25 incidents with evidence each at once: 100 incidents, JS/1–JS/100, check passes."""
    set_initials()
    writers(tmp_path, 4, 25)
    assert_numbered(100)


@pytest.mark.slow
def test_8_processes_writing_250_incidents_each_with_evidence(pg: str, tmp_path: Path) -> None:
    """The issue's figure: 8 writers × 250 incidents with evidence: 2,000 incidents, exhibit numbers without gaps
    or repeats, and check passes."""
    set_initials()
    writers(tmp_path, 8, 250)
    assert_numbered(2000)
