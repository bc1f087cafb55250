"""Campaigns and roles on the PostgreSQL store: ``campaignsafe server init`` and ``add-campaign`` / ``add-hq``.

``init`` (with an administrator's URL; the administrator owns the tables) applies the migrations
and creates two group roles:

- ``campaignsafe_member``: what a campaign's roles may do. SELECT and INSERT; UPDATE of only the
  listing columns (kept in step with amendments) and the exhibit counter. Never UPDATE or DELETE
  of an original, an amendment, an exhibit, the audit log or a stored evidence copy: an incident is
  deleted only through ``campaignsafe_delete_incident`` (after its tombstone), a copy is named,
  repaired or taken back only through ``campaignsafe_place_copy`` / ``campaignsafe_remove_copy``.
  Row-level security limits every table to the rows of the member's campaign, in reading and in writing.
- ``campaignsafe_hq``: SELECT on every campaign's rows, and nothing else.

``add-campaign NAME`` makes the campaign's role ``cs_campaign_<name>`` (a member of
``campaignsafe_member``) and a login role for it, or grants it to an existing role. Passwords go
to the server only as SCRAM-SHA-256 verifiers, so neither the server's log nor any error holds one,
and they are never printed: read from a file or a prompt, or generated and written to a 0600 file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaignsafe import paths
from campaignsafe.errors import InputError, StoreError
from campaignsafe.incidents import backend, pg_schema

MEMBER = "campaignsafe_member"
HQ = "campaignsafe_hq"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$")
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

#: the columns a member may UPDATE: the listing kept in step with amendments, and the exhibit counter.
_LISTING = (
    "occurred_utc, occurred_at, time_known, kind, place, postcode, force_id, force_name, reports,"
    " police_reported, amendment_count"
)


def scram_verifier(password: str, iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password`` (RFC 5802/7677), so it is never sent."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client = hmac.new(salted, b"Client Key", "sha256").digest()
    stored = hashlib.sha256(client).digest()
    server = hmac.new(salted, b"Server Key", "sha256").digest()
    b64 = base64.b64encode
    return f"SCRAM-SHA-256${iterations}:{b64(salt).decode()}${b64(stored).decode()}:{b64(server).decode()}"


def admin_url(url: str | None) -> str:
    """``url``, else CAMPAIGNSAFE_DATABASE_URL; InputError (exit 3) naming both when neither is given."""
    chosen = url or backend.url()
    if not chosen:
        raise InputError(
            "say which PostgreSQL server: --url URL, or set CAMPAIGNSAFE_DATABASE_URL",
            "an administrator's URL, e.g. postgresql://admin@db.example.org/campaignsafe?sslmode=verify-full",
            code="usage",
        )
    return chosen


def _admin(url: str) -> backend.PgConn:
    conn = backend.connect_pg(url)
    try:
        pg_schema.migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _ident(name: str) -> str:
    """A role name quoted as an SQL identifier (names are checked against ``_ROLE`` first)."""
    if not _ROLE.match(name):
        raise InputError(f"{name!r} is not a usable role name (lower-case letters, digits and _)", code="bad_role")
    return '"' + name + '"'


def _role_exists(conn: backend.PgConn, role: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (role,)).fetchone() is not None


def _create_role(conn: backend.PgConn, sql: str) -> None:
    """Run a CREATE ROLE: a role without CREATEROLE is told which privilege it lacks."""
    who = conn.execute("SELECT current_user").fetchone()[0]
    with pg_schema.forbidden_as(
        f"the role {who} may not create roles, which campaigns and HQ are; nothing was changed",
        f"as the server's superuser: ALTER ROLE {who} CREATEROLE (or createuser --createrole for a new one)",
    ):
        conn.execute(sql)


def _create_group(conn: backend.PgConn, role: str) -> None:
    if not _role_exists(conn, role):
        _create_role(conn, f"CREATE ROLE {_ident(role)} NOLOGIN")


def _policies(table: str) -> list[str]:
    # (SELECT …): the campaign worked out once a query, not once a row
    mine = "campaign = (SELECT campaignsafe_campaign())"
    hq = "((SELECT campaignsafe_campaign()) = '' OR campaign = (SELECT campaignsafe_campaign()))"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS member_rows ON {table}",
        f"DROP POLICY IF EXISTS hq_reads ON {table}",
        f"CREATE POLICY member_rows ON {table} TO {MEMBER} USING ({mine}) WITH CHECK ({mine} AND campaign <> '')",
        f"CREATE POLICY hq_reads ON {table} FOR SELECT TO {HQ} USING ({hq})",
    ]


def init(url: str) -> dict[str, Any]:
    """Apply the migrations and create (or bring up to date) the roles, grants and row-level security."""
    conn = _admin(url)
    try:
        conn.begin_write()
        try:
            for role in (MEMBER, HQ):
                _create_group(conn, role)
            tables = [*pg_schema.TABLES, "campaigns", "_migrations"]
            # no role but the owner makes objects beside ours (PostgreSQL before 15 let PUBLIC create in public)
            schema = conn.execute("SELECT quote_ident(current_schema())").fetchone()[0]
            conn.execute(f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC")
            conn.execute(f"REVOKE ALL ON {', '.join(tables)} FROM PUBLIC, {MEMBER}, {HQ}")
            conn.execute(f"GRANT SELECT ON {', '.join(tables)} TO {MEMBER}, {HQ}")
            conn.execute(f"GRANT INSERT ON {', '.join(pg_schema.TABLES)} TO {MEMBER}")
            conn.execute(f"GRANT UPDATE ({_LISTING}) ON incidents TO {MEMBER}")
            conn.execute(f"GRANT UPDATE (last) ON exhibit_numbers TO {MEMBER}")
            # stored copies: added (INSERT), never updated or deleted but through the functions (as the owner)
            copies = "campaignsafe_place_copy(text, text, bigint), campaignsafe_remove_copy(text)"
            conn.execute(f"REVOKE ALL ON FUNCTION {copies} FROM PUBLIC, {HQ}")
            conn.execute(f"GRANT EXECUTE ON FUNCTION {copies} TO {MEMBER}")
            conn.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {MEMBER}")
            conn.execute(f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {HQ}")
            conn.execute("REVOKE ALL ON FUNCTION campaignsafe_delete_incident(BIGINT) FROM PUBLIC")
            conn.execute(f"GRANT EXECUTE ON FUNCTION campaignsafe_delete_incident(BIGINT) TO {MEMBER}")
            for table in pg_schema.TABLES:
                for sql in _policies(table):
                    conn.execute(sql)
            # the campaigns themselves: a member sees its own; HQ every one
            for sql in (
                "ALTER TABLE campaigns ENABLE ROW LEVEL SECURITY",
                "DROP POLICY IF EXISTS member_rows ON campaigns",
                "DROP POLICY IF EXISTS hq_reads ON campaigns",
                f"CREATE POLICY member_rows ON campaigns FOR SELECT TO {MEMBER} USING (name = campaignsafe_campaign())",
                f"CREATE POLICY hq_reads ON campaigns FOR SELECT TO {HQ} USING (true)",
            ):
                conn.execute(sql)
            conn.execute("COMMIT")
        except BaseException:
            conn.rollback()
            raise
        return {"store": conn.where, "roles": [MEMBER, HQ], "tables": list(pg_schema.TABLES)}
    finally:
        conn.close()


def _initialised(conn: backend.PgConn) -> None:
    secured = conn.execute("SELECT relrowsecurity FROM pg_class WHERE oid = 'incidents'::regclass").fetchone()[0]
    if not secured or not _role_exists(conn, MEMBER) or not _role_exists(conn, HQ):  # roles are server-wide
        raise StoreError(
            f"{conn.where} has not been set up for campaigns yet",
            "run once, with the administrator's URL: campaignsafe server init",
            code="server_not_initialised",
        )


def slug(name: str) -> str:
    """The role-name form of a campaign's name: ``Bath Labour`` → ``bath_labour``."""
    if not _NAME.match(name):
        raise InputError(
            "a campaign's name is 1–40 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit",
            code="bad_campaign",
        )
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "campaign"


