"""Guided ``campaignsafe report``: every answer survives Ctrl-C, a closed terminal or a killed process."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer

from campaignsafe.incidents.store import Store
from tests.conftest import run
from tests.incident_helpers import count, prompts

FIRST = ["2026-05-01 18:30", "Outside the office, 12 High Street", "SW1A 1AA", "2"]
DESCRIPTION = ['He shouted "we know where you live"', "and kicked the door"]
# people, vehicles, witnesses, files, urls, impact, campaign impact, reported to police (default: no)
REST = ["", "", "", "", "", "", "", ""]
# (a finished entry ends with one more Enter: it saves at the review screen)


REAL_PROMPT = typer.prompt


def _draft(home: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((home / "drafts" / "report.json").read_text())
    return data


def _interrupt_after(monkeypatch: pytest.MonkeyPatch, answers: int) -> None:
    """Press Ctrl-C at the prompt after ``answers`` answers have been typed."""
    real: Callable[..., Any] = REAL_PROMPT
    calls = {"n": 0}

    def prompt(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > answers:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(typer, "prompt", prompt)


def _stored(home: Path) -> Any:
    with Store.open(home / "incidents.db") as store:
        return store.get(1)


def _assert_first_answers_kept(home: Path) -> None:
    incident = _stored(home)
    assert incident.occurred_at.isoformat() == "2026-05-01T18:30:00+01:00"
    assert incident.location.text == "Outside the office, 12 High Street"
    assert incident.location.postcode == "SW1A 1AA" and incident.location.force_id == "metropolitan"
    assert incident.kind == "threats"
    assert incident.description == "\n".join(DESCRIPTION)


def test_ctrl_c_keeps_every_answer_and_resume_finishes(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Ctrl-C half-way exits 130 saying the draft was kept; --resume asks only the rest and saves it all."""
    prompts(monkeypatch)
    _interrupt_after(monkeypatch, len(FIRST) + len(DESCRIPTION) + 1)
    r = run("report", input="\n".join([*FIRST, *DESCRIPTION, ""]) + "\n")
    assert r.exit_code == 130
    assert "answers so far are kept" in r.stderr and "campaignsafe report --resume" in r.stderr
    draft = _draft(home)
    assert draft["answers"]["kind"] == "threats" and draft["answers"]["postcode"] == "SW1A 1AA"
    assert count(home) == 0
    monkeypatch.setattr(typer, "prompt", REAL_PROMPT)
    r = run("report", "--resume", input="\n".join(REST) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "Carrying on: 5 answers kept" in r.stdout
    assert "When did it happen?" not in r.stdout
    _assert_first_answers_kept(home)
    assert not (home / "drafts" / "report.json").exists()


def test_ctrl_c_in_the_middle_of_the_account_keeps_the_lines_typed(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Lines of "what happened" typed before Ctrl-C are kept and shown again on --resume."""
    prompts(monkeypatch)
    _interrupt_after(monkeypatch, len(FIRST) + 1)
    r = run("report", input="\n".join([*FIRST, DESCRIPTION[0]]) + "\n")
    assert r.exit_code == 130
    assert _draft(home)["partial"]["description"] == [DESCRIPTION[0]]
    monkeypatch.setattr(typer, "prompt", REAL_PROMPT)
    r = run("report", "--resume", input="\n".join([DESCRIPTION[1], "", *REST]) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "You had already written" in r.stdout and DESCRIPTION[0] in r.stdout
    _assert_first_answers_kept(home)


def test_closed_input_keeps_the_draft(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """If the input ends (a closed terminal), the answers so far are kept and the exit code is 130."""
    prompts(monkeypatch)
    r = run("report", input="\n".join(FIRST[:2]) + "\n")
    assert r.exit_code == 130
    assert set(_draft(home)["answers"]) == {"when", "place"}


def test_unfinished_report_is_offered_again(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Starting `report` with a draft waiting offers to carry on with it."""
    prompts(monkeypatch)
    run("report", input="\n".join(FIRST[:2]) + "\n")
    r = run("report", input="\n".join(["y", *FIRST[2:], *DESCRIPTION, "", *REST]) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "You have an unfinished report" in r.stdout
    assert _stored(home).location.text == FIRST[1]


def test_the_offer_of_an_unfinished_report_says_its_day_as_everything_else_does(
    monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    """The offer said "(started 2026-12-03 12:44)" where every other moment reads "Thu 3 Dec 2026 12:44", and
    it was folded at 68 of 80 columns; it says the day in words and takes the terminal's width."""
    prompts(monkeypatch)
    monkeypatch.setenv("COLUMNS", "80")
    run("report", input="\n".join(FIRST[:2]) + "\n")
    started = json.loads((home / "drafts" / "report.json").read_text())["started_at"]
    from datetime import datetime

    from campaignsafe.incidents.when import When, describe

    r = run("report", input="n\n")
    said = describe(When(datetime.fromisoformat(started)))
    assert f"You have an unfinished report (started {said})." in r.stdout
    lines = r.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("You have"))
    assert lines[at] == f"You have an unfinished report (started {said})."  # no sentence split mid-way
    assert lines[at + 1].startswith("Continue it? [Y/n]")


def test_skip_comes_back_at_the_end(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """'skip' (or Enter on a needed question) leaves it for the end, where it is asked again."""
    prompts(monkeypatch)
    answers = ["skip", "", "", "", "threats", *DESCRIPTION, "", *REST, "yesterday 9pm", "Town hall steps"]
    r = run("report", input="\n".join(answers) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "Back to the questions you skipped" in r.stdout
    incident = _stored(home)
    assert incident.location.text == "Town hall steps" and incident.time_known
    assert incident.location.postcode is None


def test_bad_answers_are_asked_again(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """A bad date, an unknown postcode or kind, or a missing file is explained and asked again."""
    prompts(monkeypatch)
    answers = ["next tuesday", FIRST[0], FIRST[1], "SW1A 9ZZ", "SW1A 1AA", "thret", "2", *DESCRIPTION, ""]
    answers += ["", "", "", "/no/such/file.png", "", "", "", "", ""]
    r = run("report", input="\n".join(answers) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    out = r.stdout
    assert "not a date and time I understand" in out
    assert "that postcode does not exist" in out
    assert "did you mean threats?" in out
    assert "no such file" in out
    _assert_first_answers_kept(home)
    after = out[out.index("did you mean threats?") :]
    assert "Type y for threats" in after and "12  Other" not in after.split("What happened")[0]  # no menu again


def test_a_kind_with_several_or_no_close_matches_shows_the_menu_again(
    monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    """With nothing to say y to, the numbered kinds are printed again under the reason."""
    prompts(monkeypatch)
    answers = [*FIRST[:3], "zzzzzz", "2", *DESCRIPTION, *REST]
    out = run("report", input="\n".join(answers) + "\n\n").stdout
    after = out[out.index("unknown kind") :]
    assert "Type y for" not in after.split("What happened")[0] and "12  Other" in after


def test_draft_is_private(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """The draft holds private words: its file is 0600 in a 0700 folder."""
    prompts(monkeypatch)
    run("report", input=FIRST[0] + "\n")
    draft = home / "drafts" / "report.json"
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    assert stat.S_IMODE(draft.parent.stat().st_mode) == 0o700


def test_resume_without_a_draft_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """--resume with nothing to resume is a clear not-found."""
    prompts(monkeypatch)
    r = run("report", "--resume")
    assert r.exit_code == 4 and "no unfinished report" in r.stderr


def test_a_postcode_in_the_place_is_offered_as_the_postcode(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """A postcode typed as part of "where" is the postcode question's default: Enter takes it (and finds the force)."""
    prompts(monkeypatch)
    answers = ["2026-05-01 18:30", "Outside the office, 12 High St, sw1a1aa", "", "2", *DESCRIPTION, "", *REST]
    r = run("report", input="\n".join(answers) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "[SW1A 1AA]" in r.stdout  # shown as the default before it is taken
    incident = _stored(home)
    assert incident.location.postcode == "SW1A 1AA" and incident.location.force_id == "metropolitan"
    assert incident.location.text == "Outside the office, 12 High St, sw1a1aa"  # the place as typed


def test_resume_without_prompts_uses_the_draft_and_flags(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """`report --resume --no-input` finishes a draft with flags for what is still missing."""
    prompts(monkeypatch)
    run("report", input="\n".join(FIRST) + "\n")
    r = run("report", "--resume", "--no-input", "--description", "shouted", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["location"]["postcode"] == "SW1A 1AA" and r.json["description"] == "shouted"


# -- a real process on a real (pseudo) terminal, killed with SIGKILL ------------------------------


def _read_until(fd: int, text: str, seen: list[str], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in "".join(seen):
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(0.0, left))
        if not ready:
            raise AssertionError(f"timed out waiting for {text!r}; screen so far: {''.join(seen)!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        if not chunk:
            raise AssertionError(f"process ended before {text!r}; screen: {''.join(seen)!r}")
        seen.append(chunk.decode("utf-8", "replace"))


def _wait_for_draft(home: Path, check: Callable[[dict[str, Any]], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check(_draft(home)):
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.02)
    raise AssertionError("the draft never showed the answer")


def _report_on_a_terminal() -> tuple[int, int]:
    """A real ``campaignsafe report`` on a pseudo-terminal: (its pid, the terminal's fd)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: a real campaignsafe on the pseudo-terminal
        os.execv(sys.executable, [sys.executable, "-m", "campaignsafe", "report"])
    return pid, fd


def _answer_first(fd: int, seen: list[str]) -> None:
    """Answer the FIRST questions as they come, each with Enter."""
    for question, answer in zip(["When did it happen?", "Where did it happen?", "Postcode", "What kind"], FIRST,
                                strict=True):  # fmt: skip
        _read_until(fd, question, seen)
        os.write(fd, answer.encode() + b"\r")


def test_sigkill_of_a_real_terminal_session_then_resume(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """A report typed in a real terminal and killed outright (SIGKILL) is recovered by --resume."""
    pid, fd = _report_on_a_terminal()
    seen: list[str] = []
    try:
        _answer_first(fd, seen)
        _read_until(fd, "→ Threats", seen)
        _read_until(fd, "What happened?", seen)
        os.write(fd, DESCRIPTION[0].encode() + b"\r")
        _wait_for_draft(home, lambda d: d["partial"].get("description") == [DESCRIPTION[0]])
    finally:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert "Metropolitan Police Service" in "".join(seen)
    prompts(monkeypatch)
    r = run("report", "--resume", input="\n".join([DESCRIPTION[1], "", *REST]) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    _assert_first_answers_kept(home)


def test_guided_json_keeps_the_questions_off_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    """With --json the questions go to stderr, so stdout carries only the stored record."""
    prompts(monkeypatch)
    r = run("report", "--json", input="\n".join([*FIRST, *DESCRIPTION, "", *REST]) + "\n\n")
    assert r.exit_code == 0, r.stderr
    assert "When did it happen?" in r.stderr and "When did it happen?" not in r.stdout
    # CliRunner echoes the typed answers onto stdout, as a terminal would onto the screen
    record = json.loads(r.stdout[r.stdout.index("{\n") :])
    assert record["id"] == 1 and record["location"]["force_id"] == "metropolitan"


def test_declining_the_old_draft_keeps_it_until_a_new_answer(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Saying no to the unfinished report and stopping at once leaves the old draft as it was."""
    prompts(monkeypatch)
    run("report", input="\n".join(FIRST[:2]) + "\n")
    r = run("report", input="n\n")
    assert r.exit_code == 130 and "nothing was saved" in r.stderr
    assert _draft(home)["answers"]["place"] == FIRST[1]
    r = run("report", input="n\n2026-05-02 10:00\n")
    assert r.exit_code == 130
    assert set(_draft(home)["answers"]) == {"when"}


def test_answers_with_control_characters_are_asked_again(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """A pasted escape sequence in an answer is explained and the question asked again, so the report still saves."""
    prompts(monkeypatch)
    answers = [FIRST[0], "Outside\x1b[31m the office", *FIRST[1:]]
    answers += [DESCRIPTION[0], "and \x00kicked", *DESCRIPTION[1:], "", *REST]
    r = run("report", input="\n".join(answers) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert r.stdout.count("That answer contains control characters (e.g. ESC); remove them.") == 1
    assert "That answer contains control characters (e.g. NUL); remove them." in r.stdout
    _assert_first_answers_kept(home)


@pytest.mark.parametrize("columns", [40, 60, 80])
def test_guided_entry_fits_the_terminal(columns: int, monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Every question, its examples, the kinds menu, the review and the next steps fit COLUMNS;
    only a command, address or hash too long for any line is wider, alone on its line."""
    from tests.screen_helpers import assert_fits

    monkeypatch.setenv("COLUMNS", str(columns))
    prompts(monkeypatch)
    answers = [*FIRST, *DESCRIPTION, "", *REST, ""]
    r = run("report", input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.stderr
    assert "Check the record before it is saved" in r.stdout and "Saved as incident 1" in r.stdout
    assert_fits(r.stdout, columns, ["campaignsafe contact save metropolitan --role adviser --name NAME"])


def test_review_shows_what_happened_in_full(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """The review screen shows every word of a long account, folded at 60 columns, never cut with "…"."""
    monkeypatch.setenv("COLUMNS", "60")
    prompts(monkeypatch)
    long = "He followed me from the station to the office and said he would wait for me tomorrow night"
    answers = [*FIRST, long, "and kicked the door", "", *REST, ""]
    r = run("report", input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.stderr
    review = r.stdout.split("Check the record before it is saved", 1)[1].split("Enter (or y) saves it", 1)[0]
    assert "…" not in review
    assert " ".join(long.split()) in " ".join(review.split()) and "and kicked the door" in review
    assert all(len(line) <= 60 for line in review.splitlines())


def test_guided_people_and_witnesses_parse_like_the_flags(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """`@x on X` is a handle on X, `Sam Jones, 07700 900123` a name and a contact: links finds both
    against the same people entered with flags, and `incidents show` names the handle once."""
    prompts(monkeypatch)
    rest = ["@angryvoter on X", "", "", "Sam Jones, 07700 900123", "", *REST[3:]]
    r = run("report", input="\n".join([*FIRST, *DESCRIPTION, "", *rest, ""]) + "\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    people = {p["role"]: p for p in run("incidents", "show", "1", "--json").json["people"]}
    assert people["suspect"]["handle"] == "@angryvoter" and people["suspect"]["platform"] == "X"
    assert people["witness"]["name"] == "Sam Jones" and people["witness"]["contact"] == "07700 900123"
    shown = run("incidents", "show", "1").stdout
    assert shown.count("@angryvoter") == 1 and "Sam Jones (contact: 07700 900123)" in " ".join(shown.split())
    flags = ("--when", "2026-05-02 10:00", "--place", "Online", "--postcode", "SW1A 1AA", "--kind", "threats")
    r = run("report", *flags, "--description", "again", "--suspect", "@AngryVoter on X",
            "--witness", "Sam Jones, 07700 900123")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    links = {x["kind"]: x for x in run("incidents", "links", "--json").json["links"]}
    assert links["handle"]["value"] == "x:@angryvoter" and len(links["handle"]["incidents"]) == 2
    assert links["phone"]["value"] == "+447700900123"


def test_an_account_pasted_with_windows_line_endings_stays_one_answer(home: Path) -> None:
    """Pasted into a real terminal, CR LF text arrives as each line and an empty line: the first empty line
    ended "What happened?" and the rest of the account became the answers to the next questions."""
    pid, fd = _report_on_a_terminal()
    seen: list[str] = []
    try:
        _answer_first(fd, seen)
        _read_until(fd, "What happened?", seen)
        os.write(fd, "\r\n".join([*DESCRIPTION, "and ran off towards the station", ""]).encode())  # one paste
        _wait_for_draft(home, lambda d: "description" in d["answers"])
        _read_until(fd, "Who did it?", seen)
        time.sleep(0.3)  # had the paste run on, its lines would be answering the questions after
        draft = _draft(home)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    lines = [line for line in draft["answers"]["description"].split("\n") if line]
    assert lines == [*DESCRIPTION, "and ran off towards the station"]
    assert "people" not in draft["answers"] and not draft["partial"]


@pytest.mark.skipif(sys.platform == "win32", reason="a backslash separates folders there")
def test_a_file_dragged_into_the_terminal_is_found(monkeypatch: pytest.MonkeyPatch, home: Path, tmp_path: Path) -> None:
    """macOS Terminal and iTerm2 type a dragged-in file as ``…/Screenshot\\ 2026-05-01\\ at\\ 18.30.12.png `` (its
    spaces escaped, a space after), and macOS names every screenshot with spaces: it was "no such file". The
    escapes are taken off when the path as typed is not there; a file whose own name holds a backslash is kept."""
    shot = tmp_path / "Screenshot 2026-05-01 at 18.30.12.png"
    shot.write_bytes(b"\x89PNG a screenshot")
    odd = tmp_path / "back\\slash.png"
    odd.write_bytes(b"\x89PNG another")
    dragged = str(shot).replace(" ", "\\ ") + " "
    prompts(monkeypatch)
    answers = [*FIRST, *DESCRIPTION, "", "", "", "", dragged, str(odd), "", "", "JS", "", "", ""]
    r = run("report", input="\n".join(answers) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "no such file" not in r.stdout
    names = [e.file.original_name for e in _stored(home).evidence if e.file]
    assert names == [shot.name, odd.name]


def test_several_files_dropped_on_one_line_are_refused_with_how_to_give_them(
    monkeypatch: pytest.MonkeyPatch, home: Path, tmp_path: Path
) -> None:
    """Dragging two screenshots in at once types both paths on one line: it was "no such file", with no way out."""
    one, two = tmp_path / "Screenshot one.png", tmp_path / "two.png"
    one.write_bytes(b"\x89PNG one")
    two.write_bytes(b"\x89PNG two")
    both = f"{str(one).replace(' ', chr(92) + ' ')} {two} "
    prompts(monkeypatch)
    answers = [*FIRST, *DESCRIPTION, "", "", "", "", both, str(one), str(two), "", "", "JS", "", "", ""]
    r = run("report", input="\n".join(answers) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "that is 2 files: give one a line" in " ".join(r.stdout.split())
    assert [e.file.original_name for e in _stored(home).evidence if e.file] == [one.name, two.name]


@pytest.mark.parametrize("typed", ["not known", "Don’t know.", "unknown!", "?", "DONT KNOW"])
def test_the_report_time_not_known_is_taken_as_people_type_it(typed: str) -> None:
    from campaignsafe.incidents.questions import _reported_when

    assert _reported_when(typed, {}) == ("", "not known")


def test_the_review_reads_a_report_time_not_known_back_as_such() -> None:
    """Answered "not known", the review said "Reported at (none)", as if the question had been skipped."""
    from campaignsafe.incidents.questions import _shown

    assert _shown("reported_at", "") == "not known" and _shown("police_ref", "") == "(none)"


def _number_on_review(out: str, label: str) -> str:
    review = out.split("Check the record before it is saved")[-1]
    return next(line.split()[0] for line in review.splitlines() if line.strip()[2:].strip().startswith(label))


def _changed_on_review(home: Path, typed: list[str], label: str, then: list[str]) -> Any:
    """The guided form answered with ``typed``, then on the review screen the answer ``label`` chosen and ``then``
    typed (a first run, with a wrong choice, finds the answer's number; its record is removed)."""
    probe = run("report", input="\n".join(typed) + "\nq\n\n")
    number = _number_on_review(probe.stdout, label)
    (home / "incidents.db").unlink()
    return run("report", input="\n".join([*typed, number, *then]) + "\n")


@pytest.mark.parametrize("label", ["What happened", "When"])
def test_ctrl_c_while_changing_an_answer_keeps_the_old_one(
    label: str, monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    """Choosing an answer to change on the review screen took it out of the draft before the new one was given:
    Ctrl-C (or a closed terminal) then, and the account of what happened, or when, was gone from the draft."""
    prompts(monkeypatch)
    typed = [*FIRST, *DESCRIPTION, "", *REST]
    probe = run("report", input="\n".join(typed) + "\nq\n\n")  # a wrong choice shows the numbers, then it saves
    number = _number_on_review(probe.stdout, label)
    (home / "incidents.db").unlink()  # start again: the probe saved it
    _interrupt_after(monkeypatch, len(typed) + 1)
    r = run("report", input="\n".join([*typed, number]) + "\n")
    assert r.exit_code == 130 and "answers so far are kept" in r.stderr
    assert _draft(home)["answers"]["description"] == "\n".join(DESCRIPTION)
    assert _draft(home)["answers"]["when"]
    monkeypatch.setattr(typer, "prompt", REAL_PROMPT)
    r = run("report", "--resume", input="\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    _assert_first_answers_kept(home)


def test_enter_on_its_own_keeps_an_answer_chosen_for_change(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Once chosen, the account could not be kept: an empty answer was refused as "needed"."""
    prompts(monkeypatch)
    typed = [*FIRST, *DESCRIPTION, "", *REST]
    r = _changed_on_review(home, typed, "What happened", ["", ""])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "(Enter on its own keeps it)" in r.stdout
    _assert_first_answers_kept(home)


def test_changing_when_and_pressing_enter_keeps_the_time_not_now(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Choosing When (or Reported at) to change offered [now]: Enter to back out recorded the incident as
    happening now, an evidential time the user never gave."""
    prompts(monkeypatch)
    typed = [*FIRST, *DESCRIPTION, "", *REST]
    r = _changed_on_review(home, typed, "When", ["", ""])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "Enter on its own keeps Fri 1 May 2026 18:30" in r.stdout
    assert "[now]" not in r.stdout.split("Check the record before it is saved")[1]
    _assert_first_answers_kept(home)


def test_a_wrong_number_on_the_review_is_said_above_the_prompt(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """A number past the list was said, then the whole list printed again under it, pushing the message off
    an 80x24 screen: it looked as if nothing had happened."""
    prompts(monkeypatch)
    r = run("report", input="\n".join([*FIRST, *DESCRIPTION, "", *REST, "99", "x"]) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    after = r.stdout.split("Check the record before it is saved")
    assert len(after) == 2  # the list once, not again under each message
    assert after[1].count("Type a number from 1 to") == 2  # for 99, then for x
    _assert_first_answers_kept(home)


def test_a_web_addresss_seen_time_is_kept_as_its_moment(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """``seen_at=yesterday 21:00`` was kept in the draft as typed and read only when saving: resumed the next day
    it was a day out. Nor was it read back before saving (only the platform was)."""
    prompts(monkeypatch)
    url = "https://x.com/angryvoter/status/123; seen_at=yesterday 21:00"
    rest = ["", "", "", "", url, "", "", "", ""]
    _interrupt_after(monkeypatch, len(FIRST) + len(DESCRIPTION) + 1 + len(rest))
    r = run("report", input="\n".join([*FIRST, *DESCRIPTION, "", *rest]) + "\n")
    assert r.exit_code == 130
    from campaignsafe.incidents.when import iso, parse

    seen = iso(parse("yesterday 21:00").at)
    assert _draft(home)["answers"]["urls"] == [f"https://x.com/angryvoter/status/123; seen_at={seen}"]
    assert "→ X/Twitter, seen " in r.stdout and "21:00" in r.stdout.split("→ X/Twitter, seen ")[1].splitlines()[0]
    monkeypatch.setattr(typer, "prompt", REAL_PROMPT)
    r = run("report", "--resume", input="\n\nJS\n\n")  # not reported, no platform report, initials, save
    assert r.exit_code == 0, r.stdout + r.stderr
    assert _stored(home).evidence[0].seen_at.isoformat() == seen


def test_a_web_addresss_screenshot_is_kept_by_its_whole_path(
    monkeypatch: pytest.MonkeyPatch, home: Path, tmp_path: Path
) -> None:
    """``screenshot=shot.png`` was kept in the draft as typed: resumed from another folder, the report looked for
    the file there (an evidence file answer was already kept by its whole path)."""
    from campaignsafe.incidents import questions

    (tmp_path / "shot.png").write_bytes(b"\x89PNG")
    monkeypatch.chdir(tmp_path)
    line, _echo = questions._url("https://x.com/a/status/1; screenshot=shot.png", {})
    assert line == f"https://x.com/a/status/1; screenshot={tmp_path / 'shot.png'}"


def test_enter_on_a_force_chosen_for_change_keeps_the_force_named(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Police force chosen on the review screen offered the old answer as its default, and Enter on it was taken
    as the profile's default: "Kent Police", named by the user, was saved as the profile's force (the Met)."""
    prompts(monkeypatch)
    assert run("profile", "--force", "metropolitan").exit_code == 0
    typed = ["2026-05-01 18:30", "Market Square", "", "Kent Police", "2", *DESCRIPTION, "", *REST]
    r = _changed_on_review(home, typed, "Police force", ["", ""])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "Enter on its own keeps Kent Police" in r.stdout
    assert _stored(home).location.force_id == "kent"


def test_a_change_begun_and_interrupted_is_not_taken_for_the_answer_by_enter(
    monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    """What happened chosen for change, a line typed, Ctrl-C; resumed and chosen again, Enter (which the screen
    says keeps the old one) saved the half-typed line in place of the account."""
    prompts(monkeypatch)
    typed = [*FIRST, *DESCRIPTION, "", *REST]
    probe = run("report", input="\n".join(typed) + "\nq\n\n")
    number = _number_on_review(probe.stdout, "What happened")
    (home / "incidents.db").unlink()
    _interrupt_after(monkeypatch, len(typed) + 2)
    r = run("report", input="\n".join([*typed, number, "new line one typed"]) + "\n")
    assert r.exit_code == 130 and _draft(home)["partial"]["description"] == ["new line one typed"]
    monkeypatch.setattr(typer, "prompt", REAL_PROMPT)
    r = run("report", "--resume", input=f"{number}\n\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "You had begun a new answer" in r.stdout and "the old answer is kept" in r.stdout
    _assert_first_answers_kept(home)


def test_answers_whose_question_no_longer_applies_are_shown_and_saved(
    monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    """Where changed to "online" on the review screen: the Vehicles row left the review, though the vehicle was
    still saved (and dropping it would lose an answer): the review shows it, and it is saved."""
    prompts(monkeypatch)
    rest = ["", "white van AB12 CDE", "", "", "", "", "", "", ""]  # (an Enter after the van ends the vehicles)
    typed = [*FIRST, *DESCRIPTION, "", *rest]
    r = _changed_on_review(home, typed, "Where", ["online", "", "", ""])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "white van" in r.stdout.split("Check the record before it is saved")[-1]
    assert _stored(home).vehicles[0].registration == "AB12 CDE" and _stored(home).location.text == "online"


def test_when_moved_after_the_report_time_asks_for_the_report_time_again(
    monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    """When changed on the review screen to after the time it was reported: the review took it, and the save
    refused it (exit 3), throwing the user out of the form."""
    prompts(monkeypatch)
    rest = ["", "", "", "", "", "", "", "101", "2026-05-01 19:00", ""]  # reported to 101 at 19:00, no reference
    typed = [*FIRST, *DESCRIPTION, "", *rest]
    r = _changed_on_review(home, typed, "When", ["2026-05-01 20:00", "2026-05-01 20:30", ""])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "before the incident happened" in " ".join(r.stdout.split())
    assert _stored(home).reports[0].reported_at.isoformat() == "2026-05-01T20:30:00+01:00"


def test_changing_the_route_a_report_went_by_asks_its_time_and_reference_again(
    monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    """ "Told the police" changed on the review (101 → online) kept the 101 call's time and reference without a
    word: they were saved as the online report's. Each is now asked again, Enter on its own keeping it."""
    prompts(monkeypatch)
    rest = ["", "", "", "", "", "", "", "101", "2026-05-01 19:00", "CAD 123"]
    typed = [*FIRST, *DESCRIPTION, "", *rest]
    r = _changed_on_review(home, typed, "Told the police", ["online", "", "ONL-555", ""])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "were given when this said 'yes, 101': check each." in " ".join(r.stdout.split())
    assert "Enter on its own keeps Fri 1 May 2026 19:00" in r.stdout
    (report,) = _stored(home).reports
    assert (report.to, report.reference) == ("online", "ONL-555")
    assert report.reported_at is not None and report.reported_at.isoformat() == "2026-05-01T19:00:00+01:00"


def test_a_mistyped_police_route_is_named_back(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """`onlin` at "Reported to the police yet?" was told only "answer one of: …"; `yes` the same, and `officer`
    (the question's own word) was refused. Now a near answer is named, `yes` asks how, and `officer` is police."""
    prompts(monkeypatch)
    rest = ["", "", "", "", "", "", "", "onlin", "yes", "officer", "2026-05-01 19:00", ""]
    r = run("report", input="\n".join([*FIRST, *DESCRIPTION, "", *rest]) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    out = " ".join(r.stdout.split())
    assert "did you mean online? answer one of: no, 999, 101, online, police" in out
    assert "say how: 999, 101, online, or police for an officer" in out
    assert _stored(home).reports[0].to == "police"


def test_a_postcode_cut_short_in_the_form_says_why_in_the_forms_words(
    monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    """`SW1A 1A` was "that postcode does not exist; check it, or give the force instead (--force, or force_id in
    a file)": not what was wrong, and flags the form has none of."""
    prompts(monkeypatch)
    answers = [FIRST[0], FIRST[1], "SW1A 1A", *FIRST[2:], *DESCRIPTION, "", *REST]
    r = run("report", input="\n".join(answers) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    out = " ".join(r.stdout.split())
    assert "that is not a valid postcode: the second part must be a digit and two letters (like 1AA)" in out
    assert "press Enter to go on without one; the police force is then asked" in out
    assert "--force" not in out and "force_id" not in out
    _assert_first_answers_kept(home)


def test_a_time_given_in_utc_is_read_back_as_uk_time_saying_so(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """`17:30 UTC` in May was read back as "18:30" with no word of the hour's change: it looked misread."""
    prompts(monkeypatch)
    r = run("report", input="\n".join(["2026-05-01 17:30 UTC", *FIRST[1:], *DESCRIPTION, "", *REST]) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "Fri 1 May 2026 18:30 UK time" in r.stdout
    _assert_first_answers_kept(home)


def test_a_postcode_other_than_the_one_in_the_place_is_pointed_out(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """A place naming BA1 1BZ with SW1A 1AA typed as its postcode was taken without a word: the force (the Met,
    not Avon and Somerset) came from the postcode. Both are kept as typed, and the difference is said twice."""
    prompts(monkeypatch)
    first = [FIRST[0], "12 Queen Square, Bath BA1 1BZ", "SW1A 1AA", FIRST[3]]
    r = run("report", input="\n".join([*first, *DESCRIPTION, "", *REST]) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    out = " ".join(r.stdout.split())
    assert "the place's words give BA1 1BZ: check which is right" in out
    review = out.split("Check the record before it is saved")[1]
    assert "SW1A 1AA (Metropolitan Police Service); the place's words give BA1 1BZ" in review
    assert _stored(home).location.postcode == "SW1A 1AA"


def test_a_route_changed_to_not_yet_and_back_asks_its_time_and_reference_again(
    monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    """101 → not yet → 999 on the review brought back the 101 call's time and reference (kept, hidden, while it
    said not yet) as the 999 call's, with no word: they are asked again, Enter on its own keeping each."""
    prompts(monkeypatch)
    rest = ["", "", "", "", "", "", "", "101", "2026-05-01 19:00", "CAD 123"]
    typed = [*FIRST, *DESCRIPTION, "", *rest]
    probe = run("report", input="\n".join(typed) + "\nq\n\n")
    number = _number_on_review(probe.stdout, "Told the police")
    (home / "incidents.db").unlink()
    r = run("report", input="\n".join([*typed, number, "no", number, "999", "", "CAD 456", ""]) + "\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "were given for an earlier answer: check each" in " ".join(r.stdout.split())
    (report,) = _stored(home).reports
    assert (report.to, report.reference) == ("999", "CAD 456")


def test_with_a_postcode_offered_none_goes_on_without_one(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """With the place's postcode offered ([BA1 1BZ]), a refused postcode said "press Enter to go on without one",
    but Enter saved the offered one, and `none` was refused as not a postcode."""
    prompts(monkeypatch)
    answers = [FIRST[0], "12 Queen Square, Bath BA1 1BZ", "QQ", "none", "Kent Police", FIRST[3], *DESCRIPTION, ""]
    r = run("report", input="\n".join([*answers, *REST]) + "\n\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    out = " ".join(r.stdout.split())
    assert "type none to go on without one; the police force is then asked" in out
    loc = _stored(home).location
    assert (loc.postcode, loc.force_id) == (None, "kent")


def test_a_place_naming_two_postcodes_offers_neither() -> None:
    """The form offered the first of two postcodes in the place's words, as if it were the only one."""
    from campaignsafe.incidents.questions import BY_ID

    offer = BY_ID["postcode"].default
    assert offer is not None
    assert offer({"place": "from SW1A 1AA to BA1 1BZ"}) is None
    assert offer({"place": "12 Queen Square, Bath BA1 1BZ (ba1 1bz)"}) == "BA1 1BZ"
