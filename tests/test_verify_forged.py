"""verify, hardened: every forged zip or folder that would unpack to other content than the manifest says fails."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest

from campaignsafe.exports.bundle import MANIFEST, Entry, manifest_text, write_bundle
from campaignsafe.exports.verify import manifest_cap, verify
from tests.conftest import run
from tests.export_helpers import unpack

REPORT = b"<html>the real report</html>"
PHOTO = b"\xff\xd8" + bytes(range(256)) * 8
FORGED = b"<html>what the officer would read instead</html>"


@pytest.fixture
def honest(tmp_path: Path) -> Path:
    out = tmp_path / "honest.zip"
    write_bundle([Entry("report.html", REPORT), Entry("evidence/JS-1_photo.jpg", PHOTO)], out)
    assert verify(out).passed
    return out


def _add(zip_path: Path, name: str, data: bytes = FORGED, mode: int | None = None) -> Path:
    info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
    if mode is not None:
        info.create_system = 3
        info.external_attr = mode << 16
    with zipfile.ZipFile(zip_path, "a") as zf:
        zf.writestr(info, data)
    return zip_path


def _zip(path: Path, files: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files:
            zf.writestr(name, data)
    return path


def _fails(target: Path, *names: str) -> dict[str, object]:
    r = run("verify", str(target), "--json")
    assert r.exit_code == 6, r.stdout
    data: dict[str, object] = r.json
    assert data["passed"] is False
    for name in names:
        assert name in data["unsafe"], data["unsafe"]  # type: ignore[operator]
        assert name in data["unsafe_reasons"]  # type: ignore[operator]
    return data


@pytest.mark.parametrize(
    "alias",
    ["./report.html", "evidence//JS-1_photo.jpg", "evidence\\JS-1_photo.jpg", "evidence/./JS-1_photo.jpg"],
)
def test_an_alias_name_beside_the_real_entry_fails(honest: Path, alias: str) -> None:
    """A second entry that unzip writes over the real one is unsafe, however it is spelt."""
    _fails(_add(honest, alias), alias)


def test_a_case_twin_fails(honest: Path) -> None:
    """REPORT.html beside report.html: on Windows and macOS one overwrites the other."""
    _fails(_add(honest, "REPORT.html"), "REPORT.html", "report.html")


def test_an_nfc_nfd_pair_fails(tmp_path: Path) -> None:
    """café.jpg in NFC (listed) and in NFD (unlisted): macOS unpacks both to one file."""
    nfc = "evidence/" + unicodedata.normalize("NFC", "café.jpg")
    nfd = "evidence/" + unicodedata.normalize("NFD", "café.jpg")
    out = tmp_path / "b.zip"
    write_bundle([Entry(nfc, PHOTO)], out)
    _fails(_add(out, nfd), nfd)


def test_a_symlink_entry_fails(honest: Path, tmp_path: Path) -> None:
    """A link entry (unzip makes a symlink to anywhere) is unsafe, even when the manifest lists its bytes."""
    target = b"/etc/passwd"
    out = _zip(tmp_path / "link.zip", [])
    _add(out, "report.html", target, stat.S_IFLNK | 0o777)
    with zipfile.ZipFile(out, "a") as zf:
        zf.writestr(MANIFEST, manifest_text([("report.html", hashlib.sha256(target).hexdigest())]))
    data = _fails(out, "report.html")
    assert "symbolic link" in data["unsafe_reasons"]["report.html"]  # type: ignore[index]
    _fails(_add(honest, "evidence/link", target, stat.S_IFLNK | 0o777), "evidence/link")


@pytest.mark.parametrize("kind", [stat.S_IFCHR, stat.S_IFBLK, stat.S_IFIFO])
def test_a_device_or_fifo_entry_fails(honest: Path, kind: int) -> None:
    """Special-file entries are unsafe."""
    _fails(_add(honest, "dev", b"", kind | 0o600), "dev")


def test_absolute_and_parent_paths_fail(honest: Path) -> None:
    """Absolute, '..' and drive-letter entries (any slash) are unsafe."""
    for name in ("/etc/cron.d/x", "../x", "evidence/../../x", "..\\x", "C:\\x"):
        _add(honest, name)
    _fails(honest, "/etc/cron.d/x", "../x", "evidence/../../x", "..\\x", "C:\\x")


def test_duplicate_manifest_lines_fail(tmp_path: Path) -> None:
    """A path listed twice (with two hashes, or spelt twice) fails with the line number."""
    good = hashlib.sha256(REPORT).hexdigest()
    bad = hashlib.sha256(FORGED).hexdigest()
    for lines in ([("report.html", good), ("report.html", bad)], [("report.html", good), ("REPORT.html", bad)]):
        text = "".join(f"{d}  {n}\n" for n, d in lines)
        out = _zip(tmp_path / "dup.zip", [("report.html", REPORT), (MANIFEST, text.encode())])
        r = run("verify", str(out), "--json")
        assert r.exit_code == 6 and r.json["error"]["code"] == "bad_manifest"
        assert "line 2" in r.json["error"]["message"] and "again" in r.json["error"]["message"]


@pytest.mark.parametrize(
    "text",
    [b"nothex  report.html\n", b"\n", b"abc\n", b"\xff\xfe\n", ("0" * 64 + " report.html\n").encode()],
)
def test_malformed_manifest_lines_fail(tmp_path: Path, text: bytes) -> None:
    """Malformed lines (or text that is not UTF-8) fail with a clear reason, exit 6."""
    out = _zip(tmp_path / "bad.zip", [("report.html", REPORT), (MANIFEST, text)])
    r = run("verify", str(out))
    assert r.exit_code == 6 and MANIFEST in r.stderr and "internal error" not in r.stderr


def test_a_manifest_bomb_is_refused(tmp_path: Path) -> None:
    """A small zip whose manifest inflates far past the cap is refused (exit 6) without reading it all."""
    line = f"{'0' * 64}  evidence/x.jpg\n".encode()
    size = manifest_cap(2) + (1 << 20)
    out = tmp_path / "bomb.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("report.html", REPORT)
        zf.writestr(MANIFEST, line * (size // len(line)))
    assert out.stat().st_size < size // 50
    r = run("verify", str(out), "--json")
    assert r.exit_code == 6 and r.json["error"]["code"] == "manifest_too_large"


def test_a_listed_name_that_is_unsafe_fails(tmp_path: Path) -> None:
    """The manifest itself naming './report.html' or '../x' is unsafe."""
    d = hashlib.sha256(REPORT).hexdigest()
    out = _zip(tmp_path / "m.zip", [("report.html", REPORT), (MANIFEST, f"{d}  ./report.html\n".encode())])
    _fails(out, "./report.html")


def test_names_are_printed_escaped(honest: Path) -> None:
    """A name with a right-to-left override is shown escaped, never raw to the terminal."""
    r = run("verify", str(_add(honest, "evidence/\u202egpj.exe")))
    assert r.exit_code == 6 and "\u202e" not in r.stdout and "\\u202e" in r.stdout


# -- folder mode -----------------------------------------------------------------------------------

VERIFY = [sys.executable, "-m", "campaignsafe", "verify", "--json"]


def _verify_process(target: Path) -> subprocess.CompletedProcess[str]:
    """verify in a real process with a deadline: a FIFO opened would block it forever."""
    return subprocess.run([*VERIFY, str(target)], capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_folder_fifos_are_reported_and_never_opened(honest: Path, tmp_path: Path) -> None:
    """A FIFO beside the files, and a FIFO in place of a listed file: both unsafe, verify does not hang."""
    folder = unpack(honest, tmp_path / "u")
    os.mkfifo(folder / "pipe")
    (folder / "report.html").unlink()
    os.mkfifo(folder / "report.html")
    r = _verify_process(folder)
    assert r.returncode == 6, r.stderr
    import json

    data = json.loads(r.stdout)
    assert {"pipe", "report.html"} <= set(data["unsafe"])
    assert "not opened" in data["unsafe_reasons"]["pipe"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_verify_of_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    """verify FIFO: exit 3 at once."""
    os.mkfifo(tmp_path / "b.zip")
    r = subprocess.run([sys.executable, "-m", "campaignsafe", "verify", str(tmp_path / "b.zip")],
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert r.returncode == 3 and "not a regular file" in r.stderr


def test_folder_symlinks_are_unsafe(honest: Path, tmp_path: Path) -> None:
    """A listed file replaced by a link (to a file with the right bytes) is unsafe, not 'ok'."""
    folder = unpack(honest, tmp_path / "u")
    outside = tmp_path / "outside.html"
    outside.write_bytes(REPORT)
    (folder / "report.html").unlink()
    (folder / "report.html").symlink_to(outside)
    _fails(folder, "report.html")


def test_folder_case_twins_fail(honest: Path, tmp_path: Path) -> None:
    """On a case-sensitive disk, REPORT.html beside report.html is a twin: unsafe."""
    folder = unpack(honest, tmp_path / "u")
    (folder / "REPORT.html").write_bytes(FORGED)
    if len(list(folder.glob("*.html"))) < 2:
        pytest.skip("case-insensitive file system")
    _fails(folder, "REPORT.html", "report.html")


def _add_folder(zip_path: Path, name: str, data: bytes = b"", first: bool = False) -> Path:
    """``name`` (ending in /) as a folder entry, at the end of the zip or (``first``) before every file."""
    info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
    info.create_system, info.external_attr = 3, (stat.S_IFDIR | 0o755) << 16 | 0x10
    if not first:
        with zipfile.ZipFile(zip_path, "a") as zf:
            zf.writestr(info, data)
        return zip_path
    with zipfile.ZipFile(zip_path) as old:
        kept = [(i, old.read(i)) for i in old.infolist()]
    with zipfile.ZipFile(zip_path, "w") as zf:
        zf.writestr(info, data)
        for i, body in kept:
            zf.writestr(i, body)
    return zip_path


@pytest.mark.parametrize(
    "folder",
    ["evidence/JS-1_photo.jpg/", "report.html/", "../evil/", "/tmp/evildir/", "Evidence/", "evidence/other/"],
)
def test_a_folder_entry_that_is_no_files_folder_fails(honest: Path, tmp_path: Path, folder: str) -> None:
    """A folder where a listed file should be (unzip then cannot write the exhibit), outside the folder, or of
    no file: verify fails, where it used to skip every folder entry and say OK."""
    data = _fails(_add_folder(honest, folder, first=True), folder)
    assert folder in data["unsafe"]  # type: ignore[operator]


def test_a_folder_entry_holding_data_fails(honest: Path) -> None:
    _fails(_add_folder(honest, "evidence/", FORGED), "evidence/")


def test_the_folders_zip_r_adds_when_a_bundle_is_zipped_again_pass(honest: Path, tmp_path: Path) -> None:
    """Unpacked and zipped again with `zip -r`, a bundle gains a folder entry for evidence/: still OK."""
    again = _add_folder(honest, "evidence/", first=True)
    r = run("verify", str(again), "--json")
    assert r.exit_code == 0 and r.json["passed"] is True


@pytest.mark.parametrize("extra", ["evidence/other", "notes/empty/deeper"])
def test_a_folder_and_its_zip_agree_on_an_empty_extra_folder(honest: Path, tmp_path: Path, extra: str) -> None:
    """An unpacked bundle with an empty folder of no file verified OK, but `zip -r` of that same folder failed on
    its folder entry: both fail now, naming the folder; the folders that hold the bundle's files still pass."""
    import shutil

    folder = unpack(honest, tmp_path / "u")
    assert run("verify", str(folder)).exit_code == 0
    (folder / extra).mkdir(parents=True)
    r = run("verify", str(folder), "--json")
    assert r.exit_code == 6 and r.json["passed"] is False and extra + "/" in r.json["added"], r.json
    again = tmp_path / "again.zip"
    subprocess.run(["zip", "-qr", str(again), "."], cwd=folder, check=True)
    zipped = run("verify", str(again), "--json")
    assert zipped.exit_code == 6 and extra + "/" in zipped.json["unsafe"]
    shutil.rmtree(folder / extra.split("/")[0] if extra.startswith("notes") else folder / extra)
    assert run("verify", str(folder)).exit_code == 0


