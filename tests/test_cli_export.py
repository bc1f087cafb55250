"""``campaignsafe export`` and ``campaignsafe verify`` through the CLI: the bundle, its checks, the email draft."""

from __future__ import annotations

import email
import hashlib
import json
import shutil
import subprocess
import zipfile
from datetime import datetime
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import run
from tests.export_helpers import EPOCH, LETTER, PHOTO, SHOT, export, make_record, members, unpack
from tests.incident_helpers import flat


@pytest.fixture
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_backend: str) -> list[int]:
    """The three-incident record, exported at a fixed time (on each store)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return make_record(tmp_path)


def test_round_trip_bundle_verify_and_sha256sum(record: list[int], tmp_path: Path) -> None:
    """Incidents from a file, evidence added, a bundle exported: verify and sha256sum -c pass; tampering is named."""
    extra = tmp_path / "files" / "later.txt"
    extra.write_bytes(b"a message I found later\n")
    assert run("incidents", "add-evidence", str(record[2]), str(extra)).exit_code == 0
    out = tmp_path / "out" / "bundle.zip"
    out.parent.mkdir()
    r = export("--all", "--bundle", str(out))
    assert "campaignsafe verify" in r.stderr and "4 evidence files" in flat(r.stderr)
    assert r.stdout == ""
    r = run("verify", str(out))
    assert r.exit_code == 0 and "OK: all" in r.stdout

    folder = unpack(out, tmp_path / "unpacked")
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "-c", "MANIFEST.sha256"], cwd=folder, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    assert run("verify", str(folder)).exit_code == 0

    photo = folder / "evidence" / "JS-1_photo.jpg"
    data = bytearray(photo.read_bytes())
    data[10] ^= 1
    photo.write_bytes(bytes(data))
    r = run("verify", str(folder))
    assert r.exit_code == 6
    assert "ALTERED  evidence/JS-1_photo.jpg" in r.stdout and "1 altered" in r.stderr

    photo.write_bytes(PHOTO)
    (folder / "evidence" / "JS-3_letter.pdf").unlink()
    (folder / "evidence" / "JS-9_extra.jpg").write_bytes(b"slipped in")
    r = run("verify", str(folder), "--json")
    assert r.exit_code == 6
    assert r.json["missing"] == ["evidence/JS-3_letter.pdf"] and r.json["added"] == ["evidence/JS-9_extra.jpg"]
    assert r.json["altered"] == [] and r.json["passed"] is False and r.json["error"]["code"] == "verify_failed"


def test_bundle_holds_reports_data_schema_and_every_original(record: list[int], tmp_path: Path) -> None:
    """The zip has both reports, JSON, CSV, the schema, each evidence file as it was, and the manifest."""
    out = tmp_path / "bundle.zip"
    export("--all", "--bundle", str(out))
    files = members(out)
    assert sorted(files) == [
        "HOW-TO-VERIFY.txt",
        "MANIFEST.sha256",
        "MANIFEST.sha256.sig",
        "allowed_signers",
        "evidence/JS-1_photo.jpg",
        "evidence/JS-2_shot.png",
        "evidence/JS-3_letter.pdf",
        "incident-export.schema.json",
        "incidents.csv",
        "incidents.json",
        "report.html",
        "report.md",
        "signing-key.pub",
    ]
    assert files["evidence/JS-1_photo.jpg"] == PHOTO and files["evidence/JS-2_shot.png"] == SHOT
    assert files["evidence/JS-3_letter.pdf"] == LETTER
    committed = Path(__file__).resolve().parents[1] / "schema" / "incident-export.schema.json"
    assert files["incident-export.schema.json"] == committed.read_bytes()
    manifest = files["MANIFEST.sha256"].decode()
    assert f"{hashlib.sha256(PHOTO).hexdigest()}  evidence/JS-1_photo.jpg\n" in manifest
    assert out.stat().st_mode & 0o777 == 0o600
    data = json.loads(files["incidents.json"])
    exported = datetime.fromisoformat(data["export"]["exported_at"]).astimezone(ZoneInfo("Europe/London"))
    with zipfile.ZipFile(out) as zf:  # every file dated the export, in UK time (zip keeps even seconds)
        stamp = (*exported.timetuple()[:5], exported.second // 2 * 2)
        assert {i.date_time for i in zf.infolist()} == {stamp}
    paths = [f["bundle_path"] for c in data["incidents"] for e in c["objects"]["evidence"] for f in e["files"]]
    assert sorted(paths) == sorted(n for n in files if n.startswith("evidence/"))


def test_same_export_twice_gives_the_same_bytes(
    record: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the export time fixed the bundle is byte-identical; a later export differs only where the time is shown."""
    export("--all", "--bundle", str(tmp_path / "1.zip"))
    export("--all", "--bundle", str(tmp_path / "2.zip"))
    assert (tmp_path / "1.zip").read_bytes() == (tmp_path / "2.zip").read_bytes()

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86_400))
    export("--all", "--bundle", str(tmp_path / "3.zip"))
    first, later = members(tmp_path / "1.zip"), members(tmp_path / "3.zip")
    changed = sorted(n for n in first if first[n] != later[n])
    assert changed == ["MANIFEST.sha256", "MANIFEST.sha256.sig", "incidents.json", "report.html", "report.md"]
    a, b = json.loads(first["incidents.json"]), json.loads(later["incidents.json"])
    assert a["export"].pop("exported_at") != b["export"].pop("exported_at")
    assert a == b


