"""Which incident store: the SQLite file (the default) or a PostgreSQL server, and the few SQL differences.

``CAMPAIGNSAFE_DATABASE_URL`` (a libpq URL, ``postgresql://user@host/dbname?sslmode=verify-full``)
chooses PostgreSQL; unset or empty, the store is ``incidents.db`` in the data folder. The store's SQL
is written once, with ``?`` placeholders: :class:`PgConn` turns them into psycopg's and maps
``BEGIN IMMEDIATE`` (SQLite's write lock) to a transaction holding the campaign's advisory lock, so
writes are serialised on both stores the same way. What cannot be written once (the id counters,
the list of protections, JSON in the listing query, deleting an incident) is asked of :func:`dialect`.

psycopg is imported only when PostgreSQL is used, so the SQLite path starts as lean as before.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsafe.errors import StoreError

if TYPE_CHECKING:
    import psycopg

ENV = "CAMPAIGNSAFE_DATABASE_URL"
#: for an HQ role (in no campaign): which campaign to look at; unset, every campaign.
CAMPAIGN_ENV = "CAMPAIGNSAFE_CAMPAIGN"
#: the advisory-lock class every campaignsafe write transaction takes (with the campaign as the key).
LOCK_CLASS = 0x63736166
#: seconds a write waits for another writer (or a connection for the server) before giving up.
WAIT_S = 10


def url() -> str | None:
    """The PostgreSQL URL from the environment, or None for the SQLite store."""
    value = os.environ.get(ENV, "").strip()
    return value or None


def is_pg(conn: Any) -> bool:
    """Whether ``conn`` is a PostgreSQL connection (else an ``sqlite3.Connection``)."""
    return isinstance(conn, PgConn)


# -- what is safe to show about a URL ---------------------------------------------------------------


def _secrets(dsn: str) -> list[str]:
    found = [m.group(1) for m in re.finditer(r"://[^:/@\s]*:([^@\s]+)@", dsn)]
    quoted = r"password\s*=\s*(?:'((?:[^'\\]|\\.)*)'|([^'&\s]+))"
    found += [m.group(1) or m.group(2) or "" for m in re.finditer(quoted, dsn, re.IGNORECASE)]
    with contextlib.suppress(Exception):  # the password as libpq reads it (quoted, with spaces, escaped)
        from psycopg.conninfo import conninfo_to_dict

        found.append(str(conninfo_to_dict(dsn).get("password") or ""))
    found.sort(key=len, reverse=True)  # the whole password before any part of it
    pw = os.environ.get("PGPASSWORD")
    if pw:
        found.append(pw)
    return [s for s in found if s]


def scrub(text: str, dsn: str | None = None) -> str:
    """``text`` with any password removed: the URL's, ``password=…`` and ``user:…@`` forms."""
    for secret in _secrets(dsn or url() or ""):
        text = text.replace(secret, "***")
        from urllib.parse import unquote

        text = text.replace(unquote(secret), "***")
    text = re.sub(r"(://[^:/@\s]*):[^@\s]+@", r"\1:***@", text)
    return re.sub(r"(password\s*=\s*)('[^']*'|\S+)", r"\1***", text, flags=re.IGNORECASE)


