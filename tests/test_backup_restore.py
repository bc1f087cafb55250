"""backup and restore through the CLI: the same store back, encrypted or not, and nothing written on bad input."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from campaignsafe.backup.crypto import MAGIC
from tests.backup_helpers import PASSPHRASE, full_record, ok, passphrase_file, rezip, snapshot, unsigned, use_home
from tests.conftest import run
from tests.export_helpers import unpack
from tests.screen_helpers import flat, on_a_terminal


@pytest.fixture
def backed_up(home: Path, tmp_path: Path) -> tuple[Path, dict[str, object]]:
    """A full record in ``home``, backed up (unencrypted) to tmp/backup.zip; with the store's snapshot."""
    full_record(tmp_path)
    out = tmp_path / "backup.zip"
    r = ok("backup", str(out))
    assert "NOT encrypted" in flat(r.stdout)
    return out, snapshot(home)


def test_restore_gives_the_same_store(
    backed_up: tuple[Path, dict[str, object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """backup then restore into an empty folder gives the same ids, records, audit chain, numbering,
    tombstone, evidence bytes, checklist progress and saved contacts."""
    out, before = backed_up
    old_show = run("incidents", "show", "1", "--json").json
    old_list = run("incidents", "list", "--json").json
    old_profiles = run("checklist", "profiles", "--json").stdout
    old_home = Path(os.environ["CAMPAIGNSAFE_HOME"])
    new = use_home(monkeypatch, tmp_path / "new-laptop")
    r = ok("restore", str(out))
    assert "Restored 3 incidents" in r.stdout
    assert snapshot(new) == before
    assert ok("check").stdout.startswith("OK")
    assert run("incidents", "show", "1", "--json").json == old_show
    assert run("incidents", "list", "--json").json == old_list
    assert run("checklist", "profiles", "--json").stdout == old_profiles.replace(str(old_home), str(new))
    assert "DI Jane Example" in run("contact", "saved", "--json").stdout
    assert oct(new.stat().st_mode & 0o777) == "0o700"
    assert all(p.stat().st_mode & 0o077 == 0 for p in new.rglob("*") if p.is_file())
    # the restored store goes on as the old one would have: the next exhibit number, the next id
    assert ok("report", "--when", "2026-05-09 10:00", "--kind", "threats", "--description", "x", "--place", "Here",
              "--json").json["id"] == 5  # fmt: skip
    from campaignsafe.incidents.store import Store

    with Store.open() as store:
        assert store.verify_audit() == []
        deleted = [a for a in store.audit() if a.action == "deleted"]
        assert len(deleted) == 1 and deleted[0].incident_id == 4


def test_without_sync_each_restored_file_is_flushed(
    backed_up: tuple[Path, dict[str, object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where there is no sync() to call before the restored folder is put in place (Windows), every file the
    restore writes is flushed to disk itself first; the restored record checks out."""
    out, before = backed_up
    new = use_home(monkeypatch, tmp_path / "new-laptop")
    flushed: list[int] = []
    real_fsync = os.fsync
    monkeypatch.delattr(os, "sync", raising=False)
    monkeypatch.setattr(os, "fsync", lambda fd: (flushed.append(fd), real_fsync(fd))[1])
    r = ok("restore", str(out), "--json")
    assert snapshot(new) == before and ok("check").stdout.startswith("OK")
    assert len(flushed) >= r.json["files"] > 0


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="tells an open file by /proc/self/fd")
def test_restore_removes_no_file_it_still_has_open_as_windows_requires(
    backed_up: tuple[Path, dict[str, object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows refuses to remove a file that is open. The restore removed its own marker file while it still had it
    open, so every restore there failed ("internal error (PermissionError)"). With the removal of an open file
    refused here as Windows refuses it, and the restore running its Windows path, the record is restored whole."""
    from campaignsafe.backup import restore

    out, before = backed_up
    new = use_home(monkeypatch, tmp_path / "new-laptop")
    monkeypatch.setattr(restore, "sys", type("WindowsSys", (), {"platform": "win32"}))
    real_unlink = os.unlink

    def open_here(path: str) -> bool:
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):
                if os.path.realpath(f"/proc/self/fd/{fd}") == path:
                    return True
        return False

    def unlink(path: str | os.PathLike[str], *args: object, **kwargs: object) -> None:
        if open_here(os.path.realpath(path)):
            raise PermissionError(13, "The process cannot access the file: it is being used", str(path))
        real_unlink(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "unlink", unlink)
    r = ok("restore", str(out))
    assert "Restored 3 incidents" in r.stdout and snapshot(new) == before


def test_every_file_restored_and_every_original_read_is_opened_for_bytes(
    backed_up: tuple[Path, dict[str, object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows a descriptor ``os.open`` gives is in text mode unless asked for bytes (``O_BINARY``): a restored
    evidence copy would have had every LF written as CR LF, and an original photo read with its CR LFs cut and its
    first Ctrl-Z taken as its end. Every restored file and every evidence original is opened with ``paths.BINARY``
    (here a harmless flag standing in for Windows' own)."""
    from campaignsafe import paths

    out, _before = backed_up
    marker = os.O_CLOEXEC
    monkeypatch.setattr(paths, "BINARY", marker)
    opened: dict[str, int] = {}
    real_open = os.open

    def os_open(path: str, flags: int, *mode: int) -> int:
        opened[str(path)] = flags
        return real_open(path, flags, *mode)

    monkeypatch.setattr(os, "open", os_open)
    new = use_home(monkeypatch, tmp_path / "new-laptop")
    ok("restore", str(out))
    restored = [p for p in opened if p.startswith(str(new.parent)) and "/evidence/" in p]
    assert restored and all(opened[p] & marker for p in restored), restored
    photo = tmp_path / "new-photo.jpg"
    photo.write_bytes(b"\xff\xd8 a photo\r\n with a Ctrl-Z \x1a in it\n")
    ok("incidents", "add-evidence", "1", str(photo))
    assert opened[str(photo)] & marker


def test_an_anchor_given_before_the_backup_still_holds(
    backed_up: tuple[Path, dict[str, object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit chain's head before the backup is the same entry, with the same hash, after the restore."""
    out, before = backed_up
    tables = before["tables"]
    assert isinstance(tables, dict)
    seq, sha = tables["audit"][-1][0], tables["audit"][-1][-1]
    use_home(monkeypatch, tmp_path / "new-laptop")
    ok("restore", str(out))
    r = ok("check", "--anchor", f"{seq}:{sha}", "--json")
    assert r.json["passed"] and r.json["anchor"]["holds"]
    assert run("check", "--anchor", f"{seq}:{'0' * 64}").exit_code == 6


def test_a_backup_verifies_with_verify_and_sha256sum(backed_up: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    """`campaignsafe verify` and `sha256sum -c` both check a backup as they check a bundle."""
    out, _ = backed_up
    assert ok("verify", str(out)).stdout.startswith("OK")
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum not installed")
    folder = unpack(out, tmp_path / "unpacked")
    check = subprocess.run(["sha256sum", "-c", "MANIFEST.sha256"], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    if shutil.which("ssh-keygen"):  # the backup's manifest is signed like a bundle's
        with (folder / "MANIFEST.sha256").open("rb") as manifest:
            signed = subprocess.run(
                ["ssh-keygen", "-Y", "verify", "-f", "allowed_signers", "-I", "jo@example.org",
                 "-n", "campaignsafe-bundle", "-s", "MANIFEST.sha256.sig"],
                cwd=folder, stdin=manifest, capture_output=True, text=True,
            )  # fmt: skip
        assert signed.returncode == 0 and "Good" in signed.stdout, signed.stderr


def test_every_file_in_a_backup_is_dated_when_it_was_made(backed_up: tuple[Path, dict[str, object]]) -> None:
    """Unpacked, each file shows the backup's own time (UK time), not a made-up date."""
    out, _ = backed_up
    with zipfile.ZipFile(out) as zf:
        created = datetime.fromisoformat(json.loads(zf.read("BACKUP.json"))["created_at"])
        local = created.astimezone(ZoneInfo("Europe/London"))
        assert {i.date_time for i in zf.infolist()} == {(*local.timetuple()[:5], local.second // 2 * 2)}


def test_restore_refuses_a_folder_that_holds_a_record(backed_up: tuple[Path, dict[str, object]], home: Path) -> None:
    """Restoring over an existing record is refused (exit 5), names `import`, and changes nothing."""
    out, before = backed_up
    r = run("restore", str(out))
    assert r.exit_code == 5
    assert "already holds a record" in r.stderr and f"campaignsafe import {out}" in r.stderr
    assert snapshot(home) == before


def test_restore_fills_a_folder_with_only_an_unused_store(
    backed_up: tuple[Path, dict[str, object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new laptop where `incidents list` already made an empty store still takes the restore."""
    out, before = backed_up
    new = use_home(monkeypatch, tmp_path / "new-laptop")
    ok("incidents", "list")
    assert (new / "incidents.db").exists()
    ok("restore", str(out))
    assert snapshot(new) == before


def test_backup_into_the_data_folder_is_refused(home: Path, tmp_path: Path) -> None:
    """A backup written inside the data folder would be lost with the laptop: refused, nothing written."""
    full_record(tmp_path)
    r = run("backup", str(home / "backup.zip"))
    assert r.exit_code == 3 and "inside the data folder" in r.stderr
    assert not (home / "backup.zip").exists()


# -- encrypted -------------------------------------------------------------------------------------


def _age_decrypt(src: Path, dest: Path, secret: str) -> int:
    """Run the real `age -d` on a pseudo-terminal (it reads the passphrase from the terminal)."""
    return on_a_terminal(["age", "-d", "-o", str(dest), str(src)], reply=(b"passphrase", secret.encode() + b"\r"))[0]


def test_encrypted_backup_opens_with_age_and_with_restore(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--encrypt writes an age file: the age tool decrypts it to a backup that verifies, restore takes it
    with the passphrase file, and a wrong passphrase is refused with nothing written."""
    full_record(tmp_path)
    out = tmp_path / "backup.age"
    r = ok("backup", str(out), "--encrypt", "--passphrase-file", str(passphrase_file(tmp_path)))
    before = snapshot(home)
    assert "encrypted with your passphrase" in flat(r.stdout)
    # the check it suggests is one that works without a terminal too, as the backup was made
    assert f"Check it: campaignsafe verify {out} --passphrase-file {passphrase_file(tmp_path)}" in flat(r.stdout)
    data = out.read_bytes()
    assert data.startswith(MAGIC) and b"incidents" not in data and b"Jo Smith" not in data
    r = run("verify", str(out))  # with no terminal to ask the passphrase at: how to give it, not "not a zip file"
    assert r.exit_code == 3 and "needs a passphrase" in r.stderr and "--passphrase-file" in r.stderr
    checked = ok("verify", str(out), "--passphrase-file", str(passphrase_file(tmp_path)), "--json").json
    assert checked["passed"] is True and checked["signature"]["status"] == "valid", checked
    wrong = run("verify", str(out), "--passphrase-file", str(passphrase_file(tmp_path, "not the passphrase at all")))
    assert wrong.exit_code == 3 and "wrong passphrase" in wrong.stderr
    if shutil.which("age") is None:
        pytest.skip("the age tool is not installed (apt-get install age)")
    plain = tmp_path / "plain.zip"
    assert _age_decrypt(out, plain, PASSPHRASE) == 0
    assert zipfile.is_zipfile(plain) and ok("verify", str(plain)).stdout.startswith("OK")
    assert _age_decrypt(out, tmp_path / "wrong.zip", "not the passphrase") != 0

    new = use_home(monkeypatch, tmp_path / "new-laptop")
    r = run("restore", str(out), "--passphrase-file", str(passphrase_file(tmp_path, "not the passphrase")))
    assert r.exit_code == 3 and "cannot decrypt" in r.stderr and "wrong passphrase" in r.stderr
    assert not new.exists()
    ok("restore", str(out), "--passphrase-file", str(passphrase_file(tmp_path)))
    assert snapshot(new) == before


def test_a_passphrase_is_never_taken_from_the_command_line(home: Path, tmp_path: Path) -> None:
    """There is no --passphrase option; without a terminal or a file, --encrypt stops before writing."""
    out = tmp_path / "b.age"
    assert run("backup", str(out), "--encrypt", "--passphrase", "x").exit_code == 2
    r = run("backup", str(out), "--encrypt")
    assert r.exit_code == 3 and "--passphrase-file" in r.stderr
    assert not out.exists()


def test_the_passphrase_is_asked_twice_at_a_terminal(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a terminal the passphrase is asked twice; a second typing that differs is asked again from the start
    (three tries), and three that differ write nothing."""
    answers = iter(["one passphrase", "another"] * 3)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr("campaignsafe.cli._render.interactive", lambda no_input: True)
    out = tmp_path / "b.age"
    r = run("backup", str(out), "--encrypt")
    assert r.exit_code == 3 and "differ; nothing was written" in r.stderr and not out.exists()
    assert r.stderr.count("The two passphrases differ: try again.") == 2
    answers = iter(["the same one twice", "a slip of the finger", "the same one twice", "the same one twice"])
    ok("backup", str(out), "--encrypt")
    assert out.read_bytes().startswith(MAGIC)


# -- bad input: one line, a non-zero exit, nothing written ----------------------------------------


def _newer(members: dict[str, bytes]) -> None:
    info = json.loads(members["BACKUP.json"])
    info["format_version"] = 99
    members["BACKUP.json"] = json.dumps(info).encode()


def _unknown_migration(members: dict[str, bytes]) -> None:
    info = json.loads(members["BACKUP.json"])
    info["migrations"].append("0099_from_the_future")
    members["BACKUP.json"] = json.dumps(info).encode()


def _altered_record(members: dict[str, bytes]) -> None:
    members["store/incidents.jsonl"] = members["store/incidents.jsonl"].replace(b"High Street", b"Low Street")


def _bomb(members: dict[str, bytes]) -> None:
    members["files/bomb.bin"] = b"\0" * (80 << 20)


def _make_bad(kind: str, out: Path, tmp_path: Path) -> Path:
    bad = tmp_path / f"bad-{kind}"
    if kind == "altered":
        return rezip(out, bad, _altered_record, rehash=False)
    if kind == "consistent forgery":
        return rezip(out, bad, _altered_record)
    if kind == "unsigned forgery":
        return rezip(out, bad, unsigned(_altered_record))
    if kind == "newer format":
        return rezip(out, bad, unsigned(_newer))
    if kind == "newer store":
        return rezip(out, bad, unsigned(_unknown_migration))
    if kind == "zip bomb":
        return rezip(out, bad, unsigned(_bomb))
    if kind == "truncated zip":
        bad.write_bytes(out.read_bytes()[: out.stat().st_size // 2])
        return bad
    if kind == "not a backup":
        bad.write_bytes(b"hello, I am a text file\n" * 10)
        return bad
    if kind == "truncated age":
        ok("backup", str(tmp_path / "b.age"), "--encrypt", "--passphrase-file", str(passphrase_file(tmp_path)))
        data = (tmp_path / "b.age").read_bytes()
        bad.write_bytes(data[: len(data) - 100])
        return bad
    raise AssertionError(kind)


BAD = [
    ("altered", 6, "failed verification"),
    ("consistent forgery", 6, "its signature does not check out"),
    ("unsigned forgery", 6, "record does not match its record_sha256"),
    ("newer format", 3, "newer campaignsafe"),
    ("newer store", 3, "newer campaignsafe"),
    ("zip bomb", 3, "zip bomb"),
    ("truncated zip", 3, "not a campaignsafe backup"),
    ("not a backup", 3, "not a campaignsafe backup"),
    ("truncated age", 3, "cannot decrypt"),
]


@pytest.mark.parametrize(("kind", "code", "message"), BAD)
@pytest.mark.parametrize("command", ["restore", "import"])
def test_bad_backups_are_refused_and_nothing_is_written(
    kind: str, code: int, message: str, command: str, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each bad backup: a one-line reason, its exit code, and the target data folder untouched."""
    full_record(tmp_path)
    out = tmp_path / "backup.zip"
    ok("backup", str(out))
    bad = _make_bad(kind, out, tmp_path)
    target = use_home(monkeypatch, tmp_path / "target")
    if command == "import":
        ok("report", "--when", "2026-05-09 10:00", "--kind", "threats", "--description", "mine", "--place", "Here")
    before = snapshot(target) if command == "import" else None
    r = run(command, str(bad), "--passphrase-file", str(passphrase_file(tmp_path)))
    assert r.exit_code == code, r.stderr
    lines = r.stderr.strip().splitlines()
    if command == "restore" and kind == "unsigned forgery":  # carrying the key it was stripped of: refused first
        message = "holds a signing key but is not signed"
    assert lines[0].startswith("campaignsafe: error:") and message in lines[0]
    assert all(line.startswith("  hint:") for line in lines[1:])
    assert "Traceback" not in r.stderr and "High Street" not in r.stderr
    if command == "restore":
        assert not target.exists()
        assert not list(tmp_path.glob(".target.*"))
    else:
        assert snapshot(target) == before


@pytest.mark.parametrize("weak", ["abc", "hunter2", "aaaaaaaaaaaaaaaa", "123456789012", "Password1234", "qwertyqwerty"])
def test_a_weak_passphrase_is_refused(weak: str, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`backup --encrypt` refuses a short or guessable passphrase (file or terminal) with exit 3 and a hint;
    nothing is written."""
    out = tmp_path / "b.age"
    r = run("backup", str(out), "--encrypt", "--passphrase-file", str(passphrase_file(tmp_path, weak)))
    assert r.exit_code == 3, r.stdout
    said = " ".join(r.stderr.split())
    assert "passphrase" in said and "nothing was written" in said and "hint" in said and weak not in said
    assert not out.exists()
    answers = iter([weak, weak, weak])  # at a terminal: three tries, then refused
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr("campaignsafe.cli._render.interactive", lambda no_input: not no_input)
    r = run("backup", str(out), "--encrypt")
    assert r.exit_code == 3 and not out.exists() and weak not in r.stderr.replace("12 or more", "")
    assert next(answers, None) is None


def test_a_weak_passphrase_at_a_terminal_is_asked_again(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule is said before the first prompt; a short passphrase is met with the reason and another try
    (never the passphrase itself), and a strong one then encrypts the backup."""
    prompts: list[str] = []
    answers = iter(["short", "four unrelated words here", "four unrelated words here"])

    def ask(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("getpass.getpass", ask)
    monkeypatch.setattr("campaignsafe.cli._render.interactive", lambda no_input: not no_input)
    out = tmp_path / "b.age"
    r = run("backup", str(out), "--encrypt")
    assert r.exit_code == 0, r.stderr
    assert prompts == ["Passphrase: ", "Passphrase: ", "The same passphrase again: "]
    said = " ".join(r.stderr.split())
    assert said.index("12 or more characters") < said.index("too short (5 characters") < said.index("try again")
    assert "short" not in said.replace("too short", "")
    assert out.read_bytes().startswith(MAGIC)


def test_the_manifest_lists_entries_by_name_whatever_order_they_were_written_in(tmp_path: Path) -> None:
    """The backup's lines wait on disk, not in memory: written out of order, the manifest still lists every
    entry once, by name, and the SHA-256 and count the backup reports are those of the manifest written."""
    import hashlib
    from datetime import UTC

    from campaignsafe.backup.archive import _Zip

    out = tmp_path / "z.zip"
    names = [f"files/evidence/{n:03d}" for n in range(2500)]
    shuffled = names[1::2] + names[::2]
    with out.open("wb") as fh:
        z = _Zip(fh, datetime(2026, 5, 1, 12, tzinfo=UTC))
        for name in shuffled:
            z.add(name, iter([name.encode()]))
        digest, listed = z.finish()
    with zipfile.ZipFile(out) as zf:
        manifest = zf.read("MANIFEST.sha256")
    lines = manifest.decode().splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == sorted(names) and listed == len(names)
    assert digest == hashlib.sha256(manifest).hexdigest()
    assert lines[0] == f"{hashlib.sha256(names[0].encode()).hexdigest()}  {names[0]}"


def test_a_backup_whose_id_counter_is_at_sqlites_limit_is_refused(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It restored and passed check, then every new incident failed, said to be "the disk is full"."""
    full_record(tmp_path)
    out = tmp_path / "backup.zip"
    ok("backup", str(out))

    def at_limit(members: dict[str, bytes]) -> None:
        members["store/sqlite_sequence.json"] = json.dumps({"incidents": 2**63 - 1}).encode()
        members.pop("files/bundle-signing-key", None)  # posed as an older, unsigned backup

    bad = rezip(out, tmp_path / "seq.zip", unsigned(at_limit))
    target = use_home(monkeypatch, tmp_path / "target")
    r = run("restore", str(bad))
    assert r.exit_code == 3, r.stderr
    assert "sqlite_sequence.json is not a table of the ids a record gives out" in r.stderr
    assert not (target / "incidents.db").exists() or run("incidents", "list", "--json").json["incidents"] == []


def test_a_backup_row_holding_an_object_is_the_backups_fault_not_a_damaged_store(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An audit row whose detail is a JSON object said "the incident store …restoring…/incidents.db is damaged
    … do not delete it" (exit 5), of a folder the user never made; it is the backup that is bad (exit 3)."""
    full_record(tmp_path)
    out = tmp_path / "backup.zip"
    ok("backup", str(out))

    def detail_object(members: dict[str, bytes]) -> None:
        rows = [json.loads(line) for line in members["store/audit.jsonl"].decode().splitlines() if line.strip()]
        rows[0]["detail"] = {"an": "object"}
        members["store/audit.jsonl"] = "".join(json.dumps(r) + "\n" for r in rows).encode()
        members.pop("files/bundle-signing-key", None)

    bad = rezip(out, tmp_path / "obj.zip", unsigned(detail_object))
    target = use_home(monkeypatch, tmp_path / "target")
    r = run("restore", str(bad))
    assert r.exit_code == 3, r.stderr
    assert "store/audit.jsonl holds a value of a kind no stored row has" in r.stderr
    assert "damaged" not in r.stderr and "restoring" not in r.stderr
    assert not (target / "incidents.db").exists()
