"""Property tests for the parsers an attacker controls: manifests, signatures, anchors and entry names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignsafe.errors import InputError, VerifyError
from campaignsafe.exports import signing
from campaignsafe.exports.verify import canonical, collision_key, parse_manifest, shown
from campaignsafe.incidents.check import parse_anchor

HEX = st.text("0123456789abcdef", min_size=64, max_size=64)


@given(st.binary(max_size=2000))
def test_any_manifest_bytes_parse_or_fail_cleanly(raw: bytes) -> None:
    """Any bytes: a {name: digest} map or a VerifyError naming the problem, never another exception."""
    try:
        out = parse_manifest(raw)
    except VerifyError as exc:
        assert "MANIFEST.sha256" in exc.message
        return
    assert all(len(d) == 64 for d in out.values())


@given(st.lists(st.tuples(st.text(min_size=1, max_size=30).filter(lambda n: "\n" not in n), HEX), max_size=8))
def test_manifest_lines_round_trip_or_repeat(pairs: list[tuple[str, str]]) -> None:
    """Well-formed lines come back as written, unless two names are the same file once unpacked."""
    raw = "".join(f"{d}  {n}\n" for n, d in pairs).encode()
    keys = [collision_key(n) for n, _d in pairs]
    if len(set(keys)) < len(keys):
        with pytest.raises(VerifyError):
            parse_manifest(raw)
    else:
        assert parse_manifest(raw) == {n: d for n, d in pairs}


@settings(max_examples=300)
@given(st.binary(max_size=600), st.binary(max_size=50))
def test_any_signature_bytes_are_good_or_bad_never_a_crash(armoured: bytes, message: bytes) -> None:
    with pytest.raises(signing.BadSignature):
        signing.check(armoured, message)


@given(st.text(max_size=100))
def test_any_anchor_text_parses_or_is_an_input_error(text: str) -> None:
    try:
        head = parse_anchor(text)
    except InputError:
        return
    assert len(head.sha256) == 64 and head.seq >= 0


@given(st.text(max_size=200))
def test_names_are_shown_printable_and_canonical_is_stable(name: str) -> None:
    """What verify prints is printable; canonical form is idempotent."""
    assert shown(name).isprintable() or shown(name) == ""
    assert canonical(canonical(name)) == canonical(name)
