"""``campaignsafe contact`` through the CLI, as a candidate or agent would use it."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.conftest import run


@pytest.mark.parametrize(
    ("query", "force"),
    [
        ("SW1A 1AA", "metropolitan"),
        ("EC2V 7HH", "city-of-london"),
        ("CF10 1EP", "south-wales"),
        ("EH1 1YZ", "police-scotland"),
        ("BT1 5GS", "northern-ireland"),
    ],
)
def test_postcode_gives_its_one_force(query: str, force: str) -> None:
    """A full postcode answers exactly one force."""
    r = run("contact", query, "--json")
    assert r.exit_code == 0
    assert [f["id"] for f in r.json["forces"]] == [force]
    assert r.json["kind"] == "postcode"
    assert r.json["postcode"] == query


def test_postcode_json_has_council_and_constituency() -> None:
    """The JSON carries the normalised postcode, its council and its constituency."""
    d = run("contact", "sw1a1aa", "--json").json
    assert d["postcode"] == "SW1A 1AA"
    assert d["local_authority"] == {"code": "E09000033", "name": "Westminster"}
    assert d["constituency"]["name"] == "Cities of London and Westminster"
    assert d["constituency"]["code"] == "E14001172"
    assert d["approximate"] is False


def test_split_constituency_lists_both_forces_with_shares() -> None:
    """Cities of London and Westminster is split between the Met (~88%) and the City (~12%)."""
    d = run("contact", "Cities of London and Westminster", "--json").json
    assert d["kind"] == "constituency"
    shares = {f["id"]: f["share"] for f in d["forces"]}
    assert shares["metropolitan"] == pytest.approx(0.88, abs=0.01)
    assert shares["city-of-london"] == pytest.approx(0.12, abs=0.01)
    assert d["forces"][0]["id"] == "metropolitan"


def test_split_constituency_panel_shows_both() -> None:
    """The human answer puts 999 first and shows a panel for each force."""
    r = run("contact", "Cities of London and Westminster")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0] == "In immediate danger: call 999"
    assert "Metropolitan Police Service" in r.stdout and "City of London Police" in r.stdout
    assert "88%" in r.stdout


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("cities of london & westminster", "Cities of London and Westminster"),
        ("YNYS MON", "Ynys Môn"),
        ("Montgomeryshire and Glyndwr", "Montgomeryshire and Glyndŵr"),
        ("Brecon, Radnor and Cwm Tawe", "Brecon, Radnor and Cwm Tawe"),
        ("Cambrige", "Cambridge"),
    ],
)
def test_constituency_names_are_forgiving(query: str, name: str) -> None:
    """Case, accents, & and small typos still find the constituency."""
    d = run("contact", query, "--json").json
    assert d["kind"] == "constituency"
    assert d["matched"] == name


def test_edge_shares_are_marked_and_hidden() -> None:
    """A boundary sliver (<1%) is flagged edge in JSON and left out of the panel."""
    d = run("contact", "Brecon, Radnor and Cwm Tawe", "--json").json
    edges = [f for f in d["forces"] if f.get("edge")]
    assert edges and all(f["share"] < 0.01 for f in edges)
    human = run("contact", "Brecon, Radnor and Cwm Tawe").stdout
    assert all(f["name"] not in human for f in edges)


def test_district_straddling_forces_has_shares() -> None:
    """TN16 is split between the Met, Kent and Surrey."""
    d = run("contact", "TN16", "--json").json
    assert d["kind"] == "district"
    assert [f["id"] for f in d["forces"]] == ["metropolitan", "kent", "surrey"]
    assert sum(f["share"] for f in d["forces"]) == pytest.approx(1.0, abs=0.001)


def test_sector() -> None:
    """A sector answers its force(s)."""
    d = run("contact", "SK17 6", "--json").json
    assert d["kind"] == "sector" and d["forces"][0]["id"] == "derbyshire"


def test_local_authority_and_force_names() -> None:
    """A council name or a force name or id finds that force."""
    assert run("contact", "Wiltshire", "--json").json["forces"][0]["id"] == "wiltshire"
    assert run("contact", "kent police", "--json").json["kind"] == "force"
    assert run("contact", "avon-and-somerset", "--json").json["forces"][0]["id"] == "avon-and-somerset"
    d = run("contact", "Caerdydd", "--json").json
    assert d["forces"][0]["id"] == "south-wales"
    assert run("contact", "avon", "--json").json["forces"][0]["id"] == "avon-and-somerset"


def test_ni_constituency_is_psni() -> None:
    """Every Northern Ireland constituency is the PSNI."""
    d = run("contact", "Belfast South and Mid Down", "--json").json
    assert [f["id"] for f in d["forces"]] == ["northern-ireland"]


def test_bt_postcode_explains_missing_council() -> None:
    """A BT postcode answers PSNI and says why council and constituency are unknown."""
    d = run("contact", "BT1 5GS", "--json").json
    assert d["local_authority"] is None and d["constituency"] is None
    assert "cannot be given offline" in d["notes"][0]


@pytest.mark.parametrize(
    ("query", "code", "exit_code", "fragment"),
    [
        ("", "empty_query", 3, "empty query"),
        ("x" * 500, "query_too_long", 3, "too long"),
        ("SW1A\x00\x01", "unreadable_query", 3, "control characters"),
        ("1AA 1AA", "malformed_postcode", 3, "not a valid postcode"),
        ("ZZ9 9ZZ", "postcode_not_found", 4, "does not exist"),
        ("BT50 1AA", "district_not_found", 4, "does not exist in Northern Ireland"),
        ("BFPO 123", "bfpo_postcode", 4, "British Forces Post Office"),
        ("BF1 0AA", "bfpo_postcode", 4, "British Forces Post Office"),
        ("GIR 0AA", "non_geographic_postcode", 4, "non-geographic"),
        ("Nowhereville Upon Sea", "place_not_found", 4, "no constituency"),
    ],
)
def test_bad_input_is_one_line_and_a_documented_exit_code(query: str, code: str, exit_code: int, fragment: str) -> None:
    """Bad input: a one-line reason on stderr, a JSON error object, no traceback."""
    r = run("contact", query, "--json")
    assert r.exit_code == exit_code
    assert r.json["error"]["code"] == code
    assert fragment in r.json["error"]["message"]
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("campaignsafe: error: ")


@pytest.mark.parametrize(
    ("query", "service"),
    [
        ("JE2 3AB", "States of Jersey Police"),
        ("GY1 1AA", "Guernsey Police (Bailiwick Law Enforcement)"),
        ("IM1 1AA", "Isle of Man Constabulary"),
    ],
)
def test_crown_dependency_postcodes_answer_with_their_own_police_service(query: str, service: str) -> None:
    """An answer that names the right police service is an answer: the panel, a line saying why, exit 0."""
    r = run("contact", query)
    assert r.exit_code == 0 and r.stderr == ""
    assert service in " ".join(r.stdout.split()) and "Crown Dependency outside UK police forces" in " ".join(
        r.stdout.split()
    )
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    d = run("contact", query, "--json")
    assert d.exit_code == 0 and "error" not in d.json
    assert d.json["kind"] == "crown_dependency" and d.json["police_service"]["name"] == service


def test_unknown_postcode_offers_the_district_labelled_approximate() -> None:
    """A well-formed postcode that does not exist says so, and gives its area's answer as approximate."""
    r = run("contact", "SW1A 9ZZ", "--json")
    assert r.exit_code == 4
    assert r.json["approximate"] is True
    assert r.json["forces"][0]["id"] == "metropolitan"
    human = run("contact", "SW1A 9ZZ")
    assert "approximate" in human.stdout and "does not exist" in human.stderr


