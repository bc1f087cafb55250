"""``campaignsafe report`` by flags and from files: what a candidate scripting or importing sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run
from tests.incident_helpers import (
    count,
    flat,
    minimal,
    nothing_written,
    report_json,
    set_initials,
    unreadable,
    write_json,
)
from tests.screen_helpers import on_a_terminal

FLAGS = ("--when", "2026-05-01 18:30", "--place", "High Street", "--postcode", "sw1a1aa", "--kind", "threats")


def test_flags_store_a_record_and_json_prints_it_with_its_id(home: Path) -> None:
    """Every field can be given by flag; --json prints the stored record including its id."""
    d = report_json(
        *FLAGS,
        "--description", 'He said "you will regret standing"',
        "--suspect", "man in a grey hoodie, about 40; handle=@angryvoter",
        "--witness", "Sam Jones; contact=07700 900123",
        "--vehicle", "silver Ford Focus AB12 CDE",
        "--impact", "I no longer canvass alone",
        "--campaign-impact", "two street stalls cancelled",
        "--reported-to", "101; reference=CAD 1234",
        "--platform", "in person",
    )  # fmt: skip
    assert d["id"] == 1 and d["schema_version"] == 1
    assert d["occurred_at"] == "2026-05-01T18:30:00+01:00" and d["time_known"] is True
    assert d["location"] == {
        "text": "High Street",
        "postcode": "SW1A 1AA",
        "force_id": "metropolitan",
        "force_name": "Metropolitan Police Service",
        "nation": "england",
    }
    assert d["people"][0]["handle"] == "@angryvoter" and d["people"][0]["role"] == "suspect"
    assert d["people"][1] == {
        "role": "witness",
        "name": "Sam Jones",
        "contact": "07700 900123",
        "description": None,
        "handle": None,
        "platform": None,
    }
    assert d["vehicles"][0]["registration"] == "AB12 CDE"
    assert d["impact"] == {"personal": "I no longer canvass alone", "campaign": "two street stalls cancelled"}
    assert d["reports"][0]["to"] == "101" and d["reports"][0]["reference"] == "CAD 1234"
    assert len(d["record_sha256"]) == 64
    assert count(home) == 1


def test_human_output_gives_offences_and_next_steps() -> None:
    """After saving: the id, the force's routes, the SPOC hint and offences with the not-legal-advice line."""
    r = run("report", *FLAGS, "--description", "shouted threats")
    assert r.exit_code == 0, r.stderr
    out = flat(r.stdout)
    assert "Saved as incident 1" in out
    assert "call 999" in out
    assert "Metropolitan Police Service: 101" in out
    assert "campaignsafe contact save metropolitan --role adviser" in out and "--role spoc" in out
    assert "Official Adviser (security)" in out and "election SPOC (electoral offences)" in out
    assert "Offences that may apply (England and Wales)" in out
    assert "Threats to kill" in out
    assert "not legal advice" in out


def test_saved_spoc_is_shown_in_next_steps() -> None:
    """The user's saved election SPOC for the incident's force is part of the next steps."""
    run("contact", "save", "metropolitan", "--role", "spoc", "--name", "DI Jane Example", "--phone", "020 7946 0000")
    r = run("report", *FLAGS, "--description", "shouted threats")
    assert "Saved contact, Election SPOC: DI Jane Example · 020 7946 0000" in flat(r.stdout)


def test_scottish_incident_gets_scots_law() -> None:
    """The offences shown follow the nation of the place."""
    r = run("report", "--when", "yesterday 9pm", "--place", "Princes St", "--postcode", "EH1 1YZ",
            "--kind", "threats", "--description", "threats")  # fmt: skip
    assert "Offences that may apply (Scotland)" in flat(r.stdout)
    assert "Criminal Justice and Licensing (Scotland) Act 2010" in flat(r.stdout)


def test_description_can_come_from_stdin() -> None:
    """--description - reads the account from standard input, keeping its lines."""
    r = run("report", *FLAGS, "--description", "-", "--json", input='line one\n"exact words"\n')
    assert r.json["description"] == 'line one\n"exact words"'


def test_a_piped_account_is_read_as_utf8_whatever_the_code_page(home: Path) -> None:
    """Windows reads a pipe in its ANSI code page (cp1252): "you’ll … café" piped in was stored as "youâ€™ll …
    cafÃ©", and "Łódź" failed with an internal error. Standard input is read as UTF-8 (here in a real process
    whose streams are cp1252, as on Windows), a byte-order mark dropped, CR LF a line break; the record holds
    exactly what was piped."""
    account = "He said “you’ll regret it” outside the café in Łódź.\r\nSecond line."
    cmd = [sys.executable, "-m", "campaignsafe", "report", *FLAGS, "--description", "-", "--json"]
    env = {**os.environ, "CAMPAIGNSAFE_HOME": str(home), "PYTHONIOENCODING": "cp1252"}
    done = subprocess.run(cmd, input=b"\xef\xbb\xbf" + account.encode(), capture_output=True, env=env)
    assert done.returncode == 0, done.stderr
    assert run("incidents", "show", "1", "--json").json["description"] == account.replace("\r\n", "\n")


def test_a_piped_account_that_is_not_utf8_or_too_long_is_refused(home: Path) -> None:
    """Bytes that are not UTF-8, or more than a field could hold (``/dev/zero`` piped in was read whole, into
    memory): one line saying why, exit 3, nothing saved; the text itself never quoted."""
    r = run("report", *FLAGS, "--description", "-", input=b"caf\xe9 secret-words")
    said = " ".join(r.stderr.split())
    assert r.exit_code == 3 and "--description -: standard input is not UTF-8 text (at byte 3)" in said
    assert "secret-words" not in r.stderr
    r = run("report", *FLAGS, "--description", "-", input=b"x" * (2 * 1024 * 1024))
    assert r.exit_code == 3 and "standard input is larger than 1,048,576 bytes" in r.stderr
    assert run("incidents", "list", "--json").json["incidents"] == []


