"""import through the CLI: a candidate's bundle merged into the agent's record, round trips, bad bundles."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.backup_helpers import full_record, ok, rezip, snapshot, unsigned, use_home
from tests.conftest import run
from tests.export_helpers import EPOCH, PHOTO, make_record, members, unpack
from tests.incident_helpers import write_json
from tests.screen_helpers import flat


def _records(home: Path) -> dict[str, tuple[str, str, str]]:
    """record_sha256 → (record text, created_at, first exhibit ref) of every incident in a store."""
    conn = sqlite3.connect(home / "incidents.db")
    try:
        return {
            sha: (text, created, ref or "")
            for text, sha, created, ref in conn.execute(
                "SELECT record, record_sha256, created_at,"
                " (SELECT min(exhibit_ref) FROM evidence e WHERE e.incident_id = i.id) FROM incidents i"
            )
        }
    finally:
        conn.close()


def _agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The agent's own record (initials AB): one doorstep incident with a photo (the same photo JS holds)."""
    home = use_home(monkeypatch, tmp_path / "agent")
    ok("profile", "--name", "Alex Brown", "--role", "agent")
    files = tmp_path / "agent-files"
    files.mkdir()
    (files / "same-photo.jpg").write_bytes(PHOTO)
    (files / "door.txt").write_text("notes from the doorstep\n")
    data = {
        "occurred_at": "2026-04-20T17:00",
        "kind": "harassment",
        "description": "A volunteer was shouted at on a doorstep.",
        "location": {"text": "Elm Road", "postcode": "SW1A 1AA"},
        "evidence": [{"path": "door.txt"}, {"path": "same-photo.jpg"}],
    }
    ok("report", "--from-file", str(write_json(files, data)))
    return home


