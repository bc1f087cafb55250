"""Hostile surroundings: a broken data folder, damaged bundles, closed pipes and odd contact details."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest

from campaignsafe.exports.bundle import MANIFEST, manifest_text
from tests.conftest import run


def test_data_folder_that_is_a_file_is_a_store_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CAMPAIGNSAFE_HOME pointing at a file gives exit 5 and a one-line reason, not a crash."""
    f = tmp_path / "afile"
    f.write_text("not a folder")
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(f))
    r = run("contact", "save", "kent", "--name", "PC Example")
    assert r.exit_code == 5 and "cannot use" in r.stderr
    assert f.read_text() == "not a folder"
    assert run("checklist", "mark", "canvassing.never-alone", "done").exit_code == 5


def _zip(path: Path, entries: list[tuple[str, bytes]]) -> Path:
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as zf:
        warnings.simplefilter("ignore")  # the duplicate name is the point
        for name, data in entries:
            zf.writestr(name, data)
    return path


def test_zip_with_a_name_twice_fails_verify(tmp_path: Path) -> None:
    """Two entries with one name are reported unsafe: which copy is the evidence?"""
    import hashlib

    manifest = manifest_text([("a.txt", hashlib.sha256(b"b").hexdigest())])
    z = _zip(tmp_path / "dup.zip", [("a.txt", b"a"), ("a.txt", b"b"), (MANIFEST, manifest.encode())])
    r = run("verify", str(z), "--json")
    assert r.exit_code == 6
    assert r.json["unsafe"] == ["a.txt"]


def test_damaged_zip_is_refused_cleanly(tmp_path: Path) -> None:
    """A zip whose compressed data is damaged is named as altered or refused; never an internal error."""
    import hashlib

    body = os.urandom(4096)
    manifest = manifest_text([("e.bin", hashlib.sha256(body).hexdigest())])
    z = tmp_path / "bad.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("e.bin", body)
        zf.writestr(MANIFEST, manifest)
    raw = bytearray(z.read_bytes())
    for i in range(60, 400):  # inside e.bin's compressed data
        raw[i] ^= 0xFF
    z.write_bytes(bytes(raw))
    r = run("verify", str(z))
    assert r.exit_code in (3, 6)
    assert "internal error" not in r.stderr


def test_bundle_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    """--bundle, like -o and --eml, refuses a folder that does not exist and creates nothing."""
    r = run("export", "--all", "--bundle", str(tmp_path / "nope" / "b.zip"))
    assert r.exit_code == 3
    assert not (tmp_path / "nope").exists()


@pytest.mark.parametrize("email", ["spoc@met.police.uk\nBcc: someone@example.org", "not-an-email"])
def test_contact_details_are_checked(email: str) -> None:
    """A saved contact's email must be one address: no line breaks (header injection), no junk."""
    r = run("contact", "save", "metropolitan", "--name", "DS Example", "--email", email)
    assert r.exit_code == 3
    assert run("contact", "saved", "--json").json["contacts"] == []


def test_checklist_markdown_escapes_notes() -> None:
    """A note typed by the user cannot inject HTML into the Markdown briefing."""
    assert run("checklist", "mark", "canvassing.never-alone", "done", "--note", "<script>x</script>").exit_code == 0
    md = run("checklist", "export", "--format", "md", "--notes").stdout
    assert "\\<script>" in md
    assert re.search(r"(?<!\\)<script>", md) is None


def _cli(*args: str, stdin_closed: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "campaignsafe", *args],
        capture_output=True,
        text=True,
        stdin=None if stdin_closed else subprocess.DEVNULL,
        preexec_fn=(lambda: os.close(0)) if stdin_closed else None,
        env={**os.environ},
    )


def test_closed_stdin_is_read_as_empty() -> None:
    """Started with stdin closed, commands that read it see no input rather than crashing."""
    r = _cli("contact", "--batch", "-", stdin_closed=True)
    assert r.returncode == 0 and r.stdout == ""
    r = _cli("report", stdin_closed=True)
    assert r.returncode == 3 and "internal error" not in r.stderr


def test_closed_pipe_after_rich_output_exits_quietly() -> None:
    """`campaignsafe checklist | head -1` stops quietly with exit 0, as plain output does."""
    script = f"{sys.executable} -m campaignsafe checklist | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}"
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env={**os.environ, "COLUMNS": "80"})
    assert r.stdout.strip() == "0", r.stderr


def test_an_error_said_into_a_closed_pipe_keeps_its_exit_code() -> None:
    """`campaignsafe contact Kingston 2>&1 | head -8`: the answer is read, then the error line meets a reader
    that went away; the exit code is still the error's (4: the name is not one force's), not an internal
    error's 1."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone once the answer on stdout was taken
    try:
        p = subprocess.run(
            [sys.executable, "-m", "campaignsafe", "contact", "Kingston"],
            stdout=subprocess.DEVNULL, stderr=write, env={**os.environ, "COLUMNS": "80"}, timeout=60,
        )  # fmt: skip
    finally:
        os.close(write)
    assert p.returncode == 4


def test_export_of_an_impossible_id_is_a_usage_error() -> None:
    """An id too large for the store is refused as usage (exit 2), not an internal error."""
    r = run("export", "99999999999999999999")
    assert r.exit_code == 2


class _Stdout:
    def __init__(self, fails: bool) -> None:
        self.fails = fails

    def flush(self) -> None:
        if self.fails:
            raise OSError(errno.EINVAL, "Invalid argument")


@pytest.mark.parametrize(
    ("platform", "exc", "stdout_fails", "gone"),
    [
        ("linux", BrokenPipeError(errno.EPIPE, "Broken pipe"), False, True),
        ("linux", OSError(errno.EINVAL, "Invalid argument"), True, False),  # not a pipe's error there
        ("win32", OSError(errno.EINVAL, "Invalid argument"), True, True),  # Windows' closed pipe
        ("win32", OSError(errno.EINVAL, "Invalid argument"), False, False),  # EINVAL from anything else
        ("win32", OSError(errno.ENOSPC, "No space left on device"), True, False),
    ],
)
def test_a_reader_that_went_away_is_told_apart_on_windows_too(
    monkeypatch: pytest.MonkeyPatch, platform: str, exc: OSError, stdout_fails: bool, gone: bool
) -> None:
    """``campaignsafe incidents list | more`` on Windows: a write to the closed pipe raises OSError EINVAL there, not
    BrokenPipeError, and ended in "internal error (OSError)". It is a reader gone (exit 0, nothing said) when
    standard output cannot be written; any other EINVAL, or a full disk, is still an error."""
    import types

    from campaignsafe.cli import _pipes

    monkeypatch.setattr(_pipes, "sys", types.SimpleNamespace(platform=platform, stdout=_Stdout(stdout_fails)))
    assert _pipes.reader_gone(exc) is gone
