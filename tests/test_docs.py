"""Docs that cannot drift: every command is in the README, has help, and every exit code is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaignsafe.cli import COMMANDS
from campaignsafe.errors import EXIT_CODES
from tests.conftest import run

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_help_and_is_in_the_readme(name: str) -> None:
    """`campaignsafe NAME --help` works and the README mentions the command."""
    r = run(name, "--help")
    assert r.exit_code == 0 and "Usage" in r.stdout
    if README.exists():
        assert f"campaignsafe {name}" in README.read_text()


def test_exit_codes_are_in_the_help() -> None:
    """Every exit code the tool uses is listed in --help."""
    text = " ".join(run("--help").stdout.split())
    for code in EXIT_CODES:
        assert f"{code} " in text


def test_no_arguments_shows_help() -> None:
    """Running with no arguments explains itself."""
    r = run()
    assert "contact" in r.stdout + r.stderr


def test_the_quick_start_works_without_an_active_venv() -> None:
    """The first command makes and activates a virtual environment before `pip install .` (Debian's
    externally-managed Python refuses it otherwise), then answers a postcode; Windows' activate is named."""
    text = README.read_text(encoding="utf-8")
    quick = text[text.index("## Quick start") : text.index("<!-- test-command -->")]
    first = quick.split("```\n", 2)[1].strip()
    steps = [s.strip() for s in first.split("&&")]
    assert steps[0] == "python3 -m venv .venv" and steps[1] == ". .venv/bin/activate"
    assert steps[2] == "pip install ." and steps[3].startswith("campaignsafe contact")
    assert ".venv\\Scripts\\activate" in quick and "python3-venv" in quick


def test_about_says_where_the_data_folder_is(home: Path) -> None:
    """The README says to back up the data folder and keep its signing key; no command said where it was."""
    shown = run("about").stdout
    said = " ".join(shown.split())
    assert f"Your data {home}" in said and shown.rstrip().splitlines()[-1].strip().endswith("backup FILE)")
    data = run("about", "--json").json
    assert data["data_folder"] == str(home) and data["shared_store"] is False


def test_about_shows_the_data_folder_without_its_control_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A data folder named with ESC or a line break reached the terminal raw (a title change, a fake line)."""
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "x\x1b]0;PWNED\x07\nFAKE"))
    said = run("about").stdout
    assert "\x1b" not in said and "\x07" not in said and "\\u001b" in said