def test_typo_suggests_close_names() -> None:
    """A miss lists the closest names."""
    r = run("contact", "Westmnster Norht")
    assert r.exit_code == 4
    assert "did you mean" in r.stderr


def test_batch_keeps_order_and_reports_errors(tmp_path: Path) -> None:
    """--batch writes one JSON line per input line, errors included, in order."""
    f = tmp_path / "q.txt"
    f.write_bytes(b"SW1A 1AA\n\nnot a place at all\nEH1 1YZ\n\xff\xfe junk\nJE2 3AB\n")
    r = run("contact", "--batch", str(f))
    assert r.exit_code == 0
    lines = r.lines
    assert len(lines) == 6
    assert lines[0]["forces"][0]["id"] == "metropolitan"
    assert lines[1]["error"]["code"] == "empty_query"
    assert lines[2]["error"]["code"] == "place_not_found"
    assert lines[3]["forces"][0]["id"] == "police-scotland"
    assert "error" in lines[4]
    assert lines[5]["kind"] == "crown_dependency" and lines[5]["police_service"]["id"] == "jersey"  # an answer


def test_batch_from_stdin() -> None:
    """--batch - reads standard input."""
    r = run("contact", "--batch", "-", input="CF10 1EP\nSK17\n")
    assert [d["kind"] for d in r.lines] == ["postcode", "district"]