@pytest.fixture
def candidate(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The candidate's (JS) record exported as a bundle."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    make_record(tmp_path / "js")
    bundle = tmp_path / "js-bundle.zip"
    ok("export", "--all", "--bundle", str(bundle))
    return bundle


def test_the_agent_merges_the_candidates_bundle_once(
    candidate: Path, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JS's bundle imported twice into AB's record: both sets once, records and refs unchanged, check passes,
    and AB's new bundle verifies with verify and sha256sum -c."""
    js = _records(home)
    agent = _agent(tmp_path, monkeypatch)
    r = ok("import", str(candidate))
    said = flat(r.stdout)
    assert "recorded by JS (Jo Smith)" in said and "their incident 1 -> your incident 2" in said
    assert "signed by key SHA256:" in said
    assert "1 already held" in said  # the photo AB holds too is not copied twice
    again = ok("import", str(candidate), "--json").json
    assert again["imported"] == [] and again["already_held"] == 3
    said = flat(ok("import", str(candidate)).stdout)  # not "0 evidence files copied, 0 already held"
    assert "Imported 0 incidents; 3 already in your record, no evidence files to copy." in said
    mine = _records(agent)
    assert len(mine) == 4
    for sha, (text, _created, ref) in js.items():  # the original record and its hash, byte for byte
        assert mine[sha][0] == text and mine[sha][2] == ref
    refs = {ref.split("/")[0] for _t, _c, ref in mine.values() if ref}
    assert refs == {"JS", "AB"}
    assert ok("check").stdout.startswith("OK")
    listed = ok("incidents", "list", "--json").json["incidents"]
    assert sorted(str(i["recorded_by"]) for i in listed) == ["JS", "JS", "JS", "None"]
    table = ok("incidents", "list").stdout
    assert "By" in table and "JS" in table and "you" in table
    audit = [a for a in ok("incidents", "show", "2", "--json").json["audit"]]
    assert audit == []  # the import is one log entry for the whole bundle, not per incident
    conn = sqlite3.connect(agent / "incidents.db")
    (detail,) = [json.loads(d) for (d,) in conn.execute("SELECT detail FROM audit WHERE action = 'imported'")]
    conn.close()
    manifest = members(candidate)["MANIFEST.sha256"]
    import hashlib

    assert detail["manifest_sha256"] == hashlib.sha256(manifest).hexdigest() and detail["producer"] == "JS"
    assert detail["signer"].startswith("SHA256:") and detail["signer"] in r.stdout

    out = tmp_path / "agent-bundle.zip"
    ok("export", "--all", "--bundle", str(out))
    assert ok("verify", str(out)).stdout.startswith("OK: all ")  # (a key fingerprint may hold "OK" too)
    refs_in = {n.split("/")[1].split("_")[0] for n in members(out) if n.startswith("evidence/")}
    assert {"JS-1", "JS-2", "JS-3", "AB-1", "AB-2"} <= refs_in
    if shutil.which("sha256sum"):
        folder = unpack(out, tmp_path / "agent-unpacked")
        check = subprocess.run(["sha256sum", "-c", "MANIFEST.sha256"], cwd=folder, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
    doc = json.loads(members(out)["incidents.json"])
    cover = members(out)["report.md"].decode()
    assert "Recorded by" in cover and "Jo Smith" in cover and "Alex Brown" in cover
    by = {c["id"]: (c["provenance"] or {}).get("recorded_by", {}).get("initials") for c in doc["incidents"]}
    assert sorted(str(v) for v in by.values()) == ["JS", "JS", "JS", "None"]

    # the cover never calls the merged record all "my own", nor JS's exhibits AB's
    text = " ".join(cover.split())
    assert "This is my own record" not in text and "incidents other people recorded and I imported" in text
    assert "AB/1, AB/2, … (my initials and a number); an imported incident keeps the references" in text
    theirs = members(_export(tmp_path / "theirs.zip", "2", "3"))["report.html"].decode()
    assert "These incidents were recorded by other people and imported into my record" in theirs
    assert "my own record" not in theirs and "AB/1" not in theirs
    mine = members(_export(tmp_path / "mine.zip", "1"))["report.md"].decode()
    assert "This is my own record" in " ".join(mine.split()) and "keeps the references" not in mine


def _export(out: Path, *ids: str) -> Path:
    ok("export", *ids, "--bundle", str(out))
    return out


def _incidents_of(bundle: Path) -> list[dict[str, Any]]:
    """What a bundle says of its incidents, without export metadata or local ids."""
    data = members(bundle)
    doc = json.loads(data["incidents.json"])
    out = []
    for case in doc["incidents"]:
        rec = dict(case["record"])
        rec.pop("id")
        files = {f["sha256"]: data[f["bundle_path"]] for ex in case["objects"]["evidence"] for f in ex["files"]}
        out.append({"record": rec, "evidence_bytes": files})
    return sorted(out, key=lambda c: c["record"]["record_sha256"])


def test_bundle_import_export_round_trip(candidate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """export --bundle → import into an empty store → export --bundle gives the same incidents:
    records, amendments, exhibits with their refs and hashes, and the same evidence bytes."""
    use_home(monkeypatch, tmp_path / "empty")
    ok("import", str(candidate))
    again = tmp_path / "again.zip"
    ok("export", "--all", "--bundle", str(again))
    assert _incidents_of(again) == _incidents_of(candidate)
    assert ok("check").stdout.startswith("OK")
    # and once more, through a third store: still the first recorder, still the same incidents
    use_home(monkeypatch, tmp_path / "third")
    ok("import", str(again))
    third = tmp_path / "third.zip"
    ok("export", "--all", "--bundle", str(third))
    assert _incidents_of(third) == _incidents_of(candidate)
    listed = ok("incidents", "list", "--json").json["incidents"]
    assert {i["recorded_by"] for i in listed} == {"JS"}


def test_the_importer_amends_an_imported_incident(
    candidate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An amendment by the importer is shown as theirs; the imported original and JS's amendment stay as they were."""
    _agent(tmp_path, monkeypatch)
    ok("import", str(candidate))
    before = ok("incidents", "show", "2", "--json").json
    ok("incidents", "edit", "2", "--place", "High Street, outside the library", "--reason", "JS told me")
    after = ok("incidents", "show", "2", "--json").json
    assert after["record_sha256"] == before["record_sha256"] and after["description"] == before["description"]
    shown = " ".join(ok("incidents", "show", "2").stdout.split())
    assert "Recorded by JS (Jo Smith)" in shown
    assert "Amendment 1" in shown and "by JS (Jo Smith)" in shown and "Amendment 2" in shown and "by you" in shown
    assert ok("check").stdout.startswith("OK")
    md = ok("export", "2", "--format", "md").stdout
    assert "by Jo Smith" in md and "by Alex Brown" in md
    # the statement is Jo's: that Alex's amendment is in it is said where it starts, not only at its end
    said = " ".join(md.split("### 1. Who I am")[1].split("### 2.")[0].split())
    assert "It has since been amended by Alex Brown, agent (amendment 2)" in said and "candidate (amend" not in said


def test_a_backup_can_be_imported_too(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A colleague's backup imports like a bundle (their deleted incident stays deleted), and after it the
    same person's bundle adds nothing."""
    full_record(tmp_path / "js")
    backup = tmp_path / "js.backup"
    bundle = tmp_path / "js.zip"
    ok("backup", str(backup))
    ok("export", "--all", "--bundle", str(bundle))
    _agent(tmp_path, monkeypatch)
    r = ok("import", str(backup), "--json").json
    assert r["kind"] == "backup" and len(r["imported"]) == 3 and r["recorded_by"]["initials"] == "JS"
    assert ok("import", str(bundle), "--json").json["imported"] == []
    assert ok("check").stdout.startswith("OK")


def test_an_encrypted_backup_imports_with_its_passphrase(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An encrypted backup imports with --passphrase-file; without one, and with no terminal, nothing is written."""
    full_record(tmp_path / "js")
    sealed = tmp_path / "js.age"
    secret = tmp_path / "pass.txt"
    secret.write_text("our shared passphrase\n")
    ok("backup", str(sealed), "--encrypt", "--passphrase-file", str(secret))
    agent = _agent(tmp_path, monkeypatch)
    before = snapshot(agent)
    r = run("import", str(sealed))
    assert r.exit_code == 3 and "--passphrase-file" in r.stderr and snapshot(agent) == before
    assert len(ok("import", str(sealed), "--passphrase-file", str(secret), "--json").json["imported"]) == 3
    assert ok("check").stdout.startswith("OK")


def test_an_imported_incident_can_be_deleted(candidate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deleting an imported incident leaves a tombstone like any other, and the record still checks out."""
    _agent(tmp_path, monkeypatch)
    ok("import", str(candidate))
    ok("incidents", "delete", "2", "--yes")
    assert ok("check").stdout.startswith("OK")


# -- bad bundles: one line, non-zero, nothing written ---------------------------------------------


def _doc(members_: dict[str, bytes]) -> dict[str, Any]:
    return dict(json.loads(members_["incidents.json"]))


def _record_changed(m: dict[str, bytes]) -> None:
    doc = _doc(m)
    doc["incidents"][0]["record"]["description"] = "words the candidate never wrote"
    m["incidents.json"] = json.dumps(doc).encode()


def _exhibit_swapped(m: dict[str, bytes]) -> None:
    name = next(n for n in m if n.startswith("evidence/"))
    m[name] = b"another file altogether"


def _newer(m: dict[str, bytes]) -> None:
    doc = _doc(m)
    doc["export"]["tool"]["record_schema_version"] = 99
    m["incidents.json"] = json.dumps(doc).encode()


def _not_json(m: dict[str, bytes]) -> None:
    m["incidents.json"] = b"{not json"


@pytest.mark.parametrize(
    ("change", "rehash", "code", "message"),
    [
        (_record_changed, False, 6, "failed verification"),
        (_record_changed, True, 6, "its signature does not check out"),
        (unsigned(_record_changed), True, 6, "does not match its record_sha256"),
        (unsigned(_exhibit_swapped), True, 6, "is not the file the manifest lists"),
        (unsigned(_newer), True, 3, "newer campaignsafe"),
        (unsigned(_not_json), True, 3, "not valid JSON"),
    ],
)
def test_bad_bundles_are_refused(
    change: Any, rehash: bool, code: int, message: str, candidate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundle that fails verification or whose JSON disagrees with its manifest imports nothing."""
    bad = rezip(candidate, tmp_path / "bad.zip", change, rehash=rehash)
    home = _agent(tmp_path, monkeypatch)
    before = snapshot(home)
    r = run("import", str(bad))
    assert r.exit_code == code, r.stderr
    first = r.stderr.splitlines()[0]
    assert first.startswith("campaignsafe: error:") and message in first
    assert "never wrote" not in r.stderr and "Traceback" not in r.stderr
    assert snapshot(home) == before


def test_shared_initials_are_refused(candidate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two people with the same initials cannot merge silently: the clash of JS/1 is named, nothing written."""
    home = use_home(monkeypatch, tmp_path / "other-js")
    ok("profile", "--name", "Jamie Scott")
    (tmp_path / "x.txt").write_text("x")
    ok("report", "--when", "2026-05-09 10:00", "--kind", "threats", "--description", "mine", "--place", "Here",
       "--evidence", str(tmp_path / "x.txt"))  # fmt: skip
    before = snapshot(home)
    r = run("import", str(candidate))
    assert r.exit_code == 3 and "JS/1 is already used" in r.stderr
    assert snapshot(home) == before


def test_a_zip_that_is_not_a_bundle_is_refused(tmp_path: Path) -> None:
    """A verified zip that is neither a backup nor a bundle is refused."""
    odd = tmp_path / "odd.zip"
    with zipfile.ZipFile(odd, "w") as zf:
        zf.writestr("a.txt", "a")
        zf.writestr("MANIFEST.sha256", "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb  a.txt\n")
    r = run("import", str(odd))
    assert r.exit_code == 3 and "neither a campaignsafe backup nor a bundle" in r.stderr


@pytest.mark.parametrize("columns", [60, 80, 100])
def test_the_list_with_a_by_column_fits_the_terminal(
    columns: int, candidate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an import the list gains a "By" column and still fits COLUMNS."""
    _agent(tmp_path, monkeypatch)
    ok("import", str(candidate))
    ok("profile", "--constituency", "Bath")  # an online incident falls to Avon and Somerset Constabulary
    ok("report", "--when", "2026-05-02 10:00", "--place", "online", "--kind", "threatening-communications",
       "--description", "x", "--reported-to", "101; reference=CAD 1234; reported_at=2026-05-02 11:00")  # fmt: skip
    monkeypatch.setenv("COLUMNS", str(columns))
    table = ok("incidents", "list").stdout
    assert "Somerset" in table and "JS" in table and "you" in table  # the force as the table names it
    assert max(len(line) for line in table.splitlines()) <= columns


def test_an_imported_incident_never_takes_the_importers_force(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An online incident (no place-based force) recorded by a Kent candidate, imported by an agent whose profile
    says Sussex: nowhere is it said to be Sussex's "from your profile" (list, table, show, links, export,
    `--force sussex`); it is Kent's, from the profile of the person who recorded it; the agent's own online
    incident is still Sussex's."""
    ok("profile", "--name", "Jo Smith", "--initials", "JS", "--force", "kent")
    args = ("--when", "2026-05-01 18:30", "--place", "online", "--kind", "online-abuse", "--platform", "X")
    ok("report", *args, "--description", "posts", "--suspect", "an account; handle=@troll")
    bundle = tmp_path / "js.zip"
    ok("export", "--all", "--bundle", str(bundle))
    use_home(monkeypatch, tmp_path / "agent")
    ok("profile", "--name", "Alex Brown", "--initials", "AB", "--force", "sussex")
    ok("import", str(bundle))
    ok("report", *args, "--description", "more posts", "--suspect", "the same account; handle=@troll")
    listed = {i["id"]: i for i in ok("incidents", "list", "--json").json["incidents"]}
    assert (listed[1]["force_id"], listed[1]["force_source"]) == ("kent", "profile")
    assert (listed[2]["force_id"], listed[2]["force_source"]) == ("sussex", "profile")
    table = ok("incidents", "list").stdout.splitlines()
    mine, theirs = (next(line for line in table if line.lstrip().startswith(n)) for n in ("2 ", "1 "))
    assert "Sussex*" in mine and "Sussex" not in theirs and "Kent*" in theirs
    assert ok("incidents", "show", "1", "--json").json["force"]["id"] == "kent"
    assert "Kent Police (from the reporting person's profile" in flat(ok("incidents", "show", "1").stdout)
    assert [i["id"] for i in ok("incidents", "list", "--force", "sussex", "--json").json["incidents"]] == [2]
    assert [i["id"] for i in ok("incidents", "list", "--force", "kent", "--json").json["incidents"]] == [1]
    doc = ok("export", "--all", "--format", "json").json
    by_id = {c["id"]: c for c in doc["incidents"]}
    assert (by_id[1]["locations"][0]["force_id"], by_id[1]["force_source"]) == ("kent", "profile")
    assert (by_id[2]["locations"][0]["force_id"], by_id[2]["force_source"]) == ("sussex", "profile")
    linked = flat(ok("incidents", "links").stdout)
    assert "incident 1" in linked and linked.count("Sussex Police (from the reporting person's profile)") == 1
    assert linked.count("Kent Police (from the reporting person's profile)") == 1 and "Sussex Police" in linked


def _record_rehashed(m: dict[str, bytes], edit: Any) -> None:
    """``edit`` the first incident's record, then give it the record_sha256 that matches (a consistent forgery)."""
    from campaignsafe.backup.sources import NOT_ORIGINAL
    from campaignsafe.incidents.audit import canonical_json, sha256_text

    doc = _doc(m)
    rec = doc["incidents"][0]["record"]
    edit(rec)
    rec["record_sha256"] = sha256_text(canonical_json({k: v for k, v in rec.items() if k not in NOT_ORIGINAL}))
    m["incidents.json"] = json.dumps(doc).encode()


def _escape_in_description(m: dict[str, bytes]) -> None:
    _record_rehashed(m, lambda rec: rec.update(description="bad\x1b[31m text\u202e"))


def _escape_in_producer(m: dict[str, bytes]) -> None:
    doc = _doc(m)
    doc["export"]["producer"]["name"] = "Evil\x1b[2J"
    m["incidents.json"] = json.dumps(doc).encode()


def _huge_exhibit_number(m: dict[str, bytes]) -> None:
    doc = _doc(m)
    doc["incidents"][0]["record"]["evidence"][0]["exhibit_ref"] = "AB/9223372036854775807"
    m["incidents.json"] = json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_escape_in_description, "holds control characters or bidirectional overrides"),
        (_escape_in_producer, "the name of the person who made it contains control characters"),
        (_huge_exhibit_number, "has a reference campaignsafe never gives"),
    ],
)
def test_records_campaignsafe_never_writes_are_refused(
    change: Any, message: str, candidate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A consistent forgery (hashes made to match) with an ESC or a bidi override in its text, which would reach
    the police reports raw, or an exhibit number that would take over the importer's numbering (AB/…, past
    SQLite's integers: every later exhibit failed): refused, nothing written, and the importer can still record."""
    bad = rezip(candidate, tmp_path / "bad.zip", unsigned(change))
    home = _agent(tmp_path, monkeypatch)
    before = snapshot(home)
    r = run("import", str(bad))
    assert r.exit_code == 3, r.stderr
    assert message in " ".join(r.stderr.split()) and "\x1b" not in r.stderr and "Traceback" not in r.stderr
    assert snapshot(home) == before
    (tmp_path / "new.txt").write_text("new")
    ok("report", "--when", "2026-05-09 10:00", "--kind", "threats", "--description", "d", "--place", "Here",
       "--evidence", str(tmp_path / "new.txt"))  # fmt: skip


def test_no_room_for_the_scratch_database_is_a_full_disk_not_an_internal_error(
    candidate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a full disk, the import's scratch database could not be made: internal error (OperationalError)."""
    import sqlite3 as sqlite

    from campaignsafe.exports import spool

    home = _agent(tmp_path, monkeypatch)
    before = snapshot(home)

    def full(self: object, folder: Path) -> None:
        raise sqlite.OperationalError("database or disk is full")

    monkeypatch.setattr(spool.Spool, "__init__", full)
    r = run("import", str(candidate))
    assert r.exit_code == 5, r.stderr
    assert "the disk is full" in r.stderr and "internal error" not in r.stderr
    assert snapshot(home) == before and not list(home.glob(".export-*"))


@pytest.mark.parametrize("via", ["backup", "bundle"])
def test_an_imported_incident_keeps_the_force_of_its_recorders_profile(
    via: str, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Morag (Police Scotland) records an online incident (no place-based force: it falls to her profile's
    force). Imported into Ann's record (Avon and Somerset), it said "Force not known", left the list's force
    column empty and was missing from --force police-scotland and the export's forces. It keeps Morag's."""
    use_home(monkeypatch, tmp_path / "morag")
    ok("profile", "--name", "Morag Mackay", "--force", "police-scotland")
    online = {"occurred_at": "2026-04-02T20:00", "kind": "online-abuse", "description": "a post",
              "location": {"text": "online"}}  # fmt: skip
    ok("report", "--from-file", str(write_json(tmp_path, online)))
    assert ok("incidents", "list", "--json").json["incidents"][0]["force_id"] == "police-scotland"
    out = tmp_path / f"morag.{via}.zip"
    ok(*(("backup", str(out)) if via == "backup" else ("export", "--all", "--bundle", str(out))))
    use_home(monkeypatch, tmp_path / "ann")
    ok("profile", "--name", "Ann Lee", "--force", "avon-and-somerset")
    ok("report", "--from-file", str(write_json(tmp_path, {**online, "description": "another post"})))  # Ann's own
    ok("import", str(out))
    listed = {i["id"]: i for i in ok("incidents", "list", "--json").json["incidents"]}
    assert (listed[2]["force_id"], listed[2]["force_source"]) == ("police-scotland", "profile")
    assert listed[1]["force_id"] == "avon-and-somerset"
    shown = " ".join(ok("incidents", "show", "2").stdout.split())
    assert "Police Scotland (from the reporting person's profile" in shown
    assert ok("incidents", "show", "2", "--json").json["force"]["id"] == "police-scotland"
    assert [i["id"] for i in ok("incidents", "list", "--force", "police-scotland", "--json").json["incidents"]] == [2]
    assert [i["id"] for i in ok("incidents", "list", "--force", "avon-and-somerset", "--json").json["incidents"]] == [1]
    table = ok("incidents", "list").stdout.splitlines()
    assert table[3].split()[:2] == ["2", "MM"] and table[3].split()[-3] == "Police" and table[4].strip() == "Scotland*"
    doc = json.loads(ok("export", "--all", "--format", "json").stdout)
    assert sorted((f["id"], f["incidents"]) for f in doc["export"]["forces"]) == [
        ("avon-and-somerset", 1), ("police-scotland", 1)
    ]  # fmt: skip
    assert "force_id" not in doc["incidents"][1]["provenance"]["recorded_by"]  # the producer as the schema has it


def test_an_import_names_the_file_browser_files_it_left_out(
    candidate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """verify names them; import said only "Verified …", so what it had not taken was not said."""
    with zipfile.ZipFile(candidate, "a") as zf:
        zf.writestr("__MACOSX/._report.html", b"\x00\x05\x16\x07\x00\x02\x00\x00")
    use_home(monkeypatch, tmp_path / "empty")
    r = ok("import", str(candidate))
    assert "Left out, not part of it (files a file browser writes, not imported): __MACOSX/._report.html" in flat(
        r.stdout
    )
    use_home(monkeypatch, tmp_path / "again")
    assert ok("import", str(candidate), "--json").json["ignored"] == ["__MACOSX/._report.html"]
