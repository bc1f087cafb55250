"""Hostile input through the real CLI: FIFOs, devices, huge or malformed files, damaged store rows,
control characters in every typed field, privacy of error messages, batch output failures,
the repeated hour when the clocks go back, and symlinks given as evidence.

Every case is one found in the adversarial review (issue 10): each must end in a one-line
reason and a documented exit code (3 input, 5 store, 6 verification), never exit 1, never a
hang, never a message that repeats what the user wrote.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import run
from tests.incident_helpers import (
    count,
    minimal,
    nothing_written,
    report_json,
    set_initials,
    stored_files,
    unreadable,
    write_json,
)

SECRET = "1 Secret Rd"
FLAGS = ("--when", "2026-05-01 18:30", "--place", "High Street", "--kind", "threats")
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev files are POSIX")


def cli(*args: str, stdin: bytes | None = None, timeout: float = 60, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """The installed command in a real process (a hang fails the test through the timeout)."""
    return subprocess.run(
        [sys.executable, "-m", "campaignsafe", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


# -- FIFOs, devices and sizes --------------------------------------------------------------------


@POSIX
@pytest.mark.parametrize("command", [("report", "--from-file"), ("contact", "--batch"), ("verify",)])
def test_a_fifo_is_refused_without_waiting_for_a_writer(command: tuple[str, ...], tmp_path: Path, home: Path) -> None:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    r = cli(*command, str(fifo), timeout=30)
    assert r.returncode == 3, r.stderr
    assert b"pipe (FIFO)" in r.stderr or b"not a regular file" in r.stderr
    assert nothing_written(home)


@POSIX
@pytest.mark.parametrize("command", [("report", "--from-file"), ("contact", "--batch"), ("verify",)])
def test_a_device_is_refused_unread(command: tuple[str, ...], home: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    r = cli(*command, "/dev/zero", timeout=30)
    assert r.returncode == 3, r.stderr
    assert b"device" in r.stderr or b"not a regular file" in r.stderr


def test_an_import_file_over_the_cap_is_refused(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("campaignsafe.inputfiles.IMPORT_MAX", 1000)
    path = write_json(tmp_path, [minimal(description="x" * 600), minimal(description="y" * 600)])
    r = run("report", "--from-file", str(path))
    assert r.exit_code == 3
    assert "is larger than 1,000 bytes" in r.stderr and "split it" in r.stderr
    assert nothing_written(home)


def test_a_batch_line_over_the_cap_is_answered_as_an_error_and_the_rest_go_on() -> None:
    """A 5 MB line with no end (as `< /dev/zero` gives) costs no memory: one error line, then the next query."""
    stdin = b"SW1A 1AA\n" + b"A" * 5_000_000 + b"\nSW1A 1AA\n"
    r = cli("contact", "--batch", "-", stdin=stdin)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.decode().splitlines()]
    assert [x.get("error", {}).get("code") for x in lines] == [None, "too_long", None]
    assert lines[2]["forces"][0]["id"] == "metropolitan"
    assert "AAAA" not in r.stdout.decode()


# -- malformed files: exit 3, never 1 -------------------------------------------------------------

MALFORMED = {
    "deep.json": ("[" * 100_000, "nested too deeply"),
    "deep.yaml": ("a: " + "[" * 100_000, "nested too deeply"),
    "bigint.json": ('{"kind": ' + "9" * 5000 + "}", "number too long"),
    "bigint.yaml": ("kind: " + "9" * 5000, "number too long"),
    "dup.json": ('{"occurred_at": "2026-05-01T18:30", "kind": "threats", "kind": "criminal-damage"}', "twice"),
    "dup.yaml": ("occurred_at: 2026-05-01T18:30\nkind: threats\nkind: criminal-damage\n", "twice"),
    "alias.yaml": ("a: &x [1, 2]\nb: *x\n", "aliases"),
    "notutf8.json": (b'{"description": "\xff' + SECRET.encode() + b'"}', "not UTF-8"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_import_file_is_exit_3_and_writes_nothing(name: str, tmp_path: Path, home: Path) -> None:
    content, reason = MALFORMED[name]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    r = run("report", "--from-file", str(path))
    assert r.exit_code == 3, r.stderr
    assert reason in r.stderr
    assert SECRET not in r.stderr
    assert len(r.stderr.splitlines()) <= 2
    assert nothing_written(home)


# -- damaged store rows: exit 5, naming the incident, quoting nothing -----------------------------


def _tamper(home: Path, sql: str, *args: object) -> None:
    conn = sqlite3.connect(home / "incidents.db")
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(sql, args)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("sql", "args"),
    [
        ("UPDATE incidents SET record = ? WHERE id = 1", (f"not json {SECRET}",)),
        ("UPDATE incidents SET record = CAST(? AS TEXT) WHERE id = 1", (b'{"d": "\xff' + SECRET.encode() + b'"}',)),
        ("UPDATE incidents SET record = ? WHERE id = 1", ('{"description": "' + SECRET + '"}',)),
        ("UPDATE evidence SET item = ?", (f"[{SECRET}",)),
        ("UPDATE evidence SET item = ?", ('{"exhibit_ref": 5}',)),
    ],
    ids=["record-not-json", "record-not-utf8", "record-not-a-record", "evidence-not-json", "evidence-malformed"],
)
def test_a_damaged_row_is_exit_5_naming_the_incident(
    sql: str, args: tuple[object, ...], home: Path, tmp_path: Path
) -> None:
    set_initials()
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"jpeg")
    report_json(*FLAGS, "--description", SECRET, "--evidence", str(photo))
    _tamper(home, sql, *args)
    for debug in ((), ("--debug",)):
        r = run(*debug, "incidents", "show", "1")
        assert r.exit_code == 5, r.stderr
        assert "damaged" in r.stderr and SECRET not in r.stderr + r.stdout
        assert "incident 1" in r.stderr or "stored row" in r.stderr


def test_saved_contacts_that_are_not_objects_are_a_damaged_file(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "contacts.json").write_text(json.dumps({"version": 1, "contacts": ["DI Jane", 5, None]}))
    r = run("contact", "saved")
    assert r.exit_code == 5
    assert "cannot be read" in r.stderr and "DI Jane" not in r.stderr


def test_an_unreadable_file_in_a_bundle_folder_fails_verification(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "report.html").write_bytes(b"<p>report</p>")
    digest = hashlib.sha256(b"<p>report</p>").hexdigest()
    (folder / "MANIFEST.sha256").write_text(f"{digest}  report.html\n")
    assert run("verify", str(folder)).exit_code == 0

    unreadable(folder / "report.html", monkeypatch)
    r = run("verify", str(folder))
    assert r.exit_code == 6, r.stderr
    assert "report.html" in r.stdout + r.stderr


# -- one text rule for every typed field -----------------------------------------------------------

BAD_TEXT = {
    "CR LF": "Jo\r\nBcc: all@example.com",
    "ESC": "\x1b[2Jcleared",
    "BEL": "ding\x07",
    "RLO": "gpj.\u202eexe",
    "LRI": "a\u2066b",
    "NUL": "a\x00b",
    "line separator": "a\u2028b",
}


@pytest.mark.parametrize("label", sorted(BAD_TEXT))
@pytest.mark.parametrize(
    "command",
    [
        ("profile", "--name"),
        ("profile", "--constituency"),
        ("contact", "save", "metropolitan", "--name"),
        ("contact", "save", "metropolitan", "--phone", "101", "--notes"),
        ("checklist", "mark", "canvassing.never-alone", "done", "--note"),
        ("report", *FLAGS, "--description"),
        ("report", *FLAGS, "--description", "x", "--suspect"),
    ],
    ids=[
        "profile-name",
        "profile-constituency",
        "contact-name",
        "contact-notes",
        "checklist-note",
        "description",
        "suspect",
    ],
)
def test_control_characters_are_refused_in_every_field(command: tuple[str, ...], label: str, home: Path) -> None:
    text = BAD_TEXT[label]
    r = run(*command, text)
    if label == "CR LF" and command[-1] in ("--description", "--note", "--suspect"):
        assert r.exit_code == 0, r.stderr  # a line break in multi-line text, kept as LF
        return
    assert r.exit_code == 3, (r.stdout, r.stderr)
    assert "remove" in r.stderr
    assert text not in r.stderr and "\x1b" not in r.stderr + r.stdout


def test_a_131000_character_contact_name_is_refused(home: Path) -> None:
    r = run("contact", "save", "metropolitan", "--name", "J" * 131_000)
    assert r.exit_code == 3
    assert "longer than 200 characters" in r.stderr
    assert not (home / "contacts.json").exists()


def test_a_profile_saved_before_the_rule_cannot_break_an_email_draft(home: Path, tmp_path: Path) -> None:
    """A hand-edited profile with CR LF in the name is refused as damaged (exit 5), not written into headers."""
    set_initials()
    report_json(*FLAGS, "--description", "x")
    data = json.loads((home / "profile.json").read_text())
    data["name"] = "Jo\r\nBcc: all@example.com"
    (home / "profile.json").write_text(json.dumps(data))
    r = run("export", "--all", "--eml", str(tmp_path / "draft.eml"))
    assert r.exit_code == 5, r.stderr
    assert not (tmp_path / "draft.eml").exists()


def test_a_bidi_evidence_name_is_refused_before_any_copy(home: Path, tmp_path: Path) -> None:
    set_initials()
    photo = tmp_path / "gpj.\u202eexe.jpg"
    photo.write_bytes(b"not really a jpeg")
    r = run("report", *FLAGS, "--description", "x", "--evidence", str(photo))
    assert r.exit_code == 3, r.stderr
    assert "rename the file" in r.stderr
    assert stored_files(home) == [] and count(home) == 0


FIELDS = [
    ("profile name", lambda t: ("profile", f"--name={t}")),
    ("contact name", lambda t: ("contact", "save", "metropolitan", f"--name={t}")),
    ("contact notes", lambda t: ("contact", "save", "metropolitan", "--phone", "101", f"--notes={t}")),
    ("checklist note", lambda t: ("checklist", "mark", "canvassing.never-alone", "done", f"--note={t}")),
    ("description", lambda t: ("report", *FLAGS, f"--description={t}", "--json")),
]


def _read_back(field: str, r_stdout: str) -> str | None:
    from campaignsafe import profile
    from campaignsafe.contact import contacts
    from campaignsafe.guidance import progress

    if field == "profile name":
        return profile.load().name
    if field == "contact name":
        return contacts.load()[-1].get("name")
    if field == "contact notes":
        return contacts.load()[-1].get("notes")
    if field == "checklist note":
        return progress.load().answers["canvassing.never-alone"].note
    shown = run("incidents", "show", str(json.loads(r_stdout)["id"]), "--json")
    description: str = shown.json["description"]
    return description


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(
        st.one_of(
            st.characters(blacklist_categories=()), st.sampled_from("\r\n\t \x1b\x07\x85\u2028\u202e\u2066\ud800")
        ),
        min_size=1,
        max_size=300,
    ),
    which=st.sampled_from(range(len(FIELDS))),
)
def test_any_text_in_any_field_comes_back_identical_or_is_refused_with_exit_3(
    text: str, which: int, home: Path
) -> None:
    field, make = FIELDS[which]
    r = run(*make(text))
    assert r.exit_code in (0, 3), (field, r.exit_code, r.stderr)
    if r.exit_code == 3:
        assert text.strip() == "" or text.strip() not in r.stderr or len(text.strip()) < 3
        return
    expected = text.replace("\r\n", "\n").strip() or None
    assert _read_back(field, r.stdout) == expected, field


# -- privacy ----------------------------------------------------------------------------------------


def test_debug_tracebacks_carry_no_input_values(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """An internal error under --debug shows where it happened, never pydantic's input_value or locals."""
    from pydantic import BaseModel

    class Boom(BaseModel):
        postcode: int

    def explode(*_a: object, **_k: object) -> None:
        Boom.model_validate({"postcode": SECRET})

    monkeypatch.setattr("campaignsafe.incidents.entry.save", explode)
    for args in (("--debug",), ()):
        r = run(*args, "report", *FLAGS, "--description", SECRET)
        assert r.exit_code == 1
        assert SECRET not in r.stderr and "input_value" not in r.stderr
    r = run("--debug", "report", *FLAGS, "--description", SECRET)
    assert "Traceback" in r.stderr and "postcode: int_parsing" in r.stderr


