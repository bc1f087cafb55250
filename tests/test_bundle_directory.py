"""The bundle's central directory is kept on disk as the zip is written: the same bytes, and a zip any reader opens."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from campaignsafe.exports import bundle
from campaignsafe.exports.bundle import MANIFEST, Entry, write_bundle


def _entries(n: int) -> list[Entry]:
    big = b"x" * (bundle.SMALL + 10)  # streamed through zipfile's own writer, not written whole
    out = [Entry(f"evidence/JS-{i:06d}_f.{'png' if i % 2 else 'txt'}", f"file {i}\n".encode()) for i in range(n)]
    return [*out, Entry("report.md", big), Entry("z.txt", stream=lambda: iter([b"a", b"b"]))]


@pytest.mark.parametrize("spill", [1, 3, 1000])
def test_directory_on_disk_gives_the_same_bytes(spill: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Spilled every entry, every 3 or never: byte-identical zips, each entry readable with its bytes and CRC."""
    entries = _entries(25)
    write_bundle(entries, tmp_path / "whole.zip", lambda b: b"sig", "MANIFEST.sha256.sig")
    monkeypatch.setattr(bundle, "_SPILL", spill)
    write_bundle(entries, tmp_path / "spilled.zip", lambda b: b"sig", "MANIFEST.sha256.sig")
    assert (tmp_path / "spilled.zip").read_bytes() == (tmp_path / "whole.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "spilled.zip") as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        assert names[-2:] == [MANIFEST, "MANIFEST.sha256.sig"] and len(names) == 25 + 4
        assert zf.read("evidence/JS-000007_f.png") == b"file 7\n" and zf.read("z.txt") == b"ab"
        assert zf.getinfo("evidence/JS-000007_f.png").compress_type == zipfile.ZIP_STORED


@pytest.mark.slow
def test_more_than_65535_entries_get_the_zip64_end_record(tmp_path: Path) -> None:
    """A bundle of 70,000 files: the end records count them all (ZIP64), as zipfile writes them."""
    entries = [Entry(f"e/{i:06d}.png", b"") for i in range(70_000)]
    write_bundle(entries, tmp_path / "many.zip")
    with zipfile.ZipFile(tmp_path / "many.zip") as zf:
        assert len(zf.namelist()) == 70_001 and zf.testzip() is None
    tail = (tmp_path / "many.zip").read_bytes()[-98:]
    assert tail[:4] == b"PK\x06\x06" and tail[-22:-18] == b"PK\x05\x06"
