"""Evidence kept intact: originals only read, copies content-addressed, exhibit references stable."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from campaignsafe.hashing import sha256_file
from tests.conftest import run
from tests.incident_helpers import count, nothing_written, report_json, set_initials, stored_files, unreadable
from tests.screen_helpers import flat

FLAGS = ("--when", "2026-05-01 18:30", "--place", "High Street", "--kind", "threats", "--description", "d")


@pytest.fixture
def incident(home: Path, store_backend: str) -> int:
    """A stored incident and a profile with initials JS (on each store)."""
    set_initials("Jo Smith")
    return int(report_json(*FLAGS)["id"])


def _photo(folder: Path, name: str = "photo.jpg", size: int = 3_000_000) -> Path:
    path = folder / name
    path.write_bytes(os.urandom(size))
    os.utime(path, ns=(1_700_000_000_000_000_000, 1_714_584_600_123_456_789))  # 1 May 2024 17:30:00.123 UTC
    return path


@pytest.mark.sqlite_only  # the copy's file in the data folder; on PostgreSQL: test_pg_store
def test_stored_copy_hashes_to_the_recorded_sha256_and_original_is_unchanged(
    incident: int, tmp_path: Path, home: Path
) -> None:
    """The copy's SHA-256 is the one recorded, and the original's bytes and modification time are unchanged."""
    photo = _photo(tmp_path)
    before_bytes, before = photo.read_bytes(), photo.stat()
    r = run("incidents", "add-evidence", str(incident), str(photo), "--json")
    assert r.exit_code == 0, r.stderr
    item = r.json["evidence"][0]
    recorded = item["file"]["sha256"]
    assert recorded == hashlib.sha256(before_bytes).hexdigest()
    stored = home / item["file"]["stored_path"]
    assert stored == home / "evidence" / recorded[:2] / recorded
    assert sha256_file(stored) == recorded
    after = photo.stat()
    assert photo.read_bytes() == before_bytes
    assert after.st_mtime_ns == before.st_mtime_ns and after.st_size == before.st_size
    assert after.st_ino == before.st_ino and after.st_mode == before.st_mode
    assert item["file"]["original_name"] == "photo.jpg" and item["file"]["size"] == 3_000_000
    assert item["file"]["modified_at"].startswith("2024-05-01T18:30:00.123456+01:00")
    assert item["exhibit_ref"] == "JS/1" and item["type"] == "file"


def test_exhibit_references_run_on_across_incidents_and_never_change(incident: int, tmp_path: Path, home: Path) -> None:
    """JS/1, JS/2, … are given once, run on across incidents, and survive deletes without reuse."""
    second = int(report_json(*FLAGS)["id"])
    a, b, c = (_photo(tmp_path, f"{n}.jpg", 100) for n in "abc")
    run("incidents", "add-evidence", str(incident), str(a), str(b))
    run("incidents", "add-evidence", str(second), "--url", "https://www.facebook.com/post/1", "--screenshot", str(c))
    assert run("incidents", "delete", str(incident), "--yes").exit_code == 0
    r = run("incidents", "add-evidence", str(second), str(a), "--json")
    refs = [e["exhibit_ref"] for e in run("incidents", "show", str(second), "--json").json["evidence"]]
    assert refs == ["JS/3", "JS/4"]
    assert r.json["evidence"][0]["new"] is True
    url_item = run("incidents", "show", str(second), "--json").json["evidence"][0]
    assert url_item["platform"] == "Facebook" and url_item["screenshot"]["original_name"] == "c.jpg"


def test_the_same_file_twice_on_one_incident_is_one_exhibit(incident: int, tmp_path: Path, home: Path) -> None:
    """Adding a file already exhibited on the incident keeps its reference and adds nothing."""
    photo = _photo(tmp_path, size=10)
    run("incidents", "add-evidence", str(incident), str(photo))
    r = run("incidents", "add-evidence", str(incident), str(photo))
    assert "JS/1" in r.stdout and "already an exhibit" in r.stdout
    assert count(home, "evidence") == 1 and len(stored_files(home)) == 1


def test_delete_removes_only_files_no_other_incident_uses(incident: int, tmp_path: Path, home: Path) -> None:
    """Deleting an incident removes its evidence copies unless another incident holds the same file."""
    second = int(report_json(*FLAGS)["id"])
    shared, own = _photo(tmp_path, "shared.jpg", 10), _photo(tmp_path, "own.jpg", 10)
    run("incidents", "add-evidence", str(incident), str(shared), str(own))
    run("incidents", "add-evidence", str(second), str(shared))
    r = run("incidents", "delete", str(incident), "--yes")
    assert r.exit_code == 0 and "1 stored file no longer used was removed" in r.stdout
    assert [p.name for p in stored_files(home)] == [sha256_file(shared)]
    assert shared.exists() and own.exists()


@pytest.mark.parametrize(
    ("case", "message"),
    [("missing", "no such file"), ("folder", "is a folder, not a file"), ("unreadable", "the file cannot be read")],
)
def test_bad_evidence_files_write_nothing(
    case: str, message: str, incident: int, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missing or unreadable file, or a folder, is refused in one line before anything is copied."""
    good = _photo(tmp_path, "good.jpg", 10)
    bad = tmp_path / case
    if case == "folder":
        bad.mkdir()
    elif case == "unreadable":
        bad.write_bytes(b"x")
        unreadable(bad, monkeypatch)
    r = run("incidents", "add-evidence", str(incident), str(good), str(bad))
    assert r.exit_code == 3
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert count(home, "evidence") == 0 and stored_files(home) == []