@dataclass
class Login:
    """A login role made or granted: its name, and where its generated password was written (never the password)."""

    role: str
    created: bool
    password_file: Path | None = None


def _login(conn: backend.PgConn, role: str, group: str, password: str | None, grant: bool) -> bool:
    """Make ``role`` a login in ``group`` (created with ``password``'s verifier), or grant ``group`` to it."""
    exists = _role_exists(conn, role)
    if grant and not exists:
        raise InputError(f"there is no role {role} to grant", "leave out --grant to create a login role", code="usage")
    if not grant and exists:
        raise InputError(f"the role {role} already exists", f"to let it in, use --grant {role}", code="role_exists")
    if not grant:
        assert password is not None
        verifier = scram_verifier(password)  # only letters, digits, +/=$: and ':' - safe inside quotes
        _create_role(conn, f"CREATE ROLE {_ident(role)} LOGIN PASSWORD '{verifier}'")
    conn.execute(f"GRANT {_ident(group)} TO {_ident(role)}")
    return not grant


def add_campaign(url: str, name: str, login: str | None, grant: str | None, password: str | None) -> dict[str, Any]:
    """Create the campaign ``name`` and its role; a login role for it (``password``) or ``grant`` it to a role."""
    group = f"cs_campaign_{slug(name)}"
    conn = _admin(url)
    try:
        _initialised(conn)
        conn.begin_write()
        try:
            if conn.execute("SELECT 1 FROM campaigns WHERE name = ?", (name,)).fetchone():
                raise InputError(f"there is already a campaign {name!r}", code="campaign_exists")
            _create_group(conn, group)
            conn.execute(f"GRANT {MEMBER} TO {_ident(group)}")
            from campaignsafe.incidents.when import iso, now

            conn.execute("INSERT INTO campaigns (name, role, created_at) VALUES (?, ?, ?)", (name, group, iso(now())))
            role = grant or login or f"cs_{slug(name)}"
            created = _login(conn, role, group, password, grant is not None)
            conn.execute("COMMIT")
        except BaseException:
            conn.rollback()
            raise
        return {"campaign": name, "group_role": group, "login_role": role, "created": created,
                "connect": member_url(url, role), "pgpass": pgpass_line(url, role)}  # fmt: skip
    finally:
        conn.close()