def test_export_time_must_be_seconds(record: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """A malformed SOURCE_DATE_EPOCH is named rather than ignored."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    r = run("export", "--all")
    assert r.exit_code == 3 and "SOURCE_DATE_EPOCH" in r.stderr


def test_email_draft_is_addressed_to_the_saved_spoc(record: list[int], tmp_path: Path) -> None:
    """With a SPOC saved for the force, the draft goes to them with the HTML report attached; nothing is sent."""
    spoc = ("contact", "save", "metropolitan", "--role", "spoc", "--name", "DI Jane Example")
    assert run(*spoc, "--email", "jane.example@met.police.uk").exit_code == 0
    out = tmp_path / "draft.eml"
    r = export("--all", "--eml", str(out), "--bundle", str(tmp_path / "b.zip"))
    assert "addressed to DI Jane Example <jane.example@met.police.uk>" in r.stderr and "not sent" in r.stderr
    msg = email.message_from_bytes(out.read_bytes(), policy=policy.default)
    assert msg["To"] == "DI Jane Example <jane.example@met.police.uk>"
    assert msg["From"] == "Jo Smith <jo@example.org>" and msg["X-Unsent"] == "1"
    assert "3 incidents" in msg["Subject"]
    body = msg.get_body(("plain",))
    assert body is not None
    text = flat(body.get_content())
    assert text.startswith("Dear DI Jane Example,") and "CAD 1234" in text and "Note for you" not in text
    assert "course of conduct" not in text  # a legal test the user never claimed was met
    manifest = hashlib.sha256(members(tmp_path / "b.zip")["MANIFEST.sha256"]).hexdigest()
    assert manifest in text
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_content_type() == "text/html"
    assert attachment.get_content_charset() == "utf-8"
    assert attachment.get_payload(decode=True) == members(tmp_path / "b.zip")["report.html"]
    assert out.stat().st_mode & 0o777 == 0o600


def test_email_draft_is_copied_to_the_saved_adviser(record: list[int], tmp_path: Path) -> None:
    """A saved Force Elected-Official Adviser with an email is copied in (Cc), the SPOC still addressed; the user
    is told; without the adviser's email there is no Cc."""
    spoc = ("contact", "save", "metropolitan", "--role", "spoc", "--name", "DI Jane Example")
    assert run(*spoc, "--email", "jane.example@met.police.uk").exit_code == 0
    adviser = ("contact", "save", "metropolitan", "--role", "adviser", "--name", "PS Kim Example")
    assert run(*adviser).exit_code == 0
    out = tmp_path / "draft.eml"
    export("--all", "--eml", str(out))
    assert email.message_from_bytes(out.read_bytes(), policy=policy.default)["Cc"] is None
    assert run(*adviser, "--email", "kim.example@met.police.uk").exit_code == 0
    r = export("--all", "--eml", str(out))
    assert "copied to your Force Elected-Official Adviser PS Kim Example" in " ".join(r.stderr.split())
    msg = email.message_from_bytes(out.read_bytes(), policy=policy.default)
    assert msg["To"] == "DI Jane Example <jane.example@met.police.uk>"
    assert msg["Cc"] == "PS Kim Example <kim.example@met.police.uk>"


def test_email_draft_is_byte_identical_for_the_same_export(record: list[int], tmp_path: Path) -> None:
    """With SOURCE_DATE_EPOCH fixed, the same export gives the same draft, Message-ID and boundary included."""
    first, second = tmp_path / "one.eml", tmp_path / "two.eml"
    assert export("--all", "--eml", str(first)).exit_code == 0
    assert export("--all", "--eml", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    msg = email.message_from_bytes(first.read_bytes(), policy=policy.default)
    assert str(msg["Message-ID"]).endswith("@campaignsafe.invalid>")
    assert len(list(msg.iter_attachments())) == 1
    assert export("1", "--eml", str(tmp_path / "three.eml")).exit_code == 0
    other = email.message_from_bytes((tmp_path / "three.eml").read_bytes(), policy=policy.default)
    assert other["Message-ID"] != msg["Message-ID"]


def test_email_draft_without_a_saved_spoc_is_unaddressed(record: list[int], tmp_path: Path) -> None:
    """No SPOC saved: the draft has no To, a note in the body, and the user is told how to save one."""
    out = tmp_path / "draft.eml"
    r = export("--all", "--eml", str(out))
    assert "not addressed" in r.stderr
    command = "campaignsafe contact save metropolitan --name NAME --email EMAIL"
    assert any(command in line for line in r.stderr.splitlines()), r.stderr  # whole, on one line
    msg = email.message_from_bytes(out.read_bytes(), policy=policy.default)
    assert msg["To"] is None
    body = msg.get_body(("plain",))
    assert body is not None and "[Note for you, to delete before sending: No election SPOC" in flat(body.get_content())


def test_email_draft_spoc_without_email(record: list[int], tmp_path: Path) -> None:
    """A SPOC saved with only a phone number: unaddressed, greeted by name, and the user is told why."""
    run("contact", "save", "metropolitan", "--role", "spoc", "--name", "DI Jane Example", "--phone", "020 7946 0000")
    r = export("--all", "--eml", str(tmp_path / "d.eml"))
    assert "has no email address" in flat(r.stderr)
    msg = email.message_from_bytes((tmp_path / "d.eml").read_bytes(), policy=policy.default)
    body = msg.get_body(("plain",))
    assert msg["To"] is None and body is not None and "Dear DI Jane Example," in body.get_content()


def test_email_draft_for_several_forces_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Incidents in two forces' areas: the draft is unaddressed and both forces are named."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    make_record(tmp_path, scottish=True)
    run("contact", "save", "metropolitan", "--role", "spoc", "--name", "DI Jane", "--email", "jane@met.police.uk")
    r = export("--all", "--eml", str(tmp_path / "d.eml"))
    assert "2 police forces" in r.stderr and "Police Scotland (1)" in r.stderr and "--force" in r.stderr
    msg = email.message_from_bytes((tmp_path / "d.eml").read_bytes(), policy=policy.default)
    assert msg["To"] is None
    r = export("--force", "met", "--eml", str(tmp_path / "met.eml"))
    msg = email.message_from_bytes((tmp_path / "met.eml").read_bytes(), policy=policy.default)
    assert msg["To"] == "DI Jane <jane@met.police.uk>"


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (("1", "3"), [1, 3]),
        (("--all",), [1, 2, 3]),
        (("--since", "2026-04-10"), [2, 3]),
        (("--until", "2026-04-15"), [1, 2]),
        (("--kind", "online-abuse", "--kind", "letters"), [2, 3]),
        (("--force", "met"), [1, 2, 3]),  # 2 is online: the Met is its force from the profile
        (("3", "--since", "2026-04-10"), [3]),
    ],
)
def test_selection(args: tuple[str, ...], ids: list[int], record: list[int]) -> None:
    """Ids, --all, --since, --until, --kind and --force choose the incidents, oldest first."""
    r = export(*args, "--format", "json")
    assert [c["id"] for c in r.json["incidents"]] == ids


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ((), 3, "nothing selected"),
        (("1", "--all"), 3, "not both"),
        (("7", "9", "1"), 4, "no incident 7, 9"),
        (("--since", "2026-05-20"), 4, "no incidents match"),
        (("--kind", "thrats"), 3, "unknown kind"),
        (("--all", "--format", "pdf"), 3, "--format: unknown format"),
    ],
)
def test_selection_mistakes(args: tuple[str, ...], code: int, message: str, record: list[int]) -> None:
    """An empty or impossible selection gets one clear line and the right exit code."""
    r = run("export", *args)
    assert r.exit_code == code and message in r.stderr
    assert r.stdout == ""


