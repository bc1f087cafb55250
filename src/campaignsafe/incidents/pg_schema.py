"""The PostgreSQL variant of each named migration, and applying them.

The migrations are the ones :data:`campaignsafe.incidents.schema.MIGRATIONS` names, in the same
order, recorded the same way in ``_migrations``; only their DDL differs where the SQL does. Beyond
SQLite's tables a server store has:

- a ``campaign`` column on every table, filled by ``campaignsafe_campaign()`` (the campaign whose
  role the connecting role belongs to; ``''`` on a store with no campaigns), so one server holds
  many campaigns and row-level security (``campaignsafe server init``) keeps each to its own rows.
  The audit chain, exhibit numbers and evidence are per campaign;
- ``audit_high``: the highest audit entry each campaign has made (SQLite's ``sqlite_sequence``), so
  removed last entries show;
- ``blobs`` and ``blob_chunks``: the evidence itself, content-addressed, in chunks of 1 MiB, so
  nothing depends on a shared disk;
- ``campaignsafe_delete_incident(id)``: the one way to delete an incident (after its tombstone),
  so the roles the tool connects as need no DELETE on records, exhibits or amendments; and
  :mod:`.pg_copies`' functions, the one way to rename, repair or take back an evidence copy.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime

from campaignsafe.errors import StoreError
from campaignsafe.incidents import pg_copies
from campaignsafe.incidents.backend import PgConn
from campaignsafe.incidents.schema import refuse_newer

C = "campaign TEXT NOT NULL DEFAULT campaignsafe_campaign()"

_INITIAL = [
    """CREATE TABLE campaigns (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    )""",
    # The campaign of a role: the campaign whose role it is, or whose role it is a member of (as the
    # owner: the campaigns table's row-level security asks it).
    """CREATE FUNCTION campaignsafe_campaign_of(who name) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path FROM CURRENT AS $$
        SELECT c.name FROM campaigns c
        WHERE c.role = who OR c.role IN (
            SELECT g.rolname FROM pg_auth_members m
            JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
            WHERE u.rolname = who)
        ORDER BY c.name LIMIT 1
    $$""",
    # The connecting role's campaign; for a role in none (HQ), the one it chose to look at
    # (CAMPAIGNSAFE_CAMPAIGN, as the setting campaignsafe.campaign), or '' for all of them.
    """CREATE FUNCTION campaignsafe_campaign() RETURNS text LANGUAGE sql STABLE AS $$
        SELECT coalesce(campaignsafe_campaign_of(current_user),
                        nullif(current_setting('campaignsafe.campaign', true), ''), '')
    $$""",
    f"""CREATE TABLE incidents (
        id BIGSERIAL PRIMARY KEY,
        {C},
        created_at TEXT NOT NULL,
        record TEXT NOT NULL,
        record_sha256 TEXT NOT NULL,
        occurred_utc TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        time_known BIGINT NOT NULL,
        kind TEXT NOT NULL,
        place TEXT NOT NULL,
        postcode TEXT,
        force_id TEXT,
        force_name TEXT,
        reports TEXT NOT NULL DEFAULT '[]',
        police_reported BIGINT NOT NULL DEFAULT 0,
        amendment_count BIGINT NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX incidents_by_time ON incidents (occurred_utc, id)",
    "CREATE INDEX incidents_by_campaign ON incidents (campaign, occurred_utc, id)",
    f"""CREATE TABLE amendments (
        incident_id BIGINT NOT NULL REFERENCES incidents (id),
        {C},
        number BIGINT NOT NULL,
        at TEXT NOT NULL,
        amendment TEXT NOT NULL,
        PRIMARY KEY (incident_id, number)
    )""",
    f"""CREATE TABLE evidence (
        id BIGSERIAL PRIMARY KEY,
        incident_id BIGINT NOT NULL REFERENCES incidents (id),
        {C},
        exhibit_ref TEXT NOT NULL,
        added_at TEXT NOT NULL,
        file_sha256 TEXT,
        screenshot_sha256 TEXT,
        item TEXT NOT NULL,
        UNIQUE (campaign, exhibit_ref)
    )""",
    "CREATE INDEX evidence_by_incident ON evidence (incident_id)",
    "CREATE INDEX evidence_by_file ON evidence (file_sha256)",
    "CREATE INDEX evidence_by_screenshot ON evidence (screenshot_sha256)",
    f"""CREATE TABLE exhibit_numbers (
        {C},
        producer TEXT NOT NULL,
        last BIGINT NOT NULL,
        PRIMARY KEY (campaign, producer)
    )""",
    f"""CREATE TABLE audit (
        {C},
        seq BIGINT NOT NULL,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        incident_id BIGINT,
        detail TEXT NOT NULL,
        prev_sha256 TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (campaign, seq)
    )""",
    "CREATE INDEX audit_by_incident ON audit (incident_id)",
    "CREATE TABLE audit_high (campaign TEXT PRIMARY KEY, seq BIGINT NOT NULL)",
    """CREATE FUNCTION campaignsafe_audit_high() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path FROM CURRENT AS $$
    BEGIN
        INSERT INTO audit_high (campaign, seq) VALUES (NEW.campaign, NEW.seq)
        ON CONFLICT (campaign) DO UPDATE SET seq = greatest(audit_high.seq, excluded.seq);
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER audit_high_kept AFTER INSERT ON audit FOR EACH ROW EXECUTE FUNCTION campaignsafe_audit_high()",
    f"""CREATE TABLE blobs (
        {C},
        sha256 TEXT NOT NULL,
        size BIGINT NOT NULL,
        PRIMARY KEY (campaign, sha256)
    )""",
    f"""CREATE TABLE blob_chunks (
        {C},
        sha256 TEXT NOT NULL,
        n INTEGER NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (campaign, sha256, n)
    )""",
]

_REFUSE = """CREATE FUNCTION campaignsafe_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'append-only: % on %', TG_OP, TG_TABLE_NAME USING ERRCODE = 'raise_exception';
END $$"""


def _trigger(name: str, when: str, fn: str = "campaignsafe_append_only") -> str:
    return f"CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION {fn}()"


_APPEND_ONLY = [
    _REFUSE,
    _trigger("audit_no_update", "BEFORE UPDATE ON audit"),
    _trigger("audit_no_delete", "BEFORE DELETE ON audit"),
    _trigger("record_no_update", "BEFORE UPDATE OF record, record_sha256, created_at, campaign ON incidents"),
    _trigger("amendment_no_update", "BEFORE UPDATE ON amendments"),
    _trigger("evidence_no_update", "BEFORE UPDATE ON evidence"),
]

_TOMBSTONE_ONLY = [
    # An incident, its exhibits and amendments go only once its 'deleted' entry is its campaign's newest.
    """CREATE FUNCTION campaignsafe_tombstone_only() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE iid BIGINT;
    BEGIN
        IF TG_TABLE_NAME = 'incidents' THEN iid := OLD.id; ELSE iid := OLD.incident_id; END IF;
        IF NOT EXISTS (
            SELECT 1 FROM audit a WHERE a.campaign = OLD.campaign AND a.action = 'deleted' AND a.incident_id = iid
            AND a.seq = (SELECT max(b.seq) FROM audit b WHERE b.campaign = OLD.campaign)
        ) THEN
            RAISE EXCEPTION 'append-only: % on %', TG_OP, TG_TABLE_NAME USING ERRCODE = 'raise_exception';
        END IF;
        RETURN OLD;
    END $$""",
    _trigger("evidence_no_delete", "BEFORE DELETE ON evidence", "campaignsafe_tombstone_only"),
    _trigger("amendment_no_delete", "BEFORE DELETE ON amendments", "campaignsafe_tombstone_only"),
    _trigger("incident_no_delete", "BEFORE DELETE ON incidents", "campaignsafe_tombstone_only"),
    _trigger("incident_no_renumber", "BEFORE UPDATE OF id ON incidents"),
    _trigger("exhibit_numbers_no_delete", "BEFORE DELETE ON exhibit_numbers"),
    "CREATE TRIGGER exhibit_numbers_no_lower BEFORE UPDATE ON exhibit_numbers FOR EACH ROW"
    " WHEN (NEW.last < OLD.last OR NEW.producer <> OLD.producer OR NEW.campaign <> OLD.campaign)"
    " EXECUTE FUNCTION campaignsafe_append_only()",
    _trigger("audit_high_no_delete", "BEFORE DELETE ON audit_high"),
    "CREATE TRIGGER audit_high_no_lower BEFORE UPDATE ON audit_high FOR EACH ROW"
    " WHEN (NEW.seq < OLD.seq OR NEW.campaign <> OLD.campaign) EXECUTE FUNCTION campaignsafe_append_only()",
    # Deleting an incident: the caller's campaign's only, after its tombstone, as the schema's owner (so
    # the tool's roles need no DELETE privilege on the records, exhibits and amendments themselves).
    """CREATE FUNCTION campaignsafe_delete_incident(iid BIGINT) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
        SET search_path FROM CURRENT AS $$
    DECLARE mine TEXT := campaignsafe_campaign_of(session_user);
    BEGIN
        IF mine IS NULL THEN
            IF EXISTS (SELECT 1 FROM campaigns) AND NOT pg_has_role(session_user, current_user, 'USAGE') THEN
                RAISE EXCEPTION 'only a campaign''s members delete its incidents'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            mine := coalesce(nullif(current_setting('campaignsafe.campaign', true), ''), '');
        END IF;
        IF NOT EXISTS (SELECT 1 FROM incidents WHERE id = iid AND campaign = mine) THEN
            RAISE EXCEPTION 'no such incident' USING ERRCODE = 'no_data_found';
        END IF;
        DELETE FROM evidence WHERE incident_id = iid;
        DELETE FROM amendments WHERE incident_id = iid;
        DELETE FROM provenance WHERE incident_id = iid;
        DELETE FROM incidents WHERE id = iid;
    END $$""",
]

_PROVENANCE = [
    f"""CREATE TABLE provenance (
        incident_id BIGINT PRIMARY KEY REFERENCES incidents (id),
        {C},
        recorded_by TEXT NOT NULL,
        source_id BIGINT,
        amendments_by TEXT NOT NULL DEFAULT '[]',
        source_audit TEXT NOT NULL DEFAULT '[]',
        import_seq BIGINT NOT NULL
    )""",
    f"""CREATE TABLE imports (
        {C},
        seq BIGINT NOT NULL,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        manifest_sha256 TEXT NOT NULL,
        signer TEXT,
        producer TEXT NOT NULL,
        PRIMARY KEY (campaign, seq),
        FOREIGN KEY (campaign, seq) REFERENCES audit (campaign, seq)
    )""",
    _trigger("provenance_no_update", "BEFORE UPDATE ON provenance"),
    _trigger("imports_no_update", "BEFORE UPDATE ON imports"),
    _trigger("imports_no_delete", "BEFORE DELETE ON imports"),
]

_PROVENANCE_NO_DELETE = [
    _trigger("provenance_no_delete", "BEFORE DELETE ON provenance", "campaignsafe_tombstone_only"),
]

#: the tables whose rows belong to an incident (``incident_id``): each row's campaign must be its incident's.
CHILDREN = ("amendments", "evidence", "provenance")
#: every function the schema makes, as ALTER FUNCTION names it.
FUNCTIONS = (
    "campaignsafe_campaign_of(name)",
    "campaignsafe_campaign()",
    "campaignsafe_audit_high()",
    "campaignsafe_append_only()",
    "campaignsafe_tombstone_only()",
    "campaignsafe_delete_incident(bigint)",
    "campaignsafe_same_campaign()",
)


_CAMPAIGN_GUARDS = [
    # A role's campaign, told only to that role (its login, or a role it may become), to HQ and to the owner.
    """CREATE OR REPLACE FUNCTION campaignsafe_campaign_of(who name) RETURNS text LANGUAGE plpgsql STABLE
        SECURITY DEFINER AS $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = who) THEN
            RETURN NULL;
        END IF;
        IF NOT (pg_has_role(session_user, who, 'MEMBER') OR pg_has_role(session_user, current_user, 'MEMBER')
                OR (EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'campaignsafe_hq')
                    AND pg_has_role(session_user, 'campaignsafe_hq', 'MEMBER'))) THEN
            RETURN NULL;
        END IF;
        RETURN (SELECT c.name FROM campaigns c
            WHERE c.role = who OR c.role IN (
                SELECT g.rolname FROM pg_auth_members m
                JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
                WHERE u.rolname = who)
            ORDER BY c.name LIMIT 1);
    END $$""",
    # The connecting role's campaign (as the role it is now, else its login). A campaign member in no
    # campaign (``SET ROLE campaignsafe_member``) gets NULL, which matches no row: only a role in none (HQ,
    # the owner) may choose one to look at with the setting campaignsafe.campaign.
    """CREATE OR REPLACE FUNCTION campaignsafe_campaign() RETURNS text LANGUAGE plpgsql STABLE AS $$
    DECLARE mine TEXT := coalesce(campaignsafe_campaign_of(current_user), campaignsafe_campaign_of(session_user));
    BEGIN
        IF mine IS NOT NULL THEN
            RETURN mine;
        END IF;
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'campaignsafe_member')
           AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND NOT rolsuper)
           AND pg_has_role(current_user, 'campaignsafe_member', 'MEMBER') THEN
            RETURN NULL;
        END IF;
        RETURN coalesce(nullif(current_setting('campaignsafe.campaign', true), ''), '');
    END $$""",
    # A row of an incident's (an amendment, an exhibit, who recorded it) is in that incident's campaign:
    # foreign keys ignore row-level security, so without this a member could hang rows on another's incident.
    """CREATE FUNCTION campaignsafe_same_campaign() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = NEW.incident_id AND i.campaign = NEW.campaign) THEN
            RAISE EXCEPTION 'a row of % must be in its incident''s campaign', TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END $$""",
    *(
        _trigger(f"{table}_same_campaign", f"BEFORE INSERT ON {table}", "campaignsafe_same_campaign")
        for table in CHILDREN
    ),
    # Every function looks only in the store's own schema (then pg_temp, last): a temporary table named
    # like one of ours cannot stand in for it inside a SECURITY DEFINER function.
    pg_copies.search_path(FUNCTIONS),
]

#: the protections (triggers) only the server store has, by migration (``check`` reports any missing).
TRIGGERS: dict[str, tuple[str, ...]] = {
    "0006_campaign_guards": tuple(f"{t}_same_campaign" for t in CHILDREN),
    "0007_copies_kept": pg_copies.TRIGGERS,
}

#: each named migration's PostgreSQL DDL (the names are schema.MIGRATIONS').
DDL: dict[str, list[str]] = {
    "0001_initial": _INITIAL,
    "0002_append_only": _APPEND_ONLY,
    "0003_tombstone_only": _TOMBSTONE_ONLY,
    "0004_provenance": _PROVENANCE,
    "0005_provenance_no_delete": _PROVENANCE_NO_DELETE,
    "0006_campaign_guards": _CAMPAIGN_GUARDS,
    "0007_copies_kept": pg_copies.DDL,
}

#: the tables that hold data (what server init grants on and puts row-level security on).
TABLES = (
    "incidents",
    "amendments",
    "evidence",
    "exhibit_numbers",
    "audit",
    "audit_high",
    "blobs",
    "blob_chunks",
    "provenance",
    "imports",
)


@contextlib.contextmanager
def forbidden_as(message: str, hint: str, code: str = "store_forbidden") -> Iterator[None]:
    """Say what a privilege the server refused (``store_forbidden``) means here: ``message``, ``hint``."""
    try:
        yield
    except StoreError as exc:
        if exc.code != "store_forbidden":
            raise
        raise StoreError(message, hint, code=code) from None


def applied(conn: PgConn) -> list[str]:
    """The migrations the server store records, in order (empty when it has none yet)."""
    if conn.execute("SELECT to_regclass('_migrations')").fetchone()[0] is None:
        return []
    return [str(r[0]) for r in conn.execute("SELECT name FROM _migrations ORDER BY ord")]


def migrate(conn: PgConn) -> None:
    """Apply every migration not yet recorded, all in one transaction under the write lock."""
    from campaignsafe.incidents.schema import MIGRATIONS

    known = [name for name, _fn in MIGRATIONS]
    done = applied(conn)
    refuse_newer(done, known, conn.where)
    if all(name in done for name in known):
        conn.campaign_lock = True
        return
    if done:
        from campaignsafe.incidents import checkschema

        checkschema.refuse_altered(conn, conn.where)
    conn.begin_write()
    try:
        if not applied(conn):
            conn.execute(
                "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL,"
                " ord BIGSERIAL)"
            )
        done = applied(conn)
        for name in known:
            if name in done:
                continue
            with forbidden_as(
                f"{conn.where} needs the migration {name}, which only its owner may apply; nothing was changed",
                "run once, with the administrator's URL: campaignsafe server init",
                "server_not_initialised",
            ):
                for sql in DDL[name]:
                    conn.execute(sql)
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            conn.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (name, stamp))
        conn.execute("COMMIT")
    except BaseException:
        conn.rollback()
        raise
    conn.campaign_lock = True