def label(dsn: str) -> str:
    """How a server store is named in messages: ``postgresql://user@host:port/dbname``, never a password."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        info = conninfo_to_dict(dsn)
    except Exception:  # not parseable: show nothing of it
        return "(a PostgreSQL URL that cannot be read)"
    user = f"{info['user']}@" if info.get("user") else ""
    host = str(info.get("host") or "localhost")
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{user}{host}{port}/{info.get('dbname') or ''}"


def pg_failure(exc: BaseException, where: str, dsn: str) -> StoreError:
    """A psycopg error as a one-line StoreError: SQLSTATE and the primary message, scrubbed of passwords."""
    diag = getattr(exc, "diag", None)
    state = getattr(exc, "sqlstate", None) or ""
    primary = getattr(diag, "message_primary", None) or str(exc).strip().splitlines()[0:1] or [""]
    text = scrub(primary if isinstance(primary, str) else (primary[0] if primary else ""), dsn)
    if state in ("55P03", "40P01", "57014"):  # lock timeout, deadlock, statement timeout
        return StoreError(
            f"the incident store {where} is busy",
            "another campaignsafe is writing to it: wait a moment and try again",
            code="store_locked",
        )
    if state.startswith("42501") or state == "42501":
        return StoreError(
            f"the incident store {where} refused this ({text})",
            "your database role may not do this; ask whoever runs the server (campaignsafe server init)",
            code="store_forbidden",
        )
    if state in ("", "08000", "08001", "08003", "08004", "08006") or state.startswith("28"):
        return StoreError(
            f"cannot connect to the incident store {where}: {text}",
            f"check {ENV} (host, port, user, database, TLS settings) and that the server is running",
            code="store_unreachable",
        )
    return StoreError(f"the incident store {where} cannot be used ({state}: {text})", code="store_error")


# -- the PostgreSQL connection ------------------------------------------------------------------------

_SQL: dict[str, str] = {}


def translate(sql: str) -> str:
    """SQLite-style SQL (``?`` placeholders) as psycopg takes it (``%s``; a literal ``%`` doubled)."""
    got = _SQL.get(sql)
    if got is None:
        out, quote = [], False
        for ch in sql:
            if ch == "'":
                quote = not quote
            if ch == "%":
                out.append("%%")
            elif ch == "?" and not quote:
                out.append("%s")
            else:
                out.append(ch)
        got = _SQL[sql] = "".join(out)
    return got


class PgConn:
    """A psycopg connection (autocommit; transactions opened explicitly) that runs the store's SQL.

    Errors come out as one-line :class:`StoreError` s, scrubbed of any password.
    """

    def __init__(self, raw: psycopg.Connection[Any], where: str, dsn: str) -> None:
        self.raw = raw
        self.where = where
        self.dsn = dsn
        self.campaign_lock = False  # set once the schema has campaignsafe_campaign()

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        import psycopg

        try:
            yield
        except psycopg.Error as exc:
            raise pg_failure(exc, self.where, self.dsn) from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; the cursor (``fetchone``, ``fetchall``, iteration, ``rowcount``)."""
        if sql == "BEGIN IMMEDIATE":
            self.begin_write()
            return None
        if sql == "ROLLBACK":
            self.rollback()
            return None
        with self._errors():
            return self.raw.execute(translate(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._errors(), self.raw.cursor() as cur:
            cur.executemany(translate(sql), rows)

    def begin_write(self) -> None:
        """``BEGIN`` and take the write lock (the campaign's), waiting at most :data:`WAIT_S`."""
        with self._errors():
            self.raw.execute("BEGIN")
            self.lock_writes()

    def lock_writes(self) -> None:
        """Inside a transaction: wait for the campaign's write lock (held until COMMIT or ROLLBACK)."""
        with self._errors():
            if self.campaign_lock:
                self.raw.execute("SELECT pg_advisory_xact_lock(%s, hashtext(campaignsafe_campaign()))", (LOCK_CLASS,))
            else:
                self.raw.execute("SELECT pg_advisory_xact_lock(%s, 0)", (LOCK_CLASS,))

    def rollback(self) -> None:
        """Roll back whatever is open; a broken connection is not a second error."""
        with contextlib.suppress(Exception):
            self.raw.execute("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.raw.close()


def connect_pg(dsn: str) -> PgConn:
    """Connect to the server store (no migration; see :func:`campaignsafe.incidents.pg_schema.migrate`)."""
    where = label(dsn)
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        raise StoreError(f"{ENV} is set but psycopg is not installed", "pip install 'psycopg[binary]'") from None
    try:
        raw = psycopg.connect(dsn, autocommit=True, connect_timeout=WAIT_S, application_name="campaignsafe")
    except psycopg.Error as exc:
        raise pg_failure(exc, where, dsn) from None
    except Exception as exc:  # a malformed URL: psycopg's ProgrammingError is an Error; anything else too
        raise StoreError(
            f"cannot connect to the incident store: {scrub(str(exc), dsn)}", f"check {ENV}", code="store_unreachable"
        ) from None
    conn = PgConn(raw, where, dsn)
    conn.execute(f"SET lock_timeout = '{WAIT_S}s'")
    chosen = os.environ.get(CAMPAIGN_ENV, "").strip()
    if chosen:  # for a role in no campaign (HQ): the one campaign to look at (a member's own is fixed)
        conn.execute("SELECT set_config('campaignsafe.campaign', ?, false)", (chosen,))
    return conn


Conn = sqlite3.Connection | PgConn
Where = Path | str


def connect(path: Path | None = None) -> tuple[Conn, Where]:
    """Open (creating and migrating) the incident store: SQLite at ``path`` (or the data folder's
    ``incidents.db``), or, when ``path`` is None and :data:`ENV` is set, the PostgreSQL store."""
    from campaignsafe.incidents import schema

    dsn = url() if path is None else None
    if dsn:
        from campaignsafe.incidents import pg_schema

        conn = connect_pg(dsn)
        try:
            pg_schema.migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn, conn.where
    from campaignsafe import paths

    if path is None:  # a killed restore's or import's unencrypted copy goes now, not at the next restore or import
        paths.sweep_leftovers()
    db = path or paths.home() / "incidents.db"
    return schema.connect(db), db


def server_refusal(what: str) -> StoreError:
    """The StoreError for ``what`` (a command working on the SQLite store only) on a server store."""
    return StoreError(
        f"{what} works on the incident store in the data folder, but {ENV} points this record at a PostgreSQL server",
        "back a server store up with pg_dump (and restore with pg_restore); or unset the variable",
        code="server_store",
    )


def one_campaign(conn: Conn, what: str = "check") -> str | None:
    """Before a check, an export or a backup: the one campaign whose record this is (None on SQLite; ``''`` on a
    server store without campaigns). An HQ role seeing several must choose one (each has its own audit chain)."""
    if not is_pg(conn):
        return None
    seen = [str(r[0]) for r in conn.execute("SELECT DISTINCT campaign FROM audit ORDER BY 1")]
    if len(seen) > 1:
        from campaignsafe.errors import InputError

        raise InputError(
            f"this role sees {len(seen)} campaigns' records; each has its own audit chain and exhibit numbers,"
            f" so {what} takes one at a time",
            f"choose one: {CAMPAIGN_ENV}=NAME campaignsafe {what}",
            code="choose_campaign",
        )
    if seen:
        return seen[0]
    return str(conn.execute("SELECT campaignsafe_campaign()").fetchone()[0] or "")


def campaigns_seen(conn: Conn) -> list[str]:
    """The campaigns whose records an HQ role sees (empty on SQLite or a server store without campaigns)."""
    if not is_pg(conn):
        return []
    return [str(r[0]) for r in conn.execute("SELECT DISTINCT campaign FROM audit WHERE campaign <> '' ORDER BY 1")]


def look_at(conn: Conn, campaign: str) -> bool:
    """For an HQ role: look at only ``campaign`` from now on (``''``: every one again); whether the server now
    shows that campaign alone (it does not for a role that row-level security does not apply to, the owner)."""
    conn.execute("SELECT set_config('campaignsafe.campaign', ?, false)", (campaign,))
    if not campaign:
        return True
    seen = [str(r[0]) for r in conn.execute("SELECT DISTINCT campaign FROM audit")]
    return seen == [campaign]


def connect_readonly(path: Path | None = None) -> tuple[Conn, Where, list[str]]:
    """Open the store for reading only (never created or migrated): the connection, its name and the
    migrations it lacks."""
    dsn = url() if path is None else None
    if dsn:
        from campaignsafe.incidents import pg_schema, schema

        conn = connect_pg(dsn)
        try:
            done = pg_schema.applied(conn)
            known = [name for name, _fn in schema.MIGRATIONS]
            schema.refuse_newer(done, known, conn.where)
        except BaseException:
            conn.close()
            raise
        conn.campaign_lock = "0001_initial" in done
        return conn, conn.where, [name for name in known if name not in done]
    from campaignsafe import paths
    from campaignsafe.incidents import schema

    if path is None:
        paths.sweep_leftovers()  # not the record: what a killed restore or import left
    db = path or paths.home() / "incidents.db"
    sconn, pending = schema.connect_readonly(db)
    return sconn, db, pending


def exists() -> bool:
    """Whether there is a store to read (the server store always counts as there)."""
    from campaignsafe import paths

    return bool(url()) or (paths.home() / "incidents.db").exists()


# -- what differs ---------------------------------------------------------------------------------------


def sequence_high(conn: Conn, table: str) -> int | None:
    """The highest id ``table`` (``incidents`` or ``audit``) has ever given out (None: never)."""
    if is_pg(conn):
        if table == "audit":
            row = conn.execute("SELECT seq FROM audit_high WHERE campaign = campaignsafe_campaign()").fetchone()
            return int(row[0]) if row else None
        row = conn.execute("SELECT last_value, is_called FROM incidents_id_seq").fetchone()
        return int(row[0]) if row and row[1] else None
    got = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    return int(got[0]) if got else None


def triggers(conn: Conn) -> set[str]:
    """The names of the protections (triggers) in place and enabled."""
    if is_pg(conn):
        q = (
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND c.relnamespace = current_schema()::regnamespace"
        )
        return {str(r[0]) for r in conn.execute(q)}
    return {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}


def has_table(conn: Conn, name: str) -> bool:
    if is_pg(conn):
        return conn.execute("SELECT to_regclass(?)", (name,)).fetchone()[0] is not None
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


def integrity_rows(conn: Conn) -> list[str]:
    """What the database's own integrity check says: SQLite's quick_check (``["ok"]`` when sound); a server
    checks its own pages, so ``["ok"]``."""
    if is_pg(conn):
        return ["ok"]
    return [str(r[0]) for r in conn.execute("PRAGMA quick_check")]


def tables(conn: Conn) -> set[str]:
    """The names of the store's tables."""
    if is_pg(conn):
        q = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        return {str(r[0]) for r in conn.execute(q)}
    return {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def recorded(conn: Conn) -> list[str]:
    """The migrations the store records, reading only."""
    if isinstance(conn, PgConn):
        from campaignsafe.incidents import pg_schema

        return pg_schema.applied(conn)
    from campaignsafe.incidents import schema

    return schema.recorded(conn)
