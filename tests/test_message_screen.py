"""What `check`, `verify`, `backup`, `restore`, `import`, `export`, `add-evidence`, `checklist reset`
and the next steps print fits the terminal: nothing wider than COLUMNS, every hash, fingerprint,
web address and command to type whole on one line; counts agree and read as English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.backup_helpers import full_record, ok
from tests.conftest import run
from tests.screen_helpers import FINGERPRINT, HASH, assert_fits, flat

COLUMNS = [40, 60, 80]


def _hashes(text: str) -> list[str]:
    """The hashes and fingerprints a message names (read from its text undone of folding)."""
    one = flat(text)
    return HASH.findall(one) + FINGERPRINT.findall(one)


def _whole_commands(text: str, commands: list[str]) -> None:
    lines = text.splitlines()
    for command in commands:
        assert any(command in line for line in lines), f"{command!r} is broken across lines:\n{text}"


@pytest.mark.parametrize("columns", COLUMNS)
def test_record_messages_fit_and_keep_hashes_whole(
    columns: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """check, export, verify, backup, verify of the backup, restore, add-evidence: no line wider than
    COLUMNS unless it is one hash or command alone; every 64-character hash and key fingerprint whole."""
    full_record(tmp_path)
    monkeypatch.setenv("COLUMNS", str(columns))
    bundle, eml, backup = tmp_path / "police.zip", tmp_path / "police.eml", tmp_path / "campaign.zip"
    outputs = {
        "check": ok("check").stdout,
        "export": ok("export", "--all", "--bundle", str(bundle), "--eml", str(eml)).stderr,
        "verify": ok("verify", str(bundle)).stdout,
        "backup": ok("backup", str(backup)).stdout,
        "verify backup": ok("verify", str(backup)).stdout,
        "add-evidence": ok("incidents", "add-evidence", "1", str(tmp_path / "files" / "letter.pdf")).stdout,
    }
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "elsewhere"))
    outputs["restore"] = ok("restore", str(backup)).stdout
    for name, text in outputs.items():
        hashes = _hashes(text)
        assert_fits(text, columns, hashes)
        assert hashes or name == "export", name  # every one of these names a hash
    assert FINGERPRINT.search(flat(outputs["verify"]))
    assert len(HASH.findall(outputs["check"])) == 1  # the audit chain head, whole
    _whole_commands(outputs["export"], [f"campaignsafe verify {bundle}"])
    _whole_commands(outputs["backup"], [f"campaignsafe verify {backup}"])


@pytest.mark.parametrize("columns", COLUMNS)
def test_import_and_reset_messages_fit(columns: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """import names the signing key whole; checklist reset names the file it set aside whole."""
    full_record(tmp_path)
    bundle = tmp_path / "police.zip"
    ok("export", "--all", "--bundle", str(bundle))
    monkeypatch.setenv("COLUMNS", str(columns))
    ok("checklist", "profiles", "--save", "--profile", "sam", "--role", "volunteer", "--nation", "wales")
    reset = ok("checklist", "reset", "--profile", "sam").stdout
    aside = ok("checklist", "reset", "--profile", "default", "--json").json["moved_to"]
    assert_fits(reset, columns)
    assert ".bak" in reset and re.search(r"\S+\.json\.\w+\.bak", reset)
    assert "its role volunteer and nation wales are kept" in flat(reset)
    assert Path(aside).exists()
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "agent"))
    ok("profile", "--name", "Alex Brown")
    imported = ok("import", str(bundle)).stdout
    assert_fits(imported, columns, _hashes(imported))
    assert FINGERPRINT.search(imported)  # the signer's fingerprint whole on one line


@pytest.mark.parametrize("columns", COLUMNS)
def test_next_steps_never_break_a_command(columns: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After `report`, each command to type is whole on one line (avon-and-somerset is the long id)."""
    monkeypatch.setenv("COLUMNS", str(columns))
    ok("profile", "--name", "Jo Smith", "--constituency", "Bath")
    out = ok(
        "report", "--when", "2026-05-01 18:30", "--place", "Milsom Street", "--postcode", "BA1 1BA",
        "--kind", "threats", "--description", "d", "--evidence", str(_photo(tmp_path)),
    ).stdout  # fmt: skip
    assert "Avon and Somerset" in out
    assert_fits(out, columns, _hashes(out))
    _whole_commands(
        out,
        [
            "campaignsafe contact save avon-and-somerset --role adviser --name NAME",
            "campaignsafe incidents update 1 --reported-to 101 --police-ref REF",
            "campaignsafe incidents add-evidence 1 FILE…",
        ],
    )
    assert "…," not in out and "--police-ref …" not in out  # no placeholder that reads as text cut short
    if columns >= 80:  # at 80 columns even the longest force id's command fits the screen, indented
        assert not [line for line in out.splitlines() if len(line) > columns]
        assert "    campaignsafe incidents update 1 --reported-to 101 --police-ref REF" in out.splitlines()


