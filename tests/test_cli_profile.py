"""``campaignsafe profile``: who keeps the record, and the initials on every exhibit."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.conftest import run


def test_empty_profile_says_how_to_set_it() -> None:
    """With nothing saved, profile says how to set it."""
    assert "campaignsafe profile --name" in run("profile").stdout


def test_set_and_show(home: Path) -> None:
    """Setting the name gives initials; the constituency is matched and its force found; JSON shows all."""
    r = run("profile", "--name", "Cllr Jo Smith-Jones", "--role", "candidate", "--constituency", "bath",
            "--phone", "07700 900000", "--email", "jo@example.org")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert "JSJ (exhibits JSJ/1, JSJ/2, …)" in r.stdout  # a hyphenated surname gives both letters
    d = run("profile", "--json").json
    assert d["name"] == "Cllr Jo Smith-Jones" and d["initials"] == "JSJ"
    assert d["constituency"] == "Bath" and d["force_id"] == "avon-and-somerset"
    assert stat.S_IMODE((home / "profile.json").stat().st_mode) == 0o600


def test_initials_can_be_set_and_changing_them_warns() -> None:
    """Initials are normalised, and changing them says existing exhibits keep their references."""
    run("profile", "--name", "Jo Smith")
    r = run("profile", "--initials", "j.s.b")
    assert "Exhibits already numbered keep JS/…; new ones will be JSB/1" in r.stdout
    assert run("profile", "--json").json["initials"] == "JSB"


def test_bad_values_are_refused() -> None:
    """Bad initials or an email without an @ are refused in one line."""
    r = run("profile", "--initials", "J5")
    assert r.exit_code == 3 and "initials are 1 to 4 letters" in r.stderr
    r = run("profile", "--email", "not-an-email")
    assert r.exit_code == 3 and "is not an email address" in r.stderr


def test_clearing_a_field() -> None:
    """An empty value clears a field."""
    run("profile", "--name", "Jo Smith", "--phone", "0123")
    run("profile", "--phone", "")
    assert run("profile", "--json").json["phone"] is None


def test_unmatched_constituency_is_kept_as_typed() -> None:
    """A ward or division not in the constituency list is kept as typed."""
    run("profile", "--constituency", "Abbey Ward")
    assert run("profile", "--json").json["constituency"] == "Abbey Ward"


def test_a_constituency_it_does_not_know_says_the_force_was_not_set_from_it() -> None:
    """A ward (or a misspelt constituency) is kept as written, and the user is told their police force was not
    set from it and how to set it; a known constituency sets the force with no such note."""
    r = run("profile", "--name", "Ann Lee", "--constituency", "Abbey ward, Bath")
    said = " ".join(r.stdout.split())
    assert r.exit_code == 0 and "Constituency Abbey ward, Bath" in said
    assert "your police force is not set: set it with campaignsafe profile --force FORCE" in said
    r = run("profile", "--constituency", "Bath")
    assert "Avon and Somerset" in r.stdout and "Note:" not in r.stdout
    r = run("profile", "--constituency", "Nowhereville")
    assert "your police force is still Avon and Somerset Constabulary" in " ".join(r.stdout.split())
    assert run("profile", "--force", "kent").exit_code == 0
