"""Signed bundles: stock OpenSSH (`ssh-keygen -Y verify`) accepts them; a re-hashed forgery fails both tools."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from campaignsafe.exports import signing
from campaignsafe.exports.bundle import MANIFEST, Entry, manifest_text, write_bundle
from tests.conftest import run
from tests.export_helpers import EPOCH, make_record, members, unpack
from tests.screen_helpers import flat

needs_ssh_keygen = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="install openssh-client")
IDENTITY = "jo@example.org"  # the profile's email in make_record


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    make_record(tmp_path)
    out = tmp_path / "police.zip"
    r = run("export", "--all", "--bundle", str(out), "--eml", str(tmp_path / "police.eml"))
    assert r.exit_code == 0, r.stderr
    return out


def _ssh_verify(folder: Path) -> subprocess.CompletedProcess[bytes]:
    with (folder / MANIFEST).open("rb") as manifest:
        return subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", "allowed_signers", "-I", IDENTITY, "-n", signing.NAMESPACE,
             "-s", signing.SIGNATURE],
            cwd=folder, stdin=manifest, capture_output=True,
        )  # fmt: skip


def _fingerprint(pub: Path) -> str:
    out = subprocess.run(["ssh-keygen", "-l", "-f", str(pub)], capture_output=True, text=True, check=True).stdout
    return out.split()[1]


def _forge(folder: Path) -> None:
    """Change an exhibit and re-hash the manifest consistently, keeping the old signature."""
    photo = folder / "evidence" / "JS-1_photo.jpg"
    photo.write_bytes(b"a different photo")
    lines = (folder / MANIFEST).read_text().splitlines(keepends=True)
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    lines = [f"{digest}  evidence/JS-1_photo.jpg\n" if line.endswith(" evidence/JS-1_photo.jpg\n") else line
             for line in lines]  # fmt: skip
    (folder / MANIFEST).write_text("".join(lines))


def _rezip(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w") as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(folder).as_posix())
    return out


@needs_ssh_keygen
def test_ssh_keygen_accepts_a_fresh_bundle(bundle: Path, tmp_path: Path, home: Path) -> None:
    """ssh-keygen -Y verify says Good signature; verify names the same fingerprint ssh-keygen -l prints."""
    folder = unpack(bundle, tmp_path / "u")
    r = _ssh_verify(folder)
    assert r.returncode == 0 and b"Good" in r.stdout + r.stderr, r.stderr
    fp = _fingerprint(folder / signing.PUBLIC_KEY)
    assert fp.startswith("SHA256:")
    out = run("verify", str(bundle))
    assert out.exit_code == 0 and f"Signature: good, made with the key {fp}" in flat(out.stdout)
    data = run("verify", str(folder), "--json").json
    assert data["signature"] == {"status": "valid", "key_fingerprint": fp, "reason": None}
    how_to = (folder / signing.HOW_TO).read_text()
    assert "sha256sum -c MANIFEST.sha256" in how_to and f"-I {IDENTITY} \\\n           -n campaignsafe-bundle" in how_to
    assert fp in how_to and data["audit_head"] and data["audit_head"] in how_to
    assert fp in members(bundle)["report.html"].decode() and fp in members(bundle)["report.md"].decode()
    assert fp in (tmp_path / "police.eml").read_text().replace("=\n", "")
    assert (home / signing.KEY_FILE).stat().st_mode & 0o777 == 0o600


@needs_ssh_keygen
def test_a_consistently_rehashed_forgery_fails_ssh_keygen_and_verify(bundle: Path, tmp_path: Path) -> None:
    """sha256sum -c would pass the forged folder; the signature does not, in either tool or either mode."""
    folder = unpack(bundle, tmp_path / "u")
    _forge(folder)
    if shutil.which("sha256sum"):
        assert subprocess.run(["sha256sum", "-c", "--quiet", MANIFEST], cwd=folder).returncode == 0
    assert _ssh_verify(folder).returncode != 0
    for target in (folder, _rezip(folder, tmp_path / "forged.zip")):
        r = run("verify", str(target))
        assert r.exit_code == 6 and "SIGNATURE BAD" in r.stdout and "signature does not check out" in r.stderr
        assert run("verify", str(target), "--json").json["signature"]["status"] == "invalid"


def test_two_bundles_share_one_key(bundle: Path, tmp_path: Path) -> None:
    """The key is made once: a second bundle is signed by the same fingerprint."""
    second = tmp_path / "second.zip"
    assert run("export", "1", "--bundle", str(second)).exit_code == 0
    fps = {run("verify", str(b), "--json").json["signature"]["key_fingerprint"] for b in (bundle, second)}
    assert len(fps) == 1


def test_an_unsigned_old_bundle_verifies_with_a_note(tmp_path: Path) -> None:
    """A bundle from before signing passes, and says nothing shows who made it."""
    out = tmp_path / "old.zip"
    write_bundle([Entry("report.html", b"<p>old</p>")], out)
    r = run("verify", str(out))
    assert r.exit_code == 0 and "not signed" in r.stdout
    assert run("verify", str(out), "--json").json["signature"]["status"] == "absent"


def test_a_removed_signature_fails(bundle: Path, tmp_path: Path) -> None:
    """Dropping MANIFEST.sha256.sig from a signed bundle does not make it an 'old' bundle."""
    folder = unpack(bundle, tmp_path / "u")
    (folder / signing.SIGNATURE).unlink()
    r = run("verify", str(folder))
    assert r.exit_code == 6 and "missing" in r.stdout


def test_a_signature_by_another_key_than_allowed_signers_names_fails(bundle: Path, tmp_path: Path) -> None:
    """A valid signature, but by a key that is not the one the bundle names, fails."""
    folder = unpack(bundle, tmp_path / "u")
    other = signing.Signer(*_other_key())
    (folder / signing.SIGNATURE).write_bytes(other.sign((folder / MANIFEST).read_bytes()))
    r = run("verify", str(folder), "--json")
    assert r.exit_code == 6 and r.json["signature"]["status"] == "invalid"
    assert "is not the one in" in r.json["signature"]["reason"]


def _other_key() -> tuple[object, bytes]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    return key, key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@pytest.mark.parametrize("junk", [b"", b"not a key", b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n"])
def test_a_damaged_key_is_a_store_error_with_a_way_out(junk: bytes, home: Path, tmp_path: Path) -> None:
    """exit 5, saying to move the key aside; the damaged key is left as it was."""
    make_record(tmp_path)
    (home / signing.KEY_FILE).write_bytes(junk)
    r = run("export", "--all", "--bundle", str(tmp_path / "b.zip"))
    assert r.exit_code == 5 and "move bundle-signing-key" in r.stderr
    assert (home / signing.KEY_FILE).read_bytes() == junk and not (tmp_path / "b.zip").exists()


KILL_AT_REPLACE = """
import os, signal, sys
import campaignsafe.paths as paths
real = os.replace
def replace(src, dst):
    if str(dst).endswith({name!r}):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(src, dst)
