"""A campaign member's login as an adversary, with raw SQL: what it tries to reach in another campaign.

Each test is one way in that row-level security alone left open (or might), and shows it shut.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests import pg_server as pgs
from tests.conftest import run
from tests.test_pg_roles import DATA, Seeded, _count, _sql, seed

pytestmark = pytest.mark.postgresql


@pytest.fixture(scope="module")
def seeded(pg_server: pgs.Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    with pytest.MonkeyPatch.context() as mp:
        yield seed(pg_server, tmp_path_factory.mktemp("attacks"), mp)


def _snapshot(s: Seeded) -> dict[str, object]:
    return {t: _sql(s.admin, f"SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {t} t") for t in DATA}


def _b_incident(s: Seeded) -> int:
    return int(_sql(s.urls["b"], "SELECT id FROM incidents")[0][0])


CHILD_ROWS = {
    "amendments": "INSERT INTO amendments (incident_id, number, at, amendment) VALUES (%s, 9, '', '{}')",
    "evidence": "INSERT INTO evidence (incident_id, exhibit_ref, added_at, item) VALUES (%s, 'ZZ/1', '', '{}')",
    "provenance": "INSERT INTO provenance (incident_id, recorded_by, import_seq) VALUES (%s, '{}', 1)",
}


@pytest.mark.parametrize("table", sorted(CHILD_ROWS))
def test_a_member_cannot_hang_a_row_on_another_campaigns_incident(seeded: Seeded, table: str) -> None:
    """Foreign keys ignore row-level security: the server itself refuses an amendment, exhibit or provenance
    row of campaign A's that points at campaign B's incident."""
    before = _snapshot(seeded)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="its incident's campaign"):
        _sql(seeded.urls["a"], CHILD_ROWS[table], _b_incident(seeded))
    assert _snapshot(seeded) == before
    assert run("check", "--json").exit_code == 0  # (the last seeded role, B's) record is untouched


def test_a_role_learns_only_its_own_campaign(seeded: Seeded) -> None:
    a_role = seeded.urls["a"].split("//")[1].split("@")[0]
    b_role = seeded.urls["b"].split("//")[1].split("@")[0]
    ask = "SELECT campaignsafe_campaign_of(%s)"
    assert _sql(seeded.urls["a"], ask, b_role) == [(None,)]
    assert _sql(seeded.urls["a"], ask, f"cs_campaign_{b_role[3:]}") == [(None,)]
    assert _sql(seeded.urls["a"], ask, a_role) == [(seeded.names["a"],)]
    assert _sql(seeded.urls["a"], ask, "no_such_role") == [(None,)]
    assert _sql(seeded.urls["hq"], ask, b_role) == [(seeded.names["b"],)]  # HQ and the owner may ask
    assert _sql(seeded.admin, ask, b_role) == [(seeded.names["b"],)]


@pytest.mark.parametrize(
    "prelude",
    [
        "SELECT set_config('campaignsafe.campaign', %(b)s, false)",
        "SET ROLE campaignsafe_member; SELECT set_config('campaignsafe.campaign', %(b)s, false)",
        "SET ROLE campaignsafe_member; SET campaignsafe.campaign = '' ",
    ],
)
def test_a_role_change_or_the_campaign_setting_never_opens_another_campaign(seeded: Seeded, prelude: str) -> None:
    """A member may become the group role campaignsafe_member (it is one); in no campaign itself, that must
    not fall back to the setting only HQ chooses a campaign with."""
    before = _snapshot(seeded)
    with psycopg.connect(seeded.urls["a"], autocommit=True) as conn:
        for part in prelude.split(";"):
            conn.execute(part, {"b": seeded.names["b"]})
        seen = {r[0] for r in conn.execute("SELECT campaign FROM incidents")}
        assert seeded.names["b"] not in seen
        assert conn.execute("SELECT count(*) FROM evidence WHERE campaign = %s", (seeded.names["b"],)).fetchone() == (
            0,
        )
        assert (
            conn.execute("UPDATE incidents SET kind = 'other' WHERE campaign = %s", (seeded.names["b"],)).rowcount == 0
        )
        with pytest.raises(psycopg.errors.Error):
            conn.execute(
                "INSERT INTO audit (campaign, seq, at, action, detail, prev_sha256, sha256)"
                " VALUES (%s, 99, '', 'created', '{}', '', '')",
                (seeded.names["b"],),
            )
    assert _snapshot(seeded) == before


def test_a_temporary_table_cannot_stand_in_for_the_campaigns(seeded: Seeded) -> None:
    """pg_temp comes first in a search path that does not name it: the schema's SECURITY DEFINER functions
    name it last, so a member's temporary ``campaigns`` cannot say it belongs to another campaign."""
    a_role = seeded.urls["a"].split("//")[1].split("@")[0]
    with psycopg.connect(seeded.urls["a"], autocommit=True) as conn:
        conn.execute("CREATE TEMP TABLE campaigns (name TEXT, role TEXT)")
        conn.execute("INSERT INTO campaigns VALUES (%s, %s)", (seeded.names["b"], a_role))
        assert conn.execute("SELECT campaignsafe_campaign()").fetchone() == (seeded.names["a"],)
        assert seeded.names["b"] not in {r[0] for r in conn.execute("SELECT campaign FROM incidents")}
    paths = _sql(seeded.admin, "SELECT proname, proconfig FROM pg_proc WHERE proname LIKE 'campaignsafe%%'")
    assert len(paths) >= 7 and all(cfg and cfg[0].endswith(", pg_temp") for _name, cfg in paths), paths


def test_the_numbers_of_other_campaigns_stay_unreadable_and_unsettable(seeded: Seeded) -> None:
    """A member cannot set the shared id counter back (ids are never reused), nor read another's counters."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(seeded.urls["a"], "SELECT setval('incidents_id_seq', 1)")
    assert _sql(seeded.urls["a"], "SELECT count(*) FROM exhibit_numbers WHERE campaign <> %s", seeded.names["a"]) == [
        (0,)
    ]
    assert _count(seeded.urls["a"], "campaigns") == 1


def test_check_sees_the_campaign_guard_removed(seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sql(seeded.admin, "ALTER TABLE evidence DISABLE TRIGGER evidence_same_campaign")
    try:
        monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", seeded.urls["a"])
        r = run("check", "--json")
        assert r.exit_code != 0
        assert any("evidence_same_campaign" in f["message"] for f in r.json["findings"]), r.json
    finally:
        _sql(seeded.admin, "ALTER TABLE evidence ENABLE TRIGGER evidence_same_campaign")


def test_a_member_creates_nothing_beside_the_schema(seeded: Seeded) -> None:
    """Nothing of a member's own in the store's schema to stand in for ours (PUBLIC's CREATE is revoked)."""
    for sql in (
        "CREATE TABLE mine (x int)",
        "CREATE FUNCTION campaignsafe_campaign(x int) RETURNS text LANGUAGE sql AS 'SELECT 1'",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _sql(seeded.urls["a"], sql)


def test_a_quoted_password_with_a_space_is_scrubbed_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """libpq's keyword form quotes a password with spaces or quotes: all of it is hidden, and nothing else is
    (the first word alone used to be taken for the password and cut out of every word it is in)."""
    from campaignsafe.incidents.backend import scrub

    dsn = f"host={tmp_path} dbname=x user=u password='se cret\\'W0rd'"
    assert scrub("the server said se cret'W0rd", dsn) == "the server said ***"
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", dsn)
    r = run("--debug", "incidents", "list")
    assert r.exit_code == 5 and "cret" not in r.stdout + r.stderr and "***rver" not in r.stderr
    assert "connection to server" in r.stderr
