"""Output to a file or a pipe is UTF-8 whatever the system's code page.

Windows writes a pipe or a file in its ANSI code page (cp1252): a real process whose streams are cp1252
(``PYTHONIOENCODING``) stands in for it here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run
from tests.export_helpers import EPOCH
from tests.screen_helpers import on_a_terminal


def _cp1252(home: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "CAMPAIGNSAFE_HOME": str(home), "PYTHONIOENCODING": "cp1252", "NO_COLOR": "1"}
    env["SOURCE_DATE_EPOCH"] = EPOCH  # the same export time as the in-process export it is compared with
    return subprocess.run([sys.executable, "-m", "campaignsafe", *args], capture_output=True, env=env, check=False)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("contact", "Montgomeryshire", "--json"), "Glyndŵr"),  # a Welsh council's name
        (("contact", "SW1A 1AA"), "╭─ Metropolitan Police Service"),  # the panel's box
        (("checklist",), "░░░░"),  # the progress bar
    ],
    ids=["welsh-name", "panel", "progress-bar"],
)
def test_output_with_characters_the_code_page_lacks_is_written_whole(
    home: Path, args: tuple[str, ...], expected: str
) -> None:
    """``contact Montgomeryshire --json > out.json`` stopped with an internal error at "ŵ", which cp1252 lacks,
    leaving half a file: the whole answer is written, in UTF-8."""
    done = _cp1252(home, *args)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout.decode("utf-8")


def test_an_export_to_standard_output_is_the_same_bytes_as_to_a_file(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``export --format csv > out.csv`` (and md, json) gives exactly the bytes ``-o out.csv`` does: UTF-8, and CSV's
    CR LF line ends as they are (Windows' text mode would have made each one CR CR LF: a blank row in Excel)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    run("profile", "--name", "Jo Łukasz", "--initials", "JL")
    run("report", "--when", "2026-05-01 18:30", "--place", "Caffi Glyndŵr, Machynlleth", "--kind", "threats",
        "--description", "“You’ll regret it”", "--no-input")  # fmt: skip
    for fmt in ("csv", "md", "json"):
        out = tmp_path / f"out.{fmt}"
        written = run("export", "--all", "--format", fmt, "-o", str(out))
        assert written.exit_code == 0, written.stderr
        done = _cp1252(home, "export", "--all", "--format", fmt)
        assert done.returncode == 0, done.stderr
        assert done.stdout == out.read_bytes(), fmt
        assert "Glyndŵr" in done.stdout.decode("utf-8")


@pytest.mark.parametrize("draws", [True, False])
def test_colour_only_where_the_terminal_draws_it(monkeypatch: pytest.MonkeyPatch, draws: bool) -> None:
    """Windows' console printed the 999 line's colour codes as ``←[1m←[31m`` unless told to draw them: where it
    cannot be told (``_draws_ansi`` False), the line is plain text; where it can, bold red as on any terminal."""
    from campaignsafe.cli import _panel

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(_panel, "_draws_ansi", lambda: draws)
    line = _panel.style("In immediate danger: call 999", _panel.BOLD, _panel.RED)
    assert (line == "In immediate danger: call 999") is not draws
    assert ("\x1b[" in line) is draws


def test_an_error_is_written_in_utf8_when_stderr_is_piped(home: Path) -> None:
    """Only stdout was made UTF-8: an error piped or logged under an ASCII code page said `12:3f5a\\u2026`."""
    env = {**os.environ, "CAMPAIGNSAFE_HOME": str(home), "PYTHONIOENCODING": "ascii"}
    done = subprocess.run([sys.executable, "-m", "campaignsafe", "check", "--anchor", "12"], capture_output=True,
                          env=env)  # fmt: skip
    assert done.returncode == 3 and "12:3f5a… (64 hex digits)" in done.stderr.decode("utf-8"), done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_a_terminal_that_cannot_show_a_character_shows_a_question_mark(home: Path) -> None:
    """On an ASCII terminal, `contact "SW1A 1AA"` (its panel's box) failed with an internal error
    (UnicodeEncodeError); the answer is shown, with ? for what the terminal cannot show."""
    code, seen = on_a_terminal(
        [sys.executable, "-m", "campaignsafe", "contact", "SW1A 1AA"],
        {"CAMPAIGNSAFE_HOME": str(home), "PYTHONIOENCODING": "ascii", "COLUMNS": "80"},
    )
    assert code == 0, seen
    assert b"Metropolitan Police Service" in seen and b"internal error" not in seen