def test_empty_store_has_nothing_to_export() -> None:
    """With nothing recorded, --all says so (exit 4)."""
    r = run("export", "--all")
    assert r.exit_code == 4 and "no incidents match" in r.stderr


def test_format_follows_the_output_suffix(record: list[int], tmp_path: Path) -> None:
    """-o report.csv writes CSV (nothing on the screen); no -o prints markdown."""
    r = export("--all", "-o", str(tmp_path / "report.csv"))
    assert r.stdout == "" and "Wrote" in r.stderr
    assert (tmp_path / "report.csv").read_bytes().startswith(b"id,occurred_at,")
    assert export("--all").stdout.startswith("# Record of incidents")
    assert run("export", "--all", "-o", str(tmp_path / "missing" / "x.md")).exit_code == 3


def test_a_file_type_campaignsafe_does_not_write_is_refused(record: list[int], tmp_path: Path) -> None:
    """-o report.pdf (or .docx) is refused with how to get a PDF, instead of Markdown in a file named .pdf that
    would not open; -o notes.txt writes the Markdown text, and --format decides whatever the name."""
    for name in ("report.pdf", "report.docx"):
        r = run("export", "--all", "-o", str(tmp_path / name))
        assert r.exit_code == 3 and "does not write" in r.stderr and not (tmp_path / name).exists()
    r = run("export", "--all", "-o", str(tmp_path / "again.pdf"))
    assert "export --format html and print it to PDF from your browser" in " ".join(r.stderr.split())
    assert export("--all", "-o", str(tmp_path / "notes.txt")).exit_code == 0
    assert (tmp_path / "notes.txt").read_text().startswith("# Record of incidents")
    assert export("--all", "--format", "html", "-o", str(tmp_path / "r.pdf.html")).exit_code == 0


