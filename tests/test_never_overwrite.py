"""Never write over the record, or over anything that is not a file; damaged stores are refused, never replaced."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run
from tests.export_helpers import make_record
from tests.incident_helpers import count

FLAGS = ("--when", "2026-05-01 18:30", "--kind", "threats", "--place", "High Street", "--description", "x")


@pytest.fixture
def record(tmp_path: Path) -> list[int]:
    return make_record(tmp_path)


def _snapshot(home: Path) -> dict[str, str]:
    """SHA-256 of every file in the data folder (the record as it is now)."""
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and not p.name.endswith((".lock", "-shm", "-wal"))
    }


def test_bundle_over_the_store_is_refused_and_the_store_is_intact(record: list[int], home: Path) -> None:
    """The case from the review: export --bundle "$CAMPAIGNSAFE_HOME/incidents.db" must not replace the store."""
    before = _snapshot(home)
    r = run("export", "--all", "--bundle", str(home / "incidents.db"))
    assert r.exit_code == 3 and "inside campaignsafe's data folder" in r.stderr
    assert _snapshot(home) == before
    assert run("check").exit_code == 0 and count(home) == 3


@pytest.mark.parametrize("flag", ["--bundle", "-o", "--eml"])
@pytest.mark.parametrize(
    "where",
    [
        "incidents.db",
        "profile.json",
        "new-file.zip",
        "evidence/x.zip",
        "evidence/../incidents.db",
    ],
)
def test_every_path_into_the_data_folder_is_refused(record: list[int], home: Path, flag: str, where: str) -> None:
    """-o, --bundle and --eml refuse any file in the data folder, new or existing, however spelt."""
    before = _snapshot(home)
    r = run("export", "--all", flag, str(home / where))
    assert r.exit_code == 3, r.stderr
    assert "data folder" in r.stderr or "does not exist" in r.stderr
    assert _snapshot(home) == before and not (home / "new-file.zip").exists()


def test_the_data_folder_reached_through_a_link_or_a_relative_path_is_refused(
    record: list[int], home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A symlinked folder pointing into the data folder, or a relative path from inside it, is still refused."""
    link = tmp_path / "innocent"
    link.symlink_to(home, target_is_directory=True)
    before = _snapshot(home)
    assert run("export", "--all", "--bundle", str(link / "incidents.db")).exit_code == 3
    monkeypatch.chdir(home / "evidence")
    assert run("export", "--all", "-o", "../incidents.db").exit_code == 3
    assert _snapshot(home) == before


@pytest.mark.parametrize("flag", ["--bundle", "-o", "--eml"])
def test_existing_targets_that_are_not_files_are_refused(record: list[int], tmp_path: Path, flag: str) -> None:
    """A symlink (even to a file), a FIFO and a device are refused; the link's target is untouched."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "link.out"
    link.symlink_to(victim)
    targets = [link]
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo.out")
        targets.append(tmp_path / "fifo.out")
    if Path("/dev/null").exists():
        targets.append(Path("/dev/null"))
    for target in targets:
        r = run("export", "--all", flag, str(target))
        assert r.exit_code == 3 and "not a file" in r.stderr, (target, r.stderr)
    assert victim.read_text() == "keep me" and link.is_symlink()


@pytest.mark.parametrize(("content", "why"), [(b"", "empty"), (b"not a database at all\n" * 10, "not an SQLite")])
@pytest.mark.parametrize("command", [("report", *FLAGS), ("incidents", "list"), ("check",)])
def test_an_empty_or_foreign_store_is_damaged_never_new(
    home: Path, content: bytes, why: str, command: tuple[str, ...]
) -> None:
    """A zero-byte or non-SQLite incidents.db: exit 5 with a way out; the file is left exactly as it was."""
    home.mkdir(mode=0o700)
    (home / "incidents.db").write_bytes(content)
    r = run(*command)
    said = " ".join(r.stderr.split())
    assert r.exit_code == 5 and why in r.stderr and f"Move the whole data folder ({home}) somewhere safe" in said
    assert said.index("campaignsafe restore BACKUP makes a new one in its place") < said.index(
        "moving only incidents.db"
    )
    assert (home / "incidents.db").read_bytes() == content


def _corrupt_a_page(db: Path) -> None:
    """Add a page no table uses (and count it in the header): SQLite reads the store, quick_check fails."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    (size,) = conn.execute("PRAGMA page_size").fetchone()
    (pages,) = conn.execute("PRAGMA page_count").fetchone()
    conn.close()
    with db.open("r+b") as fh:
        fh.seek(0, os.SEEK_END)
        fh.write(b"\0" * size)
        fh.seek(28)
        fh.write((pages + 1).to_bytes(4, "big"))


