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
    assert r.returncode == 7 and "do not record it again" in " ".join(r.stderr.split())
    assert _count() == 1