def test_unwritable_targets_are_refused_before_anything_is_written(record: list[int], tmp_path: Path) -> None:
    """An email draft in a missing folder is refused at once: the bundle asked for alongside is not written."""
    r = run("export", "--all", "--bundle", str(tmp_path / "b.zip"), "--eml", str(tmp_path / "nope" / "d.eml"))
    assert r.exit_code == 3 and "does not exist" in r.stderr
    assert not (tmp_path / "b.zip").exists()
    r = run("export", "--all", "-o", str(tmp_path))
    assert r.exit_code == 3 and "it is a folder" in r.stderr


@pytest.mark.sqlite_only  # the copy in the data folder; on PostgreSQL: test_pg_store
def test_missing_stored_copy_stops_the_bundle(record: list[int], tmp_path: Path, home: Path) -> None:
    """A stored evidence copy gone from the data folder: exit 5, the exhibit named, nothing written."""
    sha = hashlib.sha256(PHOTO).hexdigest()
    (home / "evidence" / sha[:2] / sha).unlink()
    r = run("export", "--all", "--bundle", str(tmp_path / "b.zip"))
    assert r.exit_code == 5 and "exhibit JS/1 is missing" in r.stderr and "photo.jpg" not in r.stderr
    assert not (tmp_path / "b.zip").exists()


