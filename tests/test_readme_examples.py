"""The README works top to bottom for a new user, and so does every ``Example:`` in every ``--help``.

Each README command runs in order as a real process, in one fresh data folder and working folder
(with the files the commands read created first). A non-zero exit fails the test unless it is in
``EXPECTED``, and every entry there must quote the README saying so: the allow-list is small and
documented, not a way to hide a failure.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from campaignsafe.cli import app
from tests.conftest import run
from tests.examples_helpers import fill_placeholders, make_inputs, readme_commands

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

#: command → (exit code, the README's words saying that exit is expected, whitespace-normalised).
EXPECTED: dict[str, tuple[int, str]] = {
    "campaignsafe report": (3, "plain `campaignsafe report` with no terminal exits 3"),
    "campaignsafe report --resume": (4, "with no unfinished report it says so and exits 4"),
    "campaignsafe checklist run": (3, "Without a terminal, or with `--no-input`, it never prompts"),
    "campaignsafe checklist run canvassing": (3, "Without a terminal, or with `--no-input`, it never prompts"),
    "campaignsafe incidents delete 3": (3, "asks (no terminal: exit 3)"),
    "campaignsafe backup campaign.backup --encrypt": (3, "The passphrase is asked twice at a terminal"),
    "campaignsafe restore campaign.age --passphrase-file pass.txt": (5, "into an EMPTY data folder (else exit 5)"),
    "campaignsafe server init": (3, "With neither `--url` nor the variable, they say which to give and exit 3."),
    "campaignsafe server add-campaign Bath --password-out bath.password": (
        3,
        "With neither `--url` nor the variable, they say which to give and exit 3.",
    ),
    "campaignsafe server add-campaign Wells --grant wells_agent": (
        3,
        "With neither `--url` nor the variable, they say which to give and exit 3.",
    ),
    "campaignsafe server add-hq --login regional_office --password-out hq.password": (
        3,
        "With neither `--url` nor the variable, they say which to give and exit 3.",
    ),
}


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGNSAFE_")}
    env.update(CAMPAIGNSAFE_HOME=str(home), NO_COLOR="1", COLUMNS="80", SOURCE_DATE_EPOCH="1780000000")
    return env


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_readme_finds_the_commands_of_every_section() -> None:
    commands = [c for _n, c in readme_commands(README.read_text(encoding="utf-8"))]
    assert len(commands) >= 40
    for word in ("contact", "checklist", "profile", "report", "incidents", "export", "verify"):
        assert any(c.split()[1] == word for c in commands), word


def test_every_allowed_failure_is_stated_in_the_readme() -> None:
    text = _flat(README.read_text(encoding="utf-8"))
    commands = {c for _n, c in readme_commands(README.read_text(encoding="utf-8"))}
    for command, (_code, words) in EXPECTED.items():
        assert command in commands, f"{command} is no longer in the README: drop it from EXPECTED"
        assert _flat(words) in text, f"the README no longer says: {words}"


def test_profile_comes_before_the_first_command_that_needs_initials() -> None:
    commands = [c for _n, c in readme_commands(README.read_text(encoding="utf-8"))]
    first_profile = next(i for i, c in enumerate(commands) if c.startswith("campaignsafe profile --name"))
    needs = next(i for i, c in enumerate(commands) if "--evidence" in c or "add-evidence" in c)
    assert first_profile < needs


def test_every_readme_command_runs_in_order_in_a_fresh_folder(tmp_path: Path) -> None:
    """Top to bottom, as a new user types them: any unexpected non-zero exit fails, naming the README line."""
    home, cwd = tmp_path / "data", tmp_path / "work"
    cwd.mkdir()
    failures = []

    def head() -> str:
        got = subprocess.run([sys.executable, "-m", "campaignsafe", "check", "--json"], cwd=cwd, env=_env(home),
                             stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)  # fmt: skip
        audit = json.loads(got.stdout)["audit_head"]
        return f"{audit['seq']}:{audit['sha256']}"

    for line, command in readme_commands(README.read_text(encoding="utf-8")):
        argv = fill_placeholders(shlex.split(command), head)
        make_inputs(argv[1:], cwd)
        r = subprocess.run(
            [sys.executable, "-m", "campaignsafe", *argv[1:]],
            cwd=cwd, env=_env(home), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        want = EXPECTED.get(command, (0, ""))[0]
        if r.returncode != want:
            failures.append(f"README line {line}: {command} exited {r.returncode} (expected {want}): {r.stderr[-300:]}")
        assert "Traceback" not in r.stderr, command
    assert not failures, "\n".join(failures)


# -- every Example: in every --help ----------------------------------------------------------------

EXAMPLE = re.compile(r"Example: (campaignsafe .+?)\s*$", re.MULTILINE)
#: help examples whose non-zero exit without a terminal is the documented behaviour.
HELP_EXPECTED = {
    "campaignsafe checklist run --profile agent": 3,
    "campaignsafe checklist run canvassing --profile volunteer-sam --role volunteer": 3,
    "campaignsafe incidents delete 3": 3,
    "campaignsafe restore campaign.age --passphrase-file pass.txt": 5,  # the record is not empty: "else exit 5"
    # no server named (no --url, no CAMPAIGNSAFE_DATABASE_URL): "say which PostgreSQL server", exit 3
    "campaignsafe server init": 3,
    'campaignsafe server add-campaign "Bath" --password-out bath.password': 3,
    "campaignsafe server add-hq --login regional_office --password-out hq.password": 3,
}


def _walk(cmd: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    out = [(path, cmd)]
    if hasattr(cmd, "list_commands"):
        for name in cmd.list_commands(None):  # type: ignore[arg-type]
            sub = cmd.get_command(None, name)  # type: ignore[arg-type]
            if sub is not None and not sub.hidden:
                out += _walk(sub, [*path, name])
    return out


def help_examples() -> list[tuple[str, str]]:
    """``(command path, example)`` for every ``Example:`` in every command's help."""
    found = []
    for path, cmd in _walk(typer.main.get_command(app), []):
        for example in EXAMPLE.findall(cmd.help or ""):
            found.append((" ".join(path) or "campaignsafe", example))
    return found


def test_every_command_has_a_help_example() -> None:
    with_example = {p for p, _e in help_examples()}
    for path, cmd in _walk(typer.main.get_command(app), []):
        if not hasattr(cmd, "list_commands"):
            assert " ".join(path) in with_example, f"{' '.join(path)} --help has no Example:"


def test_every_help_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each Example: runs against a small record (a profile and five incidents), exit 0 unless documented."""
    monkeypatch.chdir(tmp_path)
    assert run("profile", "--name", "Jo Smith", "--constituency", "Bath").exit_code == 0
    assert run("checklist", "profiles", "--save", "--profile", "sam", "--role", "volunteer").exit_code == 0
    make_inputs(["backlog.yaml"], tmp_path)
    assert run("report", "--from-file", "backlog.yaml").exit_code == 0
    assert run("report", "--from-file", "backlog.yaml").exit_code == 0  # ids 1 … 8
    failures = []

    def head() -> str:
        audit = run("check", "--json").json["audit_head"]
        return f"{audit['seq']}:{audit['sha256']}"

    for where, example in help_examples():
        argv = fill_placeholders(shlex.split(example), head)
        make_inputs(argv[1:], tmp_path)
        r = run(*argv[1:], input="")
        want = HELP_EXPECTED.get(example, 0)
        if r.exit_code != want:
            failures.append(f"{where} --help: {example} exited {r.exit_code}: {(r.stderr or r.stdout)[-300:]}")
    assert not failures, "\n".join(failures)
