"""Every fact in the police report is one the user gave, or one the tool derived and says so (issue 11).

Each test reproduces a wrong fact a user found, through the CLI, and checks every view that showed it.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from tests.conftest import run
from tests.incident_helpers import flat, prompts, report_json

BASE = ["--when", "2026-05-01 18:30", "--place", "High Street", "--postcode", "SW1A 1AA", "--kind", "threats"]


def _csv(*args: str) -> list[dict[str, str]]:
    r = run("export", *args, "--format", "csv")
    assert r.exit_code == 0, r.stderr
    return list(csv.DictReader(io.StringIO(r.stdout)))


def _md(*args: str) -> str:
    r = run("export", *args, "--format", "md")
    assert r.exit_code == 0, r.stderr
    return flat(r.stdout)


def test_update_without_when_states_no_report_time() -> None:
    """The README's `incidents update 3 --reported-to 101 --police-ref …` does not claim it was reported 'now'."""
    iid = str(report_json(*BASE, "--description", "d")["id"])
    r = run("incidents", "update", iid, "--reported-to", "101", "--police-ref", "CAD 1234 01/05")
    assert r.exit_code == 0, r.stderr
    md = _md(iid)
    assert "101, reference CAD 1234 01/05; when it was reported was not given (recorded here" in md
    assert "CAD 1234 01/05, on " not in md
    doc = run("export", iid, "--format", "json").json
    made = doc["incidents"][0]["reports"][0]
    assert made["reported_at"] is None and made["recorded_at"]


def test_update_with_when_states_the_time_given() -> None:
    """With --when the report says exactly that time, in the report and the JSON."""
    iid = str(report_json(*BASE, "--description", "d")["id"])
    r = run("incidents", "update", iid, "--reported-to", "101", "--police-ref", "CAD 9", "--when", "2026-05-01 19:05")
    assert r.exit_code == 0, r.stderr
    assert "101, reference CAD 9, on Fri 1 May 2026 19:05" in _md(iid)
    made = run("export", iid, "--format", "json").json["incidents"][0]["reports"][0]
    assert made["reported_at"].startswith("2026-05-01T1")  # 19:05 BST, as UTC or local


def test_registration_in_the_description_appears_once() -> None:
    """`--vehicle "silver Ford Focus AB12 CDE"` reads once in the report, the CSV and `incidents show`."""
    iid = str(report_json(*BASE, "--description", "d", "--vehicle", "silver Ford Focus AB12 CDE")["id"])
    md = _md(iid)
    assert md.count("AB12 CDE") == 1 and "silver Ford Focus AB12 CDE" in md
    [row] = _csv(iid)
    assert row["vehicles"] == "silver Ford Focus AB12 CDE"
    assert run("incidents", "show", iid).stdout.count("AB12 CDE") == 1
    # a registration given apart from the description is still shown
    iid2 = str(report_json(*BASE, "--description", "d", "--vehicle", "silver Ford Focus; registration=XY99 ZZZ")["id"])
    assert "silver Ford Focus, registration XY99 ZZZ" in _md(iid2)


def test_online_incident_has_one_force_everywhere() -> None:
    """An online incident with no place falls to the profile's force: the same in every view, and labelled."""
    assert run("profile", "--name", "Jo Smith", "--force", "kent").exit_code == 0
    iid = str(report_json("--when", "2026-05-01 18:30", "--place", "online", "--kind", "online-abuse",
                          "--platform", "X", "--description", "a post")["id"])  # fmt: skip
    listed = run("incidents", "list", "--json").json["incidents"][0]
    assert (listed["force_id"], listed["force_source"]) == ("kent", "profile")
    assert "Kent*" in run("incidents", "list").stdout  # the table names it as its Force column can
    assert [i["id"] for i in run("incidents", "list", "--force", "kent", "--json").json["incidents"]] == [int(iid)]
    shown = run("incidents", "show", iid, "--json").json
    assert shown["force"] == {"id": "kent", "name": "Kent Police", "source": "profile"}
    assert "Kent Police (from the reporting person's profile" in flat(run("incidents", "show", iid).stdout)
    md = _md("--force", "kent")  # the export filter finds it too
    assert "Police force: Kent Police (from the reporting person's profile" in md.replace("| ", "")
    assert "none for this place" not in md
    [row] = _csv(iid)
    assert (row["force_id"], row["force_name"], row["force_source"]) == ("kent", "Kent Police", "profile")
    case = run("export", iid, "--format", "json").json["incidents"][0]
    assert case["locations"][0]["force_id"] == "kent" and case["force_source"] == "profile"


