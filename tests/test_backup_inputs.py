"""The small parsers around backups: the passphrase file, the age header, the data folder's emptiness."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignsafe.backup import crypto
from campaignsafe.backup.archive import left_out
from campaignsafe.backup.restore import is_empty
from campaignsafe.errors import InputError

LINE = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
    min_size=1,
    max_size=200,
)


@settings(max_examples=60, deadline=None)
@given(secret=LINE, rest=st.text(max_size=50), ending=st.sampled_from(["", "\n", "\r\n"]))
def test_the_passphrase_is_the_first_line_exactly(
    tmp_path_factory: pytest.TempPathFactory, secret: str, rest: str, ending: str
) -> None:
    """Whatever the passphrase holds (spaces, accents, symbols), the file's first line comes back unchanged."""
    path = tmp_path_factory.mktemp("pp") / "pass.txt"
    path.write_bytes((secret + ending + (rest if ending else "")).encode("utf-8"))
    assert crypto.read_passphrase_file(str(path)) == secret


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "first line is empty"), (b"\nsecret", "first line is empty"), (b"\xff\xfe", "not UTF-8"),
     (b"x" * 5000, "too long")],
)  # fmt: skip
def test_bad_passphrase_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    """An empty, binary or huge passphrase file is refused with a reason (exit 3)."""
    path = tmp_path / "pass.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as exc:
        crypto.read_passphrase_file(str(path))
    assert exc.value.exit_code == 3


def test_a_folder_is_not_a_passphrase_file(tmp_path: Path) -> None:
    """A folder (or a missing file) given as --passphrase-file is refused."""
    with pytest.raises(InputError, match="not a file"):
        crypto.read_passphrase_file(str(tmp_path))


def test_seal_and_unseal_round_trip() -> None:
    """What is sealed opens with the same passphrase, and only with it (exit 3, cannot_decrypt, otherwise)."""
    import io

    out = io.BytesIO()
    sealed = crypto.sealer(out, "pass")
    sealed.write(b"the record")
    sealed.close()
    assert out.getvalue().startswith(crypto.MAGIC)
    plain = io.BytesIO()
    assert crypto.unseal(io.BytesIO(out.getvalue()), plain, "pass", "x") == len(b"the record")
    assert plain.getvalue() == b"the record"
    with pytest.raises(InputError, match="cannot decrypt") as exc:
        crypto.unseal(io.BytesIO(out.getvalue()), io.BytesIO(), "other", "x")
    assert exc.value.code == "cannot_decrypt"


@pytest.mark.parametrize(
    ("rel", "out"),
    [("incidents.db", True), ("incidents.db-wal", True), ("evidence.lock", True), ("evidence/ab/.incoming-x1", True),
     (".profile.json.x.tmp", True), ("profile.json", False), ("evidence/ab/" + "ab" * 32, False),
     ("checklist/sam.json", False), ("bundle-signing-key", False)],
)  # fmt: skip
def test_what_a_backup_leaves_out(rel: str, out: bool) -> None:
    """The database travels as rows; journals, locks and half-written files are left out; everything else goes."""
    assert left_out(rel) is out


def test_an_empty_data_folder(tmp_path: Path) -> None:
    """Missing or empty counts as empty; any file in it does not."""
    assert is_empty(tmp_path / "missing") and is_empty(tmp_path)
    (tmp_path / "profile.json").write_text("{}")
    assert not is_empty(tmp_path)
