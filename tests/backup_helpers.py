"""Helpers for the backup, restore and import tests: a full record, a store's snapshot, forged zips."""

from __future__ import annotations

import hashlib
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from campaignsafe.backup.archive import left_out
from campaignsafe.exports.bundle import MANIFEST
from tests.conftest import run
from tests.export_helpers import make_record
from tests.incident_helpers import minimal, write_json

PASSPHRASE = "correct horse battery staple"


def use_home(monkeypatch: pytest.MonkeyPatch, home: Path) -> Path:
    """Point CAMPAIGNSAFE_HOME at ``home`` (for the next commands)."""
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(home))
    return home


def ok(*args: str) -> Any:
    """Run a command and insist it worked."""
    r = run(*args)
    assert r.exit_code == 0, r.stderr
    return r


def jo_takes_the_place_away(folder: Path) -> tuple[Path, Path]:
    """Jo Smith (profile force Kent) records a Bath incident (BA1 1SU: Avon and Somerset) and bundles the record,
    then amends it to online with no postcode and bundles it again: the two bundles, in ``folder``."""
    ok("profile", "--name", "Jo Smith", "--initials", "JS", "--force", "kent")
    ok("report", "--when", "2026-05-01 18:30", "--place", "Milsom Street", "--postcode", "BA1 1SU",
       "--kind", "harassment", "--description", "shouted at")  # fmt: skip
    first, second = folder / "js-1.zip", folder / "js-2.zip"
    ok("export", "--all", "--bundle", str(first))
    ok("incidents", "edit", "1", "--place", "online", "--postcode", "", "--reason", "it was a video call")
    ok("export", "--all", "--bundle", str(second))
    return first, second


def full_record(folder: Path) -> list[int]:
    """Several incidents with file and URL evidence and an amendment, a deleted incident (tombstone),
    two checklist profiles with progress and a saved contact."""
    ids = make_record(folder)
    extra = write_json(folder, minimal(description="to be deleted", evidence=[]), "gone.json")
    gone = ok("report", "--from-file", str(extra), "--json").json["incidents"][0]["id"]
    ok("incidents", "delete", str(gone), "--yes")
    ok("checklist", "mark", "canvassing.never-alone", "done", "--note", "pairs agreed")
    ok("checklist", "mark", "canvassing.never-alone", "na", "--profile", "sam")
    ok("contact", "save", "metropolitan", "--role", "spoc", "--name", "DI Jane Example", "--phone", "020 7946 0000")
    return ids


def snapshot(home: Path) -> dict[str, Any]:
    """Everything a store holds: every table's rows, the id counters, and every other file's bytes."""
    conn = sqlite3.connect(home / "incidents.db")
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table'"
                " AND name NOT LIKE 'sqlite_%' AND name != '_migrations'"
            )
        ]
        tables = {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in sorted(names)}
        seqs = dict(conn.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
    finally:
        conn.close()
    files = {
        p.relative_to(home).as_posix(): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and not left_out(p.relative_to(home).as_posix())
    }
    return {"tables": tables, "sequences": seqs, "files": files}


def rezip(src: Path, dest: Path, change: Callable[[dict[str, bytes]], None], *, rehash: bool = True) -> Path:
    """Copy a zip, letting ``change`` edit its members; with ``rehash`` the manifest is made to match again
    (a consistent forgery that only the record hashes and the JSON can give away)."""
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    change(members)
    if rehash:
        members[MANIFEST] = "".join(
            f"{hashlib.sha256(data).hexdigest()}  {name}\n"
            for name, data in sorted(members.items())
            if name != MANIFEST and not name.startswith(MANIFEST)
        ).encode()
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dest


def unsigned(change: Callable[[dict[str, bytes]], None]) -> Callable[[dict[str, bytes]], None]:
    """``change``, then the signature and key files removed: a forgery posing as an unsigned (older) file."""
    from campaignsafe.exports import signing

    def apply(members: dict[str, bytes]) -> None:
        change(members)
        for name in (signing.SIGNATURE, signing.PUBLIC_KEY, signing.ALLOWED_SIGNERS, signing.HOW_TO):
            members.pop(name, None)

    return apply


def passphrase_file(folder: Path, secret: str = PASSPHRASE) -> Path:
    """A passphrase file (its first line is the passphrase)."""
    path = folder / f"pass-{hashlib.sha256(secret.encode()).hexdigest()[:6]}.txt"
    path.write_text(secret + "\n")
    return path
