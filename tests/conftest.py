"""Shared fixtures: an isolated home for every test, and a ``run`` helper over typer's CliRunner."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
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
    monkeypatch.delenv("CAMPAIGNSAFE_DATABASE_URL", raising=False)  # the SQLite store unless store_backend says
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


# -- the two stores ------------------------------------------------------------------------------


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test using ``store_backend`` runs on both stores (SQLite, and PostgreSQL marked ``postgresql``),
    unless it is marked ``sqlite_only`` (it looks at the SQLite file itself)."""
    if "store_backend" not in metafunc.fixturenames:
        return
    params: list[Any] = ["sqlite"]
    if not metafunc.definition.get_closest_marker("sqlite_only"):
        params.append(pytest.param("postgresql", marks=pytest.mark.postgresql))
    metafunc.parametrize("store_backend", params, indirect=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """One PostgreSQL server for the session (see tests/pg_server.py), with the migrated template database."""
    from tests import pg_server as pg

    with pg.started() as server:
        pg.make_template(server)
        yield server


@pytest.fixture
def store_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``sqlite`` (the data folder's file) or ``postgresql`` (a fresh database, CAMPAIGNSAFE_DATABASE_URL set)."""
    from tests import pg_server as pg

    if request.param == "sqlite":
        monkeypatch.delenv("CAMPAIGNSAFE_DATABASE_URL", raising=False)
        yield "sqlite"
        return
    server = request.getfixturevalue("pg_server")
    name = pg.fresh_database(server)
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", server.url(name))
    try:
        yield "postgresql"
    finally:
        monkeypatch.delenv("CAMPAIGNSAFE_DATABASE_URL", raising=False)
        pg.drop_database(server, name)
