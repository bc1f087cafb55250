"""The export's fast paths give exactly what the plain ones gave: wrapping, escaping, zip entries, spooling."""

from __future__ import annotations

import html
import textwrap
import zipfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from campaignsafe import mdtext
from campaignsafe.exports import html as html_report
from campaignsafe.exports.bundle import SMALL, Entry, write_bundle
from campaignsafe.exports.spool import Spool

_PIECES = st.sampled_from([*"ab cdé-—_*\t\n\u00a0\u2028xyz.,", "word", " ", "longword" * 12])
_TEXT = st.lists(_PIECES, max_size=120).map("".join)


def _wrap_reference(text: str, first: str = "", rest: str | None = None, width: int = mdtext.WIDTH) -> list[str]:
    """``mdtext.wrap`` as it was written with ``textwrap`` alone."""
    rest = first if rest is None else rest
    body = " ".join(mdtext.esc(text).split())
    if len(first) + len(body) <= width:
        return [first + mdtext._line(body)]
    lines = textwrap.wrap(
        body, width, initial_indent=first, subsequent_indent=rest, break_long_words=False, break_on_hyphens=False
    ) or [first]
    return [
        first + mdtext._line(lines[0][len(first) :]),
        *(rest + mdtext._line(line[len(rest) :]) for line in lines[1:]),
    ]


@settings(max_examples=400, deadline=None)
@given(_TEXT, st.sampled_from(["", "- ", "  - As first recorded: ", "- Incident 12, ", "x" * 90]),
       st.sampled_from([None, "", "  ", "    "]), st.integers(min_value=1, max_value=100))  # fmt: skip
def test_markdown_wrap_is_textwraps(text: str, first: str, rest: str | None, width: int) -> None:
    assert mdtext.wrap(text, first, rest, width) == _wrap_reference(text, first, rest, width)


@given(st.one_of(st.text(max_size=200), st.integers(), st.none()))
def test_html_escape_is_the_stdlibs(value: object) -> None:
    from campaignsafe.usertext import shown

    # the stdlib's, once a control or bidi character (never typed) is made visible as [U+XXXX]
    assert html_report.e(value) == html.escape(shown(str(value)), quote=True)


def _member_bytes(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None  # every CRC checks out
        return {i.filename: zf.read(i) for i in zf.infolist()}


def test_small_entries_written_whole_read_back_as_zipfile_writes_them(tmp_path: Path) -> None:
    photo, note = tmp_path / "photo.JPG", tmp_path / "note.txt"
    photo.write_bytes(b"\xff\xd8" + bytes(range(256)) * 40)
    note.write_bytes("a note, é\n".encode() * 500)
    big = tmp_path / "big.txt"
    big.write_bytes(b"0123456789abcdef" * (SMALL // 16 + 1))  # streamed, not read whole
    entries = [
        Entry("evidence/JS-1_photo.JPG", source=photo),
        Entry("evidence/JS-2_note.txt", source=str(note)),
        Entry("evidence/JS-3_big.txt", source=big),
        Entry("incidents.json", stream=lambda: iter([b"{", b"}"])),
        Entry("report.md", "# report ✓\n".encode()),
    ]
    out = tmp_path / "b.zip"
    write_bundle(entries, out)
    got = _member_bytes(out)
    assert got["evidence/JS-1_photo.JPG"] == photo.read_bytes()
    assert got["evidence/JS-2_note.txt"] == note.read_bytes()
    assert got["evidence/JS-3_big.txt"] == big.read_bytes()
    assert got["incidents.json"] == b"{}" and got["report.md"] == "# report ✓\n".encode()
    with zipfile.ZipFile(out) as zf:
        kinds = {i.filename: i.compress_type for i in zf.infolist()}
    assert kinds["evidence/JS-1_photo.JPG"] == zipfile.ZIP_STORED  # already compressed: stored as it is
    assert kinds["evidence/JS-2_note.txt"] == zipfile.ZIP_DEFLATED
    again = tmp_path / "again.zip"
    write_bundle(entries, again)
    assert again.read_bytes() == out.read_bytes()


def test_spool_keeps_every_piece_in_order(tmp_path: Path) -> None:
    folder = tmp_path / "spool"
    folder.mkdir()
    spool = Spool(folder)
    try:
        pieces = [f"piece {n} é\n" * (n % 7 + 1) for n in range(40_000)]  # several times the write size
        for p in pieces:
            spool.write("md", p)
        first = b"".join(spool.replay("md"))
        spool.write("md", "the end\n")
        assert first == "".join(pieces).encode()
        assert b"".join(spool.replay("md")) == ("".join(pieces) + "the end\n").encode()
        assert list(spool.replay("never")) == []
    finally:
        spool.close()