def test_an_empty_piped_account_says_so_not_in_pydantics_words() -> None:
    """An empty or closed stdin said "String should have at least 1 character"."""
    r = run("report", *FLAGS, "--description", "-", input="  \n")
    said = " ".join(r.stderr.split())
    assert r.exit_code == 3 and "--description -: standard input was empty" in said and "String should" not in said
    big = run("report", *FLAGS, "--description", "-", input="x" * (1024 * 1024 + 1))
    assert "keep a longer account as an evidence file" in " ".join(big.stderr.split())


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_an_account_typed_at_a_terminal_is_asked_for(home: Path) -> None:
    """`--description -` at a terminal waited on a blank screen: it now says how to end the text, and keeps it."""
    code, seen = on_a_terminal(
        [sys.executable, "-m", "campaignsafe", "report", *FLAGS, "--description", "-"],
        {"CAMPAIGNSAFE_HOME": str(home)},
        reply=(b"end it with ctrl-d", b"typed at the terminal\n\x04"),
    )
    assert code == 0, seen
    assert run("incidents", "show", "1", "--json").json["description"] == "typed at the terminal"


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_ctrl_c_while_typing_an_account_says_nothing_was_kept(home: Path) -> None:
    """Ctrl-C while typing `--description -` exited 130 with "interrupted", which the exit codes read as "your answers
    were kept as a draft": none was. It now says nothing was saved and that the text is still on the screen."""
    code, seen = on_a_terminal(
        [sys.executable, "-m", "campaignsafe", "report", *FLAGS, "--description", "-"],
        {"CAMPAIGNSAFE_HOME": str(home), "COLUMNS": "200"},
        reply=(b"end it with ctrl-d", b"half an account\n\x03"),
    )
    said = " ".join(seen.decode().split())
    assert code == 130, said
    assert "interrupted: nothing was saved" in said and "still on the screen above" in said
    assert run("incidents", "list", "--json").json["incidents"] == []


