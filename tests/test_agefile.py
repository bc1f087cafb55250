"""The streamed age format (backup/agefile.py) against two other implementations: pyrage (rage) and the age tool."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyrage import passphrase as pp

from campaignsafe.backup import agefile
from campaignsafe.backup.agefile import CHUNK, AgeError, Sealer, unseal

SECRET = "a long passphrase, for the tests only"
#: the age tool's lowest work factor keeps these tests quick; the format is the same at any factor
FAST = 10


def seal(data: bytes, *splits: int, secret: str = SECRET) -> bytes:
    out = io.BytesIO()
    s = Sealer(out, secret, work_factor=FAST)
    start = 0
    for cut in sorted(splits):
        s.write(data[start:cut])
        start = cut
    s.write(data[start:])
    s.close()
    return out.getvalue()


def opened(sealed: bytes, secret: str = SECRET) -> bytes:
    out = io.BytesIO()
    assert unseal(io.BytesIO(sealed), out, secret) == len(out.getvalue())
    return out.getvalue()


#: the header of an age file made for a key (the age tool's X25519 recipient), not a passphrase
X25519 = b"age-encryption.org/v1\n-> X25519 " + b"A" * 43 + b"\n" + b"B" * 43 + b"\n--- " + b"C" * 43 + b"\n"
SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 17]


@pytest.mark.parametrize("size", SIZES)
def test_what_it_seals_pyrage_opens_and_what_pyrage_seals_it_opens(size: int) -> None:
    """Chunk boundaries included (an empty file, exactly one chunk, one byte over): rage agrees both ways."""
    data = os.urandom(size)
    sealed = seal(data, size // 3)
    assert sealed.startswith(agefile.MAGIC)
    assert len(data) < 16 or data[:16] not in sealed  # nothing of the plaintext shows (a byte or two may, by chance)
    assert bytes(pp.decrypt(sealed, SECRET)) == data
    assert opened(sealed) == data
    if size in (0, CHUNK + 1):  # pyrage calibrates its work factor (seconds, a GiB): two sizes are enough
        assert opened(bytes(pp.encrypt(data, SECRET))) == data


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=3 * CHUNK + 50), st.lists(st.integers(0, 3 * CHUNK + 50), max_size=5))
def test_any_bytes_written_in_any_pieces_open_as_they_were(data: bytes, splits: list[int]) -> None:
    """However the bytes arrive (zipfile writes in pieces of every size), the file opens to the same bytes."""
    sealed = seal(data, *[min(c, len(data)) for c in splits])
    assert opened(sealed) == data
    assert len(sealed) == len(seal(data))  # the same size whatever the pieces: chunking depends on the bytes alone


def test_memory_stays_at_one_chunk_however_much_is_written() -> None:
    """The sealer keeps at most one chunk back (the last one must be flagged), never the whole stream."""
    sink = io.BytesIO()
    s = Sealer(sink, SECRET, work_factor=FAST)
    piece = os.urandom(100_000)
    for _ in range(50):  # 5 MB
        s.write(piece)
        assert len(s._buf) <= CHUNK
    s.close()
    assert opened(sink.getvalue()) == piece * 50


def test_wrong_passphrase_and_every_damage_is_refused() -> None:
    """A wrong passphrase, any changed byte, a cut at any chunk boundary and bytes added at the end: each refused."""
    data = os.urandom(2 * CHUNK + 100)
    sealed = seal(data)
    with pytest.raises(AgeError, match="wrong passphrase") as exc:
        opened(sealed, "not the passphrase")
    assert exc.value.kind == "wrong_passphrase"
    header_end = sealed.index(b"\n--- ") + 49
    for at in [*range(0, header_end, 7), header_end + 3, header_end + 16 + 5, len(sealed) - 1]:
        bad = bytearray(sealed)
        bad[at] ^= 0x01
        with pytest.raises(AgeError):
            opened(bytes(bad))
    payload = header_end + 16
    for cut in (len(sealed) - 1, payload + CHUNK + 16, payload + 2 * (CHUNK + 16), payload + 10, payload, 30):
        with pytest.raises(AgeError):
            opened(sealed[:cut])
    with pytest.raises(AgeError):
        opened(sealed + b"\x00")
    with pytest.raises(AgeError):
        opened(sealed + seal(b"x")[-17:])  # a whole sealed chunk added


def test_files_it_does_not_open_are_refused_at_once() -> None:
    """Not an age file, a recipient other than a passphrase, or a work factor beyond the age tool's limit."""
    with pytest.raises(AgeError):
        opened(b"PK\x03\x04 a zip")
    with pytest.raises(AgeError, match="passphrase") as exc:
        opened(X25519 + bytes(40))
    assert exc.value.kind == "not_passphrase"
    huge = seal(b"x").replace(b" %d\n" % FAST, b" 40\n", 1)
    with pytest.raises(AgeError, match="work factor") as exc:
        opened(huge)
    assert exc.value.kind == "too_costly"