@pytest.mark.sqlite_only
def test_changed_stored_copy_stops_the_bundle(record: list[int], tmp_path: Path, home: Path) -> None:
    """A stored copy whose bytes no longer match its hash: exit 5, nothing written, no temporary file left."""
    sha = hashlib.sha256(SHOT).hexdigest()
    blob = home / "evidence" / sha[:2] / sha
    blob.chmod(0o600)
    blob.write_bytes(SHOT.replace(b"screenshot", b"screensh0t", 1))
    r = run("export", "--all", "--bundle", str(tmp_path / "b.zip"))
    assert r.exit_code == 5 and "exhibit JS/2" in r.stderr and "shot.png" not in r.stderr
    assert list(tmp_path.glob("*.zip")) == [] and list(tmp_path.glob(".b.zip*")) == []


def test_profile_without_a_name_is_pointed_out(tmp_path: Path) -> None:
    """Exporting without a name in the profile works, with a note on how to add it."""
    r = run("report", "--when", "2026-04-01 10:00", "--place", "online", "--kind", "threats", "--description", "d")
    assert r.exit_code == 0
    r = export("--all", "--format", "md")
    assert "your profile has no name" in r.stderr and "(name not given)" in r.stdout


def test_verify_refuses_unsafe_zip_entries(tmp_path: Path) -> None:
    """A zip with '..' or absolute entries is reported unsafe (exit 6) and nothing is extracted."""
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../escape.txt", "x")
        zf.writestr("/etc/owned", "x")
        zf.writestr("report.html", "<p>hi</p>")
        zf.writestr("MANIFEST.sha256", f"{hashlib.sha256(b'<p>hi</p>').hexdigest()}  report.html\n")
    r = run("verify", str(evil))
    assert r.exit_code == 6
    assert "UNSAFE   ../escape.txt" in r.stdout and "UNSAFE   /etc/owned" in r.stdout and "2 unsafe" in r.stderr
    assert not (tmp_path.parent / "escape.txt").exists()


@pytest.mark.parametrize("content", [None, b"not a zip"])
def test_verify_something_that_is_not_a_bundle(content: bytes | None, tmp_path: Path) -> None:
    """A missing file or a non-zip is an input error (exit 3), also as JSON."""
    target = tmp_path / "x.zip"
    if content is not None:
        target.write_bytes(content)
    r = run("verify", str(target), "--json")
    assert r.exit_code == 3 and r.json["error"]["code"] in ("missing_file", "not_a_bundle")


def test_verify_json_when_all_match(record: list[int], tmp_path: Path) -> None:
    """verify --json on a fresh bundle: passed, every file ok, and the manifest's own hash."""
    export("--all", "--bundle", str(tmp_path / "b.zip"))
    r = run("verify", str(tmp_path / "b.zip"), "--json")
    assert r.exit_code == 0 and r.json["passed"] is True and r.json["checked"] == 11 and "error" not in r.json
    assert r.json["manifest_sha256"] == hashlib.sha256(members(tmp_path / "b.zip")["MANIFEST.sha256"]).hexdigest()


def test_the_email_for_one_incident_names_its_kind_without_a_count(tmp_path: Path) -> None:
    """One incident's draft read "I would like to report an incident on Wed 2 Dec 2026 (threats (1))"."""
    run("profile", "--name", "Jo Smith", "--initials", "JS")
    run("report", "--when", "2026-05-01 18:30", "--place", "High St", "--kind", "threats", "--description", "x",
        "--no-input")  # fmt: skip
    out = tmp_path / "one.eml"
    assert export("--all", "--eml", str(out)).exit_code == 0
    body = email.message_from_bytes(out.read_bytes(), policy=policy.default).get_body(("plain",))
    assert body is not None
    text = flat(body.get_content())
    assert "I would like to report an incident on Fri 1 May 2026 (threats)." in text and "(1)" not in text