@pytest.mark.sqlite_only
@pytest.mark.parametrize("how", ["direct", "symlink"])
def test_files_of_the_data_folder_are_never_evidence(how: str, incident: int, tmp_path: Path, home: Path) -> None:
    """The store or its signing key, named directly or through a link, is refused: it never leaves in a bundle."""
    secret = home / "incidents.db"
    path = secret
    if how == "symlink":
        path = tmp_path / "innocent.jpg"
        path.symlink_to(secret)
    good = _photo(tmp_path, "good.jpg", 10)
    r = run("incidents", "add-evidence", str(incident), str(good), str(path))
    assert r.exit_code == 3
    assert "inside campaignsafe's data folder" in r.stderr
    assert count(home, "evidence") == 0 and stored_files(home) == []
    r = run("report", *FLAGS, "--evidence", str(path))
    assert r.exit_code == 3 and "inside campaignsafe's data folder" in r.stderr
    assert count(home, "incidents") == 1


def test_evidence_for_a_missing_incident(incident: int, tmp_path: Path, home: Path) -> None:
    """Adding evidence to an incident that does not exist is a not-found, and copies nothing."""
    r = run("incidents", "add-evidence", "99", str(_photo(tmp_path, size=10)))
    assert r.exit_code == 4 and "no incident 99" in r.stderr
    assert stored_files(home) == []


def test_url_needs_a_url_and_screenshot_needs_url(incident: int, tmp_path: Path) -> None:
    """add-evidence with nothing to add, or a screenshot without a URL, says what is missing."""
    assert "give one or more FILEs, or --url URL" in run("incidents", "add-evidence", str(incident)).stderr
    r = run("incidents", "add-evidence", str(incident), str(_photo(tmp_path, size=1)), "--screenshot", "x.png")
    assert r.exit_code == 3 and "go with --url" in r.stderr


def test_add_evidence_names_a_bad_file_by_its_place_on_the_command_line(incident: int, tmp_path: Path) -> None:
    """A missing file among several is "FILE (the 2nd)", a missing screenshot "--screenshot" (it said
    "evidence[1].path", counted from 0, in terms the command never uses); no file's name is shown."""
    photo = str(_photo(tmp_path, size=1))
    r = run("incidents", "add-evidence", str(incident), photo, str(tmp_path / "nosuch-secret.jpg"))
    assert r.exit_code == 3 and "FILE (the 2nd): no such file" in r.stderr and "nosuch-secret" not in r.stderr
    r = run("incidents", "add-evidence", str(incident), str(tmp_path / "gone.jpg"))
    assert r.exit_code == 3 and "error: FILE: no such file" in r.stderr
    url = ("--url", "https://x.com/a/status/1", "--screenshot", str(tmp_path / "gone.png"))
    r = run("incidents", "add-evidence", str(incident), photo, *url)
    assert r.exit_code == 3 and "--screenshot: no such file" in r.stderr and "evidence[" not in r.stderr


