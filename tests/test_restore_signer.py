"""restore refuses a backup signed by another key than the signing key it carries (exit 6, nothing written)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from campaignsafe.exports import signing
from campaignsafe.exports.bundle import MANIFEST
from tests.backup_helpers import full_record, ok, use_home
from tests.conftest import run


def _forge(backup: Path, dest: Path, other: signing.Signer, *, keep_key: bool = True) -> Path:
    """The backup with one file changed, re-hashed and re-signed consistently by ``other`` (whose public
    key, allowed_signers and HOW-TO replace the originals), so verify alone passes it."""
    with zipfile.ZipFile(backup) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["files/contacts.json"] = b'{"contacts": []}\n'
    if not keep_key:
        members.pop("files/" + signing.KEY_FILE)
    members[signing.PUBLIC_KEY] = other.public_line().encode()
    members[signing.ALLOWED_SIGNERS] = other.allowed_signers(signing.DEFAULT_IDENTITY).encode()
    manifest = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n"
        for name, data in sorted(members.items())
        if name != MANIFEST and name != signing.SIGNATURE
    ).encode()
    members[MANIFEST] = manifest
    members[signing.SIGNATURE] = other.sign(manifest)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dest


@pytest.fixture
def backup(home: Path, tmp_path: Path) -> Path:
    full_record(tmp_path / "files")
    out = tmp_path / "campaign.zip"
    ok("backup", str(out))
    return out


def _other_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> signing.Signer:
    use_home(monkeypatch, tmp_path / "forger")
    return signing.signer()


def test_a_backup_re_signed_by_another_key_is_refused(
    backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forged = _forge(backup, tmp_path / "forged.zip", _other_key(tmp_path, monkeypatch))
    assert run("verify", str(forged)).exit_code == 0  # consistent on its own: only the key inside gives it away
    target = use_home(monkeypatch, tmp_path / "new-laptop")
    r = run("restore", str(forged))
    assert r.exit_code == 6, r.stderr
    assert "not by the signing key it holds" in r.stderr and len(r.stderr.strip().splitlines()) <= 2
    assert not target.exists() or not any(target.iterdir())
    assert not list(target.parent.glob(f".{target.name}.restoring-*"))


def test_a_genuine_backup_restores_with_its_own_key(
    backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = use_home(monkeypatch, tmp_path / "new-laptop")
    r = run("restore", str(backup))
    assert r.exit_code == 0, r.stderr
    assert run("check").exit_code == 0 and (target / signing.KEY_FILE).exists()


def test_a_damaged_key_inside_a_re_signed_backup_is_refused(
    backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key inside replaced by junk and the whole thing re-signed: the signer is not the key it holds."""
    other = _other_key(tmp_path, monkeypatch)
    with zipfile.ZipFile(backup) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, b"not a key" if name == "files/" + signing.KEY_FILE else data)
    forged = _forge(tampered, tmp_path / "forged.zip", other)
    use_home(monkeypatch, tmp_path / "new-laptop")
    r = run("restore", str(forged))
    assert r.exit_code == 6 and "cannot be read" in r.stderr


def test_a_backup_stripped_of_its_key_and_re_signed_is_refused(
    backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every signed backup campaignsafe makes carries its key: one signed by someone but holding no key is
    refused naming the signer, and no foreign identity is adopted (no key appears in the data folder)."""
    other = _other_key(tmp_path, monkeypatch)
    forged = _forge(backup, tmp_path / "forged.zip", other, keep_key=False)
    assert run("verify", str(forged)).exit_code == 0  # consistent on its own
    target = use_home(monkeypatch, tmp_path / "new-laptop")
    r = run("restore", str(forged))
    assert r.exit_code == 6, r.stderr
    assert other.fingerprint in " ".join(r.stderr.split()) and "holds no signing key" in r.stderr
    assert not target.exists() or not any(target.iterdir())
    assert not list(target.parent.glob(f".{target.name}.restoring-*"))
