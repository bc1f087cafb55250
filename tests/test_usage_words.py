"""Usage errors speak the user's words, command typos get a suggestion, help writes names one way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["contcat", "SW1A 1AA"], "has no command 'contcat'; did you mean contact?"),
        (["incidents", "shwo", "3"], "has no command 'shwo'; did you mean show?"),
        (["incidents", "show", "abc"], "ID must be a whole number, like 3, not 'abc'"),
        (["incidents", "show", "0"], "ID must be 1 or more, not 0"),
        (["incidents", "show"], "give ID (see: campaignsafe incidents list)"),
        (["report", "--kindd", "threats"], "report has no option --kindd; did you mean --kind?"),
    ],
)
def test_usage_errors_in_the_users_words(args: list[str], words: str) -> None:
    r = run(*args)
    assert r.exit_code == 2
    assert words in r.stderr
    assert "valid int range" not in r.stderr and "Usage:" not in r.stderr and "Traceback" not in r.stderr
    assert "--help" in r.stderr  # where to look


def test_extra_words_are_not_quoted_back() -> None:
    """An unquoted description must not be echoed in an error (it is incident text)."""
    r = run("incidents", "edit", "1", "--description", "He", "said", "secret")
    assert r.exit_code == 2 and "secret" not in r.stderr and "said" not in r.stderr
    assert "put text with spaces in quotes" in r.stderr


@pytest.mark.parametrize(
    "command",
    [["contact", "save"], ["verify"], ["incidents", "show"], ["incidents", "add-evidence"], ["checklist", "mark"],
     ["export"], ["report"], ["profile"], ["incidents", "update"]],
)  # fmt: skip
def test_help_writes_argument_and_value_names_one_way(command: list[str]) -> None:
    """`ID`, `FORCE`, `BUNDLE`, `--since TEXT`: never {incident_id}, {force}, {BUNDLE} or <str>."""
    out = run(*command, "--help").stdout
    assert not re.search(r"\{\w+\}|<str>|<int>", out), out
    usage = out.splitlines()[0]
    assert re.fullmatch(r"Usage: \w+ [\w -]+ \[OPTIONS\]( [A-Z_\[\]|.]+)*", usage), usage


def test_report_help_points_at_the_kinds_where_they_are() -> None:
    out = run("report", "--help").stdout
    assert out.index("Kinds (--kind") < out.index("--kind TEXT")
    assert "listed above" in out and "listed below" not in out


def test_export_and_verify_count_the_same_files(tmp_path: Path) -> None:
    """export says how many files MANIFEST.sha256 hashes; verify says all that many match: one count."""
    from tests.incident_helpers import report_json

    assert run("profile", "--name", "Jo Smith").exit_code == 0
    report_json("--when", "2026-05-01 18:30", "--place", "High Street", "--kind", "threats", "--description", "d")
    zipped = str(tmp_path / "police.zip")
    exported = " ".join(run("export", "--all", "--bundle", zipped).stderr.split())
    said = re.search(r"(\d+) files listed with their SHA-256", exported)
    checked = re.search(
        r"all (\d+) files listed in MANIFEST.sha256 match", " ".join(run("verify", zipped).stdout.split())
    )
    assert said and checked and said.group(1) == checked.group(1)