def add_hq(url: str, login: str | None, grant: str | None, password: str | None) -> dict[str, Any]:
    """A role that reads every campaign and changes none: created (``password``) or ``grant`` ed."""
    conn = _admin(url)
    try:
        _initialised(conn)
        conn.begin_write()
        try:
            role = grant or login or "cs_hq"
            created = _login(conn, role, HQ, password, grant is not None)
            conn.execute("COMMIT")
        except BaseException:
            conn.rollback()
            raise
        return {
            "login_role": role,
            "created": created,
            "connect": member_url(url, role),
            "pgpass": pgpass_line(url, role),
        }
    finally:
        conn.close()


def member_url(url: str, role: str) -> str:
    """The URL a member connects with: the administrator's host, port, database and TLS settings, as ``role``,
    with no password (it goes in ~/.pgpass)."""
    from urllib.parse import quote, urlencode

    from psycopg.conninfo import conninfo_to_dict

    info = {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None}
    host = info.pop("host", "")
    port = info.pop("port", "")
    db = info.pop("dbname", "")
    for secret in ("password", "user", "passfile"):
        info.pop(secret, None)
    netloc = (
        quote(role)
        + "@"
        + ("" if host.startswith("/") else host)
        + (f":{port}" if port and not host.startswith("/") else "")
    )
    query = dict(info)
    if host.startswith("/"):
        query["host"] = host
        if port:
            query["port"] = port
    return f"postgresql://{netloc}/{quote(db)}" + ("?" + urlencode(query, safe="/") if query else "")


def pgpass_line(url: str, role: str) -> str:
    """The ``~/.pgpass`` line a member adds (``host:port:database:role:`` then the password), from the URL."""
    from psycopg.conninfo import conninfo_to_dict

    info = {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None}

    def esc(value: str) -> str:
        return value.replace("\\", "\\\\").replace(":", "\\:")

    host = info.get("host") or "localhost"
    return f"{esc(host)}:{info.get('port') or '5432'}:{esc(info.get('dbname') or '*')}:{esc(role)}:"


def new_password() -> str:
    """A generated password (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def write_password(path: Path, password: str) -> None:
    """Write ``password`` to a new file readable only by its owner (never overwriting one)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | paths.BINARY, 0o600)
    except FileExistsError:
        raise InputError(
            f"{path} already exists: it is never overwritten", "name another file", code="exists"
        ) from None
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}", code="bad_output") from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(password + "\n")
