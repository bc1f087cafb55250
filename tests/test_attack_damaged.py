"""Attacks with damaged rows (written behind campaignsafe's back with sqlite3): one line and exit 5, never an
internal error, and never a traceback printed as the process ends."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.backup_helpers import ok
from tests.conftest import run
from tests.incident_helpers import minimal, write_json


def _damage(home: Path, sql: str) -> None:
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute("DROP TRIGGER record_no_update")
    conn.execute(sql)
    conn.close()


def test_a_backup_of_a_store_with_a_row_that_is_not_utf8_says_so_in_one_line(home: Path, tmp_path: Path) -> None:
    """It was an internal error (exit 1), followed by 'Exception ignored ... seek of closed file'."""
    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    _damage(home, "UPDATE incidents SET record = CAST(x'7bff22' AS TEXT) WHERE id = 1")
    out = tmp_path / "b.zip"
    r = run("backup", str(out))
    assert r.exit_code == 5, r.stderr
    assert r.stderr.startswith("campaignsafe: error: a stored row in the incident store")
    assert "internal error" not in r.stderr and "Exception ignored" not in r.stderr
    assert not out.exists() and not list(tmp_path.glob(".b.zip.*"))


def test_an_audit_entry_that_is_not_json_is_exit_5_or_left_out_never_an_internal_error(
    home: Path, tmp_path: Path
) -> None:
    """``incidents show`` and every ``export --anyway`` were an internal error (exit 1: JSONDecodeError,
    SQLite's 'malformed JSON'); now show says the entry is damaged (exit 5) and the export leaves the
    incident out, naming it, and exports the rest."""
    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    ok("report", "--from-file", str(write_json(tmp_path, minimal(), "second.json")))
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET detail = 'Zq7Canary' WHERE seq = 1")
    conn.close()
    r = run("incidents", "show", "1")
    assert r.exit_code == 5 and "audit entry 1 in the incident store is damaged" in r.stderr, r.stderr
    for fmt in ("json", "csv", "html", "md"):
        out = tmp_path / f"out.{fmt}"
        r = run("export", "--all", "--anyway", "--format", fmt, "-o", str(out))
        assert r.exit_code == 0, r.stderr
        assert "incident 1 cannot be read" in " ".join(r.stdout.split() + r.stderr.split())
        assert "Zq7Canary" not in out.read_text()
    r = run("export", "--all", "--anyway", "--bundle", str(tmp_path / "b.zip"))
    assert r.exit_code == 0, r.stderr


def test_a_tombstone_whose_time_is_out_of_range_is_still_a_not_found_exit_4(home: Path, tmp_path: Path) -> None:
    """A 'deleted' audit entry at year 1 (or 9999) with an offset: show, edit and export were an internal
    error (OverflowError, exit 1) once a deleted id was said to be deleted with its time; they say there
    is no such incident (exit 4), as they did before."""
    from campaignsafe.errors import NotFoundError
    from campaignsafe.incidents.store import Store

    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    for iid, at in ((7, "0001-01-01T00:00:00+01:00"), (8, "9999-12-31T23:59:59-01:00")):
        conn.execute(
            "INSERT INTO audit (at, action, incident_id, detail, prev_sha256, sha256)"
            " VALUES (?, 'deleted', ?, '{}', ?, ?)",
            (at, iid, "0" * 64, "0" * 64),
        )
    conn.close()
    edit = ["incidents", "edit", "8", "--kind", "threats"]
    for argv in (["incidents", "show", "7"], edit, ["export", "1", "7", "8", "--anyway"]):
        r = run(*argv)
        assert r.exit_code == 4, (argv, r.stderr)
        assert "internal error" not in r.stderr and "no incident" in r.stderr, argv
    with Store.open() as store:
        err = store.not_found([7, 8, 9])
    assert isinstance(err, NotFoundError) and err.code == "incident_not_found"


def test_an_amendment_with_an_odd_old_value_is_shown_never_an_internal_error(home: Path, tmp_path: Path) -> None:
    """An amendment row edited behind campaignsafe's back so that a kind was the number 5, or a time was at
    year 1: ``incidents show`` was an internal error (TypeError, OverflowError) once it worded values as the
    report does; it shows the value as stored, and the report (export --anyway) does too."""
    import json

    from campaignsafe.exports.text import field_text

    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    ok("incidents", "edit", "1", "--kind", "harassment", "--when", "2026-05-01 19:00", "--reason", "r")
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute("DROP TRIGGER amendment_no_update")
    data = json.loads(conn.execute("SELECT amendment FROM amendments WHERE incident_id = 1").fetchone()[0])
    for change in data["changes"]:
        change["old"] = {"kind": 5, "occurred_at": "0001-01-01T00:00:00+01:00"}[change["field"]]
    conn.execute("UPDATE amendments SET amendment = ? WHERE incident_id = 1", (json.dumps(data),))
    conn.close()
    r = run("incidents", "show", "1")
    assert r.exit_code == 0, r.stderr
    text = " ".join(r.stdout.split())
    assert "Kind was: 5 now: Harassment" in text and "When was: 0001-01-01T00:00:00+01:00" in text
    out = tmp_path / "report.md"
    r = run("export", "1", "--anyway", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert field_text("kind", True) == "true" and field_text("kind", ["threats"]) == '["threats"]'


def test_an_imported_incidents_recorder_that_is_not_text_is_listed_as_not_named(home: Path, tmp_path: Path) -> None:
    """A provenance row whose initials or name are a number, a list or an object: ``incidents list`` (table
    and --json, the fast path and typer's) was an internal error; the incident is listed, its recorder not
    named (as for a recorder that is not JSON at all), the same by every path."""
    import json
    import os
    import subprocess
    import sys

    for _ in range(4):
        ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    for iid, by in ((1, {"initials": 5}), (2, {"initials": ["A"], "name": {"n": 1}}), (3, {"initials": "\x1b[2JJS"})):
        conn.execute(
            "INSERT INTO provenance (incident_id, recorded_by, source_id, import_seq) VALUES (?, ?, 1, 1)",
            (iid, json.dumps(by)),
        )
    conn.close()
    listed = run("incidents", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert [i["recorded_by"] for i in listed.json["incidents"]] == [None, None, "\x1b[2JJS", None]
    table = run("incidents", "list")
    assert table.exit_code == 0, table.stderr
    assert [line.split()[1] for line in table.stdout.splitlines()[1:5]] == ["?", "?", "\\x1b[2JJS", "you"]
    fast = [sys.executable, "-c", "from campaignsafe.cli import main; main()", "incidents", "list"]
    for extra, want in (([], table.stdout), (["--json"], listed.stdout)):
        p = subprocess.run([*fast, *extra], capture_output=True, text=True, env={**os.environ, "COLUMNS": "80"})
        assert (p.returncode, p.stdout, p.stderr) == (0, want, "")


def test_a_force_written_with_terminal_codes_is_listed_escaped(home: Path, tmp_path: Path) -> None:
    """A force id edited in the store to hold terminal codes (clear the screen): ``incidents list`` printed
    them raw in the Force column (the place was escaped, the force was not)."""
    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute("UPDATE incidents SET force_id = char(27) || '[2J' || char(155) || 'H', force_name = NULL")
    conn.close()
    r = run("incidents", "list")
    assert r.exit_code == 0, r.stderr
    assert "\x1b" not in r.stdout and "\x9b" not in r.stdout and "\\x1b[2J" in r.stdout


def test_reports_whose_route_is_not_text_are_listed_as_unreadable_in_json(home: Path, tmp_path: Path) -> None:
    """The reports column edited to name a route as a number or a platform as an object: ``incidents list
    --json`` was an internal error; the incident is listed, its reports said to be unreadable (as for
    reports that are not JSON)."""
    for _ in range(3):
        ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute("""UPDATE incidents SET reports = '[{"to": 5}]' WHERE id = 1""")
    conn.execute("""UPDATE incidents SET reports = '[{"to": "platform", "platform": {"a": 1}}]' WHERE id = 2""")
    conn.close()
    r = run("incidents", "list", "--json")
    assert r.exit_code == 0, r.stderr
    routes = [i["reported_to"] for i in r.json["incidents"]]
    assert routes == [["(unreadable: run campaignsafe check)"]] * 2 + [[]]


def test_an_amendment_count_that_is_not_a_number_is_listed_as_not_known(home: Path, tmp_path: Path) -> None:
    """The amendment count set to text with sqlite3 (no protection stops it; check finds it): ``incidents
    list --json`` was an internal error; every incident is listed, that one's count null (not known)."""
    for _ in range(3):
        ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute("UPDATE incidents SET amendment_count = 'many' WHERE id = 1")
    conn.execute("UPDATE incidents SET amendment_count = 9e999 WHERE id = 2")
    conn.close()
    r = run("incidents", "list", "--json")
    assert r.exit_code == 0, r.stderr
    assert [(i["id"], i["amendments"]) for i in r.json["incidents"]] == [(1, None), (2, None), (3, 0)]
    assert run("check").exit_code == 6


def test_an_audit_head_changed_to_no_hash_is_exported_anyway_without_stating_it(home: Path, tmp_path: Path) -> None:
    """A last audit entry whose sha256 is not a hash (appended with sqlite3: nothing stops an insert) made
    `export --anyway` an internal error; the export goes ahead, its cover saying the check FAILED and
    stating no audit chain head it cannot vouch for."""
    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    ok("report", "--from-file", str(write_json(tmp_path, minimal(), "second.json")))
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute(
        "INSERT INTO audit (seq, at, action, incident_id, detail, prev_sha256, sha256)"
        " SELECT max(seq) + 1, '2026-12-02T10:00:00+00:00', 'amended', NULL, '{}', 'x', 'NOTHEX' FROM audit"
    )
    conn.close()
    assert run("export", "--all", "-o", str(tmp_path / "refused.md")).exit_code == 6
    r = run("export", "--all", "--anyway", "-o", str(tmp_path / "out.md"))
    assert r.exit_code == 0, r.stderr
    text = (tmp_path / "out.md").read_text()
    assert "Record check: FAILED" in text and "Audit chain head" not in text and "NOTHEX" not in text
    assert text.count("## Incident ") == 2


def test_an_amendment_changed_to_a_value_its_field_cannot_hold_is_exit_5(home: Path, tmp_path: Path) -> None:
    """An amendment edited in the store so that it no longer applies (people set to a string) made `show`
    and `export --anyway` internal errors; show says the incident is damaged (exit 5), the export leaves
    it out and names it, and the list still lists it."""
    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    ok("report", "--from-file", str(write_json(tmp_path, minimal(), "second.json")))
    ok("incidents", "edit", "1", "--kind", "harassment", "--reason", "checked")
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute("DROP TRIGGER amendment_no_update")
    conn.execute(
        "UPDATE amendments SET amendment = json_set(amendment, '$.changes[0].field', 'people',"
        " '$.changes[0].new', 'Zq7Canary')"
    )
    conn.close()
    r = run("incidents", "show", "1")
    assert r.exit_code == 5 and "incident 1 in the incident store" in r.stderr and "damaged" in r.stderr, r.stderr
    assert "Zq7Canary" not in r.stderr and "internal error" not in r.stderr
    r = run("export", "--all", "--anyway", "-o", str(tmp_path / "out.md"))
    assert r.exit_code == 0, r.stderr
    assert "incident 1 cannot be read" in " ".join(r.stdout.split() + r.stderr.split())
    assert "Zq7Canary" not in (tmp_path / "out.md").read_text()
    assert run("incidents", "list").exit_code == 0


def test_json_output_escapes_c1_controls_separators_and_bidi_controls(home: Path, tmp_path: Path) -> None:
    """A place edited in the store to hold U+009B (CSI: opens a terminal escape), U+2028 and a right-to-left
    override: the list's --json (its fast path and typer's; every --json goes through jsontext) writes them
    as \\u escapes, and the JSON still reads back the same value."""
    import json as jsonlib
    import os
    import subprocess
    import sys

    from hypothesis import given
    from hypothesis import strategies as st

    from campaignsafe.jsontext import UNSAFE, json_text

    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    hostile = "High\x9b2J Street\u2028\u202eevil\x7f"
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute("UPDATE incidents SET place = ?", (hostile,))
    conn.close()
    listed = run("incidents", "list", "--json")
    fast = subprocess.run(
        [sys.executable, "-c", "from campaignsafe.cli import main; main()", "incidents", "list", "--json"],
        capture_output=True, text=True, env=dict(os.environ),
    )  # fmt: skip
    for text in (listed.stdout, fast.stdout):
        assert not UNSAFE.search(text) and "\\u009b" in text and "\\u202e" in text and "\\u2028" in text
        assert jsonlib.loads(text)["incidents"][0]["place"] == hostile
    assert fast.stdout == listed.stdout

    @given(st.text())
    def same_value_nothing_unsafe(value: str) -> None:
        text = json_text({"v": value, value: [value]}, indent=2)
        assert not UNSAFE.search(text) and jsonlib.loads(text) == {"v": value, value: [value]}

    same_value_nothing_unsafe()


def test_an_amendment_stored_as_bytes_is_a_finding_not_an_internal_error(home: Path, tmp_path: Path) -> None:
    """An amendment (or its time) changed in the store to a BLOB: check and every export were an internal
    error (TypeError hashing the row); now the record does not check out (exit 6) and --anyway exports it."""
    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    ok("incidents", "edit", "1", "--kind", "harassment")
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute("DROP TRIGGER amendment_no_update")
    conn.execute("UPDATE amendments SET amendment = CAST(amendment AS BLOB) WHERE incident_id = 1")
    conn.close()
    r = run("check", "--quick")
    assert r.exit_code == 6 and "incident 1" in r.stdout + r.stderr, r.stderr
    r = run("export", "--all", "--format", "json")
    assert r.exit_code == 6 and "internal error" not in r.stderr and r.stdout == ""
    doc = run("export", "--all", "--anyway", "--format", "json").json
    assert doc["export"]["integrity"]["passed"] is False


def test_a_listed_column_stored_as_bytes_is_a_damaged_row_exit_5(home: Path, tmp_path: Path) -> None:
    """The place, kind, time, postcode or force of an incident changed in the store to a BLOB: incidents
    list --json (both paths), and the table for those it shows, were an internal error (TypeError); they say a
    stored row is damaged (exit 5), as they do for a row that is not UTF-8, and quote none of it (the table
    names a force by its id)."""
    import os
    import subprocess
    import sys

    ok("report", "--from-file", str(write_json(tmp_path, minimal())))
    for column in ("occurred_at", "kind", "place", "postcode", "force_id", "force_name"):
        conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
        before = conn.execute(f"SELECT {column} FROM incidents").fetchone()[0]
        conn.execute(f"UPDATE incidents SET {column} = CAST('Zq7Canary' AS BLOB)")
        conn.close()
        for argv in (["incidents", "list"], ["incidents", "list", "--json"]):
            r = run(*argv)
            fast = subprocess.run(
                [sys.executable, "-c", "from campaignsafe.cli import main; main()", *argv],
                capture_output=True, text=True, env=dict(os.environ),
            )  # fmt: skip
            shown = "--json" in argv or column in ("occurred_at", "kind", "place")  # the table shows no postcode
            for code, err in ((r.exit_code, r.stderr), (fast.returncode, fast.stderr)):
                assert code == (5 if shown else 0) and "internal error" not in err, (column, argv, err)
                assert "Zq7Canary" not in err and (not shown or "a stored row in the incident store" in err)
        conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
        conn.execute(f"UPDATE incidents SET {column} = ?", (before,))
        conn.close()
    assert ok("incidents", "list", "--json").json["incidents"][0]["place"] == "High Street"


def test_a_type_error_of_the_listing_itself_is_an_internal_error_not_damage(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a stored BLOB makes a failed list "a stored row is damaged": a TypeError in the listing's own code
    (a bug) on sound rows is reported as an internal error (exit 1), never as damage to the record."""
    from campaignsafe.cli import _incident_list

    ok("report", "--from-file", str(write_json(tmp_path, minimal())))

    def broken(*_args: object, **_kwargs: object) -> str:
        raise TypeError("a bug in the listing")

    monkeypatch.setattr(_incident_list, "json_text", broken)
    r = run("incidents", "list", "--json")
    assert r.exit_code == 1 and "internal error" in r.stderr and "damaged" not in r.stderr


def test_an_amendment_or_exhibit_column_stored_as_bytes_is_a_finding_not_an_internal_error(
    home: Path, tmp_path: Path
) -> None:
    """An amendment's incident id, or an exhibit's screenshot hash, changed in the store to a BLOB: check and every
    export were an internal error (int() of bytes; bytes sorted with text); now the record does not check out."""
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 photo")
    ok("profile", "--name", "Jo Smith", "--initials", "JS")
    ok("report", "--from-file", str(write_json(tmp_path, minimal(evidence=[{"path": "photo.jpg"}]))))
    ok("incidents", "edit", "1", "--kind", "harassment")
    for trigger, sql in (
        ("amendment_no_update", "UPDATE amendments SET incident_id = X'00ff'"),
        ("evidence_no_update", "UPDATE evidence SET screenshot_sha256 = CAST('deadbeef' AS BLOB)"),
    ):
        conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
        conn.execute(f"DROP TRIGGER {trigger}")
        conn.execute(sql)
        conn.close()
        r = run("check", "--json")
        assert r.exit_code == 6 and r.json["findings"], r.stderr
        r = run("export", "--all", "--format", "json")
        assert r.exit_code == 6 and "internal error" not in r.stderr and r.stdout == ""
    codes = {f["code"] for f in run("check", "--json").json["findings"]}
    assert {"amendment_unreadable", "exhibit_altered"} <= codes


DEEP = "[" * 1000 + "]" * 1000  # 2 KB of JSON that Python's parser cannot read (RecursionError)


@pytest.mark.parametrize(
    ("name", "commands"),
    [
        (
            "profile.json",
            [["profile"], ["report", "--when", "now", "--place", "x", "--kind", "threats", "--description", "d"]],
        ),
        ("checklist/default.json", [["checklist"], ["checklist", "list"]]),
        ("drafts/report.json", [["report", "--resume"]]),
    ],
)
def test_own_data_files_nested_too_deep_are_exit_5_with_a_way_out(
    home: Path, name: str, commands: list[list[str]]
) -> None:
    """They were internal errors (RecursionError, exit 1), the checklist's way out (reset) included."""
    path = home / name
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.write_text(DEEP)
    for command in commands:
        r = run(*command, input="")
        assert r.exit_code == 5, (command, r.stderr)
        assert "cannot be read" in r.stderr and "move it aside" in r.stderr and "internal error" not in r.stderr
    if name.startswith("checklist"):
        assert run("checklist", "reset", input="").exit_code == 0
        assert run("checklist").exit_code == 0


def test_a_profile_that_is_a_list_is_exit_5_not_an_internal_error(home: Path) -> None:
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    (home / "profile.json").write_text("[1, 2]")
    r = run("profile")
    assert r.exit_code == 5 and "your profile" in r.stderr and "internal error" not in r.stderr
    assert run("checklist").exit_code == 0  # the checklist only reads it for a nation and role: none there


def test_a_record_changed_to_hold_controls_reaches_no_report_raw(home: Path, tmp_path: Path) -> None:
    """ESC and a right-to-left override written into a stored record (it then fails check; `export --anyway`
    still exports it, findings on the cover) went raw into the Markdown, HTML and CSV: `cat report.md` cleared
    the screen and a browser reversed the line. They are shown as [U+001B] and [U+202E]."""
    import json as jsonlib

    ok("report", "--from-file", str(write_json(tmp_path, minimal(description="plain words"))))
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute("DROP TRIGGER record_no_update")
    (text,) = conn.execute("SELECT record FROM incidents WHERE id = 1").fetchone()
    rec = jsonlib.loads(text)
    rec["description"] = "bad\x1b[2J words\u202e reversed"
    conn.execute("UPDATE incidents SET record = ? WHERE id = 1", (jsonlib.dumps(rec),))
    conn.close()
    for fmt in ("md", "html", "csv"):
        r = run("export", "--all", "--anyway", "--format", fmt)
        assert r.exit_code == 0, r.stderr
        assert "\x1b" not in r.stdout and "\u202e" not in r.stdout, fmt
        assert "[U+001B]" in r.stdout and "[U+202E]" in r.stdout, fmt
