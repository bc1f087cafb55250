"""``campaignsafe incidents``: listing, showing, amending, recording reports and deleting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.conftest import run
from tests.incident_helpers import count, flat, prompts, report_json, set_initials


def _add(when: str, kind: str = "threats", postcode: str | None = None, **extra: str) -> int:
    args = ["--when", when, "--place", "High Street", "--kind", kind, "--description", "d"]
    if postcode:
        args += ["--postcode", postcode]
    for key, value in extra.items():
        args += [f"--{key.replace('_', '-')}", value]
    return int(report_json(*args)["id"])


@pytest.fixture
def three(store_backend: str) -> list[int]:
    """Three incidents: Met threats (reported), Scottish harassment, an undated-time Met criminal damage
    (on each store: every test using them runs on SQLite and PostgreSQL)."""
    return [
        _add("2026-04-01 10:00", postcode="SW1A 1AA", reported_to="101; reference=CAD 1"),
        _add("2026-04-15 21:00", kind="harassment", postcode="EH1 1YZ"),
        _add("2026-05-01", kind="criminal-damage", postcode="SW1A 1AA"),
    ]


def test_list_json_writes_each_moment_as_show_json_does(store_backend: str) -> None:
    """A winter (GMT) and a summer (BST) incident: `incidents list --json` gives the same occurred_at text as
    `incidents show --json` (``…Z`` in GMT, ``…+01:00`` in BST), so a script can compare them."""
    ids = [_add("2026-01-10 09:00"), _add("2026-07-10 09:00")]
    listed = {i["id"]: i["occurred_at"] for i in run("incidents", "list", "--json").json["incidents"]}
    shown = {i: run("incidents", "show", str(i), "--json").json["occurred_at"] for i in ids}
    assert listed == shown == {ids[0]: "2026-01-10T09:00:00Z", ids[1]: "2026-07-10T09:00:00+01:00"}


def test_list_json_has_the_columns(three: list[int]) -> None:
    """list --json gives each incident's id, when, kind, place, force, evidence count, reports and recorder."""
    r = run("incidents", "list", "--json")
    assert r.exit_code == 0
    first = r.json["incidents"][0]
    assert first == {
        "id": 1,
        "occurred_at": "2026-04-01T10:00:00+01:00",
        "time_known": True,
        "kind": "threats",
        "place": "High Street",
        "postcode": "SW1A 1AA",
        "force_id": "metropolitan",
        "force_name": "Metropolitan Police Service",
        "force_source": "postcode",
        "evidence_count": 0,
        "reported_to": ["101 (ref CAD 1)"],
        "police_reported": True,
        "amendments": 0,
        "recorded_by": None,
    }


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (("--since", "2026-04-10"), [2, 3]),
        (("--until", "2026-04-15"), [1, 2]),
        (("--until", "2026-04-15 20:00"), [1]),
        (("--kind", "harassment", "--kind", "criminal damage"), [2, 3]),
        (("--force", "Police Scotland"), [2]),
        (("--force", "met"), [1, 3]),
        (("--unreported",), [2, 3]),
        (("--since", "2026-04-01", "--until", "2026-04-30", "--unreported"), [2]),
    ],
)
def test_list_filters(args: tuple[str, ...], ids: list[int], three: list[int]) -> None:
    """--since, --until (a date means the whole day), --kind, --force and --unreported narrow the list."""
    r = run("incidents", "list", *args, "--json")
    assert r.exit_code == 0, r.stderr
    assert [i["id"] for i in r.json["incidents"]] == ids


def test_list_filter_mistakes_are_named() -> None:
    """Bad filter values are all named in one line."""
    r = run("incidents", "list", "--since", "soonish", "--kind", "thrats", "--force", "Narnia")
    assert r.exit_code == 3
    assert (
        "--since:" in r.stderr and "--kind: unknown kind; did you mean threats?" in r.stderr and "--force:" in r.stderr
    )


def test_list_table_at_80_columns(three: list[int]) -> None:
    """The table fits 80 columns and shows the short force names and what was reported."""
    r = run("incidents", "list")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[0].split() == ["Id", "When", "Kind", "Place", "Force", "Ev.", "Reported", "to"]
    assert "2026-04-01 10:00" in r.stdout and "Met" in r.stdout and "101" in r.stdout
    assert "2026-05-01 " in r.stdout
    assert "3 incidents" in r.stdout


