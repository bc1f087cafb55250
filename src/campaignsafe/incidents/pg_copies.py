"""The server store's evidence copies kept (migration ``0007_copies_kept``): no tool role updates or deletes one.

Campaign members add copies (INSERT into ``blobs`` and ``blob_chunks``) but hold no UPDATE or DELETE
on them, and triggers refuse both to every role but the tables' owner. The three changes a writer
needs go through SECURITY DEFINER functions (run as the owner, search_path fixed), each for the
caller's campaign only: naming a staged copy, repairing a damaged one with bytes the server finds
hash to it, and taking back a copy a failed save made while no exhibit uses it.
"""

from __future__ import annotations

from campaignsafe.incidents.backend import LOCK_CLASS


def search_path(functions: tuple[str, ...]) -> str:
    """Fix each of ``functions`` to the store's own schema (then pg_temp, last)."""
    return (
        """DO $$ DECLARE f TEXT; BEGIN
        FOREACH f IN ARRAY ARRAY['"""
        + "', '".join(functions)
        + """'] LOOP
            EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
        END LOOP;
    END $$"""
    )


#: the functions 0007_copies_kept makes: stored copies change only through them (as the schema's owner).
COPY_FUNCTIONS = (
    "campaignsafe_writer_campaign()",
    "campaignsafe_copies_kept()",
    "campaignsafe_place_copy(text, text, bigint)",
    "campaignsafe_remove_copy(text)",
)
# the campaign's write lock and copies lock (backend.PgConn.lock_writes, blobs.PgBlobs._copies_lock)
WRITE_LOCK = f"{LOCK_CLASS}, hashtext(mine)"
COPIES_LOCK = f"{LOCK_CLASS + 1}, hashtext(mine)"

DDL = [
    # The campaign a write through one of these functions is for: the caller's own (its login's); for a
    # caller in none, only on a store with no campaigns or as the owner, the one it chose ('' for none).
    """CREATE FUNCTION campaignsafe_writer_campaign() RETURNS text LANGUAGE plpgsql STABLE AS $$
    DECLARE mine TEXT := campaignsafe_campaign_of(session_user);
    BEGIN
        IF mine IS NULL THEN
            IF EXISTS (SELECT 1 FROM campaigns) AND NOT pg_has_role(session_user, current_user, 'USAGE') THEN
                RAISE EXCEPTION 'only a campaign''s members change its stored copies'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            mine := coalesce(nullif(current_setting('campaignsafe.campaign', true), ''), '');
        END IF;
        RETURN mine;
    END $$""",
    # No role but the tables' owner (and the functions below, which run as it) updates or deletes a stored
    # copy, whatever a tool role (campaign member, HQ) is granted.
    """CREATE FUNCTION campaignsafe_copies_kept() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
            RAISE EXCEPTION 'stored copies are kept: % on %', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$""",
    "CREATE TRIGGER blobs_kept BEFORE UPDATE OR DELETE ON blobs FOR EACH ROW"
    " EXECUTE FUNCTION campaignsafe_copies_kept()",
    "CREATE TRIGGER blob_chunks_kept BEFORE UPDATE OR DELETE ON blob_chunks FOR EACH ROW"
    " EXECUTE FUNCTION campaignsafe_copies_kept()",
    # a writer adds chunks only under a staging name: never one more chunk onto a stored copy
    "CREATE TRIGGER blob_chunks_staged_only BEFORE INSERT ON blob_chunks FOR EACH ROW"
    " WHEN (NEW.sha256 NOT LIKE '.incoming-%') EXECUTE FUNCTION campaignsafe_copies_kept()",
    # Give a copy staged by this transaction (chunks under ``.incoming-…``) its hash: 'created' when the
    # campaign had no copy with that hash; 'repaired' when it had one whose bytes no longer hash to it and the
    # staged bytes do (checked here, on the server); 'kept' (the staged chunks dropped) when its copy is intact.
    """CREATE FUNCTION campaignsafe_place_copy(staging TEXT, sha TEXT, bytes BIGINT) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER AS $$
    DECLARE mine TEXT := campaignsafe_writer_campaign();
    BEGIN
        IF staging NOT LIKE '.incoming-%' OR sha LIKE '.incoming-%' THEN
            RAISE EXCEPTION 'not a staged copy' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        PERFORM pg_advisory_xact_lock("""
    + WRITE_LOCK
    + """);
        IF NOT EXISTS (SELECT 1 FROM blobs WHERE campaign = mine AND sha256 = sha) THEN
            UPDATE blob_chunks SET sha256 = sha WHERE campaign = mine AND sha256 = staging;
            INSERT INTO blobs (campaign, sha256, size) VALUES (mine, sha, bytes);
            RETURN 'created';
        END IF;
        IF (SELECT encode(sha256(string_agg(data, '' ORDER BY n)), 'hex') FROM blob_chunks
            WHERE campaign = mine AND sha256 = sha) IS NOT DISTINCT FROM sha THEN
            DELETE FROM blob_chunks WHERE campaign = mine AND sha256 = staging;
            RETURN 'kept';
        END IF;
        IF (SELECT encode(sha256(string_agg(data, '' ORDER BY n)), 'hex') FROM blob_chunks
            WHERE campaign = mine AND sha256 = staging) IS DISTINCT FROM sha THEN
            RAISE EXCEPTION 'the staged copy does not have that SHA-256' USING ERRCODE = 'data_exception';
        END IF;
        DELETE FROM blob_chunks WHERE campaign = mine AND sha256 = sha;
        UPDATE blob_chunks SET sha256 = sha WHERE campaign = mine AND sha256 = staging;
        UPDATE blobs SET size = bytes WHERE campaign = mine AND sha256 = sha;
        RETURN 'repaired';
    END $$""",
    # Take back a copy a failed save made: the caller's campaign's only, only while no exhibit uses it, and
    # only under the campaign's copies lock held alone (every writer in flight holds it shared). True when gone.
    """CREATE FUNCTION campaignsafe_remove_copy(sha TEXT) RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER AS $$
    DECLARE mine TEXT := campaignsafe_writer_campaign();
    BEGIN
        PERFORM pg_advisory_xact_lock("""
    + COPIES_LOCK
    + """);
        PERFORM pg_advisory_xact_lock("""
    + WRITE_LOCK
    + """);
        IF EXISTS (SELECT 1 FROM evidence WHERE campaign = mine AND (file_sha256 = sha OR screenshot_sha256 = sha))
           OR NOT EXISTS (SELECT 1 FROM blobs WHERE campaign = mine AND sha256 = sha) THEN
            RETURN false;
        END IF;
        DELETE FROM blob_chunks WHERE campaign = mine AND sha256 = sha;
        DELETE FROM blobs WHERE campaign = mine AND sha256 = sha;
        RETURN true;
    END $$""",
    search_path(COPY_FUNCTIONS),
    "REVOKE ALL ON FUNCTION campaignsafe_place_copy(text, text, bigint), campaignsafe_remove_copy(text) FROM PUBLIC",
]

#: the triggers this migration makes (``check`` reports either one missing).
TRIGGERS = ("blobs_kept", "blob_chunks_kept", "blob_chunks_staged_only")