LITTER = {
    ".DS_Store": b"\x00\x00\x00\x01Bud1\x00\x00\x10\x00",
    "Thumbs.db": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",
    "desktop.ini": "\ufeff\r\n[.ShellClassInfo]\r\nIconResource=x\r\n".encode("utf-16-le"),
    "._": b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X",
}


def _as_written_by_a_browser(name: str) -> bytes:
    base = name.rsplit("/", 1)[-1]
    return LITTER["._" if base.startswith("._") else base]


def test_files_a_file_browser_writes_are_named_and_left_out_not_counted_as_added(honest: Path, tmp_path: Path) -> None:
    """Opened in macOS Finder, an unpacked bundle gains a .DS_Store (Windows Explorer: Thumbs.db, desktop.ini), and
    Finder's Compress adds __MACOSX/ and ._ companions: verify failed ("1 added") on genuine evidence. Those are
    named in a note and left out; any other added file still fails, and so does a change to a listed file."""
    folder = unpack(honest, tmp_path / "u")
    for name in (".DS_Store", "evidence/.DS_Store", "Thumbs.db", "evidence/desktop.ini", "._MANIFEST.sha256"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(_as_written_by_a_browser(name))
    r = run("verify", str(folder), "--json")
    assert r.exit_code == 0 and r.json["passed"] is True and r.json["added"] == [], r.json
    assert r.json["ignored"] == [".DS_Store", "._MANIFEST.sha256", "Thumbs.db", "evidence/.DS_Store",
                                 "evidence/desktop.ini"]  # fmt: skip
    said = " ".join(run("verify", str(folder)).stdout.split())
    assert "Left out of the check, not part of the bundle (files Windows and macOS write" in said
    assert "do not rely on them): .DS_Store, ._MANIFEST.sha256, Thumbs.db, evidence/.DS_Store" in said
    finder = tmp_path / "finder.zip"
    (folder / "__MACOSX").mkdir()
    (folder / "__MACOSX" / "._report.html").write_bytes(b"\x00\x05\x16\x07")
    subprocess.run(["zip", "-qr", str(finder), "."], cwd=folder, check=True)
    zipped = run("verify", str(finder), "--json")
    assert zipped.exit_code == 0 and "__MACOSX/._report.html" in zipped.json["ignored"], zipped.json
    (folder / "notes.txt").write_text("added")
    assert run("verify", str(folder), "--json").json["added"] == ["notes.txt"]
    (folder / "notes.txt").unlink()
    listed = next(p for p in sorted(folder.rglob("*")) if p.is_file() and p.name.startswith("report"))
    listed.write_bytes(listed.read_bytes() + b" ")
    assert run("verify", str(folder)).exit_code == 6


def test_a_bundle_zipped_again_inside_its_folder_is_refused_naming_the_folder(honest: Path, tmp_path: Path) -> None:
    """Finder's Compress (and Windows' Send to) zips a folder with the folder itself at the top, so the manifest is
    one level down: verify said only "not a campaignsafe bundle". It still refuses (the names an officer checks
    are not the manifest's), and now says where the bundle is, for the zip and for the folder above a bundle."""
    unpack(honest, tmp_path / "top" / "bundle-JS")
    again = tmp_path / "again.zip"
    subprocess.run(["zip", "-qr", str(again), "bundle-JS"], cwd=tmp_path / "top", check=True)
    r = run("verify", str(again))
    said = " ".join(r.stderr.split())
    assert r.exit_code == 3 and "not a campaignsafe bundle" not in said  # it is one, one folder down
    assert "at its top: the bundle is one folder down, in bundle-JS/" in said
    assert "unzip it and verify the folder bundle-JS it holds" in said
    above = run("verify", str(tmp_path / "top"))
    assert above.exit_code == 3
    assert f"campaignsafe verify {tmp_path / 'top' / 'bundle-JS'}" in "".join(above.stderr.split("\n  "))
    assert "bundle-JS" in run("verify", str(again), "--json").json["error"]["hint"]
    assert run("verify", str(tmp_path / "top" / "bundle-JS")).exit_code == 0
    (tmp_path / "top" / "second").mkdir()
    (tmp_path / "top" / "second" / MANIFEST).write_text("")
    assert "hint" not in run("verify", str(tmp_path / "top"), "--json").json["error"]  # two candidates: none named


def test_a_failed_verify_keeps_its_exit_code_when_the_reader_leaves_early(honest: Path) -> None:
    """`verify x.zip | head -c1` exited 0 for a bundle with files added, once the list of them outgrew the pipe."""
    with zipfile.ZipFile(honest, "a") as zf:
        for n in range(400):
            zf.writestr(f"added-{n:04d}-{'x' * 150}.html", FORGED)
    cmd = f"{sys.executable} -m campaignsafe verify {honest} | head -c1 >/dev/null; echo ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "6" and "verification failed (400 added)" in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("__MACOSX/evidence/JS-1_photo.jpg", PHOTO),  # Finder writes only ._ companions there
        ("__MACOSX/report.html", FORGED),
        ("._report.html", FORGED),  # not an AppleDouble file
        ("Thumbs.db", FORGED),
        (".ds_store", FORGED),
        ("evidence/desktop.ini", FORGED),
        (".DS_Store/._x.html", LITTER["._"] + FORGED),  # inside a folder named as litter
        ("__MACOSX/__MACOSX/._x", LITTER["._"]),
    ],
)
def test_an_officer_visible_file_under_a_file_browsers_name_is_added(honest: Path, name: str, data: bytes) -> None:
    """Any content under those names passed (exit 0, named only in a note): a second "copy" of an exhibit in
    __MACOSX/, a report.html's look-alike. Left out now only when it is such a file (its first bytes), of a
    believable size, and not inside a folder so named; anything else is added, and the bundle fails."""
    r = run("verify", str(_add(honest, name, data)), "--json")
    assert r.exit_code == 6 and name in r.json["added"] and r.json["ignored"] == [], r.json