def test_batch_missing_file_is_an_input_error(tmp_path: Path) -> None:
    """A missing or folder batch file gets a one-line error."""
    assert run("contact", "--batch", str(tmp_path / "nope.txt")).exit_code == 3
    assert run("contact", "--batch", str(tmp_path)).exit_code == 3


def test_saved_contact_shows_in_every_lookup_and_is_private(home: Path) -> None:
    """A saved SPOC appears with lookups for that force, in a 0600 file in a 0700 folder."""
    r = run("contact", "save", "Met Police", "--role", "spoc", "--name", "DI Jane Example", "--phone", "020 7946 0000")
    assert r.exit_code == 0
    d = run("contact", "SW1A 1AA", "--json").json
    assert d["forces"][0]["saved_contacts"][0]["name"] == "DI Jane Example"
    assert "DI Jane Example" in run("contact", "SW1A 1AA").stdout
    assert "DI Jane Example" not in run("contact", "EC2V 7HH").stdout
    path = home / "contacts.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    listed = run("contact", "saved", "--json").json["contacts"]
    assert listed[0]["force"] == "metropolitan"
    assert run("contact", "saved", "--remove", "metropolitan").exit_code == 0
    assert run("contact", "saved", "--json").json["contacts"] == []


def test_save_rejects_unknown_force_and_empty_contact() -> None:
    """Saving needs a real force and at least one way to reach the person."""
    assert run("contact", "save", "Gotham City Police", "--name", "x").exit_code == 4
    assert run("contact", "save", "kent", "--role", "spoc").exit_code == 3
    assert run("contact", "save", "kent", "--role", "boss", "--name", "x").exit_code == 3


def test_corrupt_contacts_file_never_hides_the_force(home: Path) -> None:
    """A hand-broken contacts file: `contact` still answers with 999 and the force, and says how to fix the file."""
    home.mkdir(parents=True)
    (home / "contacts.json").write_text("{not json")
    r = run("contact", "SW1A 1AA")
    assert r.exit_code == 0
    assert "999" in r.stdout and "Metropolitan Police" in r.stdout
    text = " ".join(r.stdout.split())
    assert "saved contacts file" in text and "cannot be read" in text and "move it aside" in text
    d = run("contact", "SW1A 1AA", "--json").json
    assert d["forces"][0]["saved_contacts"] == [] and any("cannot be read" in n for n in d["notes"])
    r = run("contact", "saved")
    assert r.exit_code == 5
    assert "cannot be read" in r.stderr and "hint" in r.stderr


def test_about_carries_attribution() -> None:
    """`about` shows dataset versions and the licence attribution."""
    d = run("about", "--json").json
    assert any(x["version"] == "2025.4.0" for x in d["datasets"])
    assert any("Royal Mail" in line for line in d["attribution"])
    assert any("mySociety" in line and "Changes were made" in line for line in d["attribution"])
    assert "Crown copyright" in run("about").stdout


def test_version() -> None:
    """--version prints the tool and data versions."""
    r = run("--version")
    assert r.exit_code == 0 and r.stdout.startswith("campaignsafe ") and "2025.4.0 (2025-10-20)" in r.stdout
    import re

    for out in (r.stdout, run("about").stdout):  # a version that is its date says it once
        assert not re.search(r"(\d{4}-\d\d-\d\d) \(\1\)", out), out


def test_each_note_under_an_answer_is_a_sentence() -> None:
    """The notes under a contact answer end with a full stop (the PSNI's note did not)."""
    notes = [line for line in run("contact", "BT1 1AA").stdout.split("Note: ")[1:]]
    assert notes and all(" ".join(n.split("\n╭")[0].split()).endswith(".") for n in notes)


