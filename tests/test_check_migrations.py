"""``check`` refuses a migration log that is not one campaignsafe writes: a tampered store never passes as "older".

``_migrations`` is a plain table. Rows removed from it (with those migrations' protections dropped)
must not turn a tampered store into an "older store" note: the recorded migrations must be the first
ones this build knows, in order, and any migration the store shows it had (its triggers or tables,
or audit entries with row hashes) must be recorded. Real older stores (``older_campaignsafe``) pass.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from campaignsafe.incidents import schema
from tests.conftest import run
from tests.export_helpers import make_record
from tests.old_store_helpers import older_campaignsafe

Tamper = Callable[[sqlite3.Connection], None]
TRIGGERS = schema.MIGRATION_TRIGGERS
ROW_HASHES = "0005_provenance_no_delete"


def _db(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "incidents.db", isolation_level=None)


def _forget(*names: str, drop: bool = True) -> Tamper:
    """Delete these migrations' rows from the log and (with ``drop``) their triggers: the store looks older."""

    def tamper(conn: sqlite3.Connection) -> None:
        for name in names:
            conn.execute("DELETE FROM _migrations WHERE name = ?", (name,))
            for trigger in TRIGGERS.get(name, ()) if drop else ():
                conn.execute(f"DROP TRIGGER {trigger}")

    return tamper


def _reorder(conn: sqlite3.Connection) -> None:
    row = conn.execute("SELECT name, applied_at FROM _migrations WHERE name = '0003_tombstone_only'").fetchone()
    conn.execute("DELETE FROM _migrations WHERE name = '0003_tombstone_only'")
    conn.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", row)


def _findings(data: dict[str, Any]) -> set[tuple[str, str]]:
    named = (re.search(r"\d{4}_\w+", f["message"]) for f in data["findings"])
    return {
        (f["code"], m.group(0) if m else "-")
        for f, m in zip(data["findings"], named, strict=True)
        if f["code"].startswith("migration")
    }


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        # the hole this closes: the newest migration forgotten, its trigger dropped (row hashes give it away)
        (
            _forget("0005_provenance_no_delete", "0006_campaign_guards", "0007_copies_kept"),
            {("migration_unrecorded", "0005_provenance_no_delete")},
        ),
        (
            _forget("0005_provenance_no_delete", "0006_campaign_guards", "0007_copies_kept", drop=False),
            {("migration_unrecorded", "0005_provenance_no_delete")},
        ),
        (
            _forget(
                "0003_tombstone_only",
                "0004_provenance",
                "0005_provenance_no_delete",
                "0006_campaign_guards",
                "0007_copies_kept",
            ),
            {("migration_unrecorded", n) for n in ("0003_tombstone_only", "0004_provenance", ROW_HASHES)},
        ),
        # a migration in the middle forgotten: the log is not a prefix of the known migrations
        (_forget("0003_tombstone_only"), {("migration_removed", "0003_tombstone_only")}),
        (_forget("0002_append_only", drop=False), {("migration_removed", "0002_append_only")}),
        (_reorder, {("migrations_reordered", "-")}),
    ],
    ids=["newest", "newest-triggers-kept", "last-three", "middle", "middle-triggers-kept", "reordered"],
)
def test_a_tampered_migration_log_fails_check(
    tamper: Tamper, expected: set[tuple[str, str]], tmp_path: Path, home: Path
) -> None:
    make_record(tmp_path)
    conn = _db(home)
    tamper(conn)
    conn.close()
    r = run("check", "--json", "--quick")
    assert r.exit_code == 6, r.stdout
    assert _findings(r.json) == expected
    text = run("check", "--quick")
    assert text.exit_code == 6
    assert "older campaignsafe" not in text.stdout and "FAILED  the store:" in text.stdout


@pytest.mark.parametrize("tamper", [_forget("0005_provenance_no_delete"), _forget("0003_tombstone_only")])
def test_a_tampered_migration_log_is_refused_for_writing_so_check_still_sees_it(
    tamper: Tamper, tmp_path: Path, home: Path
) -> None:
    """Writing would apply the forgotten migrations again and make the log look whole: refused (exit 5),
    nothing written, and check still names what was done."""
    make_record(tmp_path)
    conn = _db(home)
    tamper(conn)
    before = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    conn.close()
    r = run("report", "--when", "2026-05-01 18:30", "--place", "x", "--kind", "threats", "--description", "d")
    assert r.exit_code == 5 and "migration log was altered" in r.stderr and "campaignsafe check" in r.stderr
    conn = _db(home)
    assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] == before
    conn.close()
    r = run("check", "--json", "--quick")
    assert r.exit_code == 6 and any(c.startswith("migration") for c, _n in _findings(r.json))


def test_a_removed_migration_s_protections_are_required_again(tmp_path: Path, home: Path) -> None:
    """With 0005 forgotten, its dropped trigger is reported as removed, not excused as never made."""
    make_record(tmp_path)
    conn = _db(home)
    _forget("0005_provenance_no_delete")(conn)
    conn.close()
    codes = {(f["code"], f["message"]) for f in run("check", "--json", "--quick").json["findings"]}
    assert ("trigger_removed", "the protection provenance_no_delete has been removed") in codes


def test_an_old_store_whose_newest_migration_is_forgotten_is_refused(tmp_path: Path, home: Path) -> None:
    """A real store from before 0005 (no row hashes) passes; forgetting 0004 too is seen by its tables."""
    with older_campaignsafe("0004_provenance"):
        make_record(tmp_path)
    r = run("check", "--json", "--quick")
    assert r.exit_code == 0 and r.json["pending_migrations"] == [
        "0005_provenance_no_delete",
        "0006_campaign_guards",
        "0007_copies_kept",
    ], r.json["findings"]
    conn = _db(home)
    _forget("0004_provenance")(conn)
    conn.close()
    r = run("check", "--json", "--quick")
    assert r.exit_code == 6 and _findings(r.json) == {("migration_unrecorded", "0004_provenance")}


@pytest.mark.postgresql
def test_a_tampered_migration_log_fails_check_on_the_server(
    pg_server: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The server store keeps the same log: a forgotten migration is refused there too."""
    import psycopg

    from tests import pg_server as pgs

    name = pgs.fresh_database(pg_server)
    url = pg_server.url(name)
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", url)
    try:
        make_record(tmp_path)
        assert run("check", "--json", "--quick").exit_code == 0
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "DELETE FROM _migrations WHERE name IN"
                " ('0005_provenance_no_delete', '0006_campaign_guards', '0007_copies_kept')"
            )
            conn.execute("DROP TRIGGER provenance_no_delete ON provenance")
        r = run("check", "--json", "--quick")
        # the server's campaign guards (0006) and kept copies (0007) are still there: both seen as forgotten
        assert r.exit_code == 6 and _findings(r.json) == {
            ("migration_unrecorded", "0005_provenance_no_delete"),
            ("migration_unrecorded", "0006_campaign_guards"),
            ("migration_unrecorded", "0007_copies_kept"),
        }
        r = run("report", "--when", "2026-05-01 18:30", "--place", "x", "--kind", "threats", "--description", "d")
        assert r.exit_code == 5 and "migration log was altered" in r.stderr
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DELETE FROM _migrations WHERE name = '0002_append_only'")
        r = run("check", "--json", "--quick")
        assert ("migration_removed", "0002_append_only") in _findings(r.json)
    finally:
        monkeypatch.delenv("CAMPAIGNSAFE_DATABASE_URL", raising=False)
        pgs.drop_database(pg_server, name)
