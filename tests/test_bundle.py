"""The evidence bundle, its manifest and verify; CSV safety; the email draft."""

from __future__ import annotations

import email
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import pytest

from campaignsafe.errors import InputError
from campaignsafe.exports.bundle import MANIFEST, Entry, write_bundle
from campaignsafe.exports.csv_safe import neutralise, to_csv
from campaignsafe.exports.eml import draft
from campaignsafe.exports.verify import parse_manifest, verify


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8" + bytes(range(256)) * 40)
    out = tmp_path / "out" / "bundle.zip"
    out.parent.mkdir()
    write_bundle(
        [
            Entry("report.html", b"<html>report</html>"),
            Entry("incidents.json", b"{}"),
            Entry("evidence/JS-1_photo.jpg", source=photo),
        ],
        out,
    )
    return out


def _unpack(zip_path: Path, dest: Path) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(dest)
    return dest


def test_bundle_verifies_and_lists_every_file(bundle: Path) -> None:
    """A fresh bundle passes verify, and its manifest names every other file."""
    report = verify(bundle)
    assert report.passed
    assert sorted(report.ok) == ["evidence/JS-1_photo.jpg", "incidents.json", "report.html"]
    with zipfile.ZipFile(bundle) as zf:
        assert set(parse_manifest(zf.read(MANIFEST))) == set(zf.namelist()) - {MANIFEST}


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="sha256sum not installed")
def test_sha256sum_checks_the_unpacked_bundle(bundle: Path, tmp_path: Path) -> None:
    """`sha256sum -c MANIFEST.sha256` passes on the unpacked folder, as verify does."""
    folder = _unpack(bundle, tmp_path / "unpacked")
    r = subprocess.run(["sha256sum", "-c", MANIFEST], cwd=folder, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert verify(folder).passed


def test_altered_missing_and_added_files_are_each_named(bundle: Path, tmp_path: Path) -> None:
    """Change one byte, remove a file, add a file: verify names each and fails."""
    folder = _unpack(bundle, tmp_path / "u")
    photo = folder / "evidence" / "JS-1_photo.jpg"
    data = bytearray(photo.read_bytes())
    data[100] ^= 1
    photo.write_bytes(bytes(data))
    (folder / "incidents.json").unlink()
    (folder / "extra.txt").write_text("slipped in")
    report = verify(folder)
    assert not report.passed
    assert report.altered == ["evidence/JS-1_photo.jpg"]
    assert report.missing == ["incidents.json"]
    assert report.added == ["extra.txt"]


def test_zip_with_path_traversal_is_refused(tmp_path: Path) -> None:
    """Entries with '..' or absolute paths are reported unsafe and never extracted."""
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../escape.txt", "x")
        zf.writestr("/etc/owned", "x")
        zf.writestr(MANIFEST, "")
    report = verify(evil)
    assert not report.passed
    assert report.unsafe == ["../escape.txt", "/etc/owned"]
    assert not (tmp_path.parent / "escape.txt").exists()


def test_same_entries_give_the_same_bytes(tmp_path: Path) -> None:
    """The same export twice gives byte-identical bundles."""
    entries = [Entry("a.txt", b"one"), Entry("b/c.txt", b"two")]
    write_bundle(entries, tmp_path / "1.zip")
    write_bundle(list(reversed(entries)), tmp_path / "2.zip")
    assert (tmp_path / "1.zip").read_bytes() == (tmp_path / "2.zip").read_bytes()


def test_not_a_bundle(tmp_path: Path) -> None:
    """A file that is not a bundle gets a one-line input error."""
    f = tmp_path / "x.zip"
    f.write_text("hello")
    with pytest.raises(InputError):
        verify(f)
    with pytest.raises(InputError):
        verify(tmp_path / "nope.zip")


@pytest.mark.parametrize(
    ("cell", "safe"),
    [("=SUM(A1)", "'=SUM(A1)"), ("+44 20", "'+44 20"), ("-1", "'-1"), ("@user", "'@user"), ("ok", "ok"), (None, "")],
)
def test_csv_cells_cannot_run_as_formulas(cell: str | None, safe: str) -> None:
    """A cell a spreadsheet would run as a formula is neutralised."""
    assert neutralise(cell) == safe


def test_csv_is_rfc4180() -> None:
    """CRLF line ends, quotes doubled, commas quoted."""
    text = to_csv(["a", "b"], [['say "hi"', "x,y"]])
    assert text == 'a,b\r\n"say ""hi""","x,y"\r\n'


def test_email_draft_parses_back() -> None:
    """The draft is a valid message with the report attached, marked unsent."""
    raw = draft(
        to="spoc@example.police.uk",
        sender=None,
        subject="Incident report",
        body="Please find attached.",
        attachments=[("report.html", b"<html></html>", "text/html")],
        when=datetime(2026, 5, 1, 18, 30, tzinfo=UTC),
    )
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["To"] == "spoc@example.police.uk" and msg["X-Unsent"] == "1"
    parts = list(msg.iter_attachments())
    assert parts[0].get_filename() == "report.html"
    assert parts[0].get_content() == "<html></html>"


def test_zip_dates_are_uk_time_and_never_before_1980() -> None:
    """Zip dates have no time zone: a summer export is dated in BST, and a time before 1980 (the format's
    first year, e.g. ``SOURCE_DATE_EPOCH=0``) is 1 January 1980 rather than an error."""
    from datetime import datetime

    from campaignsafe.exports.bundle import zip_time

    assert zip_time(datetime(2026, 7, 1, 12, 0, 1, tzinfo=UTC)) == (2026, 7, 1, 13, 0, 1)
    assert zip_time(datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)) == (2026, 12, 1, 12, 0, 0)
    assert zip_time(datetime(1970, 1, 1, tzinfo=UTC)) == (1980, 1, 1, 0, 0, 0)