@pytest.mark.parametrize("where", ["flag", "inside"])
def test_a_screenshot_path_too_long_is_named_by_where_it_was_given(incident: int, where: str, home: Path) -> None:
    """A screenshot path over the length limit is refused before any file is read, named by the flag that gave it
    (``--screenshot``, or ``--url (screenshot=)`` when it came inside the URL's value); nothing is saved."""
    url, shot = "https://x.com/a/status/1", "/tmp/" + "s" * 2_100 + ".png"
    args = ["--url", url, "--screenshot", shot] if where == "flag" else ["--url", f"{url}; screenshot={shot}"]
    r = run("incidents", "add-evidence", str(incident), *args)
    said = " ".join(r.stderr.split())
    assert r.exit_code == 3 and ("--screenshot: " if where == "flag" else "--url (screenshot=): ") in said
    assert "s" * 50 not in said and count(home, "evidence") == 0


def test_url_seen_time_is_checked(incident: int) -> None:
    """A URL's seen-at time follows the same rules as any time: not in the future."""
    r = run(
        "incidents", "add-evidence", str(incident), "--url", "https://x.com/a/status/1", "--seen-at", "tomorrow 10am"
    )
    assert r.exit_code == 3 and "--seen-at: " in r.stderr and "in the future" in r.stderr


@pytest.mark.parametrize("where", ["flag", "inside"])
def test_a_seen_date_without_its_time_is_not_stored_as_midnight(incident: int, where: str, home: Path) -> None:
    """`--seen-at 2026-05-01` was stored as 00:00 and shown "seen Fri 1 May 2026 00:00", a time nobody gave:
    refused with a way out (the time, or the day in the note); a time given is kept."""
    url = "https://x.com/a/status/1"
    args = ["--url", url, "--seen-at", "2026-05-01"] if where == "flag" else ["--url", f"{url}; seen_at=2026-05-01"]
    r = run("incidents", "add-evidence", str(incident), *args)
    said = " ".join(r.stderr.split())
    assert r.exit_code == 3 and ("--seen-at: " if where == "flag" else "--url (seen_at=): ") in said
    assert "give the time it was seen too" in said and "note" in said and "evidence[" not in said
    assert count(home, "evidence") == 0
    ok = run("incidents", "add-evidence", str(incident), "--url", url, "--seen-at", "2026-05-01 18:30", "--json")
    assert ok.exit_code == 0 and ok.json["evidence"][0]["seen_at"].startswith("2026-05-01T18:30")


@pytest.mark.sqlite_only
def test_re_adding_the_original_repairs_a_damaged_stored_copy(incident: int, tmp_path: Path, home: Path) -> None:
    """A stored copy damaged in place (same size) is put right by adding the original again, and the user is told."""
    photo = _photo(tmp_path, size=1000)
    sha = run("incidents", "add-evidence", str(incident), str(photo), "--json").json["evidence"][0]["file"]["sha256"]
    stored = home / "evidence" / sha[:2] / sha
    stored.write_bytes(b"\0" * 1000)  # same size, wrong bytes
    assert sha256_file(stored) != sha
    r = run("incidents", "add-evidence", str(incident), str(photo))
    assert r.exit_code == 0, r.stderr
    assert "stored copy of JS/1 repaired" in r.stdout and "0 exhibits added, 1 stored copy repaired" in flat(r.stdout)
    assert sha256_file(stored) == sha and oct(stored.stat().st_mode & 0o777) == "0o600"
    assert count(home, "evidence") == 1 and len(stored_files(home)) == 1
    again = run("incidents", "add-evidence", str(incident), str(photo), "--json").json["evidence"][0]
    assert again["new"] is False and again["repaired"] is False


@pytest.mark.sqlite_only
def test_a_missing_stored_copy_is_restored_by_adding_the_original_again(
    incident: int, tmp_path: Path, home: Path
) -> None:
    """A stored copy that was deleted comes back when the original is added again."""
    photo = _photo(tmp_path, size=10)
    sha = run("incidents", "add-evidence", str(incident), str(photo), "--json").json["evidence"][0]["file"]["sha256"]
    (home / "evidence" / sha[:2] / sha).unlink()
    r = run("incidents", "add-evidence", str(incident), str(photo), "--json")
    assert r.json["evidence"][0]["repaired"] is True
    assert sha256_file(home / "evidence" / sha[:2] / sha) == sha


