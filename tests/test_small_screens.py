"""What a new user saw on 80×24 and 60-column terminals: folded prompts and help, no trailing spaces,
the checklist on one screen, and 999 still in sight after a tall `contact` answer (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run


@pytest.fixture
def screen_24(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINES", "24")
    monkeypatch.setenv("COLUMNS", "80")


def test_the_checklist_list_fits_24_rows_with_999_first(screen_24: None) -> None:
    lines = run("checklist").stdout.splitlines()
    assert lines[0] == "If you are in immediate danger, call 999."
    assert len(lines) <= 23 and max(map(len, lines)) <= 80, "\n".join(lines)
    assert any("canvassing" in line and "Canvassing" in line for line in lines)  # title and id on one line


def test_checklist_run_without_input_has_no_trailing_spaces(screen_24: None) -> None:
    r = run("checklist", "run", "--no-input")
    assert r.exit_code == 3 and r.stdout.count("\n") > 10
    assert [line for line in r.stdout.splitlines() if line != line.rstrip()] == []


@pytest.mark.parametrize("columns", [40, 60])
def test_prompts_and_the_json_example_in_help_fold_at_word_boundaries(
    columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checklist prompt and `report --help`'s file example never run past the terminal's edge
    (where the terminal would break a word)."""
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr("campaignsafe.cli._render.interactive", lambda no_input: not no_input)
    lines = run("checklist", "run", input="q\n").stdout.splitlines()
    asked = [line for line in lines if "any note" in line or "help):" in line]
    assert asked and all(len(line) <= columns for line in asked), asked
    import os
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": str(columns)}
    helped = subprocess.run(  # a real process: click sizes help to the terminal
        [sys.executable, "-m", "campaignsafe", "report", "--help"], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    example = helped[next(i for i, line in enumerate(helped) if "minimal file" in line) :][:7]
    assert all(
        len(line) <= max(columns, 50) for line in example
    )  # click folds help at 50 columns at least and '"postcode": "SW1A 1AA"}}' in "\n".join(example)


def test_delete_confirmation_is_folded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tests.incident_helpers import minimal, write_json

    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setattr("campaignsafe.cli._render.interactive", lambda no_input: not no_input)
    assert run("report", "--from-file", str(write_json(tmp_path, minimal()))).exit_code == 0
    r = run("incidents", "delete", "1", input="n\n")
    assert "Nothing deleted" in r.stdout
    assert all(len(line) <= 40 for line in r.stdout.splitlines()), r.stdout


def test_a_tall_contact_answer_ends_with_999_and_one_that_fits_does_not(screen_24: None) -> None:
    """SK17 (two forces) is taller than 24 rows: its last line is the 999 line again; a postcode of one
    force fits, 999 only on its first line. A force with no verified form says so in one panel row."""
    tall = run("contact", "SK17").stdout.splitlines()
    assert tall[0] == tall[-1] == "In immediate danger: call 999"
    assert [line for line in tall if "Report online" in line] == [
        line for line in tall if "its website, below: look for 'Report'; not for emergencies" in line
    ]
    short = run("contact", "SW1A 1AA").stdout.splitlines()
    assert short[0] == "In immediate danger: call 999" and len(short) <= 23
    assert sum("call 999" in line for line in short) == 1


def test_an_approximate_answer_whose_error_scrolls_999_away_ends_with_999(screen_24: None) -> None:
    """A postcode that does not exist gets its area's answer, then the error on stderr: together they were 25
    rows, pushing the first line's 999 off an 80x24 screen with no 999 at the end (the answer alone fitted)."""
    r = run("contact", "SW1A 9ZZ")
    lines = r.stdout.splitlines()
    assert r.exit_code == 4 and "does not exist" in r.stderr
    assert len(lines) + len(r.stderr.splitlines()) + 1 > 24  # with the prompt under it: taller than the screen
    assert lines[0] == lines[-1] == "In immediate danger: call 999"


def test_a_saved_report_taller_than_the_screen_ends_with_its_id_and_999(
    screen_24: None, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a report with several exhibits the answer is taller than 24 rows: its last line says again
    what was saved (with its exhibits' references) and to call 999 in danger, with the next steps just above it
    (they came before the offences, which pushed them off the screen); on a tall terminal it is said once."""
    files = []
    for i in range(4):
        f = home.parent / f"photo{i}.jpg"
        f.write_bytes(b"x" * (i + 1))
        files += ["--evidence", str(f)]
    run("profile", "--initials", "JS")
    args = ["report", "--when", "2026-05-01 18:30", "--place", "High St", "--postcode", "SW1A 1AA"]
    r = run(*args, "--kind", "threats", "--description", "d", *files)
    lines = r.stdout.splitlines()
    assert r.exit_code == 0 and len(lines) >= 24
    assert lines[-2:] == ["Saved as incident 1, with exhibits JS/1 to JS/4.", "If anyone is in danger now, call 999."]
    assert lines[0].startswith("Saved as incident 1 ")
    assert lines[-4].startswith("  • Add evidence later") and "Next steps" in lines[-24:]
    assert lines.index("Next steps") > next(i for i, line in enumerate(lines) if line.startswith("Offences"))
    monkeypatch.setenv("LINES", "200")
    tall = run(*args, "--kind", "threats", "--description", "d").stdout.splitlines()
    assert sum("call 999" in line for line in tall) == 1 and "call 999" not in tall[-1]


def test_the_top_level_help_ends_with_999_and_every_exit_code_in_two_lines(screen_24: None) -> None:
    """``campaignsafe --help`` was 31 lines on an 80×24 screen: its 999 line, near the top, had scrolled away, and the
    exit codes took five lines. They are two now, each code still named, and 999 is said last as well as first."""
    from campaignsafe.errors import EXIT_CODES

    lines = run("--help").stdout.rstrip("\n").splitlines()
    assert lines[-1].strip() == "If you are in immediate danger, call 999."
    assert "If you are in immediate danger, call 999." in [line.strip() for line in lines[:6]]
    codes = [n for n, line in enumerate(lines) if "Exit codes:" in line]
    assert len(codes) == 1 and lines[codes[0] + 2] == "", lines[codes[0] :]
    said = " ".join(lines[codes[0] : codes[0] + 2])
    assert all(f" {code} " in said for code in EXIT_CODES), said
    assert max(map(len, lines)) <= 80
