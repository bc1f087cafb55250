"""The postcode grammar: normalising, classifying and explaining what is wrong."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignsafe.contact import postcode
from campaignsafe.contact.resolve import resolve
from campaignsafe.errors import CampaignsafeError, InputError
from tests.conftest import run

REAL = ["SW1A 1AA", "EC2V 7HH", "CF10 1EP", "EH1 1YZ", "M1 1AE", "B33 8TH", "W1A 1AA", "G1 1XQ", "SK17 6AE", "BT1 5GS"]


def respace(pc: str, data: st.DataObject) -> str:
    """The same postcode with random case and random whitespace between characters."""
    chars = [c.lower() if data.draw(st.booleans()) else c for c in pc.replace(" ", "")]
    spaces = st.text(alphabet=" \t", max_size=3)
    return data.draw(spaces) + "".join(c + data.draw(spaces) for c in chars)


@given(st.sampled_from(REAL), st.data())
@settings(max_examples=300, deadline=None)
def test_any_spacing_and_case_gives_the_same_answer(pc: str, data: st.DataObject) -> None:
    """However a user types a real postcode, they get the same force and postcode back."""
    variant = respace(pc, data)
    expected = resolve(pc).to_dict()
    got = resolve(variant).to_dict()
    assert got["postcode"] == expected["postcode"] == pc
    assert got["forces"] == expected["forces"]
    assert got["constituency"] == expected["constituency"]


@given(st.text(max_size=300))
@settings(max_examples=1000, deadline=None)
def test_arbitrary_text_never_raises_anything_but_our_error(text: str) -> None:
    """Junk input gets the tool's own error (a one-line message), never a crash."""
    try:
        resolve(text)
    except CampaignsafeError as exc:
        assert exc.message and "\n" not in exc.message


@given(st.binary(max_size=64))
@settings(max_examples=300, deadline=None)
def test_binary_junk_is_an_error_not_a_crash(raw: bytes) -> None:
    """Bytes decoded leniently never crash the parser."""
    with contextlib.suppress(CampaignsafeError):
        resolve(raw.decode("utf-8", "replace"))


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ", max_size=10))
def test_canonical_is_idempotent(text: str) -> None:
    """Normalising twice changes nothing."""
    assert postcode.canonical(postcode.canonical(text)) == postcode.canonical(text)


@pytest.mark.parametrize(
    ("text", "kind", "display"),
    [
        ("sw1a1aa", "full", "SW1A 1AA"),
        (" SW1A  1AA ", "full", "SW1A 1AA"),
        ("SK17", "district", "SK17"),
        ("SK17 6", "sector", "SK17 6"),
        ("sk176", "sector", "SK17 6"),
        ("SK1 7", "sector", "SK1 7"),
        ("M1", "district", "M1"),
        ("w1a1aa", "full", "W1A 1AA"),
    ],
)
def test_parse_kinds(text: str, kind: str, display: str) -> None:
    """Postcodes, sectors and districts are told apart, spacing aside."""
    p = postcode.parse(text)
    assert (p.kind, p.display) == (kind, display)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1AA", "starts with one or two letters"),
        ("SW1A 1A", "digit and two letters"),
        ("ABCDEFGH1", "too long"),
    ],
)
def test_malformed_postcodes_say_what_is_wrong(text: str, fragment: str) -> None:
    """A malformed postcode gets a reason a user can act on."""
    with pytest.raises(InputError) as err:
        postcode.parse(text)
    assert fragment in err.value.message


def test_slots_round_trip() -> None:
    """Every unit-letter pair has its own slot and maps back."""
    seen = {postcode.unit_of_slot(postcode.slot(a + b)) for a in postcode.UNIT_LETTERS for b in postcode.UNIT_LETTERS}
    assert len(seen) == postcode.SECTOR_SLOTS


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("SWIA 1AA", "SW1A 1AA"), ("SW1A IAA", "SW1A 1AA"), ("EHI 1YZ", "EH1 1YZ"), ("BTI 5GS", "BT1 5GS"),
     ("0X1 1AA", "OX1 1AA"), ("bai 1su", "BA1 1SU")],
)  # fmt: skip
def test_a_postcode_with_i_for_1_or_0_for_o_says_the_one_meant(typed: str, meant: str) -> None:
    """``SWIA 1AA`` (I for 1, the commonest slip) said only "a postcode starts with one or two letters, then a
    digit"; the postcode meant is offered when exactly one such reading exists."""
    r = run("contact", typed)
    assert r.exit_code == 3 and f"did you mean {meant}?" in r.stderr, r.stderr
    assert run("contact", typed, "--json").json["error"]["hint"].startswith(f"did you mean {meant}?")


def test_no_postcode_is_offered_when_no_reading_exists() -> None:
    r = run("contact", "QQQ 1AA")
    assert r.exit_code == 3 and "did you mean" not in r.stderr


@given(st.text(alphabet="ABDEHILOSUWXYZ0123456789 ", min_size=5, max_size=9))
def test_misreadings_are_full_postcodes_a_change_or_two_away(text: str) -> None:
    from campaignsafe.contact.postcode import canonical, misreadings, parse

    for candidate in misreadings(text):
        assert parse(candidate).kind == "full"
        changed = sum(a != b for a, b in zip(canonical(text), canonical(candidate), strict=True))
        assert 1 <= changed <= 2