os.replace = replace
from campaignsafe.cli import main
sys.argv = ["campaignsafe", *sys.argv[1:]]
main()
"""


def test_killed_while_making_the_key_leaves_no_half_key(home: Path, tmp_path: Path) -> None:
    """SIGKILL just before the key is put in place: no key, no bundle; the next export clears the leftover."""
    make_record(tmp_path)
    env = {**os.environ, "CAMPAIGNSAFE_HOME": str(home)}
    code = KILL_AT_REPLACE.format(name=signing.KEY_FILE)
    out = tmp_path / "b.zip"
    p = subprocess.run([sys.executable, "-c", code, "export", "--all", "--bundle", str(out)], env=env)
    assert p.returncode == -signal.SIGKILL
    assert not (home / signing.KEY_FILE).exists() and not out.exists()
    assert list(home.glob(f".{signing.KEY_FILE}.*.tmp"))  # the partial write the kill left
    r = run("export", "--all", "--bundle", str(out))
    assert r.exit_code == 0, r.stderr
    assert not list(home.glob(f".{signing.KEY_FILE}.*.tmp"))
    assert run("verify", str(out), "--json").json["signature"]["status"] == "valid"


def test_killed_while_writing_a_signed_bundle_leaves_nothing_in_place(home: Path, tmp_path: Path) -> None:
    """SIGKILL as the signed bundle is renamed into place: no bundle; the next run clears the .tmp beside it."""
    make_record(tmp_path)
    env = {**os.environ, "CAMPAIGNSAFE_HOME": str(home)}
    out = tmp_path / "b.zip"
    code = KILL_AT_REPLACE.format(name="b.zip")
    p = subprocess.run([sys.executable, "-c", code, "export", "--all", "--bundle", str(out)], env=env)
    assert p.returncode == -signal.SIGKILL and not out.exists()
    assert list(tmp_path.glob(".b.zip.*.tmp"))
    assert run("export", "--all", "--bundle", str(out)).exit_code == 0
    assert not list(tmp_path.glob(".b.zip.*.tmp")) and run("verify", str(out)).exit_code == 0


def test_signature_checker_refuses_junk() -> None:
    """Malformed, oversized or other-namespace signatures are BadSignature, never a crash."""
    for junk in (b"", b"x" * 20000, b"-----BEGIN SSH SIGNATURE-----\n!!\n-----END SSH SIGNATURE-----\n"):
        with pytest.raises(signing.BadSignature):
            signing.check(junk, b"m")
    assert manifest_text([("a", "0" * 64)]) == f"{'0' * 64}  a\n"


def test_a_tampered_bundle_says_it_failed_first_and_the_signature_does_not_reassure(
    bundle: Path, tmp_path: Path
) -> None:
    """An altered exhibit in a signed bundle: the first line says FAILED, and no line says the signature is good."""
    folder = unpack(bundle, tmp_path / "u")
    photo = next(p for p in (folder / "evidence").iterdir() if p.is_file())
    photo.write_bytes(photo.read_bytes() + b"x")
    r = run("verify", str(folder))
    assert r.exit_code == 6
    first = r.stdout.splitlines()[0]
    assert first.startswith("FAILED") and "1 altered" in first
    said = flat(r.stdout)
    assert "Signature: good" not in said and "does not vouch for them" in said


@needs_ssh_keygen
def test_the_commands_how_to_verify_gives_work_as_printed(bundle: Path, tmp_path: Path) -> None:
    """The officer copies the commands from HOW-TO-VERIFY.txt: run as printed (continuation lines and all) in the
    unpacked folder, `sha256sum -c` says OK for every file and ssh-keygen says the signature is good."""
    folder = unpack(bundle, tmp_path / "unpacked")
    text = (folder / signing.HOW_TO).read_text()
    commands = [line.strip() for line in text.splitlines() if line.startswith("       ")]
    script = "\n".join(commands).replace("\\\n", " ")
    assert "ssh-keygen -Y verify" in script and "sha256sum -c MANIFEST.sha256" in script
    checks = [c for c in script.splitlines() if not c.startswith("campaignsafe ")]
    if shutil.which("sha256sum") is None:
        checks = [c for c in checks if not c.startswith("sha256sum")]
    done = subprocess.run(["bash", "-e", "-c", "\n".join(checks)], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert 'Good "campaignsafe-bundle" signature' in done.stdout + done.stderr
    assert all(len(line) <= 80 for line in text.splitlines())