def test_empty_list_says_how_to_start() -> None:
    """With nothing recorded, list says how to record an incident."""
    assert "campaignsafe report" in run("incidents", "list").stdout


def test_edit_keeps_the_original_beside_the_amendment(three: list[int]) -> None:
    """An edit is a dated amendment: show gives the original, the change, and how it reads now."""
    r = run("incidents", "edit", "1", "--when", "2026-04-01 10:15", "--add-witness", "Sam; contact=0770",
            "--reason", "checked my phone log")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert "Incident 1: amendment 1 recorded (when, people)." in r.stdout  # as show and the report name them
    d = run("incidents", "show", "1", "--json").json
    assert d["occurred_at"] == "2026-04-01T10:00:00+01:00"
    assert d["current"]["occurred_at"] == "2026-04-01T10:15:00+01:00"
    assert d["amendments"][0]["reason"] == "checked my phone log"
    assert [c["field"] for c in d["amendments"][0]["changes"]] == ["occurred_at", "people"]
    text = flat(run("incidents", "show", "1").stdout)
    assert "Amendment 1" in text and "was: Wed 1 Apr 2026 10:00" in text and "now: Wed 1 Apr 2026 10:15" in text
    assert "When was: Wed 1 Apr 2026 10:00" in text  # the field as the view names it, not occurred_at
    assert "People added: witness: Sam" in text and "0770" in text.split("People added:")[1][:80]
    assert "occurred_at" not in text
    assert "As it reads now" in text
    listed = run("incidents", "list", "--json").json["incidents"][0]
    assert listed["occurred_at"] == "2026-04-01T10:15:00+01:00" and listed["amendments"] == 1


def test_edit_postcode_finds_the_force_again(three: list[int]) -> None:
    """Correcting the postcode moves the incident to the right force."""
    assert run("incidents", "edit", "3", "--postcode", "CF10 1EP").exit_code == 0
    assert run("incidents", "show", "3", "--json").json["current"]["location"]["force_id"] == "south-wales"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "nothing to change"),
        (("--when", "tomorrow"), "--when: the date and time is in the future"),
        (("--kind", "nope"), "--kind: unknown kind"),
        (("--postcode", "SW1A 9ZZ"), "--postcode: that postcode does not exist"),
        (("--description", "d"), "nothing would change"),
    ],
)
def test_edit_mistakes(args: tuple[str, ...], message: str, three: list[int]) -> None:
    """A bad or empty edit is refused and adds no amendment."""
    r = run("incidents", "edit", "3", *args)
    assert r.exit_code == 3 and message in r.stderr
    assert run("incidents", "show", "3", "--json").json["amendments"] == []


def test_update_records_the_report_as_an_amendment(three: list[int]) -> None:
    """update --reported-to/--police-ref adds the report, dated, as an amendment; the incident leaves --unreported."""
    r = run("incidents", "update", "2", "--reported-to", "101", "--police-ref", "PS-2026-123", "--when", "2026-04-16")
    assert r.exit_code == 3 and "give the time it was reported too" in flat(r.stderr)  # not stored as its midnight
    reported = ("--reported-to", "101", "--police-ref", "PS-2026-123")
    r = run("incidents", "update", "2", *reported, "--when", "2026-04-16 9am")
    assert r.exit_code == 0, r.stderr
    d = run("incidents", "show", "2", "--json").json
    assert d["reports"] == []
    assert d["current"]["reports"][0]["to"] == "101"
    assert d["current"]["reports"][0]["reference"] == "PS-2026-123"
    assert d["current"]["reports"][0]["reported_at"].startswith("2026-04-16T09:00:00")
    assert d["amendments"][0]["reason"] is None  # never words the user did not give (it read as theirs)
    assert [c["field"] for c in d["amendments"][0]["changes"]] == ["reports"]
    md = run("export", "2", "--format", "md").stdout
    assert "reported to 101" not in md.lower()
    assert [i["id"] for i in run("incidents", "list", "--unreported", "--json").json["incidents"]] == [3]