def test_batch_answers_equal_single_answers(tmp_path: Path) -> None:
    """Each batch line is exactly the object a single lookup gives (fast path included)."""
    queries = ["SW1A 1AA", " sw1a1aa ", "CF10 1EP", "EH1 1YZ", "BT1 5GS", "TN16", "ZZ9 9ZZ", "Kent"]
    f = tmp_path / "q.txt"
    f.write_text("\n".join(queries) + "\n")
    from campaignsafe.contact.batch import answer_line

    assert run("contact", "--batch", str(f)).lines == [answer_line(q.encode()) for q in queries]


def test_postcode_with_no_location_is_explained() -> None:
    """A PO-box style postcode with no location in the data says so instead of guessing a force."""
    r = run("contact", "PO24 1AA", "--json")
    assert r.exit_code == 4
    assert r.json["error"]["code"] == "postcode_not_located"


@pytest.mark.parametrize("query", ["SW1A 1AA", "ec2v7hh", " CF10 1EP ", "BT1 5GS", "EH1 1YZ"])
def test_bulk_api_agrees_with_the_full_answer(query: str) -> None:
    """resolve_postcode (the fast in-process API) gives the same answer as resolve."""
    from campaignsafe.contact.lookup import Hit
    from campaignsafe.contact.resolve import resolve, resolve_postcode

    assert resolve_postcode(query) == Hit.from_answer(resolve(query))


def test_bulk_api_refuses_districts() -> None:
    """resolve_postcode wants a full postcode."""
    from campaignsafe.contact.resolve import resolve_postcode
    from campaignsafe.errors import InputError

    with pytest.raises(InputError):
        resolve_postcode("SK17")