def test_a_store_failing_quick_check_is_refused_for_writing(record: list[int], home: Path) -> None:
    """quick_check fails: report, edit and delete are refused (exit 5); reading and check still work."""
    _corrupt_a_page(home / "incidents.db")
    before = (home / "incidents.db").read_bytes()
    writes = [
        ("report", *FLAGS),
        ("incidents", "edit", "2", "--place", "Elsewhere"),
        ("incidents", "delete", "3", "-y"),
    ]
    for command in writes:
        r = run(*command)
        assert r.exit_code == 5 and "integrity check" in r.stderr and "refused for writing" in r.stderr, r.stderr
    assert (home / "incidents.db").read_bytes() == before
    assert run("incidents", "show", "1").exit_code == 0
    r = run("check", "--json")
    assert r.exit_code == 6 and "store_damaged" in {f["code"] for f in r.json["findings"]}


KILL_AT_LINK = """
import os, signal, sys
real = os.link
def link(src, dst, *a, **k):
    if str(dst).endswith({name!r}):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(src, dst, *a, **k)
os.link = link
from campaignsafe.cli import main
sys.argv = ["campaignsafe", *sys.argv[1:]]
main()
"""


def _killed(home: Path, name: str, *args: str) -> None:
    env = {**os.environ, "CAMPAIGNSAFE_HOME": str(home)}
    p = subprocess.run([sys.executable, "-c", KILL_AT_LINK.format(name=name), *args], env=env, capture_output=True)
    assert p.returncode == -signal.SIGKILL, p.stderr


def test_killed_while_creating_the_store_leaves_no_store_and_the_next_run_starts_clean(home: Path) -> None:
    """SIGKILL as the new store is put in place: no incidents.db (never an empty one); the next run makes it."""
    _killed(home, "incidents.db", "report", *FLAGS)
    assert not (home / "incidents.db").exists()
    assert list(home.glob(".incidents.db.*.tmp"))
    r = run("report", *FLAGS)
    assert r.exit_code == 0, r.stderr
    assert count(home) == 1 and not list(home.glob(".incidents.db.*.tmp"))
    assert run("check").exit_code == 0


def test_killed_while_copying_evidence_leaves_a_partial_copy_cleared_next_time(
    record: list[int], home: Path, tmp_path: Path
) -> None:
    """SIGKILL as an evidence copy is linked into place: .incoming-* left, nothing recorded; the next add clears it."""
    photo = tmp_path / "new.jpg"
    photo.write_bytes(b"\xff\xd8 a new photo" * 100)
    sha = hashlib.sha256(photo.read_bytes()).hexdigest()
    _killed(home, sha, "incidents", "add-evidence", "1", str(photo))
    assert list((home / "evidence").glob(".incoming-*"))
    assert count(home, "evidence") == 3
    r = run("incidents", "add-evidence", "1", str(photo))
    assert r.exit_code == 0, r.stderr
    assert not list((home / "evidence").glob(".incoming-*")) and count(home, "evidence") == 4
    assert run("check").exit_code == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("command", [("report", *FLAGS), ("check",), ("incidents", "list"), ("restore",)])
def test_a_fifo_in_the_stores_place_is_refused_without_hanging(
    home: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    """`mkfifo incidents.db` made every command wait forever: the store's header was read before its type was
    checked, and restore handed the FIFO to SQLite. Each now ends at once, exit 5 (restore: not an empty folder)."""
    if command == ("restore",):
        backup = tmp_path / "b.zip"
        subprocess.run([sys.executable, "-m", "campaignsafe", "backup", str(backup)], check=True, capture_output=True,
                       env={**os.environ, "CAMPAIGNSAFE_HOME": str(tmp_path / "other")})  # fmt: skip
        command = ("restore", str(backup))
    home.mkdir(mode=0o700)
    os.mkfifo(home / "incidents.db")
    done = subprocess.run([sys.executable, "-m", "campaignsafe", *command], capture_output=True, text=True,
                          env={**os.environ}, timeout=60)  # fmt: skip
    assert done.returncode == 5 and "Traceback" not in done.stderr, done.stderr