def test_police_ref_fills_in_the_open_police_report(three: list[int]) -> None:
    """A reference given later goes onto the police report that had none."""
    run("incidents", "update", "3", "--reported-to", "online")
    run("incidents", "update", "3", "--police-ref", "6029384/26")
    reports = run("incidents", "show", "3", "--json").json["current"]["reports"]
    assert [(r["to"], r["reference"]) for r in reports] == [("online", "6029384/26")]


def test_platform_report(three: list[int]) -> None:
    """A report to a platform keeps the platform and its reference, and does not count as reported to police."""
    run("incidents", "update", "2", "--reported-to", "platform", "--platform", "X", "--ref", "998877")
    report = run("incidents", "show", "2", "--json").json["current"]["reports"][0]
    assert (report["to"], report["platform"], report["reference"]) == ("platform", "X", "998877")
    assert 2 in [i["id"] for i in run("incidents", "list", "--unreported", "--json").json["incidents"]]


def test_update_mistakes(three: list[int]) -> None:
    """update without anything to record, or with an unknown route, is refused."""
    assert run("incidents", "update", "1").exit_code == 3
    r = run("incidents", "update", "1", "--reported-to", "carrier pigeon")
    assert r.exit_code == 3 and "--reported-to: give one of 999, 101, online, police, platform, other" in r.stderr


