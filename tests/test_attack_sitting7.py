"""Attacks on what changed in sitting 7: the streamed, batched ``import`` (its scratch database, its one long
transaction), ``incidents show``'s check of an imported incident through its provenance, and the import's output.

Each test says what a user would notice. They fail on b37f149 and pass once the problem is fixed.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from campaignsafe.backup import importing
from tests.backup_helpers import ok, rezip, snapshot, unsigned, use_home
from tests.conftest import run
from tests.export_helpers import EPOCH, make_record
from tests.incident_helpers import minimal, write_json

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
SRC = str(Path(__file__).resolve().parents[1] / "src")

#: ``import`` that kills itself (SIGKILL) as it starts writing its second batch (one incident a batch): by then the
#: first batch is written and the first two incidents' evidence copies are placed
KILL_IN_SECOND_BATCH = """
import os, signal, sys
from campaignsafe.backup import importing
importing.BATCH = 1
real = importing._write
calls = {"n": 0}
def write(*a, **k):
    calls["n"] += 1
    if calls["n"] == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*a, **k)
importing._write = write
from campaignsafe.cli import main
sys.argv = ["campaignsafe", *sys.argv[1:]]
main()
"""

#: ``import`` whose reading of the file's second incident takes a while (a large file, a slow USB stick): it
#: touches the file argv[1], waits argv[2] seconds, and carries on
SLOW_READ = """
import sys, time
from campaignsafe.backup import sources
real = sources._validate
marker, pause = sys.argv[1], float(sys.argv[2])
calls = {"n": 0}
def slow(o, where, full):
    calls["n"] += 1
    if calls["n"] == 2:
        open(marker, "w").close()
        time.sleep(pause)
    return real(o, where, full)
sources._validate = slow
from campaignsafe.cli import main
sys.argv = ["campaignsafe", *sys.argv[3:]]
main()
"""


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@pytest.fixture
def js(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The candidate's (JS) three incidents with three evidence files, as a bundle and as a backup; then the
    agent's (AB) empty record is the data folder."""
    url = os.environ.pop("CAMPAIGNSAFE_DATABASE_URL", None)
    use_home(monkeypatch, tmp_path / "js")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    make_record(tmp_path / "js-files")
    out = {"bundle": tmp_path / "js-bundle.zip", "backup": tmp_path / "js-backup.zip"}
    ok("export", "--all", "--bundle", str(out["bundle"]))
    ok("backup", str(out["backup"]))
    if url is not None:
        monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", url)
    use_home(monkeypatch, tmp_path / "agent")
    ok("profile", "--name", "Alex Brown", "--initials", "AB")
    return out


def _rows(members: dict[str, bytes], table: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in members[f"store/{table}.jsonl"].decode().splitlines() if line.strip()]


def _put_rows(members: dict[str, bytes], table: str, rows: list[dict[str, Any]]) -> None:
    members[f"store/{table}.jsonl"] = "".join(json.dumps(r) + "\n" for r in rows).encode()


