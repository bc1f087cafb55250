"""The incident store: safe with two processes, versioned, private, and impossible to rewrite quietly."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from campaignsafe.incidents import schema
from campaignsafe.incidents.store import Store
from tests.conftest import run
from tests.incident_helpers import count, minimal, report_json, set_initials, write_json

FLAGS = ("--when", "2026-05-01 18:30", "--place", "High Street", "--kind", "threats", "--description", "d")


def test_migrations_are_named_and_recorded(home: Path) -> None:
    """A new database records each named migration once, in order."""
    report_json(*FLAGS)
    conn = sqlite3.connect(home / "incidents.db")
    names = [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]
    assert names == [name for name, _fn in schema.MIGRATIONS]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_database_from_a_newer_version_is_refused_untouched(tmp_path: Path, home: Path) -> None:
    """A database recording a migration this build does not know exits 5 and is left as it was."""
    report_json(*FLAGS)
    conn = sqlite3.connect(home / "incidents.db")
    conn.execute("INSERT INTO _migrations (name, applied_at) VALUES ('0099_from_the_future', 'later')")
    conn.commit()
    conn.close()
    for args in (("incidents", "list"), ("report", "--from-file", str(write_json(tmp_path, minimal())))):
        r = run(*args)
        assert r.exit_code == 5
        assert "created by a newer version of campaignsafe" in r.stderr
        assert "0099_from_the_future" in r.stderr
    assert count(home) == 1


def test_a_locked_database_is_reported_and_nothing_is_half_written(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While another process holds the write lock, a write exits 5 with a hint; nothing is half-written."""
    report_json(*FLAGS)
    monkeypatch.setattr(schema, "BUSY_TIMEOUT_S", 0.2)
    other = sqlite3.connect(home / "incidents.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        r = run("report", "--from-file", str(write_json(tmp_path, [minimal(), minimal()])))
        assert r.exit_code == 5
        assert "is busy" in r.stderr and "another campaignsafe is using it" in r.stderr
        assert len(r.stderr.splitlines()) == 2
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert count(home) == 1


def test_a_damaged_database_is_reported(home: Path) -> None:
    """A file that is not a database gives exit 5 and a one-line reason, never a traceback."""
    home.mkdir(parents=True)
    (home / "incidents.db").write_bytes(b"this is not sqlite" * 100)
    r = run("incidents", "list")
    assert r.exit_code == 5 and "damaged" in r.stderr
    assert "Traceback" not in r.stderr


def test_files_are_0600_and_folders_0700_whatever_the_umask(tmp_path: Path, home: Path) -> None:
    """The database, its journal, evidence copies and their folders are private even with umask 000."""
    import os

    old = os.umask(0)
    try:
        set_initials()
        (tmp_path / "photo.jpg").write_bytes(b"jpeg")
        incident = report_json(*FLAGS)
        assert run("incidents", "add-evidence", str(incident["id"]), str(tmp_path / "photo.jpg")).exit_code == 0
        with Store.open(home / "incidents.db"):  # hold it open so the WAL files exist
            files = [p for p in home.rglob("*") if p.is_file()]
            folders = [home, *(p for p in home.rglob("*") if p.is_dir())]
            assert any(p.name.endswith("-wal") for p in files)
            for p in files:
                assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
            for p in folders:
                assert stat.S_IMODE(p.stat().st_mode) == 0o700, p
    finally:
        os.umask(old)


def test_original_record_amendments_and_audit_cannot_be_rewritten(home: Path) -> None:
    """The database itself refuses to change an original record, an amendment or the audit log."""
    report_json(*FLAGS)
    assert run("incidents", "edit", "1", "--description", "corrected").exit_code == 0
    conn = sqlite3.connect(home / "incidents.db")
    for sql in (
        "UPDATE incidents SET record = '{}' WHERE id = 1",
        "UPDATE amendments SET amendment = '{}'",
        "UPDATE audit SET detail = '{}'",
        "DELETE FROM audit",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(sql)


def test_audit_log_is_a_hash_chain(home: Path, store_backend: str) -> None:
    """Every change is in the audit log, chained by SHA-256, and a tampered entry is detected."""
    report_json(*FLAGS)
    run("incidents", "edit", "1", "--kind", "harassment", "--reason", "second time now")
    run("incidents", "update", "1", "--reported-to", "101", "--police-ref", "CAD 1")
    with Store.open() as store:
        actions = [a.action for a in store.audit()]
        assert actions == ["created", "amended", "amended"]
        assert store.verify_audit() == []
        if store_backend == "postgresql":
            store.conn.execute("ALTER TABLE audit DISABLE TRIGGER audit_no_update")
        else:
            store.conn.execute("DROP TRIGGER audit_no_update")
        store.conn.execute('UPDATE audit SET detail = \'{"fields": ["nothing"]}\' WHERE seq = 2')
        assert store.verify_audit() == [2]


def test_audit_holds_no_incident_text(home: Path, store_backend: str) -> None:
    """The audit log records actions, fields, references and hashes, never the words of an incident."""
    report_json(*FLAGS[:-1], "Secret words here")
    run("incidents", "edit", "1", "--description", "More secret words")
    run("incidents", "delete", "1", "--yes")
    with Store.open() as store:
        text = " ".join(a.model_dump_json() for a in store.audit())
    assert "secret" not in text.lower()
    assert '"deleted"' in text


CONCURRENT = textwrap.dedent(
    """
    import sys
    from campaignsafe.incidents import entry
    for n in range(200):
        raw = {"occurred_at": "2026-05-01T18:30", "kind": "threats", "description": f"{sys.argv[1]} {n}",
               "location": {"text": "High Street"}}
        entry.save(entry.check([raw]))
    """
)


def test_two_processes_adding_200_each_leave_400(home: Path, store_backend: str) -> None:
    """Two processes recording 200 incidents each at the same time leave all 400, with an intact audit chain."""
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT, name]) for name in ("first", "second")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    with Store.open() as store:
        rows = store.summaries()
        assert len(rows) == 400
        assert len({r.id for r in rows}) == 400
        descriptions = {store.get(r.id).description for r in rows[::50]}
        assert all(d.split()[0] in ("first", "second") for d in descriptions)
        assert len(store.audit()) == 400
        assert store.verify_audit() == []


