"""A throw-away PostgreSQL server for the tests, started by the test suite itself.

It runs Debian's ``postgresql`` binaries (``initdb``, ``pg_ctl``) from PATH or
``/usr/lib/postgresql/*/bin``, in a private temporary folder, listening only on a Unix socket in
that folder (no TCP port to clash over). PostgreSQL refuses to run as root, so as root (CI) it is
started as the unprivileged ``postgres`` user, who owns the folder. Each test gets a fresh database
made from a migrated template (``CREATE DATABASE … TEMPLATE``, fast).

Without the binaries the PostgreSQL tests are skipped with the reason; with
``CAMPAIGNSAFE_REQUIRE_POSTGRESQL=1`` (``.ci/run`` sets it) that is a failure instead.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REQUIRE = "CAMPAIGNSAFE_REQUIRE_POSTGRESQL"
TEMPLATE = "cs_template"
_names = itertools.count(1)
#: numbers for campaign and role names, unique across the session (roles are the server's, not a database's)
numbers = itertools.count(1)


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def unavailable(reason: str) -> None:
    """Skip (or, when CI requires PostgreSQL, fail) with ``reason``."""
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"PostgreSQL tests required ({REQUIRE}=1) but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@dataclass
class Server:
    """A running server: its socket folder, port and superuser."""

    socket_dir: str
    port: int
    user: str

    def url(self, dbname: str, user: str | None = None, password: str | None = None) -> str:
        who = user or self.user
        if password:
            who += ":" + password
        return f"postgresql://{who}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def admin(self, dbname: str = "postgres") -> Any:
        import psycopg

        return psycopg.connect(self.url(dbname), autocommit=True)


def _as_postgres() -> tuple[list[str], int | None, int | None]:
    """The command prefix and owner ids to run the server as an unprivileged user."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return [], None, None
    import pwd

    try:
        pw = pwd.getpwnam("postgres")
    except KeyError:
        unavailable("running as root and there is no 'postgres' user to run the server as")
        raise
    runuser = shutil.which("runuser")
    if not runuser:
        unavailable("running as root and runuser (util-linux) is not installed to start the server as 'postgres'")
    assert runuser
    return [runuser, "-u", "postgres", "--"], pw.pw_uid, pw.pw_gid


@contextlib.contextmanager
def started() -> Iterator[Server]:
    """Start a server in a temporary folder; stop it and remove the folder afterwards."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        unavailable("the PostgreSQL server binaries (initdb, pg_ctl) are not installed (apt-get install postgresql)")
    assert initdb and pg_ctl
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed")
    prefix, uid, gid = _as_postgres()
    base = Path(tempfile.mkdtemp(prefix="cs-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if uid is not None and gid is not None:
        for p in (base, sock):
            os.chown(p, uid, gid)

    def run(*cmd: str) -> None:
        done = subprocess.run([*prefix, *cmd], capture_output=True, text=True, cwd=base, check=False)
        if done.returncode != 0:
            log = (base / "log").read_text() if (base / "log").exists() else ""
            raise RuntimeError(f"{cmd[0]} failed: {done.stderr.strip()} {log[-2000:]}")

    port = 5432
    try:
        run(initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync")
        opts = f"-k {sock} -c listen_addresses='' -p {port} -c fsync=off -c synchronous_commit=off"
        opts += " -c max_connections=60"
        run(pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "-t", "60", "start")
        try:
            yield Server(str(sock), port, "postgres")
        finally:
            with contextlib.suppress(Exception):
                run(pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def make_template(server: Server) -> None:
    """The template database: the store's schema applied by its migrations, once per session."""
    from campaignsafe.incidents import backend, pg_schema

    conn = server.admin()
    conn.execute(f"CREATE DATABASE {TEMPLATE}")
    conn.close()
    store = backend.connect_pg(server.url(TEMPLATE))
    try:
        pg_schema.migrate(store)
    finally:
        store.close()


def fresh_database(server: Server) -> str:
    """A new database copied from the template: its name."""
    name = f"cs_test_{os.getpid()}_{next(_names)}"
    conn = server.admin()
    conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    conn.close()
    return name


def drop_database(server: Server, name: str) -> None:
    conn = server.admin()
    with contextlib.suppress(Exception):
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    conn.close()