def test_minimal_file_from_the_issue_imports(tmp_path: Path) -> None:
    """The minimal JSON file from the issue is a valid incident."""
    r = run("report", "--from-file", str(write_json(tmp_path, minimal())), "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["incidents"][0]["kind"] == "threats"


def test_yaml_file_with_evidence_relative_to_the_file(tmp_path: Path, home: Path) -> None:
    """A YAML file may list evidence files, found beside the file; dates stay UK times."""
    set_initials()
    (tmp_path / "shot.png").write_bytes(b"\x89PNG fake")
    (tmp_path / "incident.yaml").write_text(
        "occurred_at: 2026-05-01 18:30\n"
        "kind: online abuse\n"
        "platform: X\n"
        'description: |\n  Reply said "we know where you live"\n'
        "location: {text: online}\n"
        "evidence:\n  - path: shot.png\n  - url: https://x.com/someone/status/1\n"
    )
    r = run("report", "--from-file", str(tmp_path / "incident.yaml"), "--json")
    assert r.exit_code == 0, r.stderr
    inc = r.json["incidents"][0]
    assert inc["occurred_at"] == "2026-05-01T18:30:00+01:00"
    assert inc["kind"] == "online-abuse"
    assert [e["exhibit_ref"] for e in inc["evidence"]] == ["JS/1", "JS/2"]
    assert inc["evidence"][1]["platform"] == "X/Twitter"


def test_a_list_imports_every_incident(tmp_path: Path, home: Path) -> None:
    """A file holding a list stores every incident in it."""
    items = [minimal(), minimal(kind="harassment"), minimal(kind="criminal damage")]
    r = run("report", "--from-file", str(write_json(tmp_path, items)))
    assert r.exit_code == 0, r.stderr
    assert "Saved 3 incidents" in r.stdout
    assert count(home) == 3


def test_a_list_with_one_bad_incident_imports_none(tmp_path: Path, home: Path) -> None:
    """One bad incident in a list means none are stored, and the bad one is named."""
    items = [minimal(), minimal(kind="thretas"), minimal()]
    r = run("report", "--from-file", str(write_json(tmp_path, items)))
    assert r.exit_code == 3
    assert "the file's 2nd incident: kind: unknown kind; did you mean threats?" in r.stderr
    assert nothing_written(home)


def test_every_problem_is_listed_at_once(tmp_path: Path, home: Path) -> None:
    """Several mistakes are all reported together, and nothing is saved."""
    bad = minimal(occurred_at="tomorrow 9pm", kind="thretas", location={"text": "x", "postcode": "SW1A 9ZZ"})
    bad["evidence"] = [{"path": "missing.png"}]
    bad["colour"] = "red"
    del bad["description"]
    r = run("report", "--from-file", str(write_json(tmp_path, bad)))
    assert r.exit_code == 3
    err = r.stderr
    assert "6 problems, nothing was saved" in err
    for fragment in (
        "occurred_at: the date and time is in the future",
        "kind: unknown kind; did you mean threats?",
        "description: is required",
        "an unknown field at the top level",
        "location.postcode: that postcode does not exist",
        "evidence #1.path: no such file",
    ):
        assert fragment in err
    assert nothing_written(home)


def test_a_file_written_with_the_flags_names_is_told_the_fields_they_fill(tmp_path: Path, home: Path) -> None:
    """``when:`` and ``place:`` (``report``'s flags) in a file were two identical "unknown field" lines: each now
    names the field it fills, never quoting the key; two unknown keys with nothing to suggest are said once."""
    bad = minimal()
    bad["when"] = bad.pop("occurred_at")
    bad["place"] = bad.pop("location")["text"]
    r = run("report", "--from-file", str(write_json(tmp_path, bad)))
    said = " ".join(r.stderr.split())
    assert r.exit_code == 3 and "nothing was saved" in said
    assert "an unknown field at the top level (did you mean occurred_at?" in said
    assert "an unknown field at the top level (did you mean location?" in said and "not the flags" in said
    assert nothing_written(home)
    r = run("report", "--from-file", str(write_json(tmp_path, {**minimal(), "colour": 1, "shape": 2})))
    assert r.exit_code == 3 and "an unknown field at the top level (2 of them); nothing was saved" in r.stderr
    assert "colour" not in r.stderr and "shape" not in r.stderr


def test_json_errors_list_the_problems(tmp_path: Path) -> None:
    """With --json a failure is a JSON object carrying every problem."""
    r = run("report", "--from-file", str(write_json(tmp_path, minimal(kind="x", occurred_at="soon"))), "--json")
    assert r.exit_code == 3
    err = r.json["error"]
    assert err["code"] == "invalid_incident" and len(err["problems"]) == 2


def test_missing_required_fields_without_prompts(home: Path) -> None:
    """With --no-input and missing answers, report says which fields are needed and saves nothing."""
    r = run("report", "--no-input", "--kind", "threats")
    assert r.exit_code == 3
    assert "--when: is required" in r.stderr and "--place: is required" in r.stderr
    assert nothing_written(home)


def test_nothing_asked_without_a_terminal_says_why(home: Path) -> None:
    """Run with no flags and no terminal, report explains that nothing was asked and what to do."""
    r = run("report", input="")
    assert r.exit_code == 3
    assert "nothing was asked" in r.stderr and "--from-file" in r.stderr
    assert nothing_written(home)


def test_flag_problems_are_named_by_flag_and_listed_together(home: Path) -> None:
    """Mistakes in flags are named by the flag, all in one go."""
    r = run("report", "--when", "tomorrow", "--place", "x", "--kind", "threats", "--description", "d",
            "--suspect", "tall; colour=red", "--evidence", "/no/such.png")  # fmt: skip
    assert r.exit_code == 3
    assert "3 problems" in r.stderr
    assert "--suspect: unknown field in suspect" in r.stderr and "colour" not in r.stderr
    assert "--when: the date and time is in the future" in r.stderr
    assert "--evidence/--url (the 1st): no such file" in r.stderr and "such.png" not in r.stderr
    assert nothing_written(home)


def test_evidence_without_initials_is_refused(tmp_path: Path, home: Path) -> None:
    """Exhibit references need the producer's initials: without a profile nothing is saved."""
    (tmp_path / "a.txt").write_text("x")
    r = run("report", *FLAGS, "--description", "d", "--evidence", str(tmp_path / "a.txt"))
    assert r.exit_code == 3
    assert "initials" in r.stderr and "campaignsafe profile" in r.stderr
    assert nothing_written(home)


def test_help_lists_the_kinds() -> None:
    """report --help lists every kind's stable id."""
    from campaignsafe.incidents.kinds import KINDS

    text = run("report", "--help").stdout
    for kid in KINDS:
        assert kid in text


BAD_INPUT = [
    ("bad-date", lambda d: {**d, "occurred_at": "the 32nd of May"}, "occurred_at: the day is not a real date"),
    ("future-date", lambda d: {**d, "occurred_at": "2099-01-01 10:00"}, "is in the future"),
    ("unknown-kind", lambda d: {**d, "kind": "treaths"}, "unknown kind; did you mean threats?"),
    ("no-such-postcode", lambda d: {**d, "location": {"text": "x", "postcode": "SW1A 9ZZ"}}, "does not exist"),
    (
        "not-a-postcode",
        lambda d: {**d, "location": {"text": "x", "postcode": "banana"}},
        "location.postcode: not a postcode",
    ),
    ("missing-file", lambda d: {**d, "evidence": [{"path": "gone.png"}]}, "evidence #2.path: no such file"),
    (
        "directory-as-file",
        lambda d: {**d, "evidence": [{"path": "folder"}]},
        "evidence #2.path: it is a folder, not a file",
    ),
    (
        "unreadable-file",
        lambda d: {**d, "evidence": [{"path": "locked.png"}]},
        "evidence #2.path: the file cannot be read",
    ),
]


@pytest.mark.parametrize(("case", "change", "message"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_with_one_line_and_nothing_written(
    case: str, change: object, message: str, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each kind of bad input gets a one-line reason, exit 3 or 4, and nothing is written."""
    set_initials()
    (tmp_path / "folder").mkdir()
    (tmp_path / "locked.png").write_bytes(b"png")
    (tmp_path / "ok.png").write_bytes(b"fine")
    data = change(minimal(evidence=[{"path": "ok.png"}]))  # type: ignore[operator]
    if case in ("missing-file", "directory-as-file", "unreadable-file"):
        data["evidence"] = [{"path": "ok.png"}, *data["evidence"]]
    path = write_json(tmp_path, data)
    if case == "unreadable-file":
        unreadable(tmp_path / "locked.png", monkeypatch)
    r = run("report", "--from-file", str(path))
    assert r.exit_code in (3, 4)
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert nothing_written(home)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.json", '{"kind": "threats",', "the --from-file file is not valid JSON: line 1 column 20"),
        ("bad.yaml", "kind: threats\n  description: [unclosed\n", "the --from-file file is not valid YAML: line 2"),
        ("list.json", "[1, 2]", "should hold an incident (an object) or a list of them"),
        ("empty.json", "[]", "holds no incidents"),
        ("binary.json", "\udcff", "not UTF-8"),
    ],
)
def test_malformed_files_are_refused(name: str, text: str, message: str, tmp_path: Path, home: Path) -> None:
    """A file that is not YAML or JSON holding incidents gets a one-line reason naming the line."""
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    r = run("report", "--from-file", str(path))
    assert r.exit_code == 3
    assert message in r.stderr
    assert nothing_written(home)


@pytest.mark.parametrize("target", ["missing.json", "folder"])
def test_import_file_missing_or_a_folder(target: str, tmp_path: Path, home: Path) -> None:
    """--from-file with a missing file or a folder says so in one line."""
    (tmp_path / "folder").mkdir()
    r = run("report", "--from-file", str(tmp_path / target))
    assert r.exit_code == 3
    assert ("no such file" in r.stderr) or ("is a folder" in r.stderr)
    assert nothing_written(home)


def test_from_file_with_field_flags_is_a_usage_mistake(tmp_path: Path) -> None:
    """--from-file cannot be mixed with field flags."""
    r = run("report", "--from-file", str(write_json(tmp_path, minimal())), "--kind", "threats")
    assert r.exit_code == 3 and "on its own" in r.stderr


def test_record_json_round_trips_through_a_file(tmp_path: Path) -> None:
    """The field names of a stored record are the field names a file uses."""
    first = report_json(*FLAGS, "--description", "x", "--suspect", "tall man", "--reported-to", "online")
    again = {k: first[k] for k in ("occurred_at", "kind", "description", "people", "vehicles", "impact", "reports")}
    again["location"] = {k: first["location"][k] for k in ("text", "postcode", "force_id")}
    r = run("report", "--from-file", str(write_json(tmp_path, again)), "--json")
    assert r.exit_code == 0, r.stderr
    second = r.json["incidents"][0]
    for key in again:
        assert json.dumps(second[key], sort_keys=True) == json.dumps(first[key], sort_keys=True), key


@pytest.mark.parametrize("value", [5, 1714584600, 18.5, True, None, ["2026-05-01"], {"date": "2026-05-01"}])
def test_a_date_that_is_not_text_is_refused(value: object, tmp_path: Path, home: Path) -> None:
    """A number (or anything but text) for occurred_at is refused, not stored as 1970."""
    r = run("report", "--from-file", str(write_json(tmp_path, minimal(occurred_at=value))))
    assert r.exit_code == 3, r.stdout
    assert "occurred_at: give the date and time as text, e.g. 2026-05-01T18:30" in r.stderr
    assert nothing_written(home)


def test_a_report_time_that_is_a_number_is_refused(tmp_path: Path, home: Path) -> None:
    """The same goes for the time a report was made."""
    bad = minimal(reports=[{"to": "101", "reported_at": 1714584600}])
    r = run("report", "--from-file", str(write_json(tmp_path, bad)))
    assert r.exit_code == 3 and "reports #1.reported_at: give the date and time as text" in r.stderr
    assert nothing_written(home)


def test_control_characters_in_flags_are_refused_and_listed_together(home: Path) -> None:
    """ESC, NUL or a lone carriage return in what is typed is refused, each named by its flag, nothing saved."""
    r = run(
        "report",
        "--when", "2026-05-01 18:30",
        "--place", "High\x00Street",
        "--kind", "thretas",
        "--description", "he said \x1b[31mred\x1b[0m",
        "--suspect", "man\rin grey",
        "--impact", "scared\x9b",
    )  # fmt: skip
    assert r.exit_code == 3
    err = r.stderr
    assert "5 problems, nothing was saved" in err
    for fragment in (
        "--place: contains control characters (e.g. NUL); remove them",
        "--description: contains control characters (e.g. ESC); remove them",
        "--suspect/--victim/--witness: contains control characters (e.g. a carriage return); remove them",
        "--impact: contains control characters (e.g. U+009B); remove them",
        "--kind: unknown kind; did you mean threats?",
    ):
        assert fragment in err
    assert "\x1b" not in err and nothing_written(home)


def test_an_exhibits_hash_lines_up_under_its_name(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After saving, and after add-evidence, the SHA-256 continues under the file name, not a column off."""
    monkeypatch.setenv("COLUMNS", "80")
    set_initials()
    (tmp_path / "photo.jpg").write_bytes(b"jpeg")
    (tmp_path / "letter.pdf").write_bytes(b"pdf")
    saved = run("report", *FLAGS, "--description", "x", "--evidence", str(tmp_path / "photo.jpg"))
    added = run("incidents", "add-evidence", "1", str(tmp_path / "letter.pdf"))
    for out, name in ((saved.stdout, "photo.jpg"), (added.stdout, "letter.pdf")):
        lines = out.splitlines()
        first = next(i for i, line in enumerate(lines) if name in line)
        digest = lines[first + 1]
        assert len(digest.strip()) == 64, out
        assert len(digest) - len(digest.lstrip()) == lines[first].index(name), out


def test_several_problems_are_listed_one_a_line(home: Path) -> None:
    """Each problem is on a line of its own, never run together with a written-out backslash-n."""
    r = run("report", "--when", "now", "--place", "High St")
    assert r.exit_code == 3
    lines = r.stderr.splitlines()
    assert lines[:3] == [
        "campaignsafe: error: 2 problems, nothing was saved:",
        "  - --kind: is required",
        "  - --description: is required",
    ]
    assert "\\n" not in r.stderr and nothing_written(home)


def test_bidirectional_overrides_are_refused(home: Path) -> None:
    """A right-to-left override (text that reads differently from its bytes) is refused like a control character."""
    r = run(
        "report", "--when", "2026-05-01 18:30", "--place", "High Street", "--kind", "threats",
        "--description", "paid \u202e0001\u202c pounds",
    )  # fmt: skip
    assert r.exit_code == 3
    assert "--description: contains control characters (e.g. U+202E); remove them" in r.stderr
    assert nothing_written(home)


def test_control_characters_in_a_file_are_refused_with_the_other_problems(tmp_path: Path, home: Path) -> None:
    """An import file holding control characters is refused, naming every field that holds one, nothing saved."""
    bad = minimal(description="he said \x1b[2J", platform="X\x07", occurred_at="soon")
    bad["people"] = [{"role": "suspect", "name": "Sam\x00"}]
    bad["location"] = {"text": "High Street\x1b"}
    r = run("report", "--from-file", str(write_json(tmp_path, [minimal(), bad])))
    assert r.exit_code == 3
    for fragment in (
        "the file's 2nd incident: description: contains control characters (e.g. ESC); remove them",
        "the file's 2nd incident: platform: contains control characters (e.g. BEL); remove them",
        "the file's 2nd incident: people #1.name: contains control characters (e.g. NUL); remove them",
        "the file's 2nd incident: location.text: contains control characters (e.g. ESC); remove them",
        "the file's 2nd incident: occurred_at: not a date and time",
    ):
        assert fragment in r.stderr
    assert nothing_written(home)


def test_crlf_line_endings_become_newlines_and_tabs_are_kept(tmp_path: Path) -> None:
    """An account written with Windows line endings is stored with plain newlines; tabs are allowed."""
    r = run("report", "--from-file", str(write_json(tmp_path, minimal(description="one\r\ntwo\tthree\r\n"))), "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["incidents"][0]["description"] == "one\ntwo\tthree"
    d = report_json(*FLAGS, "--description", "a\r\nb")
    assert d["description"] == "a\nb"


def test_a_data_folder_that_is_a_file_is_reported_in_one_line(home: Path) -> None:
    """With CAMPAIGNSAFE_HOME naming a plain file, report says so (exit 5) instead of crashing."""
    home.parent.mkdir(parents=True, exist_ok=True)
    home.write_text("mine")
    r = run("report", "--when", "now", "--kind", "threats", "--description", "x", "--place", "y")
    assert r.exit_code == 5, r.stderr
    assert f"cannot keep the incident store in {home}: it is not a folder" in r.stderr
    assert "internal error" not in r.stderr and len(r.stderr.strip().splitlines()) == 2
    assert home.read_text() == "mine"


def test_next_steps_point_to_the_force_website_when_no_online_link_is_verified() -> None:
    """Avon and Somerset has no verified online-report link, so the next steps name its website, not just 101."""
    flags = [f if f != "sw1a1aa" else "bs14st" for f in FLAGS]
    r = run("report", *flags, "--description", "shouted threats")
    assert r.exit_code == 0, r.stderr
    out = flat(r.stdout)
    assert "Avon and Somerset Constabulary: 101, or online through the force's website," in out
    assert "https://www.avonandsomerset.police.uk" in out


def test_a_postcode_that_does_not_exist_is_listed_with_the_other_problems(tmp_path: Path) -> None:
    """An empty place and description do not hide a postcode that does not exist: all three at once."""
    r = run("report", "--when", "yesterday", "--place", "", "--postcode", "SW1A 9ZZ", "--kind", "threats",
            "--description", "")  # fmt: skip
    assert r.exit_code == 3
    said = " ".join(r.stderr.split())
    assert "3 problems" in said and "--postcode: that postcode does not exist" in said
    assert "--place" in said and "--description" in said
    bad = minimal(location={"postcode": "SW1A 9ZZ"})  # no place
    r = run("report", "--from-file", str(write_json(tmp_path, bad)))
    assert r.exit_code == 3 and "location.postcode: that postcode does not exist" in " ".join(r.stderr.split())


def test_a_file_without_a_location_says_what_one_looks_like_for_abuse_online(home: Path, tmp_path: Path) -> None:
    """Left out, ``location`` is named with both forms it can take (a street, or online); with
    ``{"text": "online"}`` the same file is saved."""
    data = minimal(kind="online-abuse")
    del data["location"]
    r = run("report", "--from-file", str(write_json(tmp_path, data)))
    said = " ".join(r.stderr.split())
    assert r.exit_code == 3 and "location: is required (where it happened: a street or venue" in said
    assert "or online)" in said
    assert count(home) == 0
    data["location"] = {"text": "online"}
    r = run("report", "--from-file", str(write_json(tmp_path, data)), "--json")
    assert r.exit_code == 0 and r.json["incidents"][0]["location"]["text"] == "online"


@pytest.mark.parametrize(
    ("flag", "value", "key"),
    [
        ("--suspect", "Dave; handle=@first; handle=@second", "handle"),
        ("--witness", "Sam; contact=07700 900111; contact=07700 900222", "contact"),
        ("--vehicle", "van; registration=AB12CDE; registration=XY34ZZZ", "registration"),
        ("--reported-to", "101; reference=A1; reference=B2", "reference"),
    ],
)
def test_a_field_given_twice_in_one_flag_is_refused_not_half_kept(home: Path, flag: str, value: str, key: str) -> None:
    """Keeping the second of two handles (or references) would silently lose the first: nothing is saved, the
    field is named, and neither value is quoted."""
    r = run("report", *FLAGS, "--description", "d", flag, value)
    assert r.exit_code == 3, r.stderr
    assert f"{key}= is given twice" in r.stderr and "nothing was saved" in r.stderr
    assert not any(v in r.stderr for v in ("@first", "@second", "900111", "AB12CDE", "A1", "B2"))
    assert nothing_written(home)


def test_free_text_and_description_parts_keep_the_order_typed(home: Path) -> None:
    d = report_json(*FLAGS, "--description", "d", "--suspect", "Dave in a red coat; description=tall man")
    assert d["people"][0]["description"] == "Dave in a red coat; tall man"


def test_a_place_given_as_its_postcode_is_not_said_twice(home: Path) -> None:
    report_json("--when", "2026-05-01 18:30", "--place", "EH6 5DT", "--postcode", "eh65dt", "--kind", "threats",
                "--description", "d")  # fmt: skip
    shown = flat(run("incidents", "show", "1").stdout)
    assert "EH6 5DT" in shown and "(EH6 5DT)" not in shown


def test_a_common_law_offence_is_not_named_common_law_twice(home: Path) -> None:
    r = run("checklist", "offences", "--nation", "scotland", "--kind", "threats")
    assert "Common law (Scotland) · Scotland" in r.stdout and "Common law (Scotland), common law" not in r.stdout
    assert "Protection from Harassment Act 1997, s." in run("checklist", "offences", "--nation", "england").stdout


def test_a_files_numbers_and_shapes_are_explained_in_its_own_terms(tmp_path: Path) -> None:
    """A phone number or reference written unquoted in YAML is a number: "Input should be a valid string"; a
    single item where a list goes: "Input should be a valid list"; `location: High Street`: "Input should be a
    valid dictionary or instance of LocationIn". Each is now said in a file's terms, and a place's words alone
    are taken as the place."""
    f = tmp_path / "incident.yaml"
    f.write_text(
        "occurred_at: 2026-05-01 18:30\nkind: threats\ndescription: x\nlocation: High Street\n"
        "people:\n  - {role: witness, name: Sam, contact: +447700900123}\nvehicles: {description: red van}\n"
    )
    r = run("report", "--from-file", str(f))
    said = " ".join(r.stderr.split())
    assert r.exit_code == 3 and "Input should" not in said and "LocationIn" not in said, said
    assert 'people #1.contact: should be text: put it in quotes ("…")' in said
    assert "vehicles: should be a list (each item on a line of its own starting with '- ')" in said
    f.write_text(f.read_text().replace("description: x", "description: true"))
    said = " ".join(run("report", "--from-file", str(f)).stderr.split())
    assert "description: should be text" in said and "description: should be text: put it in quotes" not in said
    f.write_text(f.read_text().replace("description: true", "description: x"))
    f.write_text(f.read_text().replace("+447700900123", '"0117 123 4567"').replace("vehicles: {", "vehicles:\n  - {"))
    saved = run("report", "--from-file", str(f), "--json")
    assert saved.exit_code == 0, saved.stderr
    assert run("incidents", "show", "1", "--json").json["location"]["text"] == "High Street"


def test_a_yaml_number_in_another_form_is_kept_as_written_never_as_its_value(home: Path, tmp_path: Path) -> None:
    """YAML reads a leading 0 as octal, ``0x`` as hex and ``_`` as a digit separator: ``contact: 01171234567``
    was 20,787,191, ``to: 0145`` and ``to: 0x65`` were both stored as a report to 101, and ``reference:
    0123`` was refused as the number 83. Each is now the text as written (a route must still be one of the
    routes)."""
    f = tmp_path / "incident.yaml"
    head = "occurred_at: 2026-05-01 18:30\nkind: threats\ndescription: x\nlocation: High Street\n"
    for route in ("0145", "0x65", "1_01"):
        f.write_text(head + f"reports:\n  - {{to: {route}, reported_at: 2026-05-01 19:00}}\n")
        r = run("report", "--from-file", str(f))
        assert r.exit_code == 3 and "reports #1.to: should be '999', '101'" in " ".join(r.stderr.split()), r.stderr
    f.write_text(head + "people:\n  - {role: witness, name: Sam, contact: 01171234567}\n"
                 "reports:\n  - {to: 101, reported_at: 2026-05-01 19:00, reference: 0123}\n")  # fmt: skip
    r = run("report", "--from-file", str(f), "--json")
    assert r.exit_code == 0, r.stderr
    got = run("incidents", "show", "1", "--json").json
    assert got["people"][0]["contact"] == "01171234567"
    assert (got["reports"][0]["to"], got["reports"][0]["reference"]) == ("101", "0123")


def test_a_files_too_long_or_empty_text_is_said_plainly(tmp_path: Path) -> None:
    """pydantic's "String should have at most 2000 characters" and "at least 1 character", in plain words."""
    f = tmp_path / "incident.yaml"
    f.write_text(f'occurred_at: 2026-05-01 18:30\nkind: threats\ndescription: ""\nlocation: {{text: {"a" * 3000}}}\n')
    said = " ".join(run("report", "--from-file", str(f)).stderr.split())
    assert "description: is empty" in said and "location.text: is longer than 2,000 characters" in said
    f.write_text(f.read_text().replace('description: ""', "description:"))  # nothing after the colon: null
    assert "description: is empty" in " ".join(run("report", "--from-file", str(f)).stderr.split())
    assert "String should" not in said


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("!!binary 4oCu", "a !!binary value is not allowed here"),  # U+202E, a right-to-left override
        ("!!binary G1szMW1SRUQ=", "a !!binary value is not allowed here"),  # an ESC sequence
        ("!!binary /w==", "a !!binary value is not allowed here"),
        ("!!timestamp secretword", "a value does not fit the type its tag"),
        ("!!bool secretword", "a value does not fit the type its tag"),
        ("!!float secretword", "a value does not fit the type its tag"),
        ("!!timestamp 2026-13-45", "a value does not fit the type its tag"),
    ],
)
@pytest.mark.parametrize("field", ["description", "location"])
def test_a_yaml_tag_that_makes_bytes_or_cannot_make_its_value_is_refused_plainly(
    value: str, said: str, field: str, home: Path, tmp_path: Path
) -> None:
    """``!!binary`` got past the text rules (an ESC sequence, a bidi override and a lone CR were stored, and
    ``check`` said OK); ``!!bool word`` and ``!!timestamp word`` were internal errors (exit 1), ``!!float word``
    "a number too long to read". Each is a YAML error at its line now, quoting nothing of the file."""
    f = tmp_path / "incident.yaml"
    fields = {"description": "x", "location": "High Street", field: value}
    f.write_text("occurred_at: 2026-05-01 18:30\nkind: threats\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()))
    r = run("report", "--from-file", str(f))
    assert r.exit_code == 3, r.stderr
    assert "is not valid YAML: line" in r.stderr and said in r.stderr
    assert "secretword" not in r.stderr and "4oCu" not in r.stderr
    assert count(home) == 0


def test_a_yaml_merge_key_is_refused_as_such(home: Path, tmp_path: Path) -> None:
    """``<<: {platform: X}`` was "could not determine a constructor for the tag …" (or, with aliases refused,
    "the same key is given twice"): words that do not say what to change."""
    f = tmp_path / "incident.yaml"
    f.write_text("occurred_at: 2026-05-01 18:30\nkind: threats\ndescription: x\nlocation: {text: here}\n"
                 "<<: {platform: X}\n")  # fmt: skip
    r = run("report", "--from-file", str(f))
    assert r.exit_code == 3 and "line 5 column 1: merge keys (<<:) are not allowed here" in r.stderr
    assert count(home) == 0


def test_a_suspect_known_only_by_the_number_they_called_from_is_recorded(home: Path, tmp_path: Path) -> None:
    """``people: [{role: suspect, contact: 07700 900999}]`` was refused ("give a description, a name or a
    handle"), though a threatening caller is often known by nothing else; their number now links incidents."""
    f = tmp_path / "incident.yaml"
    for day in ("01", "02"):
        f.write_text(f'occurred_at: "2026-03-{day} 18:30"\nkind: threats\nlocation: online\nplatform: phone\n'
                     'description: a call\npeople: [{role: suspect, contact: "07700 900999"}]\n')  # fmt: skip
        r = run("report", "--from-file", str(f))
        assert r.exit_code == 0, r.stderr
    assert "suspect: contact 07700 900999" in run("incidents", "show", "1").stdout
    assert "Suspect: contact 07700 900999" in run("export", "--all", "--format", "md").stdout
    links = run("incidents", "links", "--json").json
    assert [(x["value"], len(x["incidents"])) for x in links["links"]] == [("+447700900999", 2)], links
    f.write_text(f.read_text().replace('contact: "07700 900999"', "platform: X"))
    said = run("report", "--from-file", str(f)).stderr
    assert "give a description, a name, a handle or a contact" in said


def test_a_file_whose_place_holds_a_postcode_but_gives_none_is_told_its_force_is_not_from_it(
    home: Path, tmp_path: Path
) -> None:
    """``location: 12 Acacia Avenue, Bath BA1 1SU`` was filed under the profile's force with no word said (the
    guided form offers such a postcode; a file's place is taken as written). The note names only the ids."""
    f = tmp_path / "incidents.yaml"
    f.write_text('- occurred_at: "2026-03-01 18:30"\n  kind: threats\n  location: 12 Acacia Avenue, Bath BA1 1SU\n'
                 '  description: x\n- occurred_at: "2026-03-02 18:30"\n  kind: threats\n'
                 '  location: {text: High St, postcode: BA1 1SU}\n  description: x\n')  # fmt: skip
    r = run("report", "--from-file", str(f))
    said = " ".join(r.stdout.split())
    assert r.exit_code == 0 and "Note: incident 1 (the file's 1st) has a postcode in its place's words" in said, said
    assert "campaignsafe incidents edit 1 --postcode POSTCODE" in said and "BA1 1SU" not in said
    assert run("incidents", "edit", "1", "--postcode", "BA1 1SU").exit_code == 0
    assert run("incidents", "show", "1", "--json").json["current"]["location"]["force_id"] == "avon-and-somerset"


def test_the_postcode_note_for_many_incidents_names_twenty_and_counts_the_rest(home: Path, tmp_path: Path) -> None:
    """Every incident of a large file may hold a postcode in its words: the note names the first twenty (by id and
    by place in the file) and counts the rest, as the saved list does, rather than listing thousands."""
    f = tmp_path / "many.json"
    items = [{"occurred_at": "2026-03-01 18:30", "kind": "threats", "location": f"{n} High St, Bath BA1 1SU",
              "description": "x"} for n in range(25)]  # fmt: skip
    f.write_text(json.dumps(items))
    said = " ".join(run("report", "--from-file", str(f)).stdout.split())
    assert "incidents 1, 2, 3," in said and "20th) and 5 more have a postcode" in said and "21st" not in said


def test_a_files_problems_count_items_from_one_and_name_the_field_meant(tmp_path: Path, home: Path) -> None:
    """`people[0]: unknown field` counted from 0 and did not say that `phone:` is `contact:`; `when:` was two
    problems (an unknown field, and occurred_at required) for one slip."""
    data = minimal(
        people=[{"role": "witness", "name": "Sam"}, {"role": "suspect", "phone": "07700 900123"}],
        vehicles=[{"reg": "AB12 CDE"}],
        evidence=[{"url": "https://example.org/post", "when": "2026-05-01 19:00"}],
    )
    data["when"] = data.pop("occurred_at")
    r = run("report", "--from-file", str(write_json(tmp_path, data)), "--json")
    assert r.exit_code == 3
    assert r.json["error"]["problems"] == [
        "people #2: unknown field (did you mean contact?)",
        "vehicles #1: unknown field (did you mean registration?)",
        "evidence #1: unknown field (did you mean seen_at?)",
        "an unknown field at the top level (did you mean occurred_at? a file takes the record's field names, not"
        " the flags')",
    ]
    assert nothing_written(home)


def test_a_platform_one_slip_from_a_known_one_is_said_after_flags_or_a_file(tmp_path: Path, home: Path) -> None:
    """The guided form named `Twiter` back as close to X; `--platform Twiter` and a file's `platform: Facebok`
    were kept with no word, and `incidents links` then never matched their handles with X's or Facebook's."""
    r = run("report", "--when", "yesterday 10:00", "--kind", "online-abuse", "--place", "online",
            "--platform", "Twiter", "--description", "d")  # fmt: skip
    assert r.exit_code == 0
    said = " ".join(r.stdout.split())
    assert (
        "The platform is not one campaignsafe knows; if you meant X: campaignsafe incidents edit 1 --platform x" in said
    )
    many = [
        minimal(platform="Facebok", location={"text": "online"}),
        minimal(platform="X", location={"text": "online"}),
    ]
    r = run("report", "--from-file", str(write_json(tmp_path, many)))
    said = " ".join(r.stdout.split())
    assert r.exit_code == 0 and "incident 2's platform is not one campaignsafe knows; if you meant Facebook" in said
    assert "incidents edit 2 --platform facebook" in said and "incident 3" not in said
    assert run("incidents", "show", "1", "--json").json["platform"] == "Twiter"  # kept as given


def test_a_dash_for_a_text_flag_other_than_description_is_refused(home: Path) -> None:
    """`--impact -` stored "-" as the effect on the user (only --description reads standard input, as its help
    says): a dash alone is refused for every other text flag, in `report` and `incidents edit`."""
    args = ["report", "--when", "yesterday 10:00", "--kind", "threats", "--place", "High St", "--description", "x"]
    r = run(*args, "--impact", "-", "--campaign-impact", " - ", input="piped account\n")
    said = " ".join(r.stderr.split())
    assert r.exit_code == 3 and "--impact: '-' reads standard input only for --description" in said
    assert "--campaign-impact: '-' reads standard input only for --description" in said
    assert count(home) == 0
    assert run(*args).exit_code == 0
    r = run("incidents", "edit", "1", "--impact", "-")
    assert r.exit_code == 3 and "--impact: '-' reads standard input only for --description" in r.stderr
    assert run("incidents", "show", "1", "--json").json["impact"] in (None, {}, {"personal": None, "campaign": None})


def test_every_platform_one_slip_from_a_known_one_in_a_file_is_named(tmp_path: Path, home: Path) -> None:
    """Of a file's incidents naming Facebok and Twiter, only the first was named back with the platform meant."""
    many = [minimal(platform=p, location={"text": "online"}) for p in ("Facebok", "Twiter")]
    said = " ".join(run("report", "--from-file", str(write_json(tmp_path, many))).stdout.split())
    assert "2 incidents name a platform close to one campaignsafe knows (1: Facebook; 2: X)" in said


@pytest.mark.parametrize(
    ("postcode", "said"),
    [("JE2 4WE", "that postcode is in a Crown Dependency, outside UK police forces (contact the States of Jersey"),
     ("BFPO 123", "belong to the British Forces Post Office"),
     ("GIR 0AA", "non-geographic postcode used only for mail")],
)  # fmt: skip
def test_a_postcode_no_uk_force_covers_says_why_not_that_it_does_not_exist(
    postcode: str, said: str, home: Path
) -> None:
    """A Jersey, BFPO or mail-only postcode was "that postcode does not exist": it exists, no UK force covers it."""
    r = run("report", "--when", "yesterday 9pm", "--place", "x", "--kind", "threats", "--description", "x",
            "--postcode", postcode)  # fmt: skip
    flat_err = " ".join(r.stderr.split())
    assert r.exit_code in (3, 4) and said in flat_err and "does not exist" not in flat_err
    assert postcode not in r.stderr and count(home) == 0


def test_an_edit_to_a_platform_one_slip_from_a_known_one_says_so(home: Path) -> None:
    """`incidents edit 1 --platform Facebok` was kept with no word, though `report --platform Facebok` names it."""
    run("report", "--when", "yesterday 10:00", "--kind", "online-abuse", "--place", "online", "--description", "d")
    said = " ".join(run("incidents", "edit", "1", "--platform", "Facebok").stdout.split())
    assert "that platform is not one campaignsafe knows; if you meant Facebook:" in said
    assert "if you meant Facebook: campaignsafe incidents edit 1 --platform facebook" in said
    assert "if you meant" not in run("incidents", "edit", "1", "--platform", "facebook").stdout