def _photo(folder: Path) -> Path:
    photo = folder / "photo.jpg"
    photo.write_bytes(b"\xff\xd8" + bytes(2000))
    return photo


def test_export_verify_and_backup_counts_agree_or_say_what_they_count(tmp_path: Path) -> None:
    """The number of files export says MANIFEST.sha256 lists (with --eml too) is the number verify says
    match; backup says how many files of the data folder it holds and how many its manifest lists,
    and verify of the backup counts the latter."""
    full_record(tmp_path)
    ok("incidents", "add-evidence", "2", str(tmp_path / "files" / "photo.jpg"))  # the same file in two incidents
    listed = re.compile(r"(\d+) files listed with their SHA-256 in MANIFEST.sha256")
    match = re.compile(r"OK: all (\d+) files listed in MANIFEST.sha256 match their SHA-256")
    for extra in ([], ["--eml", str(tmp_path / "police.eml")]):
        bundle = tmp_path / f"police{len(extra)}.zip"
        said = listed.search(flat(ok("export", "--all", "--bundle", str(bundle), *extra).stderr))
        checked = match.search(flat(ok("verify", str(bundle)).stdout))
        assert said and checked and said.group(1) == checked.group(1)
        assert int(checked.group(1)) == ok("verify", str(bundle), "--json").json["checked"]
    backup = tmp_path / "campaign.zip"
    wrote = flat(ok("backup", str(backup)).stdout)
    made = ok("verify", str(backup), "--json").json["checked"]
    said_backup = listed.search(wrote)
    held = re.search(r"(\d+) files of your data folder \((\d+) of them evidence\)", wrote)
    assert said_backup and int(said_backup.group(1)) == made, wrote
    assert held and int(held.group(1)) < made
    checked = match.search(flat(ok("verify", str(backup)).stdout))
    assert checked and int(checked.group(1)) == made


def test_counts_agree_in_number() -> None:
    """'1 incident', '1 exhibit', '1 identifier appears': never '1 incident(s)' or '1 identifier appear'."""
    r = run("check")
    assert "0 incidents, 0 exhibits, 0 audit entries" in flat(r.stdout)
    assert "(s)" not in r.stdout


@pytest.mark.parametrize("columns", COLUMNS)
def test_about_and_version_fit(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """`about` and `--version` fold each dataset and attribution line under its first, indented."""
    monkeypatch.setenv("COLUMNS", str(columns))
    for args in (("about",), ("--version",)):
        out = run(*args).stdout
        assert_fits(out, columns)
        assert "Code-Point" in out
    assert any(line.startswith("  Contains OS data") for line in run("about").stdout.splitlines())


def test_indented_lines_keep_their_indent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """import's 'their incident 1 -> your incident 2' lines stay indented under the heading."""
    full_record(tmp_path)
    bundle = tmp_path / "police.zip"
    ok("export", "--all", "--bundle", str(bundle))
    monkeypatch.setenv("CAMPAIGNSAFE_HOME", str(tmp_path / "agent"))
    out = ok("import", str(bundle)).stdout
    assert any(line.startswith("  their incident 1 -> your incident ") for line in out.splitlines()), out


@pytest.mark.parametrize("columns", COLUMNS)
def test_the_no_profile_message_keeps_its_command_whole(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """It was one print of 88 characters: an 80-column terminal split the command after --role candidate."""
    monkeypatch.setenv("COLUMNS", str(columns))
    r = run("profile")
    assert r.exit_code == 0 and r.stdout.startswith("No profile yet")
    _whole_commands(r.stdout, ['campaignsafe profile --name "Jo Smith" --role candidate --initials JS'])
    assert_fits(r.stdout, columns)