@pytest.mark.sqlite_only
def test_a_file_named_evidence_in_the_data_folder_is_a_store_problem(incident: int, tmp_path: Path, home: Path) -> None:
    """A plain file where the evidence folder should be is reported in one line (exit 5), and left alone."""
    (home / "evidence").write_bytes(b"not a folder")
    (home / "evidence").chmod(0o644)
    photo = _photo(tmp_path, size=10)
    r = run("report", *FLAGS, "--evidence", str(photo))
    assert r.exit_code == 5, r.stderr
    assert "internal error" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 2  # the message, and a hint
    assert f"{home / 'evidence'}: it is not a folder" in r.stderr
    assert count(home) == 1 and count(home, "evidence") == 0  # only the fixture's incident
    assert (home / "evidence").read_bytes() == b"not a folder"
    assert (home / "evidence").stat().st_mode & 0o777 == 0o644
    r = run("incidents", "add-evidence", str(incident), str(photo))
    assert r.exit_code == 5 and count(home, "evidence") == 0


@pytest.mark.sqlite_only
def test_a_full_disk_while_copying_evidence_is_a_store_problem(
    incident: int, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the copy cannot be written (disk full), the user gets one line naming the folder and why, exit 5."""
    import errno
    import tempfile

    def full(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tempfile, "mkstemp", full)
    r = run("incidents", "add-evidence", str(incident), str(_photo(tmp_path, size=10)))
    assert r.exit_code == 5, r.stderr
    assert f"cannot store a copy of the evidence in {home / 'evidence'}: No space left on device" in r.stderr
    assert "free some space" in r.stderr and "internal error" not in r.stderr
    assert count(home, "evidence") == 0


@pytest.mark.parametrize("outside", ["../secret.txt", "../../etc/hostname", "/etc/passwd", "link.txt"])
def test_import_file_evidence_must_lie_beside_the_file(outside: str, tmp_path: Path, home: Path) -> None:
    """An import file cannot pull in files from outside its own folder (by ../, an absolute path or a link)."""
    set_initials()
    folder = tmp_path / "import"
    (folder / "sub").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("private")
    (folder / "link.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "sub" / "ok.txt").write_text("fine")
    data = {
        "occurred_at": "2026-05-01T18:30",
        "kind": "threats",
        "description": "d",
        "location": {"text": "High Street"},
        "evidence": [{"path": "sub/ok.txt"}, {"path": outside}],
    }
    (folder / "incident.json").write_text(json.dumps(data))
    r = run("report", "--from-file", str(folder / "incident.json"))
    assert r.exit_code == 3
    assert "evidence #2.path: the file is outside the folder of the import file" in r.stderr
    assert "put the file beside it" in r.stderr
    assert nothing_written(home)
    data["evidence"] = [{"path": "sub/ok.txt"}]
    (folder / "incident.json").write_text(json.dumps(data))
    assert run("report", "--from-file", str(folder / "incident.json")).exit_code == 0


def test_typed_evidence_paths_may_be_anywhere(incident: int, tmp_path: Path, home: Path) -> None:
    """A file given by flag (not in an import file) may be anywhere, absolute or relative."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    photo = _photo(elsewhere, size=10)
    d = report_json(*FLAGS, "--evidence", str(photo))
    assert d["evidence"][0]["file"]["original_name"] == "photo.jpg"


def test_a_file_name_with_control_characters_is_refused_before_anything_is_copied(
    incident: int, tmp_path: Path
) -> None:
    """A file name holding an escape character or a bidi override is refused (exit 3), with no copy left."""
    from campaignsafe import paths

    for name in ("red\x1b[31m.jpg", "gpj.\u202eexe.jpg"):
        photo = _photo(tmp_path, name, size=10)
        r = run("incidents", "add-evidence", str(incident), str(photo))
        assert r.exit_code == 3, r.stderr
        assert "rename the file" in r.stderr and "\x1b" not in r.stderr and "\u202e" not in r.stderr
    stored = [p for p in (paths.home() / "evidence").rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    assert all(p.name != "photo" for p in stored)
    assert len(stored) == len({p.name for p in stored})


@pytest.mark.sqlite_only  # the data folder's own files
@pytest.mark.parametrize("target", ["signing-key", "store", "stored-copy", "profile"])
def test_a_hard_link_to_a_file_of_the_data_folder_is_never_evidence(
    target: str, incident: int, tmp_path: Path, home: Path
) -> None:
    """A hard link made outside the data folder is the same file (same device and inode): refused too."""
    if target == "signing-key":
        assert run("export", "--all", "--format", "html", "-o", str(tmp_path / "r.html")).exit_code == 0
        secret = home / "bundle-signing-key"
    elif target == "store":
        secret = home / "incidents.db"
    elif target == "stored-copy":
        photo = _photo(tmp_path, "kept.jpg", 10)
        assert run("incidents", "add-evidence", str(incident), str(photo)).exit_code == 0
        secret = next(p for p in (home / "evidence").rglob("*") if p.is_file() and not p.name.startswith("."))
    else:
        assert run("profile", "--phone", "07700 900000").exit_code == 0
        secret = home / "profile.json"
    before = count(home, "evidence")
    link = tmp_path / "holiday.jpg"
    try:
        os.link(secret, link)
    except OSError:
        pytest.skip("hard links are not possible here")
    good = _photo(tmp_path, "good.jpg", 11)
    r = run("incidents", "add-evidence", str(incident), str(good), str(link))
    assert r.exit_code == 3 and "hard link" in r.stderr and len(r.stderr.strip().splitlines()) <= 2
    assert count(home, "evidence") == before
    r = run("report", *FLAGS, "--evidence", str(link))
    assert r.exit_code == 3 and "hard link" in r.stderr


def test_a_file_with_two_names_outside_the_data_folder_is_fine(incident: int, tmp_path: Path, home: Path) -> None:
    """Only links into the data folder are refused: a photo hard-linked in two of the user's folders is evidence."""
    photo = _photo(tmp_path, "a.jpg", 12)
    os.link(photo, tmp_path / "b.jpg")
    r = run("incidents", "add-evidence", str(incident), str(tmp_path / "b.jpg"))
    assert r.exit_code == 0, r.stderr


def test_the_guided_forms_web_address_asks_again_for_a_seen_date_without_its_time() -> None:
    """In the guided form a web address answer with `seen_at=2026-05-01` was taken, then refused only at the
    end as "evidence[0].seen_at": the answer is refused where it is given, and asked again."""
    from campaignsafe.errors import InputError
    from campaignsafe.incidents import questions

    with pytest.raises(InputError, match="give the time it was seen too"):
        questions._url("https://x.com/a/status/1; seen_at=2026-05-01", {})
    echo = questions._url("https://x.com/a/status/1; seen_at=2026-05-01 18:30", {})[1]
    assert echo == "X/Twitter, seen Fri 1 May 2026 18:30"


def test_a_missing_screenshot_given_inside_the_url_is_named_so(incident: int, tmp_path: Path) -> None:
    """`--url "URL; screenshot=missing.png"` said "--screenshot: no such file", a flag the user never gave."""
    url = f"https://x.com/a/status/1; screenshot={tmp_path / 'missing.png'}"
    r = run("incidents", "add-evidence", str(incident), "--url", url)
    assert r.exit_code == 3 and "--url (screenshot=): no such file" in r.stderr and "missing.png" not in r.stderr
    r = run("incidents", "add-evidence", str(incident), "--url", "https://x.com/a/status/1",
            "--screenshot", str(tmp_path / "missing.png"))  # fmt: skip
    assert r.exit_code == 3 and "--screenshot: no such file" in r.stderr


def test_an_original_last_changed_before_1970_keeps_its_time(incident: int, tmp_path: Path) -> None:
    """Windows' ``datetime.fromtimestamp`` refuses a time before 1970 (OSError), which failed the add after the copy
    was made: an old scanned letter's file time (1 June 1968) is kept, to the second, as the file system gives it."""
    old = tmp_path / "scan-1968.jpg"
    old.write_bytes(b"\xff\xd8 an old letter")
    t = int(datetime(1968, 6, 1, 7, 6, 40, tzinfo=UTC).timestamp()) * 10**9
    os.utime(old, ns=(t, t))
    r = run("incidents", "add-evidence", str(incident), str(old), "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json["evidence"][0]["file"]["modified_at"] == "1968-06-01T08:06:40+01:00"


@pytest.mark.parametrize(("typed", "meant"), [("Twiter", "X"), ("Facebok", "Facebook"), ("Whatsap", "WhatsApp")])
def test_the_guided_forms_platform_close_to_a_known_one_is_said_and_kept(typed: str, meant: str) -> None:
    """`Twiter` was saved as typed with no word, so its handles never met the same handles on X in `incidents
    links`. It is still kept as typed (a platform campaignsafe does not know is a real answer), with the one meant
    named and how to change it."""
    from campaignsafe.incidents import questions

    value, echo = questions._platform(typed, {})
    assert value == typed and echo is not None and f"if you meant {meant}," in echo
    for plain in ("X", "twitter", "email", "phone", "letter", "Mastodon"):
        assert questions._platform(plain, {}) == (plain, None)