def test_an_oversized_file_browser_file_is_added(honest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from campaignsafe.exports import verify as module

    monkeypatch.setattr(module, "LITTER_MAX", 64)
    r = run("verify", str(_add(honest, "Thumbs.db", LITTER["Thumbs.db"] + bytes(100))), "--json")
    assert r.exit_code == 6 and r.json["added"] == ["Thumbs.db"]


def test_every_file_left_out_is_named_on_screen(honest: Path) -> None:
    """The note said "… and 45 more": the names an officer should not rely on were only in --json."""
    for n in range(50):
        _add(honest, f"evidence/._JS-{n}.jpg", LITTER["._"])
    said = " ".join(run("verify", str(honest)).stdout.split())
    assert all(f"evidence/._JS-{n}.jpg" in said for n in range(50)) and "more" not in said


def _patch_sizes(zip_path: Path, name: str, size: int) -> None:
    """Make the local and central headers of ``name`` claim it unpacks to ``size`` bytes."""
    import struct

    data = bytearray(zip_path.read_bytes())
    raw = name.encode()
    for sig, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(sig)
        while at != -1:
            n = struct.unpack_from("<H", data, at + (26 if sig == b"PK\x03\x04" else 28))[0]
            if bytes(data[at + name_at : at + name_at + n]) == raw:
                struct.pack_into("<I", data, at + size_at, size)
            at = data.find(sig, at + 4)
    zip_path.write_bytes(bytes(data))


def test_a_file_browser_file_whose_header_lies_about_its_size_is_added(
    honest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over the size cap, with its header saying it is under it: it was left out (exit 0) and unzip gave all of it."""
    from campaignsafe.exports import verify as module

    monkeypatch.setattr(module, "LITTER_MAX", 100_000)
    _add(honest, "Thumbs.db", LITTER["Thumbs.db"] + FORGED * 6000)  # about 300 kB
    _patch_sizes(honest, "Thumbs.db", 50_000)
    r = run("verify", str(honest), "--json")
    assert r.exit_code == 6 and r.json["added"] == ["Thumbs.db"] and r.json["ignored"] == [], r.json


def test_a_damaged_file_browser_file_is_added(honest: Path) -> None:
    """A ._ companion with a bad CRC passed, though unzip -t reports the error an officer would meet."""
    with zipfile.ZipFile(honest, "a") as zf:
        zf.writestr("._report.html", LITTER["._"] + FORGED * 2000)  # past the first read: damage found at its end
    data = bytearray(honest.read_bytes())
    local, central = data.rfind(b"PK\x03\x04"), data.rfind(b"PK\x01\x02")  # the entry just added, both headers
    data[local + 14 : local + 18] = data[central + 16 : central + 20] = b"\xef\xbe\xad\xde"
    honest.write_bytes(bytes(data))
    assert subprocess.run(["unzip", "-tq", str(honest)], capture_output=True).returncode != 0  # as unzip sees it
    r = run("verify", str(honest), "--json")
    assert r.exit_code == 6 and "._report.html" in r.json["added"], r.json