def test_every_folder_created_for_private_data_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A data folder several levels deep is created 0700 all the way down."""
    deep = tmp_path / "a" / "b" / "home"
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(deep))
    assert run("contact", "save", "kent", "--name", "PC Example").exit_code == 0
    for folder in (tmp_path / "a", tmp_path / "a" / "b", deep):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder


def test_panel_says_how_to_report_online_when_no_link_is_verified() -> None:
    """A force without a verified online-report link points to its website, whose address is under the panel."""
    r = run("contact", "Avon and Somerset")
    assert r.exit_code == 0, r.stderr
    text = " ".join(r.stdout.split())
    assert "Report online" in text and "its website, below: look for 'Report'" in text
    assert "avonandsomerset.police.uk" in text


def test_jersey_postcode_gives_sourced_emergency_number() -> None:
    """A JE postcode names the States of Jersey Police and 999 in an emergency (sourced on the force's own pages)."""
    r = run("contact", "JE2 3AB")
    assert r.exit_code == 0  # an answer: it names the right police service
    assert "States of Jersey Police" in r.stdout and "Emergency      999" in r.stdout


def test_save_merges_into_the_saved_entry_and_says_what_changed() -> None:
    """Following the email-draft hint (--name ... --email ...) keeps the saved phone; "" clears a field."""
    spoc = ("contact", "save", "metropolitan", "--name", "DI Jane Example")
    assert run(*spoc, "--phone", "020 7946 0000").exit_code == 0
    r = run(*spoc, "--email", "jane@met.police.uk")
    assert r.exit_code == 0
    said = " ".join(r.stdout.split())
    assert "email added" in said and "kept" in said and "phone" in said
    [c] = run("contact", "saved", "--json").json["contacts"]
    assert c["phone"] == "020 7946 0000" and c["email"] == "jane@met.police.uk"
    r = run("contact", "save", "metropolitan", "--phone", "", "--json")  # no --name: the only SPOC
    assert r.json["changes"] == {"phone": "cleared"}
    [c] = run("contact", "saved", "--json").json["contacts"]
    assert "phone" not in c and c["email"] == "jane@met.police.uk" and c["name"] == "DI Jane Example"
    assert run("contact", "save", "metropolitan", "--name", "DS Other", "--phone", "1").exit_code == 0
    assert len(run("contact", "saved", "--json").json["contacts"]) == 2  # another name is another contact


BATCH_QUERIES = ["JE2 4WE", "IM1 1AA", "GY1 1AA", "SW1A 9ZZ", "BFPO 1234", "Gotham", "not a postcode", "ZZ1"]


def test_batch_lines_are_the_single_json_answers() -> None:
    """Each batch line is the single `contact --json` answer, byte for byte once compacted: a Crown
    Dependency postcode is its police service (not an `outside_uk_police` error), a miss the same error.
    An answer with forces differs only by the routes and saved contacts the single answer adds."""
    from campaignsafe.jsontext import json_text

    queries = [*BATCH_QUERIES, "SW1A 1AA", "SK17", "Kent Police"]
    lines = run("contact", "--batch", "-", input="\n".join(queries) + "\n").stdout.splitlines()
    assert len(lines) == len(queries)
    for query, line in zip(queries, lines, strict=True):
        single = run("contact", query, "--json")
        one = json.loads(single.stdout)
        if query in BATCH_QUERIES:
            assert line == json_text(one, separators=(",", ":")), query
            assert (single.exit_code == 0) == ("error" not in one), query
        else:
            one.pop("emergency")
            for f in one["forces"]:
                del f["routes"], f["saved_contacts"]
            assert json.loads(line) == one, query
    crown = [json.loads(x) for x in lines[:3]]
    assert [c["kind"] for c in crown] == ["crown_dependency"] * 3 and not any("error" in c for c in crown)


def test_saved_contacts_are_listed_whole_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """`contact saved` cuts nothing short ("metropolit…", "jane@met.p…" were unreadable)."""
    monkeypatch.setenv("COLUMNS", "80")
    email = "jane.example@met.police.uk"
    assert run("contact", "save", "metropolitan", "--name", "DI Jane Example", "--email", email).exit_code == 0
    out = run("contact", "saved").stdout
    assert "…" not in out and email in out and "metropolitan" in out and "Election SPOC" in out
    assert max(len(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize("columns", ["80", "50"])
def test_a_saved_contacts_heading_is_folded_to_the_terminal(columns: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The heading was printed whole: "… (avon-and-somerset): Force Elected-Official Advis" / "er" at 80."""
    monkeypatch.setenv("COLUMNS", columns)
    assert run("contact", "save", "avon-and-somerset", "--name", "Jane Doe", "--role", "adviser").exit_code == 0
    out = run("contact", "saved").stdout
    assert max(len(line) for line in out.splitlines()) <= int(columns), out
    assert "Force Elected-Official Adviser" in " ".join(out.split())
    assert run("contact", "save", "avon-and-somerset", "--name", "DI Jo Bloggs").exit_code == 0
    panel = " ".join(run("contact", "BA1 1SU").stdout.split())
    assert "Your election SPOC" in panel and "Your adviser (FEOA)" in panel  # not "Your Election SPOC" beside it


def test_saving_a_contact_names_the_force_as_people_say_it() -> None:
    """The confirmation names the force (not its id) and the role in running text."""
    r = run("contact", "save", "metropolitan", "--name", "DI Jane Example")
    assert r.exit_code == 0
    assert " ".join(r.stdout.split()) == "Saved your election SPOC DI Jane Example for Metropolitan Police Service."
    r = run("contact", "save", "metropolitan", "--phone", "020 7946 0000")
    assert " ".join(r.stdout.split()).startswith("Updated your election SPOC DI Jane Example for Metropolitan")


@pytest.mark.parametrize(
    ("named", "service"),
    [("Jersey", "States of Jersey Police"), ("isle of man", "Isle of Man Constabulary"),
     ("Sark", "Guernsey Police (Bailiwick Law Enforcement)"), ("Guernsey Police", "Guernsey Police")],
)  # fmt: skip
def test_a_crown_dependency_by_name_gets_its_own_police_service(named: str, service: str) -> None:
    """`contact Jersey` answers as a Jersey postcode does (its own police, outside UK forces), not "no match"."""
    r = run("contact", named, "--json")
    assert r.json["kind"] == "crown_dependency" and r.json["police_service"]["name"].startswith(service)
    shown = " ".join(run("contact", named).stdout.split())
    assert "a Crown Dependency outside UK police forces" in shown and "999" in shown


def test_the_adviser_is_saved_by_the_name_the_guidance_gives_and_fits_the_panel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The guidance (and the README) call the adviser the FEOA, but ``--role feoa`` was refused; and the label
    "Your Force Elected-Official Adviser" took 35 of the panel's 80 columns, folding the Emergency row. ``feoa``
    (any case) is the adviser, for ``save`` and ``--remove``; the panel says "Your adviser (FEOA)" and the 999 row
    fits one line."""
    monkeypatch.setenv("COLUMNS", "80")
    saved = run("contact", "save", "metropolitan", "--role", "FEOA", "--name", "Sam Adviser", "--email", "s@x.uk")
    assert saved.exit_code == 0, saved.stderr
    assert run("contact", "saved", "--json").json["contacts"][0]["role"] == "adviser"
    panel = run("contact", "SW1A 1AA").stdout
    assert "Your adviser (FEOA)  Sam Adviser · s@x.uk" in panel
    assert any("999 · textphone 18000 · emergencySMS users: text 999" in line for line in panel.splitlines())
    bad = run("contact", "save", "metropolitan", "--role", "boss", "--name", "x")
    assert bad.exit_code == 3 and "use one of: spoc, adviser (the FEOA), officer" in bad.stderr
    assert "Removed 1 saved contact" in run("contact", "saved", "--remove", "metropolitan", "--role", "feoa").stdout


@pytest.mark.parametrize("copied", ["Bath BA1 1BZ", "BA1 1BZ.", "12 Queen Square, Bath BA1 1BZ, UK", "(ba1 1bz)"])
def test_an_address_copied_whole_is_answered_for_its_postcode(copied: str) -> None:
    """An address pasted from a letter found nothing ("no constituency, council or police force matches"), and
    a postcode with a full stop after it was not read: the postcode in it is answered, and a note says so."""
    r = run("contact", copied, "--json")
    assert r.exit_code == 0, r.stderr
    assert (r.json["postcode"], r.json["forces"][0]["id"]) == ("BA1 1BZ", "avon-and-somerset")
    assert r.json["notes"][0] == "answered for the postcode BA1 1BZ, the rest of what you gave left aside"
    human = run("contact", copied)
    assert "Note: answered for the postcode BA1 1BZ" in human.stdout and "Avon and Somerset" in human.stdout


def test_a_batch_answers_a_copied_address_as_contact_does(tmp_path: Path) -> None:
    """--batch took "SW1A 1AA." as naming nothing (its quick path for junk), while `contact` answered it."""
    f = tmp_path / "in.txt"
    f.write_text("SW1A 1AA.\nBath BA1 1BZ\n", encoding="utf-8")
    lines = [json.loads(line) for line in run("contact", "--batch", str(f)).stdout.splitlines()]
    assert [d.get("postcode") for d in lines] == ["SW1A 1AA", "BA1 1BZ"]
    assert lines[0]["notes"] == run("contact", "SW1A 1AA.", "--json").json["notes"]


def test_a_postcode_or_name_needs_no_quotes() -> None:
    """`contact BA1 1SU` was refused ("got 1 more word than it takes"): the words are now one query."""
    r = run("contact", "BA1", "1SU", "--json")
    assert r.exit_code == 0 and (r.json["query"], r.json["postcode"]) == ("BA1 1SU", "BA1 1SU")
    assert run("contact", "Newcastle", "upon", "Tyne", "--json").json["forces"][0]["id"] == "northumbria"
    assert "not both" in run("contact", "SW1A", "1AA", "--batch", "-", input="").stderr


def test_a_copied_address_with_two_postcodes_or_an_unknown_one_says_so() -> None:
    """Two postcodes in the text: the first was answered, saying nothing of the second. One that does not exist:
    the near answer's `query` was the postcode alone (so a --batch line no longer matched its input), and no
    note said the postcode was read from the text."""
    r = run("contact", "SW1A 1AA or BA1 1BZ", "--json")
    assert r.exit_code == 3 and r.json["error"]["message"] == "that holds 2 postcodes (SW1A 1AA, BA1 1BZ)"
    near = run("contact", "Bath BA1 9ZZ", "--json").json
    assert near["query"] == "Bath BA1 9ZZ" and near["notes"][0].startswith("answered for the postcode BA1 9ZZ")
    (line,) = run("contact", "--batch", "-", input="Bath BA1 9ZZ\n").stdout.splitlines()
    assert json.loads(line)["query"] == "Bath BA1 9ZZ"
    assert "read from what you gave, postcode ZZ9 9ZZ does not exist" in run("contact", "Bath ZZ9 9ZZ").stderr
