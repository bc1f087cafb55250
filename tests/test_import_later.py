"""Importing a bundle again after its maker amended an incident: the later amendments come in, once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.backup_helpers import jo_takes_the_place_away, ok, rezip, unsigned, use_home
from tests.conftest import run
from tests.export_helpers import EPOCH, make_record


@pytest.fixture
def two(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """JS's record (in ``home``) exported and imported into AB's (ids 2–4 there: AB has one of their own)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    make_record(tmp_path / "js")
    bundle = tmp_path / "js-1.zip"
    ok("export", "--all", "--bundle", str(bundle))
    agent = use_home(monkeypatch, tmp_path / "agent")
    ok("profile", "--name", "Alex Brown", "--initials", "AB")
    ok("report", "--kind", "harassment", "--when", "2026-04-20 17:00", "--place", "Elm Road",
       "--description", "Shouted at on a doorstep.", "--no-input")  # fmt: skip
    ok("import", str(bundle))
    use_home(monkeypatch, home)
    return home, agent


def _amendments(home: Path, iid: int) -> list[str]:
    conn = sqlite3.connect(home / "incidents.db")
    try:
        return [
            r[0] for r in conn.execute("SELECT amendment FROM amendments WHERE incident_id = ? ORDER BY number", (iid,))
        ]
    finally:
        conn.close()