# -- batch output ----------------------------------------------------------------------------------


def test_batch_strips_a_byte_order_mark_on_the_first_line() -> None:
    r = run("contact", "--batch", "-", input=b"\xef\xbb\xbfSW1A 1AA\nSW1A 1AA\n")
    assert r.exit_code == 0
    first, second = r.lines
    assert first["query"] == "SW1A 1AA" and first["forces"][0]["id"] == "metropolitan"
    assert first == second


def test_batch_escapes_line_separators_so_each_answer_is_one_line() -> None:
    stdin = "Kent\u2028Police\nSW1A\u2029 1AA\nDevon\x85\n".encode()
    r = run("contact", "--batch", "-", input=stdin)
    assert r.exit_code == 0
    assert len(r.stdout.splitlines()) == 3  # str.splitlines() breaks at U+2028, U+2029 and U+0085 too
    assert "\\u2028" in r.stdout and "\\u0085" in r.stdout
    assert json.loads(r.stdout.splitlines()[0])["query"] == "Kent\u2028Police"


@POSIX
def test_batch_to_a_full_disk_says_the_disk_is_full(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    queries = tmp_path / "q.txt"
    queries.write_text("SW1A 1AA\n" * 10)
    with open("/dev/full", "w") as full:
        r = subprocess.run(
            [sys.executable, "-m", "campaignsafe", "contact", "--batch", str(queries)],
            stdout=full, stderr=subprocess.PIPE, timeout=60,
        )  # fmt: skip
    assert r.returncode == 3
    assert b"the disk is full" in r.stderr and b"cannot read" not in r.stderr


@POSIX
def test_batch_into_a_closed_pipe_says_the_output_was_closed(tmp_path: Path) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text("SW1A 1AA\n" * 30_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "campaignsafe", "contact", "--batch", str(queries)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 3
    assert b"the output was closed" in err and b"cannot read" not in err


# -- a full disk during an import -------------------------------------------------------------------


def test_a_full_disk_during_an_import_says_the_disk_is_full(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, home: Path
) -> None:
    """SQLite rolls back by itself when the disk fills; the report is the full disk, not 'cannot rollback'."""

    def full(conn: sqlite3.Connection, *_a: object, **_k: object) -> None:
        conn.execute("ROLLBACK")  # what sqlite does on SQLITE_FULL
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("campaignsafe.incidents.audit.append", full)
    path = write_json(tmp_path, [minimal(), minimal()])
    r = run("report", "--from-file", str(path))
    assert r.exit_code == 5, r.stderr
    assert "the disk is full" in r.stderr and "rollback" not in r.stderr
    monkeypatch.undo()
    assert count(home) == 0


def test_a_full_disk_while_copying_evidence_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, home: Path
) -> None:
    import errno

    set_initials()
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"jpeg" * 1000)

    def full(*_a: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("campaignsafe.incidents.evidence.os.fsync", full)  # the copy's bytes cannot be kept
    r = run("report", *FLAGS, "--description", "x", "--evidence", str(photo))
    assert r.exit_code == 5, r.stderr
    assert "No space left on device" in r.stderr and "the disk is full" in r.stderr
    assert count(home) == 0


# -- the hour that happens twice ---------------------------------------------------------------------


def test_the_repeated_hour_shows_bst_or_gmt_everywhere(tmp_path: Path) -> None:
    set_initials()
    report_json("--when", "2026-10-25T01:30+01:00", "--place", "High St", "--kind", "threats", "--description", "a")
    report_json("--when", "2026-10-25T01:30+00:00", "--place", "High St", "--kind", "threats", "--description", "b")
    report_json("--when", "2026-10-24T01:30", "--place", "High St", "--kind", "threats", "--description", "c")
    listing = run("incidents", "list").stdout
    assert "2026-10-25 01:30 BST" in listing and "2026-10-25 01:30 GMT" in listing
    assert "2026-10-24 01:30 " in listing and "2026-10-24 01:30 BST" not in listing  # unambiguous: no zone
    assert "01:30 GMT" in run("incidents", "show", "2").stdout
    for fmt in ("md", "html"):
        out = tmp_path / f"r.{fmt}"
        assert run("export", "--all", "--format", fmt, "-o", str(out)).exit_code == 0
        text = out.read_text()
        assert "Sun 25 Oct 2026 01:30 BST" in text and "Sun 25 Oct 2026 01:30 GMT" in text


# -- symlinks as evidence ----------------------------------------------------------------------------


@POSIX
def test_a_symlink_given_as_evidence_records_where_it_pointed(tmp_path: Path) -> None:
    set_initials()
    real = tmp_path / "real.jpg"
    real.write_bytes(b"jpeg")
    link = tmp_path / "photo.jpg"
    link.symlink_to(real)
    d = report_json(*FLAGS, "--description", "x", "--evidence", str(link))
    stored = d["evidence"][0]["file"]
    assert stored["original_name"] == "photo.jpg" and str(real) in stored["link_target"]
    assert "given as a link to" in run("incidents", "show", "1").stdout
    plain = tmp_path / "plain.jpg"
    plain.write_bytes(b"other")
    d = report_json(*FLAGS, "--description", "y", "--evidence", str(plain))
    assert d["evidence"][0]["file"]["link_target"] is None