def test_a_postcode_force_is_labelled_as_such() -> None:
    iid = str(report_json(*BASE, "--description", "d")["id"])
    [row] = _csv(iid)
    assert (row["force_id"], row["force_source"]) == ("metropolitan", "postcode")
    assert "Metropolitan Police Service (from the place's postcode)" in flat(run("incidents", "show", iid).stdout)


# -- guided entry ---------------------------------------------------------------------------------


def _guided(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> str:
    prompts(monkeypatch)
    r = run("report", input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.stdout + r.stderr
    return r.stdout


# when, place, postcode, kind, description (+ end), people, vehicles, witnesses, files, urls, impact, campaign
START = ["2026-05-01 18:30", "High Street", "SW1A 1AA"]
MIDDLE = ["He followed me home", "", "", "", "", "", "", "", ""]


def test_guided_asks_when_it_was_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Guided entry asks when it was reported (default now, shown in words) and the report states that time."""
    out = _guided(monkeypatch, [*START, "threats", *MIDDLE, "101", "2026-05-01 19:30", "CAD 77", ""])
    assert "When did you report it?" in out and "→ Fri 1 May 2026 19:30" in out
    assert "101, reference CAD 77, on Fri 1 May 2026 19:30" in _md("1")


def test_guided_harassment_is_not_asked_the_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    """Harassment in a street gets no 'Which platform or service?'; online abuse does."""
    out = _guided(monkeypatch, [*START, "harassment", *MIDDLE, "", ""])
    assert "Which platform or service?" not in out
    assert run("incidents", "show", "1", "--json").json["platform"] is None
    online = ["2026-05-02 10:00", "online", "", "online-abuse", MIDDLE[0], MIDDLE[1], "X", *MIDDLE[2:]]
    out = _guided(monkeypatch, [*online, "", "", ""])
    assert out.index("What happened?") < out.index("Which platform or service?")  # in the README's order
    assert run("incidents", "show", "2", "--json").json["platform"] == "X"


def test_guided_force_from_the_profile_is_recorded_as_the_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Enter on the force offered from the profile (an online incident) records no force as given: the
    record says it is the profile's, as `report --place online` by flags does; typing a force gives it."""
    assert run("profile", "--name", "Jo Smith", "--force", "kent").exit_code == 0
    online = ["2026-05-02 10:00", "online", "", "online-abuse", MIDDLE[0], MIDDLE[1], "X", *MIDDLE[2:]]
    out = _guided(monkeypatch, [*online, "", "", ""])
    assert "Kent Police, from your profile" in " ".join(out.split())
    assert "Postcode of that place" not in out  # an online incident has no place to give the postcode of
    assert "Any vehicles?" not in out
    assert "Kent Police (from your profile)" in out  # on the review screen
    shown = run("incidents", "show", "1", "--json").json
    assert shown["force"] == {"id": "kent", "name": "Kent Police", "source": "profile"}
    given = ["2026-05-03 10:00", "online", "sussex", "online-abuse", MIDDLE[0], MIDDLE[1], "X", *MIDDLE[2:]]
    _guided(monkeypatch, [*given, "", "", ""])
    assert run("incidents", "show", "2", "--json").json["force"]["source"] == "given"


def test_guided_says_back_each_evidence_file_it_accepted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An evidence file typed in guided entry is said back (its name and size) before anything is saved, so a
    wrong file is noticed; the saved incident holds it as an exhibit."""
    assert run("profile", "--name", "Jo Smith", "--initials", "JS").exit_code == 0
    photo = tmp_path / "doorstep.jpg"
    photo.write_bytes(b"\xff\xd8" + bytes(2500))
    files = ["", "", "", str(photo), ""]  # people, vehicles, witnesses end; one file, then end
    out = _guided(monkeypatch, [*START, "threats", MIDDLE[0], MIDDLE[1], *files, "", "", "", "", ""])
    said = " ".join(out.split())
    assert "→ doorstep.jpg, 2.5 kB: copied in when the incident is saved" in said
    assert said.index("doorstep.jpg, 2.5 kB") < said.index("Saved as incident 1")
    assert run("incidents", "show", "1", "--json").json["evidence"][0]["file"]["original_name"] == "doorstep.jpg"


def test_guided_says_back_a_long_file_name_shortened_in_the_middle() -> None:
    """A 200-character file name is said back in one short line that keeps its start and its extension."""
    from campaignsafe.incidents import questions

    name = "p" * 180 + "-doorstep-photo.jpeg"
    folder = Path(os.environ["CAMPAIGNSAFE_HOME"]).parent / "long"
    folder.mkdir()
    (folder / name).write_bytes(bytes(10))
    path, said = questions._file(str(folder / name), {})
    assert path == str(folder / name)
    assert said == "p" * 19 + "…" + "-doorstep-photo.jpeg, 10 bytes: copied in when the incident is saved"


def test_guided_y_accepts_the_suggested_kind_without_the_menu_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = _guided(monkeypatch, [*START, "thraets", "y", *MIDDLE, "", ""])
    assert "did you mean threats?" in out
    assert out.count("2  Threats") == 1  # the numbered menu once: y takes the one suggestion
    assert "kinds: in-person-abuse" not in out
    assert run("incidents", "show", "1", "--json").json["kind"] == "threats"


def test_guided_review_shows_the_record_and_changes_an_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before saving, one screen shows every answer; a number changes that answer, Enter saves."""
    out = _guided(monkeypatch, [*START, "threats", *MIDDLE, "", "2", "Town Hall steps", ""])
    assert out.count("Check the record before it is saved") == 2
    review = out.split("Check the record before it is saved")[1]
    assert " 1 When" in review and "Fri 1 May 2026 18:30" in review and "He followed me home" in review
    assert "SW1A 1AA (Metropolitan Police Service)" in review
    assert len(review.split("Enter (or y) saves it")[0].splitlines()) <= 22  # fits a 24-row screen
    assert run("incidents", "show", "1", "--json").json["location"]["text"] == "Town Hall steps"


def test_guided_postcode_that_does_not_exist_says_so_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    out = _guided(monkeypatch, [START[0], START[1], "SW1A 9ZZ", "SW1A 1AA", "threats", *MIDDLE, "", ""])
    text = flat(out)
    assert "that postcode does not exist (it is not in the postcode list of October 2025)" in text
    assert "covered by Metropolitan Police Service" in text
    assert "shown as approximate" not in text
    assert max(len(line) for line in out.splitlines()) <= 80


def test_guided_review_lists_report_time_for_confirmation(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    out = _guided(monkeypatch, [*START, "threats", *MIDDLE, "101", "", "", ""])
    review = out.split("Check the record before it is saved")[1]
    assert "Reported at" in review and "Told the police  yes, 101" in review


def test_show_says_when_it_was_reported_or_that_it_was_not_given() -> None:
    """`incidents show` gives each report's time as given, or says it was not given and when it was recorded;
    the next steps after `report` show how to record the time with --when."""
    r = run(
        "report", *BASE, "--description", "d", "--reported-to", "101; reference=CAD 1; reported_at=2026-05-01 19:05"
    )
    assert r.exit_code == 0 and "reported it" in flat(r.stdout)
    assert "101, reference CAD 1, on Fri 1 May 2026 19:05" in flat(run("incidents", "show", "1").stdout)
    r = run("report", *BASE, "--description", "d")
    assert "--reported-to 101 --police-ref REF (add --when TIME: when you reported it)" in flat(r.stdout)
    assert run("incidents", "update", "2", "--reported-to", "101", "--police-ref", "CAD 2").exit_code == 0
    shown = flat(run("incidents", "show", "2").stdout)
    now = shown[shown.index("As it reads now") :]
    assert "101, reference CAD 2; when it was reported was not given (recorded here" in now
    assert "Reported not yet" in shown[: shown.index("As it reads now")]  # the record as first saved


def test_an_online_incident_lists_the_offences_of_its_forces_nation() -> None:
    """An online incident falls to the profile's force: the offences listed after saving are that nation's
    (Scotland's for Police Scotland), not every UK nation's; with no force known, every nation's."""
    args = ("report", "--when", "2026-05-01 18:30", "--place", "online", "--kind", "online-abuse", "--description", "d")
    out = flat(run(*args).stdout)
    assert "Offences that may apply (any UK nation)" in out
    assert run("profile", "--name", "Jo Smith", "--force", "police-scotland").exit_code == 0
    out = flat(run(*args).stdout)
    assert "Offences that may apply (Scotland)" in out and "Online Safety Act 2023 s.181" not in out
