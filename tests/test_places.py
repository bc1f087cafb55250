"""Place names as people type them: towns, councils with "Council" on the end, short forms, typos."""

from __future__ import annotations

import contextlib
import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignsafe.contact.places import _matcher
from campaignsafe.contact.resolve import resolve
from campaignsafe.datafiles import load_json
from campaignsafe.errors import CampaignsafeError
from tests.conftest import run


def plain(screen: str) -> str:
    """The words of a screen, box borders and line breaks taken out."""
    return " ".join(screen.replace("│", " ").split())


@pytest.mark.parametrize(
    ("query", "force", "areas"),
    [
        ("Glasgow", "police-scotland", {"Glasgow City", "Glasgow East", "Glasgow North", "Glasgow South West"}),
        ("Edinburgh", "police-scotland", {"City of Edinburgh", "Edinburgh North and Leith", "Edinburgh South"}),
        ("Brighton", "sussex", {"Brighton and Hove", "Brighton Pavilion", "Brighton Kemptown and Peacehaven"}),
        ("Hull", "humberside", {"Kingston upon Hull, City of", "Kingston upon Hull East"}),
    ],
)
def test_a_name_shared_by_areas_of_one_force_answers_that_force_and_names_them(
    query: str, force: str, areas: set[str]
) -> None:
    """Glasgow, Edinburgh, Brighton and Hull each name several areas, all policed by one force."""
    r = run("contact", query, "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["kind"] == "place"
    assert [f["id"] for f in r.json["forces"]] == [force]
    assert areas <= {a["name"] for a in r.json["areas"]}
    human = run("contact", query)
    assert human.exit_code == 0
    assert all(name in plain(human.stdout) for name in areas)


def test_brighton_names_exactly_its_council_and_two_constituencies() -> None:
    """The issue's own example: Sussex Police, Brighton and Hove council, two constituencies."""
    d = run("contact", "Brighton", "--json").json
    assert {(a["kind"], a["name"]) for a in d["areas"]} == {
        ("local_authority", "Brighton and Hove"),
        ("constituency", "Brighton Pavilion"),
        ("constituency", "Brighton Kemptown and Peacehaven"),
    }
    text = plain(run("contact", "Brighton").stdout)
    assert "Sussex Police" in text and "Brighton and Hove (council)" in text


@pytest.mark.parametrize(
    ("query", "kind", "name", "force"),
    [
        ("Manchester City Council", "local_authority", "Manchester", "greater-manchester"),
        ("Cornwall Council", "local_authority", "Cornwall", "devon-and-cornwall"),
        ("Glasgow City Council", "local_authority", "Glasgow City", "police-scotland"),
        ("City of Edinburgh Council", "local_authority", "City of Edinburgh", "police-scotland"),
        ("Durham County Council", "local_authority", "County Durham", "durham"),
        ("Bridgend County Borough Council", "local_authority", "Bridgend", "south-wales"),
        ("London Borough of Camden", "local_authority", "Camden", "metropolitan"),
        ("Royal Borough of Greenwich", "local_authority", "Greenwich", "metropolitan"),
        ("Cyngor Sir Ynys Môn", "local_authority", "Isle of Anglesey", "north-wales"),
        ("Anglesey", "local_authority", "Isle of Anglesey", "north-wales"),
        ("Ynys Môn", "constituency", "Ynys Môn", "north-wales"),
        ("ynys mon", "constituency", "Ynys Môn", "north-wales"),
        ("Brighton Kemptown", "constituency", "Brighton Kemptown and Peacehaven", "sussex"),
    ],
)
def test_council_names_and_short_forms(query: str, kind: str, name: str, force: str) -> None:
    """Council names with their "Council" words, Welsh forms and short forms find the council."""
    d = run("contact", query, "--json").json
    assert (d["kind"], d["matched"], d["forces"][0]["id"]) == (kind, name, force)
    assert "notes" not in d  # found as meant, not as a guess


@pytest.mark.parametrize("suffix", ["Council", "City Council", "County Council", "Borough Council", "District Council"])
def test_every_council_is_found_with_any_council_suffix(suffix: str) -> None:
    """Each of the 363 councils in areas.json, with "Council" words added, answers that council's force."""
    areas = load_json("areas.json")
    for _code, name, force, _aliases in areas["local_authorities"]:
        ans = resolve(f"{name} {suffix}")
        assert [f["id"] for f in ans.main_forces] == [areas["forces"][force][0]], name


def test_hull_is_not_solihull() -> None:
    """`contact Hull` answers Humberside and never suggests Solihull."""
    r = run("contact", "Hull")
    assert r.exit_code == 0
    assert "Humberside Police" in r.stdout and "Solihull" not in r.stdout + r.stderr


def test_areas_of_different_forces_are_listed_with_their_forces() -> None:
    """Kingston: Kingston upon Hull (Humberside) and Kingston upon Thames (Met): both listed, exit 4."""
    r = run("contact", "Kingston", "--json")
    assert r.exit_code == 4
    err = r.json["error"]
    assert err["code"] == "place_ambiguous"
    by_force = {c["force"]["id"]: {a["name"] for a in c["areas"]} for c in err["choices"]}
    assert "Kingston upon Thames" in by_force["metropolitan"]
    assert "Kingston upon Hull East" in by_force["humberside"]
    human = run("contact", "Kingston")
    assert human.exit_code == 4
    text = plain(human.stdout)
    assert "Humberside Police: Kingston upon Hull" in text and "Metropolitan Police Service: Kingston upon" in text
    assert human.stdout.startswith("In immediate danger: call 999")


def test_a_force_nickname_that_is_also_a_town_elsewhere_lists_both() -> None:
    """`Newcastle` is what many call Northumbria Police, and also Newcastle-under-Lyme (Staffordshire): both listed."""
    err = run("contact", "Newcastle", "--json").json["error"]
    assert err["code"] == "place_ambiguous"
    by_force = {c["force"]["id"]: {a["name"] for a in c["areas"]} for c in err["choices"]}
    assert by_force == {
        "northumbria": {"Newcastle upon Tyne", "Newcastle upon Tyne Central and West",
                        "Newcastle upon Tyne East and Wallsend", "Newcastle upon Tyne North"},
        "staffordshire": {"Newcastle-under-Lyme"},
    }  # fmt: skip
    assert run("contact", "Newcastle upon Tyne", "--json").json["forces"][0]["id"] == "northumbria"
    assert run("contact", "Gloucestershire", "--json").json["forces"][0]["id"] == "gloucestershire"


@pytest.mark.parametrize(("typo", "force", "name"), [("Brigton", "sussex", "Brighton"), ("Edinbrugh", "police-scotland",
                         "Edinburgh"), ("Manchster", "greater-manchester", "Manchester")])  # fmt: skip
def test_a_typo_is_corrected_and_said_so(typo: str, force: str, name: str) -> None:
    """One letter wrong, missing, extra or swapped still finds the place, with a note saying so."""
    d = run("contact", typo, "--json").json
    assert d["forces"][0]["id"] == force
    assert d["matched"] == name
    assert any("no exact match" in n for n in d["notes"])


@pytest.mark.parametrize("junk", ["qwzx plorb", "n/a", "unknown", "asdf", "North", "the council"])
def test_no_suggestion_unless_plausibly_meant(junk: str) -> None:
    """Junk and words that name nothing on their own get no "did you mean"."""
    r = run("contact", junk, "--json")
    assert r.exit_code == 4
    assert r.json["error"]["code"] == "place_not_found"
    assert "did you mean" not in r.json["error"].get("hint", "")


def test_a_near_miss_suggests_names_sharing_its_words() -> None:
    """ "Westmnster Norht" is no area, but Westminster is plausibly what was meant."""
    r = run("contact", "Westmnster Norht", "--json")
    assert r.exit_code == 4
    assert "Westminster" in r.json["error"]["hint"]


def test_every_constituency_name_in_shared_data_answers_itself(shared: Path) -> None:
    """All 650 constituency names (English and Welsh) in ../shared/data answer that constituency."""
    with (shared / "constituencies" / "constituencies-2024.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 650
    for row in rows:
        for name in filter(None, (row["name"], row["name_cy"])):
            ans = resolve(name)
            assert (ans.kind, ans.area) == ("constituency", {"code": row["pcon24_code"], "name": row["name"]}), name


def test_batch_names_and_junk_match_single_answers(tmp_path: Path) -> None:
    """`--batch` gives for names and junk exactly what the single lookup gives."""
    queries = ["Brighton", "Kingston", "Hull", "Cornwall Council", "qwzx plorb", "Brigton", "Ynys Môn"]
    f = tmp_path / "q.txt"
    f.write_text("\n".join(queries) + "\n", encoding="utf-8")
    lines = run("contact", "--batch", str(f)).lines
    for q, line in zip(queries, lines, strict=True):
        single = run("contact", q, "--json").json
        single.pop("emergency", None)
        for force in single.get("forces", []):
            force.pop("routes"), force.pop("saved_contacts")
        assert line == single, q


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gets_an_answer_or_a_typed_error(text: str) -> None:
    """No text makes the name search crash."""
    with contextlib.suppress(CampaignsafeError):
        resolve(text)


_WORDS = sorted(w for w in _matcher().words if len(w) >= 4)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(_WORDS),
    st.integers(min_value=0),
    st.sampled_from("dist"),
    st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
)
def test_one_typo_in_a_name_word_is_always_corrected(word: str, at: int, op: str, letter: str) -> None:
    """A letter dropped, added, changed or swapped in any word of any name is put right (the index misses none)."""
    from rapidfuzz.distance import OSA

    i = at % len(word)
    typo = {
        "d": word[:i] + word[i + 1 :],
        "i": word[:i] + letter + word[i:],
        "s": word[:i] + letter + word[i + 1 :],
        "t": word[:i] + word[i + 1 : i + 2] + word[i] + word[i + 2 :],
    }[op]
    if typo in _matcher().words or len(typo) < 4:
        return
    fixed = _matcher().correct(typo)
    assert fixed in _matcher().words and OSA.distance(typo, fixed) == 1


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.text(max_size=40), st.sampled_from(["-", "n/a", "  qwzx  ", "TBC", "x" * 300, "the council", "bfpo"]))
)
def test_the_batch_shortcut_for_junk_gives_the_full_answer(text: str) -> None:
    """Text the shortcut answers gets exactly the object the full path gives."""
    import json

    from campaignsafe.contact.batch import answer_line, miss_line

    text = text.replace("\n", " ").replace("\r", " ")
    line = miss_line(text)
    if line is not None:
        assert json.loads(line) == answer_line(text.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize(("typed", "meant"), [("Man", "Manchester"), ("Lee", "Leeds"), ("Bri", "Bridgend")])
def test_a_three_letter_start_of_a_name_suggests_the_names_it_begins(typed: str, meant: str) -> None:
    """Three letters that begin a name (`contact Man`) suggest the names they begin, first, rather than the
    names one letter away (Môn), and are never taken as the answer."""
    r = run("contact", typed)
    assert r.exit_code == 4 and "Emergency" not in r.stdout
    said = " ".join(r.stderr.split())
    assert f"did you mean: {meant};" in said and "Anglesey" not in said


@pytest.mark.parametrize(("typed", "meant"), [("Hul", "Kingston upon Hull"), ("Bth", "Bath"), ("Yrk", "York")])
def test_a_three_letter_typo_is_suggested_never_answered(typed: str, meant: str) -> None:
    """A word too short to correct safely (one letter from many words) is not taken as the place meant,
    but the miss suggests the names one typo away, so `contact Hul` still leads to Hull."""
    r = run("contact", typed)
    assert r.exit_code == 4 and "Emergency" not in r.stdout
    said = " ".join(r.stderr.split())
    assert f"no constituency, council or police force matches '{typed}'" in said
    assert f"did you mean: {meant}" in said


@pytest.mark.parametrize("name", ["BTP", "British Transport Police", "railway police", "Transport Police", "train"])
def test_british_transport_police_is_found_by_name(name: str) -> None:
    """BTP polices no area but the railways: its routes (0800 40 50 40, text 61016) are found by its names."""
    d = run("contact", name, "--json").json
    assert [f["id"] for f in d["forces"]] == ["btp"]
    assert d["forces"][0]["routes"]["non_emergency"] == "0800 40 50 40, or text 61016"
    assert d["nation"] is None  # England, Scotland and Wales: no one nation


def test_an_incident_on_a_train_can_be_given_to_british_transport_police() -> None:
    """`report --force btp` and `profile --force "Transport Police"` name BTP (they said no force matched)."""
    r = run("report", "--description", "Shouted at on a platform", "--when", "yesterday 10:00", "--force", "btp",
            "--kind", "in-person-abuse", "--place", "Platform 2, Leeds station", "--no-input", "--json")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert r.json["location"]["force_id"] == "btp" and r.json["location"]["nation"] is None
    assert "British Transport Police" in run("incidents", "show", "1").stdout
    p = run("profile", "--force", "Transport Police", "--json")
    assert p.exit_code == 0 and p.json["force_id"] == "btp"


def test_btp_beside_a_postcode_is_as_given_and_the_postcode_keeps_its_nation() -> None:
    """`--postcode "BA1 1BZ" --force btp` (on a train at Bath) said "from the place's postcode", which gives Avon
    and Somerset, and dropped the postcode's nation (England) for BTP's none."""
    r = run("report", "--when", "yesterday 9pm", "--place", "train at Bath", "--postcode", "BA1 1BZ", "--force",
            "btp", "--kind", "threats", "--description", "x", "--json")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert r.json["location"]["nation"] == "england"
    assert "British Transport Police (as given for the place)" in run("incidents", "show", "1").stdout
    (row,) = run("incidents", "list", "--json").json["incidents"]
    assert row["force_source"] == "given"


def test_the_forces_of_no_area_are_those_the_data_marks_so() -> None:
    """``listing.NO_AREA_FORCES`` (kept as a literal: `incidents list` does not load the forces file) is the data's."""
    from campaignsafe.incidents.listing import NO_AREA_FORCES

    assert {f["id"] for f in load_json("forces.json")["forces"] if not f["territorial"]} == NO_AREA_FORCES


@pytest.mark.parametrize(
    "args",
    [["profile", "--force", "Newcastle"], ["report", "--when", "yesterday 9pm", "--place", "x", "--kind", "threats",
     "--description", "x", "--force", "newcastle"], ["incidents", "list", "--force", "Newcastle"]],
)  # fmt: skip
def test_a_force_nickname_that_is_also_a_town_elsewhere_is_not_taken_as_a_force(args: list[str]) -> None:
    """`--force Newcastle` took Northumbria without a word while `contact Newcastle` listed both forces: a
    Newcastle-under-Lyme candidate got the wrong force on their record."""
    r = run(*args)
    said = " ".join(r.stderr.split())
    assert r.exit_code in (3, 4) and "Northumbria Police; Staffordshire Police" in said, said


def test_next_steps_after_a_btp_report_send_the_candidate_to_their_own_forces_adviser() -> None:
    """After a report given to BTP the steps said to save BTP's Force Elected-Official Adviser (its own entry says
    it has none for candidates) and to record a report to 101 (BTP's number is 0800 40 50 40)."""
    r = run("report", "--when", "yesterday 9pm", "--place", "on a train", "--force", "btp", "--kind", "threats",
            "--description", "x")  # fmt: skip
    said = " ".join(r.stdout.split())
    assert "British Transport Police has no route for candidates: tell your own force's Force Elected-Official" in said
    assert "contact save btp" not in said and "--reported-to other --police-ref REF" in said
