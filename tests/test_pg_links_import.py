"""On a PostgreSQL store with campaigns: ``incidents links`` across campaigns for HQ (each campaign sees only
its own), and ``import`` of a bundle into a campaign."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests import pg_server as pgs
from tests.backup_helpers import jo_takes_the_place_away
from tests.conftest import run
from tests.export_helpers import EPOCH, LETTER, PHOTO, SHOT, make_record
from tests.incident_helpers import minimal, write_json

pytestmark = pytest.mark.postgresql


def _ok(*args: str) -> Any:
    r = run(*args)
    assert r.exit_code == 0, r.stderr
    return r


def _campaigns(server: pgs.Server, tmp_path: Path, *names: str) -> tuple[str, dict[str, str], str]:
    """A store with these campaigns and an HQ login: (admin URL, campaign → member URL, HQ URL)."""
    n = next(pgs.numbers)
    admin = server.url(pgs.fresh_database(server))
    _ok("server", "init", "--url", admin)
    urls = {}
    for name in names:
        out = tmp_path / f"{name}.password"
        made = _ok("server", "add-campaign", f"{name} {n}", "--url", admin, "--password-out", str(out), "--json")
        urls[name] = made.json["connect"]
    hq = _ok(
        "server", "add-hq", "--url", admin, "--login", f"hq_links_{n}", "--password-out", str(tmp_path / "hq"), "--json"
    )
    return admin, urls, hq.json["connect"]


def _record(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch, incidents: list[dict[str, Any]]) -> None:
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", url)
    _ok("report", "--from-file", str(write_json(tmp_path, incidents)))


def _links() -> dict[str, Any]:
    data: dict[str, Any] = _ok("incidents", "links", "--json").json
    return data


def test_links_across_three_campaigns_for_hq_each_campaign_its_own(
    pg_server: pgs.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handle in incidents of three campaigns, in two forces: HQ sees it join all three, with each campaign
    and force; a registration written two ways joins two campaigns; a campaign alone sees only its own links,
    and one that shares nothing sees none."""
    _admin, urls, hq = _campaigns(pg_server, tmp_path, "Bath", "Wells", "Leith")
    _record(tmp_path, urls["Bath"], monkeypatch, [
        minimal(people=[{"role": "suspect", "handle": "@Angry_Voter", "platform": "X", "contact": "07700 900123"}],
                vehicles=[{"description": "silver Ford Focus", "registration": "AB12 CDE"}]),
        minimal(occurred_at="2026-05-02T10:00",
                people=[{"role": "witness", "name": "Pat Lee", "contact": "+44 (0)7700 900-123"}]),
    ])  # fmt: skip
    _record(tmp_path, urls["Wells"], monkeypatch, [
        minimal(kind="harassment", description="the silver car ab12cde again",
                people=[{"role": "suspect", "handle": "https://twitter.com/angry_voter"}]),
    ])  # fmt: skip
    _record(tmp_path, urls["Leith"], monkeypatch, [
        minimal(kind="online-abuse", location={"text": "Online", "postcode": "EH1 1YZ"},
                people=[{"role": "suspect", "handle": "@ANGRY_VOTER", "platform": "x.com"}]),
    ])  # fmt: skip
    n = urls["Bath"].split("cs_bath_")[1].split("@")[0]

    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", hq)
    data = _links()
    assert data["incidents"] == 4
    by = {(x["kind"], x["value"]): x for x in data["links"]}
    handle = by[("handle", "x:@angry_voter")]
    assert [i["campaign"] for i in handle["incidents"]] == [f"Bath {n}", f"Wells {n}", f"Leith {n}"]
    assert {i["force_id"] for i in handle["incidents"]} == {"metropolitan", "police-scotland"}
    assert sorted(handle["seen_as"]) == sorted(["@Angry_Voter", "https://twitter.com/angry_voter", "@ANGRY_VOTER"])
    registration = by[("registration", "AB12CDE")]
    assert [i["campaign"] for i in registration["incidents"]] == [f"Bath {n}", f"Wells {n}"]
    assert data["links"][0] is not None and data["links"][0]["value"] == "x:@angry_voter"  # most incidents first
    text = " ".join(_ok("incidents", "links").stdout.split())
    assert f"Leith {n} campaign, Police Scotland" in text

    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", urls["Bath"])
    bath = _links()
    assert bath["incidents"] == 2
    assert [(x["kind"], x["value"]) for x in bath["links"]] == [("phone", "+447700900123")]
    assert all("campaign" in i and i["campaign"] == f"Bath {n}" for x in bath["links"] for i in x["incidents"])
    for name in ("Wells", "Leith"):
        monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", urls[name])
        assert _links() == {"schema_version": 1, "incidents": 1, "links": []}
        assert "No identifier appears in more than one incident (1 incident read)" in _ok("incidents", "links").stdout