@pytest.mark.skipif(shutil.which("age") is None, reason="the age tool is not installed (apt-get install age)")
def test_the_age_tool_opens_what_it_seals(tmp_path: Path) -> None:
    """`age -d` (the reference tool) decrypts a multi-chunk file sealed at the default work factor."""
    from tests.test_backup_restore import _age_decrypt

    data = os.urandom(2 * CHUNK + 5)
    src = tmp_path / "x.age"
    with src.open("wb") as fh:
        s = Sealer(fh, SECRET)
        s.write(data)
        s.close()
    assert _age_decrypt(src, tmp_path / "x", SECRET) == 0
    assert (tmp_path / "x").read_bytes() == data
    assert _age_decrypt(src, tmp_path / "y", "not it") != 0


_VALID = seal(os.urandom(CHUNK + 300))
_WORK_FACTOR = range(_VALID.index(b" %d\n" % FAST) + 1, _VALID.index(b" %d\n" % FAST) + 3)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, len(_VALID) - 1), st.integers(1, 255)), max_size=3),
    st.integers(0, len(_VALID)),
    st.binary(max_size=40),
)
def test_a_changed_file_is_refused_never_misread(flips: list[tuple[int, int]], cut: int, tail: bytes) -> None:
    """Any bytes changed, the file cut anywhere, anything added: AgeError (never another error, never wrong bytes)."""
    bad = bytearray(_VALID)
    for at, mask in flips:
        if at not in _WORK_FACTOR:  # a changed work factor is refused too, but "22" would cost 4 GiB to find out
            bad[at] ^= mask
    damaged = bytes(bad[:cut]) + tail
    if damaged == _VALID:
        return
    with pytest.raises(AgeError):
        opened(damaged)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_anything_after_the_first_line_is_refused_cleanly(rest: bytes) -> None:
    """A file that starts like age and goes on with anything at all: refused with AgeError, at once."""
    with pytest.raises(AgeError):
        opened(agefile.MAGIC + rest)


def test_restore_of_a_file_encrypted_to_a_key_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An age file made for a key (not a passphrase) is refused with what it is and the way out (exit 3)."""
    from tests.backup_helpers import passphrase_file, use_home
    from tests.conftest import run

    keyed = tmp_path / "keyed.age"
    keyed.write_bytes(
        b"age-encryption.org/v1\n-> X25519 " + b"A" * 43 + b"\n" + b"B" * 43 + b"\n--- " + b"C" * 43 + b"\n"
    )
    use_home(monkeypatch, tmp_path / "new")
    r = run("restore", str(keyed), "--passphrase-file", str(passphrase_file(tmp_path)))
    assert r.exit_code == 3 and "not encrypted with a passphrase" in r.stderr and "age -d -i KEY" in r.stderr
    assert not (tmp_path / "new").exists()