def test_later_amendments_come_in_on_the_next_import(
    two: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _js, agent = two
    ok("incidents", "edit", "1", "--place", "High Street, by the bank", "--reason", "remembered")
    ok("incidents", "edit", "3", "--kind", "harassment", "--reason", "checked the letter")
    bundle = tmp_path / "js-2.zip"
    ok("export", "--all", "--bundle", str(bundle))
    use_home(monkeypatch, agent)
    before = {i: _amendments(agent, i) for i in (2, 3, 4)}
    r = ok("import", str(bundle), "--json")
    data = r.json
    assert data["imported"] == [] and data["already_held"] == 3
    assert sorted((u["id"], u["amendments"]) for u in data["updated"]) == [(2, 1), (4, 1)]
    after = {i: _amendments(agent, i) for i in (2, 3, 4)}
    assert after[2][: len(before[2])] == before[2] and len(after[2]) == len(before[2]) + 1
    assert after[3] == before[3] and len(after[4]) == len(before[4]) + 1
    assert json.loads(after[2][-1])["changes"][0]["field"] == "location"
    shown = " ".join(ok("incidents", "show", "2").stdout.split())
    assert f"Amendment {len(after[2])}" in shown and "by you" not in shown  # made by JS, shown as JS's
    assert ok("check").stdout.startswith("OK")
    assert ok("incidents", "show", "2", "--json").json["current"]["location"]["text"] == "High Street, by the bank"
    again = ok("import", str(bundle), "--json").json  # a third time: nothing more
    assert again["updated"] == [] and again["imported"] == [] and _amendments(agent, 2) == after[2]
    assert ok("check").stdout.startswith("OK")
    out = tmp_path / "ab.zip"
    ok("export", "--all", "--bundle", str(out))
    assert run("verify", str(out)).exit_code == 0


def test_an_incident_amended_here_since_is_left_as_it_is(
    two: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both sides amended it: nothing is merged into the importer's history, and the import says so."""
    _js, agent = two
    ok("incidents", "edit", "2", "--kind", "harassment", "--reason", "JS changed it")
    bundle = tmp_path / "js-2.zip"
    ok("export", "--all", "--bundle", str(bundle))
    use_home(monkeypatch, agent)
    ok("incidents", "edit", "3", "--kind", "hate", "--reason", "AB changed it")
    before = _amendments(agent, 3)
    r = ok("import", str(bundle))
    assert "not added because it was amended here since it was imported" in " ".join(r.stdout.split())
    assert _amendments(agent, 3) == before
    data = ok("import", str(bundle), "--json").json
    assert data["not_updated"] == [{"source_id": 2, "id": 3}] and data["updated"] == []
    assert ok("check").stdout.startswith("OK")


def test_misnumbered_later_amendments_are_refused(
    two: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundle whose amendments skip a number: exit 3, nothing written."""
    _js, agent = two
    ok("incidents", "edit", "1", "--place", "Elsewhere", "--reason", "x")
    bundle = tmp_path / "js-2.zip"
    ok("export", "--all", "--bundle", str(bundle))

    def renumber(m: dict[str, bytes]) -> None:
        doc = json.loads(m["incidents.json"])
        doc["incidents"][0]["record"]["amendments"][-1]["number"] = 7
        m["incidents.json"] = json.dumps(doc).encode()

    forged = rezip(bundle, tmp_path / "forged.zip", unsigned(renumber))
    use_home(monkeypatch, agent)
    before = _amendments(agent, 2)
    r = run("import", str(forged))
    assert r.exit_code == 3 and "not numbered 1, 2, 3" in r.stderr
    assert _amendments(agent, 2) == before


# -- sizes: incidents.json read one incident at a time, each capped; an encrypted file capped --------


def test_an_incident_over_the_cap_is_refused_and_nothing_written(
    two: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaignsafe.backup import jsonstream

    _js, agent = two
    bundle = tmp_path / "js-2.zip"
    ok("export", "--all", "--bundle", str(bundle))
    monkeypatch.setattr(jsonstream, "ITEM_MAX", 2000)  # far below one incident with its case
    use_home(monkeypatch, agent)
    before = _amendments(agent, 2)
    r = run("import", str(bundle))
    assert r.exit_code == 3 and "larger than" in r.stderr and len(r.stderr.strip().splitlines()) <= 2
    assert _amendments(agent, 2) == before


def test_incidents_before_the_export_facts_are_refused(
    two: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is read in order: incidents before the export's facts (no campaignsafe writes that) are refused."""
    _js, agent = two
    bundle = tmp_path / "js-2.zip"
    ok("export", "--all", "--bundle", str(bundle))

    def reorder(m: dict[str, bytes]) -> None:
        doc = json.loads(m["incidents.json"])
        m["incidents.json"] = json.dumps({"incidents": doc.pop("incidents"), **doc}).encode()

    forged = rezip(bundle, tmp_path / "forged.zip", unsigned(reorder))
    use_home(monkeypatch, agent)
    r = run("import", str(forged))
    assert r.exit_code == 3 and "is not a campaignsafe export" in r.stderr


KILL_IN_LATER = """
import os, signal, sys
from campaignsafe.backup import importing
real = importing._add_later
def killed(store, later):
    real(store, later)  # every later amendment written inside the open transaction, then the process dies
    os.kill(os.getpid(), signal.SIGKILL)
importing._add_later = killed
from campaignsafe.cli import main
sys.argv = ["campaignsafe", *sys.argv[1:]]
main()
"""


def test_an_import_of_later_amendments_killed_half_way_leaves_the_record_as_it_was(
    two: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL after the later amendments are written but before the import commits: none of them is kept,
    check passes, and the next import brings them."""
    _js, agent = two
    ok("incidents", "edit", "1", "--place", "High Street, by the bank", "--reason", "remembered")
    bundle = tmp_path / "js-2.zip"
    ok("export", "--all", "--bundle", str(bundle))
    use_home(monkeypatch, agent)
    before = _amendments(agent, 2)
    env = {**os.environ, "CAMPAIGNSAFE_HOME": str(agent)}
    p = subprocess.run([sys.executable, "-c", KILL_IN_LATER, "import", str(bundle)], env=env, capture_output=True)
    assert p.returncode == -signal.SIGKILL, p.stderr
    assert _amendments(agent, 2) == before
    assert ok("check").stdout.startswith("OK")
    data = ok("import", str(bundle), "--json").json
    assert [(u["id"], u["amendments"]) for u in data["updated"]] == [(2, 1)]
    assert ok("check").stdout.startswith("OK")


def test_an_amendment_that_takes_the_place_away_brings_the_recorders_force(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jo (Kent) records an incident in Bath; Alex imports it (Avon and Somerset, from its postcode). Jo then
    amends it to online, with no postcode: it falls to Jo's profile force. Brought in by the next import as
    "updated", it kept no force ("none in the recording person's profile", untrue) and --force kent missed it."""
    ok("profile", "--name", "Jo Smith", "--initials", "JS", "--force", "kent")
    ok("report", "--when", "2026-05-01 18:30", "--place", "Milsom Street", "--postcode", "BA1 1SU",
       "--kind", "harassment", "--description", "shouted at")  # fmt: skip
    first = tmp_path / "js-1.zip"
    ok("export", "--all", "--bundle", str(first))
    agent = use_home(monkeypatch, tmp_path / "agent")
    ok("profile", "--name", "Alex Brown", "--initials", "AB", "--force", "sussex")
    ok("import", str(first))
    assert ok("incidents", "show", "1", "--json").json["force"]["id"] == "avon-and-somerset"
    use_home(monkeypatch, home)
    ok("incidents", "edit", "1", "--place", "online", "--postcode", "", "--reason", "it was a video call")
    second = tmp_path / "js-2.zip"
    ok("export", "--all", "--bundle", str(second))
    use_home(monkeypatch, agent)
    assert [u["id"] for u in ok("import", str(second), "--json").json["updated"]] == [1]
    assert ok("incidents", "show", "1", "--json").json["force"]["id"] == "kent"
    assert "Kent Police (from the reporting person's profile" in " ".join(ok("incidents", "show", "1").stdout.split())
    listed = ok("incidents", "list", "--json").json["incidents"][0]
    assert (listed["force_id"], listed["force_source"]) == ("kent", "profile")
    assert [i["id"] for i in ok("incidents", "list", "--force", "kent", "--json").json["incidents"]] == [1]
    assert ok("incidents", "list", "--force", "avon-and-somerset", "--json").json["incidents"] == []
    assert ok("incidents", "list", "--force", "sussex", "--json").json["incidents"] == []
    case = ok("export", "--all", "--format", "json").json["incidents"][0]
    assert (case["locations"][0]["force_id"], case["force_source"]) == ("kent", "profile")
    assert ok("check").stdout.startswith("OK")


def test_an_incident_imported_with_no_force_of_its_recorder_is_not_said_to_have_none(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jo's profile names no force: an imported online incident of Jo's is "not known", never "none in the
    recording person's profile" (what shows too for one imported before the force came with imports)."""
    ok("profile", "--name", "Jo Smith", "--initials", "JS")
    ok("report", "--when", "2026-05-01 18:30", "--place", "online", "--kind", "online-abuse", "--description", "d")
    bundle = tmp_path / "js.zip"
    ok("export", "--all", "--bundle", str(bundle))
    use_home(monkeypatch, tmp_path / "agent")
    ok("profile", "--name", "Alex Brown", "--initials", "AB", "--force", "sussex")
    ok("import", str(bundle))
    shown = " ".join(ok("incidents", "show", "1").stdout.split())
    assert "Force not known (no postcode or force given, and no force in the recording person's profile came" in shown
    assert ok("incidents", "show", "1", "--json").json["force"] is None


def test_a_later_amendment_by_the_recorder_of_an_online_incident_still_exports(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An online incident of Jo's (Kent, from Jo's profile), imported, then amended by Jo and imported again: the
    export failed with an internal error (the amendment's maker carried the force kept beside Jo)."""
    ok("profile", "--name", "Jo Smith", "--initials", "JS", "--force", "kent")
    ok("report", "--when", "2026-05-01 18:30", "--place", "online", "--kind", "online-abuse", "--description", "d")
    first, second = tmp_path / "js-1.zip", tmp_path / "js-2.zip"
    ok("export", "--all", "--bundle", str(first))
    ok("incidents", "edit", "1", "--kind", "threatening-communications", "--reason", "re-read the message")
    ok("export", "--all", "--bundle", str(second))
    use_home(monkeypatch, tmp_path / "agent")
    ok("profile", "--name", "Alex Brown", "--initials", "AB", "--force", "sussex")
    ok("import", str(first))
    assert [u["id"] for u in ok("import", str(second), "--json").json["updated"]] == [1]
    case = ok("export", "--all", "--format", "json").json["incidents"][0]
    assert case["provenance"]["amendments_by"][0]["initials"] == "JS" and case["locations"][0]["force_id"] == "kent"
    assert "force_id" not in case["provenance"]["amendments_by"][0]
    ok("export", "--all", "--bundle", str(tmp_path / "ab.zip"))
    assert ok("verify", str(tmp_path / "ab.zip")).exit_code == 0


def test_list_by_force_stands_up_to_more_later_forces_than_a_query_takes_parameters(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A safety team's record holds tens of thousands of incidents whose force a later import brought. ``--force``
    passed each one's id as its own SQL parameter, and past SQLite's limit (32,766 by default; Debian builds it with
    250,000) ``list --force`` and ``export --force`` failed. 300,000 such ids (all but one not in this record)
    still list and export the one that falls to the force, and only it."""
    from campaignsafe.incidents import provenance

    first, second = jo_takes_the_place_away(tmp_path)
    use_home(monkeypatch, tmp_path / "agent")
    ok("profile", "--name", "Alex Brown", "--initials", "AB", "--force", "sussex")
    ok("import", str(first))
    ok("import", str(second))
    real = provenance.later_forces
    many = {10**6 + n: ("kent", "sussex")[n % 2] for n in range(300_000)}
    monkeypatch.setattr(provenance, "later_forces", lambda conn: {**many, **real(conn)})
    assert [i["id"] for i in ok("incidents", "list", "--force", "kent", "--json").json["incidents"]] == [1]
    assert ok("incidents", "list", "--force", "avon-and-somerset", "--json").json["incidents"] == []
    assert "No incidents match these filters (1 recorded)" in ok("incidents", "list", "--force", "sussex").stdout
    exported = ok("export", "--force", "kent", "--format", "json").json["incidents"]
    assert [c["record"]["id"] for c in exported] == [1]


def test_a_backup_of_a_store_keeps_the_force_a_later_import_brought(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alex's record holds Jo's incident whose force (Kent, Jo's profile) came with a later import. Imported from
    Alex's backup into a third record it fell back to the first import's force (the postcode's): it is Kent's."""
    first, second = jo_takes_the_place_away(tmp_path)
    use_home(monkeypatch, tmp_path / "agent")
    ok("profile", "--name", "Alex Brown", "--initials", "AB", "--force", "sussex")
    ok("import", str(first))
    ok("import", str(second))
    ok("backup", str(tmp_path / "ab.zip"))
    use_home(monkeypatch, tmp_path / "hq")
    ok("profile", "--name", "Sam Hill", "--initials", "SH", "--force", "metropolitan")
    ok("import", str(tmp_path / "ab.zip"))
    assert ok("incidents", "show", "1", "--json").json["force"]["id"] == "kent"
    assert [i["id"] for i in ok("incidents", "list", "--force", "kent", "--json").json["incidents"]] == [1]
    assert ok("check").stdout.startswith("OK")


def test_a_recorder_who_clears_their_force_clears_it_in_the_next_import(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jo's online incident came in as Kent's (Jo's profile); Jo then cleared the profile force and amended it.
    The next import kept Kent (nothing cleared it), where a fresh import of the same bundle shows none."""
    ok("profile", "--name", "Jo Smith", "--initials", "JS", "--force", "kent")
    ok("report", "--when", "2026-05-01 18:30", "--place", "online", "--kind", "online-abuse", "--description", "d")
    ok("export", "--all", "--bundle", str(tmp_path / "js-1.zip"))
    ok("profile", "--force", "")
    ok("incidents", "edit", "1", "--kind", "threatening-communications", "--reason", "re-read it")
    ok("export", "--all", "--bundle", str(tmp_path / "js-2.zip"))
    use_home(monkeypatch, tmp_path / "agent")
    ok("profile", "--name", "Alex Brown", "--initials", "AB", "--force", "sussex")
    ok("import", str(tmp_path / "js-1.zip"))
    assert ok("incidents", "show", "1", "--json").json["force"]["id"] == "kent"
    ok("import", str(tmp_path / "js-2.zip"))
    assert ok("incidents", "show", "1", "--json").json["force"] is None
    assert ok("incidents", "list", "--force", "kent", "--json").json["incidents"] == []
    assert ok("incidents", "list", "--json").json["incidents"][0]["force_id"] is None
    assert ok("export", "--all", "--format", "json").json["incidents"][0]["locations"][0]["force_id"] is None
    assert ok("check").stdout.startswith("OK")