def test_a_bundle_imports_into_a_campaign(
    pg_server: pgs.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A candidate working offline sends a bundle; HQ's campaign imports it into the server: the originals and
    their exhibit references kept, the evidence held in the database, check passes, and a second import adds
    nothing. HQ itself cannot import."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "candidate"))
    make_record(tmp_path / "js")
    bundle = tmp_path / "js.zip"
    _ok("export", "--all", "--bundle", str(bundle))
    originals = _ok("export", "--all", "--format", "json").json["incidents"]

    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "office"))
    admin, urls, hq = _campaigns(pg_server, tmp_path, "Frome")
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", hq)
    r = run("import", str(bundle))
    assert r.exit_code == 5 and "refused" in r.stderr
    with psycopg.connect(admin, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM blob_chunks").fetchone() == (0,)
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", urls["Frome"])
    _ok("profile", "--name", "Alex Brown", "--role", "agent")
    r = _ok("import", str(bundle), "--json")
    assert [m["id"] for m in r.json["imported"]] == [1, 2, 3]
    shown = [_ok("incidents", "show", str(i), "--json").json for i in (1, 2, 3)]
    assert [s["record_sha256"] for s in shown] == [o["record"]["record_sha256"] for o in originals]
    assert [e["exhibit_ref"] for s in shown for e in s["evidence"]] == ["JS/1", "JS/2", "JS/3"]
    with psycopg.connect(admin, autocommit=True) as conn:
        held = {r[0] for r in conn.execute("SELECT sha256 FROM blobs")}
    assert held == {hashlib.sha256(b).hexdigest() for b in (PHOTO, SHOT, LETTER)}
    assert _ok("check", "--json").json["passed"]
    again = _ok("import", str(bundle), "--json").json
    assert again["already_held"] == 3 and again["imported"] == []
    _ok("export", "--all", "--bundle", str(tmp_path / "office.zip"))
    assert _ok("verify", str(tmp_path / "office.zip"), "--json").json["passed"]


def test_each_reads_a_batch_as_get_reads_one(
    pg_server: pgs.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``incidents links`` reads in one query a batch is what ``get`` reads an incident at a time: in the
    order asked, exhibits and amendments in order; an id not in the store is NotFoundError."""
    from campaignsafe.errors import NotFoundError
    from campaignsafe.incidents.store import Store

    _admin, urls, _hq = _campaigns(pg_server, tmp_path, "Chew")
    (tmp_path / "a.jpg").write_bytes(b"a")
    (tmp_path / "b.jpg").write_bytes(b"b")
    _ok("profile", "--name", "Jo Smith")
    _record(tmp_path, urls["Chew"], monkeypatch, [minimal(evidence=[{"path": "a.jpg"}, {"path": "b.jpg"}]), minimal()])
    _ok("incidents", "edit", "1", "--description", "first change")
    _ok("incidents", "edit", "1", "--description", "second change")
    with Store.open() as store:
        ids = [i for i in reversed(store.ids())]
        assert [x.model_dump() for x in store.each(ids)] == [store.get(i).model_dump() for i in ids]
        first = next(x for x in store.each(ids) if len(x.amendments) == 2)
        assert [e.exhibit_ref for e in first.evidence] == [
            "JS/1",
            "JS/2",
        ] and first.current().description == "second change"
        with pytest.raises(NotFoundError):
            list(store.each([*ids, 10**9]))


def test_a_later_import_that_takes_the_place_away_gives_the_recorders_force_on_the_server(
    pg_server: pgs.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jo (Kent) amends an imported Bath incident to online with no postcode; the campaign's next import brings
    the amendment and, with it, Jo's force: the list, --force kent and show say Kent, as on SQLite."""
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "jo"))
    first, second = jo_takes_the_place_away(tmp_path)
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "office"))
    _admin, urls, _hq = _campaigns(pg_server, tmp_path, "Bath")
    monkeypatch.setenv("CAMPAIGNSAFE_DATABASE_URL", urls["Bath"])
    _ok("profile", "--name", "Alex Brown", "--initials", "AB", "--force", "sussex")
    _ok("import", str(first))
    listed = _ok("incidents", "list", "--force", "avon-and-somerset", "--json").json["incidents"]
    assert [i["id"] for i in listed] == [1]
    assert [u["id"] for u in _ok("import", str(second), "--json").json["updated"]] == [1]
    assert [i["id"] for i in _ok("incidents", "list", "--force", "kent", "--json").json["incidents"]] == [1]
    assert _ok("incidents", "list", "--force", "avon-and-somerset", "--json").json["incidents"] == []
    assert _ok("incidents", "show", "1", "--json").json["force"]["id"] == "kent"
    assert _ok("check", "--json").json["passed"]
    # more later forces than a query takes parameters (65,535 on PostgreSQL): the ids go as one JSON array
    from campaignsafe.incidents import provenance

    real = provenance.later_forces
    many = {10**6 + n: ("kent", "sussex")[n % 2] for n in range(70_000)}
    monkeypatch.setattr(provenance, "later_forces", lambda conn: {**many, **real(conn)})
    assert [i["id"] for i in _ok("incidents", "list", "--force", "kent", "--json").json["incidents"]] == [1]
    assert _ok("incidents", "list", "--force", "avon-and-somerset", "--json").json["incidents"] == []