def test_delete_needs_confirmation(three: list[int], home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """delete asks; with --no-input it refuses without --yes; answering no keeps the incident."""
    r = run("incidents", "delete", "1", "--no-input")
    assert r.exit_code == 3 and "--yes" in r.stderr
    prompts(monkeypatch)
    r = run("incidents", "delete", "1", input="n\n")
    said = " ".join(r.stdout.split())
    assert "This deletes incident 1 (Threats). It cannot be undone. Delete incident 1? [y/N]" in said
    assert "exhibits" not in r.stdout and "Nothing deleted" in r.stdout
    assert count(home) == 3
    r = run("incidents", "delete", "1", input="y\n")
    assert r.exit_code == 0 and "Deleted incident 1" in r.stdout
    assert count(home) == 2
    assert run("incidents", "show", "1").exit_code == 4


def test_deleted_ids_are_never_reused(three: list[int]) -> None:
    """After a delete, the next incident gets a new id, so references to old ids never mislead."""
    run("incidents", "delete", "3", "--yes")
    assert _add("2026-05-02 09:00") == 4


def test_a_deleted_incident_is_said_to_be_deleted(three: list[int]) -> None:
    """show, edit and export of a deleted id say it was deleted and when, not that it never was (exit 4)."""
    assert run("incidents", "delete", "3", "--yes").exit_code == 0
    for argv in (["incidents", "show", "3"], ["incidents", "edit", "3", "--kind", "threats"], ["export", "3"]):
        r = run(*argv)
        assert r.exit_code == 4, argv
        assert "incident 3 was deleted on " in r.stderr and "tombstone stays in the audit log" in r.stderr, argv
        assert "no incident 3" not in r.stderr
    r = run("export", "2", "3", "42")  # one deleted, one never made: each said as it is
    assert r.exit_code == 4 and "no incident 42" in r.stderr and "incident 3 was deleted" in r.stderr


def test_show_missing_incident() -> None:
    """Showing an id that does not exist is a not-found with a hint."""
    r = run("incidents", "show", "42")
    assert r.exit_code == 4 and "no incident 42" in r.stderr and "incidents list" in r.stderr


def test_show_lists_exhibits_with_hashes(three: list[int], tmp_path: Path) -> None:
    """show lists each exhibit with its reference, name, size and SHA-256."""
    set_initials("Alex Brown")
    (tmp_path / "letter.pdf").write_bytes(b"%PDF-1.4 letter")
    run("incidents", "add-evidence", "1", str(tmp_path / "letter.pdf"))
    text = flat(run("incidents", "show", "1").stdout)
    assert "AB/1 letter.pdf, 15 bytes, SHA-256 " in text
    assert "SHA-256" in text and "(the record as first saved)" in text


def test_list_json_loads_no_pydantic_or_rich(three: list[int]) -> None:
    """Listing reads only the summary columns: it imports neither pydantic nor rich."""
    from tests.test_imports import _modules

    mods = _modules("incidents", "list", "--json")
    assert "campaignsafe.incidents.listing" in mods
    for heavy in ("pydantic", "rich", "yaml"):
        assert not any(m == heavy or m.startswith(heavy + ".") for m in mods), heavy


@pytest.mark.parametrize(
    "args",
    [
        ("show",),
        ("delete", "--yes"),
        ("update", "--reported-to", "101"),
        ("edit", "--place", "x"),
        ("add-evidence", "--url", "https://x.com/a/status/1"),
    ],
)
@pytest.mark.parametrize("bad", ["99999999999999999999", "0"])
def test_ids_out_of_range_are_usage_errors(args: tuple[str, ...], bad: str, three: list[int], home: Path) -> None:
    """An id too large to be one (or 0) is refused as a usage error (exit 2) naming the range, never a crash."""
    r = run("incidents", args[0], bad, *args[1:])
    assert r.exit_code == 2, r.stderr
    assert "internal error" not in r.stderr
    assert "ID must be 1 or more, not 0" in r.stderr if bad == "0" else "too large to be one" in r.stderr
    assert count(home) == 3 and count(home, "amendments") == 0


def test_the_largest_id_is_simply_not_found(three: list[int]) -> None:
    """The largest possible id is looked up like any other: no such incident (exit 4)."""
    r = run("incidents", "show", str(2**63 - 1))
    assert r.exit_code == 4 and f"no incident {2**63 - 1}" in r.stderr


def test_a_data_folder_that_is_a_file_is_a_store_problem(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CAMPAIGNSAFE_HOME naming a plain file gives one line saying so (exit 5), and the file is left alone."""
    home.parent.mkdir(parents=True, exist_ok=True)
    home.write_text("mine")
    home.chmod(0o644)
    r = run("incidents", "list")
    assert r.exit_code == 5, r.stderr
    assert f"cannot keep the incident store in {home}: it is not a folder" in r.stderr
    assert "internal error" not in r.stderr and len(r.stderr.strip().splitlines()) == 2
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(home / "below"))
    r = run("incidents", "list")
    assert r.exit_code == 5 and f"{home} is not a folder" in r.stderr
    assert home.read_text() == "mine" and home.stat().st_mode & 0o777 == 0o644


def test_edit_refuses_control_characters(three: list[int]) -> None:
    """An amendment whose text holds ESC or NUL is refused, naming each flag, and nothing changes."""
    r = run("incidents", "edit", "1", "--description", "a\x1b[31mred", "--add-witness", "Sam\x00", "--reason", "r\x07")
    assert r.exit_code == 3 and "3 problems, nothing was saved" in r.stderr
    for flag, name in (("--description", "ESC"), ("--add-witness", "NUL"), ("--reason", "BEL")):
        assert f"{flag}: contains control characters (e.g. {name}); remove them" in r.stderr
    assert run("incidents", "show", "1", "--json").json["amendments"] == []
    r = run("incidents", "update", "1", "--reported-to", "101", "--police-ref", "CAD\x1b[2J")
    assert r.exit_code == 3 and "--police-ref: contains control characters (e.g. ESC)" in r.stderr
    r = run("incidents", "edit", "1", "--when", "yesterday\x1b", "--place", "x")
    assert r.exit_code == 3 and r.stderr.count("--when") == 1  # named once, not also as a bad date


def test_edit_turns_crlf_into_newlines(three: list[int]) -> None:
    """A corrected account pasted with Windows line endings is kept with plain newlines."""
    assert run("incidents", "edit", "1", "--description", "line one\r\nline two").exit_code == 0
    assert run("incidents", "show", "1", "--json").json["current"]["description"] == "line one\nline two"


@pytest.mark.sqlite_only  # edits the SQLite file behind campaignsafe's back
def test_show_escapes_control_characters_saved_before_they_were_refused(three: list[int], home: Path) -> None:
    """A record saved by an older version with an escape sequence in it is shown with the escape visible, not obeyed."""
    import sqlite3

    conn = sqlite3.connect(home / "incidents.db")
    conn.execute("DROP TRIGGER record_no_update")
    conn.execute(
        'UPDATE incidents SET record = replace(record, \'"text":"High Street"\', ?)', ('"text":"Hi\\u001b[31m"',)
    )
    conn.execute("UPDATE incidents SET place = 'Hi' || char(27) || '[31m'")
    conn.commit()
    conn.close()
    for args in (("show", "1"), ("list",)):
        r = run("incidents", *args)
        assert r.exit_code == 0, r.stderr
        assert "\x1b" not in r.stdout and "Hi\\x1b[31m" in r.stdout


def test_a_window_may_end_in_the_future(three: list[int]) -> None:
    """`--until` next year lists everything so far and `--since tomorrow` lists nothing: a filter's window may
    reach past now (only an incident's own time may not be in the future)."""
    r = run("incidents", "list", "--until", "2099-01-01", "--json")
    assert r.exit_code == 0 and [i["id"] for i in r.json["incidents"]] == three
    r = run("incidents", "list", "--since", "2099-01-01", "--json")
    assert r.exit_code == 0 and r.json["incidents"] == []
    assert (
        run("report", "--when", "2099-01-01", "--place", "x", "--kind", "threats", "--description", "d").exit_code == 3
    )


@pytest.mark.parametrize("args", [("--kind", "hate"), ("--since", "2030-01-01"), ("--force", "Kent", "--unreported")])
def test_filters_that_match_nothing_do_not_say_the_record_is_empty(args: tuple[str, ...], three: list[int]) -> None:
    """It said "No incidents recorded. Record one", with three recorded; the JSON is still an empty list."""
    r = run("incidents", "list", *args)
    assert r.exit_code == 0, r.stderr
    assert "No incidents match these filters (3 recorded)" in r.stdout and "No incidents recorded" not in r.stdout
    assert run("incidents", "list", *args, "--json").json["incidents"] == []
    import subprocess
    import sys

    real = subprocess.run(  # the lean path (no typer) says the same
        [sys.executable, "-m", "campaignsafe", "incidents", "list", *args], capture_output=True, text=True
    )
    assert "No incidents match these filters (3 recorded)" in real.stdout, real.stderr


@pytest.mark.parametrize(
    ("inside", "flag", "field"),
    [
        ("screenshot=first.png", ("--screenshot", "second.png"), "screenshot="),
        ("seen_at=2026-05-01 10:00", ("--seen-at", "2026-05-01 11:00"), "seen_at="),
        ("platform=X", ("--platform", "Mastodon"), "platform="),
        ("note=from Sam", ("--note", "from Alex"), "note="),
    ],
)
def test_a_url_field_given_inside_the_url_and_as_a_flag_is_refused(
    inside: str, flag: tuple[str, str], field: str, three: list[int], tmp_path: Path, home: Path
) -> None:
    """`add-evidence --url "…; screenshot=a.png" --screenshot b.png` kept one and silently lost the other (as did
    seen_at, platform and note): refused, naming the field, quoting neither value, nothing added."""
    set_initials("Alex Brown")
    for name in ("first.png", "second.png"):
        (tmp_path / name).write_bytes(name.encode())
    url = f"https://x.com/a/status/1; {inside.replace('first.png', str(tmp_path / 'first.png'))}"
    value = str(tmp_path / flag[1]) if flag[0] == "--screenshot" else flag[1]
    r = run("incidents", "add-evidence", "1", "--url", url, flag[0], value)
    assert r.exit_code == 3, r.stderr
    said = " ".join(r.stderr.split())
    assert f"{field} is given both inside --url and as {flag[0]}; nothing was saved" in said and "give it once" in said
    assert not any(v in r.stderr for v in ("first.png", "second.png", "11:00", "Mastodon", "from Sam", "from Alex"))
    assert count(home, "evidence") == 0


def test_a_platform_flag_beside_a_url_of_a_known_platform_is_not_a_clash(three: list[int]) -> None:
    """The platform worked out from the address is not one the user gave: --platform still names it."""
    set_initials("Alex Brown")
    r = run("incidents", "add-evidence", "1", "--url", "https://x.com/a/status/1", "--platform", "Mastodon", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["evidence"][0]["platform"] == "Mastodon"


def test_a_field_given_twice_is_named_by_its_flag_and_said_once(three: list[int], home: Path) -> None:
    """`edit --add-suspect "Dave; handle=@a; handle=@b"` failed naming no flag; `report --suspect …` said
    "nothing was saved; nothing was saved"."""
    r = run("incidents", "edit", "1", "--add-suspect", "Dave; handle=@first; handle=@second", "--reason", "r")
    said = " ".join(r.stderr.split())
    assert r.exit_code == 3 and "--add-suspect: handle= is given twice in one suspect: give it once" in said
    assert said.count("nothing was saved") == 1 and "@first" not in said and count(home, "amendments") == 0
    r = run("report", "--when", "2026-05-01 10:00", "--place", "online", "--kind", "threats", "--description", "d",
            "--suspect", "Dave; handle=@first; handle=@second")  # fmt: skip
    said = " ".join(r.stderr.split())
    assert r.exit_code == 3 and "--suspect: handle= is given twice in one suspect: give it once" in said
    assert said.count("nothing was saved") == 1 and count(home) == 3


def test_a_web_address_with_its_own_semicolons_is_kept_whole(three: list[int], home: Path) -> None:
    """`--url "https://…?x=1;note=hello"`: the address's own `;note=hello` was taken as a note and cut from the
    address. A `;` with no space beside it is the address's; fields follow `; `. One that a field's name
    follows (`…/1;screenshot=a.png`) could be either: refused, never silently swallowed by the address."""
    set_initials("Alex Brown")
    address = "https://forum.example.org/thread?id=7;page=2;"
    r = run("incidents", "add-evidence", "1", "--url", f"{address}; platform=Forum;note=the second page", "--json")
    assert r.exit_code == 0, r.stderr
    ev = r.json["evidence"][0]
    assert (ev["url"], ev["platform"], ev["note"]) == (address, "Forum", "the second page")
    for value in ("https://x.com/a/status/1;screenshot=a.png", "https://x.com/a/status/1;Seen-At=2026-05-01 10:00"):
        r = run("incidents", "add-evidence", "1", "--url", value)
        said = " ".join(r.stderr.split())
        assert r.exit_code == 3 and "a field name follows a ';' in the address" in said and "%3B" in said
        assert "a.png" not in said and "x.com" not in said
    assert count(home, "evidence") == 1


@example(path="a;", note="x")
@example(path="t?id=7;note=hi", note="")
@given(
    path=st.text(alphabet=st.characters(categories=("L", "N"), include_characters="/?=&;._-"), max_size=40),
    note=st.text(alphabet=st.characters(categories=("L", "N"), include_characters=" "), max_size=30),
)
def test_any_address_without_spaces_survives_beside_a_note(path: str, note: str) -> None:
    """Whatever the address holds (its own `;`, `=`, `&`), it comes back whole, and the note after `; ` too; an
    address where a field's name follows a `;` is refused, never split or swallowed."""
    from campaignsafe.errors import InputError
    from campaignsafe.incidents import inputs

    address = "https://example.org/" + path
    if re.search(r";\s*(screenshot|seen[_-]at|platform|note)\s*=", address, re.IGNORECASE):
        with pytest.raises(InputError, match="could be either"):
            inputs.url(f"{address}; note={note}")
        return
    got = inputs.url(f"{address}; note={note}")
    assert got["url"] == address
    assert got.get("note", "") == note.strip()


def test_show_gives_the_force_of_the_record_as_first_saved_under_it(home: Path) -> None:
    """An incident at SW1A 1AA (the Met's) amended to have no postcode: show's "as first recorded" part said
    "Kent Police (from the reporting person's profile)" beside the postcode that made it the Met's."""
    assert run("profile", "--force", "kent").exit_code == 0
    report_json("--when", "2026-05-01 18:30", "--place", "Town Hall", "--postcode", "SW1A 1AA", "--kind", "threats",
                "--description", "d")  # fmt: skip
    assert run("incidents", "edit", "1", "--postcode", "", "--reason", "not sure of it").exit_code == 0
    shown = flat(run("incidents", "show", "1").stdout)
    first, _sep, now = shown.partition("Amendment 1")
    assert "Metropolitan Police Service (from the place's postcode)" in first and "Kent Police" not in first
    assert "Kent Police (from the reporting person's profile" in now
    assert run("incidents", "show", "1", "--json").json["force"]["id"] == "kent"  # as it reads now


def test_a_report_is_never_dated_before_the_incident_it_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """``incidents update 1 --reported-to 101 --when "yesterday 10:15"`` on an incident of today 08:15 was
    recorded, and the record then said the police were told the day before it happened. A report dated before
    the incident is refused wherever it is given (flags, a file, the guided form, update) and so is moving the
    incident to after a report of it; on an incident whose time is not known, a report the same day is fine."""
    set_initials()
    flags = ("--when", "2026-05-02 18:30", "--place", "High St", "--kind", "threats", "--description", "x")
    r = run("report", *flags, "--reported-to", "101; reported_at=2026-05-01 10:00")
    said = " ".join(r.stderr.split())
    assert r.exit_code == 3 and "--reported-to: the report is dated before the incident happened" in said
    assert "Sat 2 May" not in said  # no date of the incident in an error
    day = report_json("--when", "2026-05-02", "--place", "High St", "--kind", "threats", "--description", "x",
                      "--reported-to", "101; reported_at=2026-05-02 09:00")  # fmt: skip
    assert day["reports"][0]["reported_at"].startswith("2026-05-02T09:00")
    iid = str(report_json(*flags)["id"])
    r = run("incidents", "update", iid, "--reported-to", "101", "--police-ref", "CAD 1", "--when", "2026-05-01 10:00")
    assert r.exit_code == 3 and "--when: the report is dated before the incident happened" in flat(r.stderr)
    assert run("incidents", "show", iid, "--json").json["amendments"] == []
    ok = run("incidents", "update", iid, "--reported-to", "101", "--police-ref", "CAD 1", "--when", "2026-05-02 19:00")
    assert ok.exit_code == 0, ok.stderr
    r = run("incidents", "edit", iid, "--when", "2026-05-03 10:00", "--reason", "misread the date")
    assert r.exit_code == 3 and "that is after the report to 101 it records" in flat(r.stderr)
    assert "CAD 1" not in r.stderr  # the reference the user typed is never quoted
    prompts(monkeypatch)
    answers = ["2026-05-02 18:30", "High St", "", "", "2", "x", "", "", "", "", "", "", "", "", "101",
               "2026-05-01 10:00", "2026-05-02 19:30", "", ""]  # fmt: skip
    guided = run("report", input="\n".join(answers) + "\n\n")
    assert "the report is dated before the incident happened (Sat 2 May 2026 18:30)" in flat(guided.stdout)
    assert guided.exit_code == 0, guided.stdout
    last = run("incidents", "list", "--json").json["incidents"][-1]["id"]
    assert (
        run("incidents", "show", str(last), "--json").json["reports"][0]["reported_at"].startswith("2026-05-02T19:30")
    )


def test_a_report_date_without_its_time_is_refused_not_stored_as_midnight(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--reported-to "101; reported_at=yesterday"`, a file's `reported_at: 2026-05-02` and the guided form's
    "yesterday" were stored as 00:00, and the report for the police then said the report was made at midnight. A day
    alone is refused (flags, files, update); the guided form takes "not known", stored as no time at all."""
    set_initials()
    flags = ("--when", "2026-05-02 18:30", "--place", "High St", "--kind", "threats", "--description", "x")
    r = run("report", *flags, "--reported-to", "101; reported_at=2026-05-03")
    assert r.exit_code == 3 and "give the time it was reported too" in flat(r.stderr)
    assert run("incidents", "list", "--json").json["incidents"] == []
    prompts(monkeypatch)
    answers = ["2026-05-02 18:30", "High St", "", "", "2", "x", "", "", "", "", "", "", "", "", "101",
               "2026-05-03", "not known", "", ""]  # fmt: skip
    guided = run("report", input="\n".join(answers) + "\n\n")
    assert "say 'not known'" in flat(guided.stdout) and guided.exit_code == 0, guided.stdout
    shown = run("incidents", "show", "1", "--json").json["reports"][0]
    assert shown["to"] == "101" and shown["reported_at"] is None
