"""Output that cannot be written (stdout or stderr closed, a full disk): no traceback, no "internal error", and
an exit code that does not hide what the command did."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run

REPORT = ("report", "--when", "2026-05-01 18:30", "--kind", "threats", "--place", "High Street", "--description", "x")
FULL = Path("/dev/full")


def _shell(command: str) -> subprocess.CompletedProcess[str]:
    """``command`` (shell redirections and all) after ``campaignsafe``, in a real process."""
    script = f"{sys.executable} -m campaignsafe {command}"
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, env={**os.environ}, timeout=120)


def _count() -> int:
    return len(run("incidents", "list", "--json").json["incidents"])


@pytest.mark.parametrize("closed", [">&-", "2>&-", ">&- 2>&-"])
def test_a_closed_stream_does_not_fail_the_command(closed: str) -> None:
    """`report … >&-` said "internal error (AttributeError)" with a traceback and exited 1 though the incident was
    saved; with stderr closed every command exited 1. Now the command does its work and exits with its own code."""
    quoted = " ".join(f"'{a}'" for a in REPORT)
    r = _shell(f"{quoted} {closed}")
    assert r.returncode == 0 and "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    assert _count() == 1
    assert _shell(f"contact nowhere-at-all {closed}").returncode == 4  # an error keeps its code too


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full here")
@pytest.mark.parametrize(
    "command",
    ["about", "contact 'SW1A 1AA'", "incidents list", "incidents list --json", "checklist", "export --all --format md"],
)
def test_a_full_disk_under_the_output_says_so_with_exit_7(command: str) -> None:
    assert run(*REPORT).exit_code == 0
    r = _shell(f"{command} > /dev/full")
    assert r.returncode == 7, r.stderr
    assert "cannot write the output (No space left on device)" in r.stderr and "Traceback" not in r.stderr
    assert [line for line in r.stderr.splitlines() if "error" in line] == [r.stderr.splitlines()[-2]]  # said once


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full here")
def test_a_report_whose_confirmation_cannot_be_written_is_saved_once_and_says_not_to_record_it_again() -> None:
    """The incident is saved before it is said: "internal error" (exit 1) made a user record it a second time."""
    quoted = " ".join(f"'{a}'" for a in REPORT)
    r = _shell(f"{quoted} > /dev/full")
    assert r.returncode == 7 and "that is saved, so do not do it again" in " ".join(r.stderr.split())
    assert _count() == 1


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full here")
def test_a_failed_check_to_a_full_disk_keeps_its_verdict(home: Path) -> None:
    """`check > /dev/full` on a record that does not check out said only "cannot write the output" (exit 7)."""
    import sqlite3

    assert run(*REPORT).exit_code == 0
    with sqlite3.connect(home / "incidents.db") as conn:
        conn.execute("UPDATE incidents SET kind = 'other'")
    for command in ("check > /dev/full", "check --json > /dev/full"):
        r = _shell(command)
        assert r.returncode == 6 and "does not check out" in r.stderr and "cannot write the output" in r.stderr


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full here")
@pytest.mark.parametrize("command", ["--version > /dev/full", "--help > /dev/full", "-h > /dev/full"])
def test_help_and_version_to_a_full_disk_are_one_line_not_a_traceback(command: str) -> None:
    r = _shell(command)
    assert r.returncode == 7 and "Traceback" not in r.stderr and "cannot write the output" in r.stderr


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full here")
def test_an_error_said_to_a_full_stderr_keeps_its_exit_code() -> None:
    """`incidents show 9999 2> /dev/full` exited 1, not the not-found 4."""
    assert _shell("incidents show 9999 2> /dev/full").returncode == 4
    assert _shell("--version | true").returncode == 0
