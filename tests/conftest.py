"""Shared fixtures: an isolated home for every test, and a ``run`` helper over typer's CliRunner."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from campaignsafe.cli import app

SHARED = Path(os.environ.get("CAMPAIGNSAFE_SHARED", Path(__file__).resolve().parents[2] / "shared" / "data"))


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty CAMPAIGNSAFE_HOME, no colour and 80 columns."""
    h = tmp_path / "home"
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(h))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("CAMPAIGNSAFE_DEBUG", raising=False)
    return h


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def lines(self) -> list[Any]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


def run(*args: str, input: str | bytes | None = None) -> Result:
    """Invoke the CLI in-process, as a user would from a shell."""
    runner = CliRunner()
    r = runner.invoke(app, list(args), input=input, catch_exceptions=False)
    return Result(r.exit_code, r.stdout, r.stderr)


@pytest.fixture
def shared() -> Path:
    """The raw datasets beside the project (../shared/data); skips when absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not beside the project")
    return SHARED
