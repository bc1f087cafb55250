"""``campaignsafe incidents links``: identifiers shared by incidents, found through their normal forms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run
from tests.incident_helpers import flat, minimal, set_initials, write_json


def _seed(tmp_path: Path, incidents: list[dict[str, Any]]) -> None:
    r = run("report", "--from-file", str(write_json(tmp_path, incidents)), "--json")
    assert r.exit_code == 0, r.stderr


def _links() -> list[dict[str, Any]]:
    r = run("incidents", "links", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["schema_version"] == 1
    links: list[dict[str, Any]] = r.json["links"]
    return links


def _by_kind(links: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [x for x in links if x["kind"] == kind]


SEEDED = [
    minimal(  # 1: Met, April: the handle as @…, a registration in its field, a witness's phone
        occurred_at="2026-04-01T10:00",
        people=[
            {"role": "suspect", "description": "man in a grey hoodie", "handle": "@AngryVoter", "platform": "X"},
            {"role": "witness", "name": "Sam Jones", "contact": "07700 900123"},
        ],
        vehicles=[{"description": "silver Ford Focus", "registration": "AB12 CDE"}],
    ),
    minimal(  # 2: Scotland, online: the handle as an x.com post, evidence
        occurred_at="2026-04-15T21:00",
        kind="online-abuse",
        platform="Twitter",
        location={"text": "Online", "postcode": "EH1 1YZ"},
        evidence=[{"url": "https://x.com/angryvoter/status/1?s=20"}],
    ),
    minimal(  # 3: the handle as a twitter.com profile address; the witness again, written differently
        occurred_at="2026-05-01T09:00",
        kind="harassment",
        people=[
            {"role": "suspect", "handle": "https://twitter.com/AngryVoter"},
            {"role": "witness", "name": "SAM  JONES", "contact": "+44 (0)7700 900-123"},
        ],
    ),
    minimal(  # 4: the registration inside a vehicle's description, in lower case; a first name only
        occurred_at="2026-05-03T18:00",
        kind="criminal-damage",
        description="The car parked outside my office again",
        people=[{"role": "suspect", "name": "Dave"}],
        vehicles=[{"description": "silver Ford Focus ab12cde, dented wing"}],
    ),
    minimal(  # 5: shares nothing (another handle, another first name 'Dave' is not a full name)
        occurred_at="2026-05-04T18:00",
        people=[{"role": "suspect", "name": "Dave", "handle": "@someone_else", "platform": "X"}],
    ),
]


@pytest.fixture
def seeded(tmp_path: Path, store_backend: str) -> None:
    """The seeded record, on each store."""
    set_initials("Jo Smith")
    _seed(tmp_path, SEEDED)


def test_a_handle_written_three_ways_joins_three_incidents(seeded: None) -> None:
    links = _links()
    first = links[0]  # the most incidents first
    assert (first["kind"], first["value"], first["label"]) == ("handle", "x:@angryvoter", "@angryvoter on X")
    assert [i["id"] for i in first["incidents"]] == [1, 2, 3]
    assert first["seen_as"] == sorted(
        ["@AngryVoter", "https://x.com/angryvoter/status/1?s=20", "https://twitter.com/AngryVoter"]
    )
    two = first["incidents"][1]
    assert two == {
        "id": 2,
        "occurred_at": "2026-04-15T21:00:00+01:00",
        "kind": "online-abuse",
        "force_id": "police-scotland",
        "force_name": two["force_name"],
        "force_source": "postcode",
        "found_in": ["exhibit JS/1"],
    }
    assert "Scotland" in two["force_name"]
    assert first["incidents"][0]["found_in"] == ["suspect's handle"]


def test_a_registration_written_two_ways_one_inside_a_description(seeded: None) -> None:
    (reg,) = _by_kind(_links(), "registration")
    assert reg["value"] == "AB12CDE"
    assert [i["id"] for i in reg["incidents"]] == [1, 4]
    assert reg["seen_as"] == ["AB12 CDE", "ab12cde"]
    assert reg["incidents"][1]["found_in"] == ["vehicle description"]


def test_phone_and_full_name_link_a_first_name_does_not(seeded: None) -> None:
    links = _links()
    (tel,) = _by_kind(links, "phone")
    assert tel["value"] == "+447700900123" and [i["id"] for i in tel["incidents"]] == [1, 3]
    (name,) = _by_kind(links, "name")
    assert name["value"] == "sam jones" and name["seen_as"] == ["SAM  JONES", "Sam Jones"]
    assert not any("dave" in x["value"] for x in links)
    assert not any("someone_else" in x["value"] for x in links)


def test_order_most_incidents_then_kind_then_value(seeded: None) -> None:
    got = [(x["kind"], len(x["incidents"])) for x in _links()]
    assert got[0] == ("handle", 3)
    twos = [k for k, n in got if n == 2]
    assert twos == sorted(twos, key=["handle", "phone", "email", "registration", "url", "name"].index)
    assert "url" not in twos  # the post and the profile are different addresses of one account


def test_the_table_fits_80_columns_and_names_the_incidents(seeded: None) -> None:
    r = run("incidents", "links")
    assert r.exit_code == 0, r.stderr
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    text = flat(r.stdout)
    assert "Handle: @angryvoter on X (3 incidents)" in text
    assert "incident 2: 15 Apr 2026, online abuse" in text
    assert "Vehicle: AB12CDE (2 incidents)" in text
    assert "written as: AB12 CDE; ab12cde" in text


def test_narrow_terminal(seeded: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    r = run("incidents", "links")
    assert r.exit_code == 0 and max(len(line) for line in r.stdout.splitlines()) <= 50


def test_deleted_incidents_link_nothing(seeded: None) -> None:
    assert run("incidents", "delete", "4", "--yes").exit_code == 0
    links = _links()
    assert _by_kind(links, "registration") == []
    assert run("incidents", "delete", "3", "--yes").exit_code == 0
    (handle,) = _by_kind(_links(), "handle")
    assert [i["id"] for i in handle["incidents"]] == [1, 2]


def test_an_amendment_counts_as_the_record_now_reads(seeded: None) -> None:
    r = run("incidents", "edit", "5", "--add-vehicle", "white van; registration=ab-12-cde", "--reason", "seen again")
    assert r.exit_code == 0, r.stderr
    (reg,) = _by_kind(_links(), "registration")
    assert [i["id"] for i in reg["incidents"]] == [1, 4, 5]


def test_filters_choose_the_incidents(seeded: None) -> None:
    r = run("incidents", "links", "--since", "2026-04-10", "--json")
    assert r.exit_code == 0 and r.json["incidents"] == 4
    (handle,) = _by_kind(r.json["links"], "handle")
    assert [i["id"] for i in handle["incidents"]] == [2, 3]
    assert run("incidents", "links", "--kind", "nonsense").exit_code == 3


def test_nothing_where_nothing_is_shared(tmp_path: Path, store_backend: str) -> None:
    _seed(
        tmp_path,
        [
            minimal(people=[{"role": "suspect", "handle": "@one", "platform": "X", "contact": "07700 900001"}]),
            minimal(people=[{"role": "suspect", "handle": "@two", "platform": "X", "contact": "07700 900002"}]),
        ],
    )
    assert _links() == []
    r = run("incidents", "links")
    assert r.exit_code == 0 and "No identifier appears in more than one incident (2 incidents read)." in r.stdout


def test_a_handle_of_no_platform_joins_that_handle_on_a_platform_as_possible(tmp_path: Path) -> None:
    """@angryvoter with no platform joins @angryvoter on X, saying the platform was not given there; it never
    joins another name, and two handles of no platform still link each other as before."""
    _seed(
        tmp_path,
        [
            minimal(
                occurred_at="2026-04-01T10:00", people=[{"role": "suspect", "handle": "@AngryVoter", "platform": "X"}]
            ),
            minimal(occurred_at="2026-04-02T10:00", people=[{"role": "suspect", "handle": "@angryvoter"}]),  # 2
            minimal(occurred_at="2026-04-03T10:00", people=[{"role": "suspect", "handle": "@angry_voter"}]),  # 3
            minimal(occurred_at="2026-04-04T10:00", people=[{"role": "suspect", "handle": "@angryvoter"}]),  # 4
        ],
    )
    on_x, bare = _by_kind(_links(), "handle")
    assert (on_x["value"], [i["id"] for i in on_x["incidents"]]) == ("x:@angryvoter", [1, 2, 4])
    assert on_x["incidents"][0]["found_in"] == ["suspect's handle"]
    possible = "suspect's handle (platform not given: possibly the same account)"
    assert on_x["incidents"][1]["found_in"] == on_x["incidents"][2]["found_in"] == [possible]
    assert (bare["value"], [i["id"] for i in bare["incidents"]]) == ("@angryvoter", [2, 4])
    assert bare["incidents"][0]["found_in"] == ["suspect's handle"]
    shown = " ".join(run("incidents", "links").stdout.split())
    assert "Handle: @angryvoter on X (3 incidents)" in shown and "possibly the same account" in shown


def test_an_empty_record() -> None:
    r = run("incidents", "links")
    assert r.exit_code == 0 and "No incidents recorded" in r.stdout
    assert run("incidents", "links", "--json").json == {"schema_version": 1, "incidents": 0, "links": []}


def test_your_own_name_and_phone_are_left_out(tmp_path: Path) -> None:
    assert run("profile", "--name", "Jo Smith", "--phone", "07700 900999").exit_code == 0
    me = {"role": "victim", "name": "Jo Smith", "contact": "+44 7700 900999"}
    _seed(tmp_path, [minimal(people=[me]), minimal(people=[me])])
    assert _links() == []
    assert "No identifier appears" in run("incidents", "links").stdout


def test_hostile_text_is_shown_inert(tmp_path: Path) -> None:
    """Markup or terminal escapes in an identifier never reach the terminal as codes."""
    name = "[bold]Evil Name[/bold]"
    _seed(tmp_path, [minimal(people=[{"role": "suspect", "name": name}])] * 2)
    r = run("incidents", "links")
    assert r.exit_code == 0 and "[bold]Evil Name[/bold]" in r.stdout and "\x1b" not in r.stdout


def test_one_link_reads_in_the_singular() -> None:
    """'1 identifier appears in more than one incident', never '1 identifier appear'."""
    from tests.incident_helpers import report_json

    for when in ("2026-05-01 18:30", "2026-05-02 18:30"):
        report_json("--when", when, "--place", "online", "--kind", "online-abuse", "--description", "d",
                    "--suspect", "a man; handle=@angryvoter")  # fmt: skip
    out = " ".join(run("incidents", "links").stdout.split())
    assert "1 identifier appears in more than one incident (2 incidents read)." in out


def test_an_online_incident_shows_the_force_every_view_gives_it() -> None:
    """An incident with no place-based force falls to the profile's force in links too, labelled so."""
    from tests.incident_helpers import report_json

    assert run("profile", "--name", "Jo Smith", "--force", "kent").exit_code == 0
    report_json("--when", "2026-05-01 18:30", "--place", "online", "--kind", "online-abuse", "--description", "d",
                "--suspect", "a man; handle=@angryvoter")  # fmt: skip
    report_json("--when", "2026-05-02 18:30", "--place", "High Street", "--postcode", "SW1A 1AA", "--kind",
                "threats", "--description", "d", "--suspect", "a man; handle=@angryvoter")  # fmt: skip
    out = " ".join(run("incidents", "links").stdout.split())
    assert "online abuse, Kent Police (from the reporting person's profile)" in out
    assert "threats, Metropolitan Police Service;" in out and "no force" not in out