def test_record_hash_covers_the_original_as_stored(home: Path, store_backend: str) -> None:
    """The record's SHA-256 is the hash of the original as stored, and stays so after amendments."""
    from campaignsafe.incidents.audit import canonical_json, sha256_text

    report_json(*FLAGS)
    run("incidents", "edit", "1", "--description", "changed")
    with Store.open() as store:
        incident = store.get(1)
        assert sha256_text(store.record_text(1)) == incident.record_sha256
        assert canonical_json(incident.original_fields()) == store.record_text(1)
        assert incident.description == "d" and incident.current().description == "changed"


@pytest.mark.parametrize(
    ("err", "hint"),
    [
        (errno.EACCES, "check that you can write to that folder"),
        (errno.ENOSPC, "free some space"),
        (errno.EROFS, "check that you can write to that folder"),
    ],
)
def test_a_store_that_cannot_be_created_is_reported(
    err: int, hint: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the incident store cannot be created (no permission, a full or read-only disk) one line says why."""
    real = os.open

    def refuse(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("incidents.db"):
            raise OSError(err, os.strerror(err))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    real_link = os.link

    def refuse_link(src: object, dst: object, *args: object, **kwargs: object) -> None:
        if str(dst).endswith("incidents.db"):  # the new store, built aside, linked into place
            raise OSError(err, os.strerror(err))
        real_link(src, dst, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    monkeypatch.setattr(os, "link", refuse_link)
    r = run("report", *FLAGS)
    assert r.exit_code == 5, r.stderr
    assert f"cannot create the incident store {home / 'incidents.db'}: {os.strerror(err)}" in r.stderr
    assert hint in r.stderr and "internal error" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 2