def _backup_rows(table: str, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> Any:
    def apply(members: dict[str, bytes]) -> None:
        _put_rows(members, table, change(_rows(members, table)))

    return unsigned(apply)


def _scratch(home: Path) -> list[Path]:
    return sorted(p for p in home.iterdir() if p.name.startswith(".export-")) if home.is_dir() else []


# -- a backup's rows with ids SQLite cannot hold ---------------------------------------------------------------------


def test_a_backup_row_naming_an_incident_id_too_large_for_sqlite_is_not_an_internal_error(
    js: dict[str, Path], tmp_path: Path
) -> None:
    """A backup whose evidence.jsonl has one extra row naming incident 9223372036854775808 (2**63) was imported
    before sitting 7 (the row belongs to no incident and was ignored). Now the row goes into the import's scratch
    SQLite database, which cannot hold so large a number: the user gets "internal error (OverflowError)", exit 1,
    instead of the import (or a one-line refusal, exit 3). At fault: sources._group (type(...) is int lets any
    size of int through to ``executemany``)."""

    def extra(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [*rows, {**rows[0], "incident_id": 2**63}]

    bad = rezip(js["backup"], tmp_path / "bad.zip", _backup_rows("evidence", extra))
    r = run("import", str(bad))
    assert "internal error" not in r.stderr, r.stderr
    assert r.exit_code in (0, 3), r.stderr


def test_a_backup_incident_with_an_id_too_large_for_sqlite_is_refused_in_one_line(
    js: dict[str, Path], tmp_path: Path, home: Path
) -> None:
    """An incidents.jsonl row with id 2**63 (a forged or damaged backup) gives "internal error (OverflowError)",
    exit 1, where a bad backup should get a one-line reason and exit 3; nothing is imported. (Also so before
    sitting 7; now it fails in sources._backup_incidents' scratch-database lookup, sources._rows.)"""

    def extra(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [*rows, {**rows[0], "id": 2**63}]

    bad = rezip(js["backup"], tmp_path / "bad.zip", _backup_rows("incidents", extra))
    r = run("import", str(bad))
    assert "internal error" not in r.stderr, r.stderr
    assert r.exit_code == 3, r.stderr
    assert ok("incidents", "list", "--json").json["incidents"] == []


# -- a full disk while the backup's rows are set aside ---------------------------------------------------------------


def test_a_full_disk_while_a_backups_rows_are_set_aside_is_a_one_line_error(
    js: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Importing a backup into a data folder on a nearly full disk: before sitting 7 the user was told "cannot
    store a copy of the evidence …: No space left on device" (exit 5, hint: free some space). Now the backup's
    rows are first put into a scratch database in the data folder, and when that fills the disk the user gets
    "internal error (OperationalError)", exit 1 (seen on a real 3 MB tmpfs with a 3,000-incident backup). At fault:
    sources._group (and sources._rows): sqlite3 errors of the scratch database are not turned into StoreError.
    Here the scratch database is kept to a few pages, as a full disk would."""
    from campaignsafe.exports import spool

    real_init = spool.Spool.__init__

    def small(self: Any, folder: Path) -> None:
        real_init(self, folder)
        self.db.execute("PRAGMA max_page_count = 3")  # SQLITE_FULL: "database or disk is full"

    monkeypatch.setattr(spool.Spool, "__init__", small)
    home = tmp_path / "agent"
    before = snapshot(home) if (home / "incidents.db").exists() else None
    r = run("import", str(js["backup"]))
    assert "internal error" not in r.stderr, r.stderr
    assert r.exit_code == 5, r.stderr
    assert "space" in r.stderr or "full" in r.stderr
    if before is not None:
        assert snapshot(home) == before
    assert _scratch(home) == []


# -- recording an incident while an import runs ---------------------------------------------------------------------


@POSIX
def test_a_report_saved_while_an_import_reads_its_file_is_not_refused_as_busy(
    store_backend: str, js: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before sitting 7 an import held the store's write lock only while it wrote (seconds); now it holds it from
    before it reads the file's first incident to its last, so a candidate who records an incident while a
    large file is being imported is told "the incident store … is busy" (exit 5) once the wait runs out (10 s).
    Seen for real with a 10,000-incident backup (its import takes 26 s): `report --from-file` during it failed
    with exit 5, and on PostgreSQL too; with the old code five reports during the same import all saved.
    At fault: importing.import_record opens ``store._tx()`` around the reading (``_batches(incoming)``).
    Here the import's reading of its second incident is made slow, and the wait for the lock short (1 s)."""
    from campaignsafe.incidents import backend, schema

    marker = tmp_path / "reading"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_READ, str(marker), "4", "import", str(js["bundle"])],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.time() < deadline, "the import never reached its second incident"
            time.sleep(0.05)
        monkeypatch.setattr(schema, "BUSY_TIMEOUT_S", 1.0)
        monkeypatch.setattr(backend, "WAIT_S", 1)
        r = run("report", "--from-file", str(write_json(tmp_path, minimal(description="the leaflet was torn"))))
    finally:
        _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert r.exit_code == 0, r.stderr
    assert len(ok("incidents", "list", "--json").json["incidents"]) == 4
    assert ok("check", "--json").json["passed"]


# -- a killed import -------------------------------------------------------------------------------------------------


@POSIX
def test_a_killed_imports_scratch_copy_of_the_backup_is_removed_by_the_next_command(
    js: dict[str, Path], tmp_path: Path
) -> None:
    """An import of a backup killed half-way (SIGKILL, a closed laptop lid on a dying battery) leaves a
    `.export-*` folder in the data folder holding a scratch database with the backup's exhibits, amendments and
    audit trail (decrypted, when the backup was encrypted). The record itself is rightly unchanged, but `check`
    (what a user runs after a crash) says OK and leaves the folder there; only a later export or import sweeps
    it. At fault: the import's Spool (exports/spool.py) is swept only by Spool.open."""
    home = tmp_path / "agent"
    env = {**_env(), "CAMPAIGNSAFE_HOME": str(home)}
    p = subprocess.run([sys.executable, "-c", KILL_IN_SECOND_BATCH, "import", str(js["backup"])], env=env,
                       capture_output=True)  # fmt: skip
    assert p.returncode == -signal.SIGKILL, p.stderr
    assert _scratch(home), "the killed import should have left its scratch folder (the premise)"
    ok("check")
    assert _scratch(home) == []
    assert ok("incidents", "list", "--json").json["incidents"] == []


@POSIX
@pytest.mark.parametrize("kind", ["bundle", "backup"])
def test_a_backup_made_after_a_killed_import_carries_no_evidence_the_record_does_not_hold(
    kind: str, js: dict[str, Path], tmp_path: Path
) -> None:
    """An import killed half-way leaves the record unchanged, but the evidence copies it had already placed in the
    data folder stay there, used by no exhibit: `check` says OK ("0 stored evidence files") and never mentions
    them, and the user's next `backup` carries another person's evidence files that are not in their record
    (seen for real: 4,724 such files after killing a 3,000-incident import). Also so before sitting 7 (copies were
    placed before the write); now the window is the whole import. At fault: importing.import_record removes its
    copies only on an exception, and nothing later removes copies no exhibit uses."""
    home = tmp_path / "agent"
    env = {**_env(), "CAMPAIGNSAFE_HOME": str(home)}
    p = subprocess.run([sys.executable, "-c", KILL_IN_SECOND_BATCH, "import", str(js[kind])], env=env,
                       capture_output=True)  # fmt: skip
    assert p.returncode == -signal.SIGKILL, p.stderr
    assert ok("incidents", "list", "--json").json["incidents"] == []
    assert ok("check", "--json").json["passed"]
    out = tmp_path / "mine.zip"
    ok("backup", str(out))
    with zipfile.ZipFile(out) as zf:
        carried = [n for n in zf.namelist() if n.startswith("files/evidence/")]
    assert carried == []


# -- incidents show of an imported incident --------------------------------------------------------------------------


def test_show_does_not_say_an_imported_record_was_replaced_when_only_its_provenance_was_removed(
    js: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone deletes an imported incident's provenance row with sqlite3 (so it looks recorded here). `check`
    says exactly that (provenance_removed). But `incidents show` now warns "its SHA-256 is not the one the audit
    log recorded when it was made" (record_replaced): false, the record and its hash are exactly what the import
    entry recorded, and an officer reading it would distrust the words of the statement. Before sitting 7 show
    found the import entry and said nothing wrong of the record. At fault: check.record_findings looks only at the
    import its provenance names, and with no provenance row falls through to record_replaced."""
    monkeypatch.setattr(importing, "BATCH", 1)
    ok("import", str(js["bundle"]))
    conn = sqlite3.connect(tmp_path / "agent" / "incidents.db")
    conn.execute("DROP TRIGGER IF EXISTS provenance_no_delete")
    conn.execute("DELETE FROM provenance WHERE incident_id = 2")
    conn.commit()
    conn.close()
    assert "provenance_removed" in {f["code"] for f in run("check", "--json").json["findings"]}
    shown = ok("incidents", "show", "2", "--json").json["record_check"]
    assert "record_replaced" not in [f["code"] for f in shown["findings"]], shown


# -- what an import says ---------------------------------------------------------------------------------------------


def test_an_incident_a_file_lists_twice_is_not_said_to_be_already_in_the_record(
    js: dict[str, Path], tmp_path: Path
) -> None:
    """A file that lists one incident twice is now imported once (good), but into an empty record the user is
    told "Imported 3 incidents; 1 already in your record" and --json gives already_held 1: the record held
    nothing. At fault: importing.import_record counts ``len(batch) - len(new)`` as already held, which includes
    the file's own repeats dropped by _not_held."""

    def twice(members: dict[str, bytes]) -> None:
        doc = json.loads(members["incidents.json"])
        doc["incidents"].append(doc["incidents"][0])
        members["incidents.json"] = json.dumps(doc).encode()

    bad = rezip(js["bundle"], tmp_path / "twice.zip", unsigned(twice))
    r = ok("import", str(bad))
    assert "already in your record" not in r.stdout, r.stdout
    assert len(ok("incidents", "list", "--json").json["incidents"]) == 3


def test_the_import_summary_writes_every_count_the_same_way(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A large import ends "Imported 3,000 incidents; 1500 already in your record, 2,000 evidence files copied,
    4000 already held." (seen for real after a killed import): two counts of the same sentence have a thousands
    separator and two do not. At fault: cli/backup.py _print_import (already_held, files_already_held)."""
    from campaignsafe.backup.importing import Imported

    done = Imported(tmp_path / "x.zip", "backup", "0" * 64, None, {"initials": "JS"})
    done.mapping = [{"source_id": n, "id": n, "exhibits": 0} for n in range(1, 3001)]
    done.already_held, done.files_copied, done.files_already_held = 1500, 2000, 4000
    monkeypatch.setattr("campaignsafe.backup.importing.import_record", lambda *_a, **_k: done)
    (tmp_path / "x.zip").write_bytes(b"")
    r = run("import", str(tmp_path / "x.zip"))
    said = " ".join(r.stdout.split())
    assert "1,500 already in your record" in said and "4,000 already held" in said, said


# -- lone surrogates in a file's audit trail -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bundle", "backup"])
def test_a_lone_surrogate_in_a_files_audit_trail_is_refused_in_one_line(
    kind: str, js: dict[str, Path], tmp_path: Path
) -> None:
    """A file whose audit trail holds a lone surrogate (an escaped \\ud800 in its JSON: bytes that are not UTF-8)
    gives "internal error (UnicodeEncodeError)", exit 1, instead of a one-line refusal (exit 3) or an import. The
    trail is kept as provenance.source_audit, written with ensure_ascii=False, which SQLite cannot encode. (Also so
    before sitting 7.) At fault: importing._write (json.dumps(item.source_audit, ensure_ascii=False))."""
    if kind == "bundle":

        def change(members: dict[str, bytes]) -> None:
            doc = json.loads(members["incidents.json"])
            doc["incidents"][0]["audit"][0]["note"] = "x\ud800"
            members["incidents.json"] = json.dumps(doc).encode()

        bad = rezip(js["bundle"], tmp_path / "bad.zip", unsigned(change))
    else:

        def note(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
            rows[0]["note"] = "x\ud800"
            return rows

        bad = rezip(js["backup"], tmp_path / "bad.zip", _backup_rows("audit", note))
    r = run("import", str(bad))
    assert "internal error" not in r.stderr, r.stderr
    assert r.exit_code in (0, 3), r.stderr
    if r.exit_code == 0:
        assert ok("check", "--json").json["passed"]


def test_a_backup_whose_amenders_are_not_a_list_is_refused_in_one_line(js: dict[str, Path], tmp_path: Path) -> None:
    """``"amendments_by": "5"`` in provenance.jsonl was an internal error (TypeError, exit 1)."""

    def prov(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        person = json.dumps({"name": "Sam Lee", "initials": "SL"})
        return [{"incident_id": 1, "recorded_by": person, "source_id": 1, "amendments_by": "5",
                 "source_audit": "[]", "import_seq": 1}]  # fmt: skip

    def apply(members: dict[str, bytes]) -> None:
        _put_rows(members, "provenance", prov([]))

    bad = rezip(js["backup"], tmp_path / "bad.zip", unsigned(apply))
    r = run("import", str(bad))
    assert r.exit_code == 3, r.stderr
    assert "who amended incident 1 of the backup is not a list" in r.stderr and "internal error" not in r.stderr
    assert ok("incidents", "list", "--json").json["incidents"] == []
