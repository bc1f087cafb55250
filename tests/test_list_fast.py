"""``incidents list`` without typer: the same bytes as the typer command, and typer for anything else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from campaignsafe.cli import _list_fast
from tests.conftest import run
from tests.incident_helpers import write_json

#: the console script as installed (``campaignsafe.cli:main``), and the typer program alone
FAST = [sys.executable, "-c", "import sys; from campaignsafe.cli import main; sys.argv[0] = 'campaignsafe'; main()"]
TYPER = [
    sys.executable,
    "-c",
    "import sys; from campaignsafe.cli._app import run; sys.argv[0] = 'campaignsafe'; sys.exit(run())",
]


@pytest.fixture
def record(tmp_path: Path) -> None:
    """A profile with a force, and incidents of several kinds, places, reports and one amendment."""
    assert run("profile", "--name", "Jo Smith", "--force", "kent").exit_code == 0
    items = [
        {
            "occurred_at": f"2026-0{1 + n % 4}-1{n % 9}T1{n % 10}:05" if n % 5 else f"2026-0{1 + n % 4}-1{n % 9}",
            "kind": ["threats", "online-abuse", "harassment", "criminal-damage"][n % 4],
            "description": f"Incident {n}",
            "location": {"text": "High Street, a long way from anywhere", "postcode": "SW1A 1AA"}
            if n % 3
            else {"text": "online \u00e9\u00e8 \U0001f600"},
            "reports": [{"to": "101", "reference": f"CAD {n}"}, {"to": "platform", "platform": "X"}]
            if n % 4 == 0
            else [],
        }
        for n in range(12)
    ]
    assert run("report", "--from-file", str(write_json(tmp_path, items)), "--json").exit_code == 0
    assert run("incidents", "edit", "2", "--kind", "stalking", "--reason", "checked").exit_code == 0


def _both(args: list[str], columns: str = "80") -> tuple[subprocess.CompletedProcess[bytes], ...]:
    env = {**os.environ, "COLUMNS": columns}
    return tuple(subprocess.run([*cmd, *args], capture_output=True, env=env) for cmd in (FAST, TYPER))


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--json"],
        ["--unreported"],
        ["--json", "--unreported"],
        ["--kind", "threats", "--kind=harassment"],
        ["--since", "2026-02-01", "--until=2026-03-31", "--json"],
        ["--force", "kent"],
        ["--force=metropolitan", "--json", "--kind", "online abuse"],
        ["--since", "3 weeks ago"],
    ],
)
@pytest.mark.usefixtures("record")
def test_fast_list_is_byte_identical_to_typer(args: list[str]) -> None:
    """Every plain option combination prints exactly what the typer command prints, at two widths."""
    for columns in ("120", "50"):
        fast, slow = _both(["incidents", "list", *args], columns)
        assert fast.returncode == slow.returncode == 0, fast.stderr + slow.stderr
        assert fast.stdout == slow.stdout and fast.stderr == slow.stderr
        assert fast.stdout.strip()
    if "--json" in args:
        assert json.loads(fast.stdout)["schema_version"] == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["-h"],
        ["--jsn"],
        ["--since"],
        ["--since", "-3"],
        ["--since", "not a date at all"],
        ["--force", "nowhere-at-all"],
        ["--kind", "gardening"],
        ["extra"],
        ["--json", "--", "x"],
    ],
)
@pytest.mark.usefixtures("record")
def test_anything_unusual_is_left_to_typer(args: list[str]) -> None:
    """Help, misspelt or missing options and bad values: typer's own message and exit code, byte for byte."""
    argv = ["incidents", "list", *args]
    fast, slow = _both(argv)
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)
    assert fast.returncode != 0 or b"Usage" in fast.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["incidents", "list", "--help"],
        ["--debug", "incidents", "list"],
        ["incidents", "show", "1"],
        ["incidents"],
        ["list"],
        ["incidents", "list", "--json", "--json=1"],
    ],
)
def test_parse_recognises_only_the_plain_list(argv: list[str]) -> None:
    assert _list_fast.parse(argv) is None


def test_parse_reads_every_plain_option() -> None:
    got = _list_fast.parse(["incidents", "list", "--kind", "a", "--json", "--kind=b", "--since", "x", "--force=k"])
    assert got == ("x", None, ["a", "b"], "k", False, True)


@pytest.mark.usefixtures("record")
@pytest.mark.parametrize("args", [["--json"], []], ids=["json", "table"])
def test_fast_list_loads_no_typer_rich_or_pydantic(args: list[str]) -> None:
    """The plain list answers without importing typer, click, rich or pydantic (``import typer`` alone is slower),
    nor, for a record with nothing imported, dataclasses (with inspect, a fifth of the list's own imports), the
    provenance reader or difflib."""
    code = (
        "import io, sys, contextlib, json\n"
        "from campaignsafe.cli import _list_fast\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    code = _list_fast.run(['incidents', 'list', *{args!r}])\n"
        "print(json.dumps([code, len(out.getvalue()), sorted(sys.modules)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    code_, size, mods = json.loads(done.stdout)
    assert code_ == 0 and size > 100
    heavy_ones = ("typer", "click", "rich", "pydantic", "yaml", "dataclasses", "difflib")
    for heavy in (*heavy_ones, "campaignsafe.incidents.provenance"):
        assert not any(m == heavy or m.startswith(heavy + ".") for m in mods), heavy


def test_fast_list_of_an_empty_record_and_a_closed_pipe() -> None:
    """No store yet: the same hint as typer's. A reader that goes away (`| head`): exit 0, no traceback."""
    fast, slow = _both(["incidents", "list"])
    assert fast.stdout == slow.stdout and fast.returncode == slow.returncode
    head = subprocess.Popen([*FAST, "incidents", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert head.stdout is not None
    head.stdout.close()
    _out, err = head.communicate()
    assert head.returncode == 0 and b"Traceback" not in err
