"""Signed bundles: an Ed25519 key in the data folder, and SSH signatures stock OpenSSH checks.

The key pair is made on first use (``bundle-signing-key``, OpenSSH format, 0600). Each bundle's
``MANIFEST.sha256`` is signed in OpenSSH's SSHSIG format under the namespace
``campaignsafe-bundle``, so anyone can check it with software police IT already has::

    ssh-keygen -Y verify -f allowed_signers -I IDENTITY -n campaignsafe-bundle \\
        -s MANIFEST.sha256.sig < MANIFEST.sha256

The key is named by its fingerprint in the form ``ssh-keygen -l`` prints (``SHA256:…``), which
the report's cover and the email draft give, so an officer can tell two bundles came from the
same laptop. ``cryptography`` is imported only here, and only when a bundle is signed or checked.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import struct
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaignsafe import paths
from campaignsafe.errors import StoreError

NAMESPACE = "campaignsafe-bundle"
KEY_FILE = "bundle-signing-key"
SIGNATURE = "MANIFEST.sha256.sig"
PUBLIC_KEY = "signing-key.pub"
ALLOWED_SIGNERS = "allowed_signers"
HOW_TO = "HOW-TO-VERIFY.txt"
DEFAULT_IDENTITY = "campaignsafe"
_MAGIC = b"SSHSIG"
_KEY_TYPE = b"ssh-ed25519"
_BEGIN, _END = "-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----"
#: a signature file is a few hundred bytes; anything far larger is not one.
MAX_SIGNATURE = 16 * 1024
_IDENTITY = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}$")


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def key_path() -> Path:
    """Where the private signing key lives (in the data folder)."""
    return paths.home() / KEY_FILE


def fingerprint(blob: bytes) -> str:
    """A public key blob's fingerprint as ``ssh-keygen -l`` prints it: ``SHA256:`` and unpadded base64."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def identity_for(email: str | None) -> str:
    """The principal for ``allowed_signers`` and ``-I``: the producer's email when it is a plain address."""
    return email if email and _IDENTITY.match(email) else DEFAULT_IDENTITY


@dataclass(frozen=True)
class Signer:
    """The user's signing key: sign a manifest, and describe the public half."""

    private: Any  # cryptography's Ed25519PrivateKey
    raw_public: bytes

    @property
    def blob(self) -> bytes:
        """The SSH wire-format public key: string "ssh-ed25519", string key."""
        return _string(_KEY_TYPE) + _string(self.raw_public)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.blob)

    def public_line(self, comment: str = "campaignsafe bundle signing key") -> str:
        return f"ssh-ed25519 {base64.b64encode(self.blob).decode()} {comment}\n"

    def allowed_signers(self, identity: str) -> str:
        return f'{identity} namespaces="{NAMESPACE}" ssh-ed25519 {base64.b64encode(self.blob).decode()}\n'

    def sign(self, message: bytes) -> bytes:
        """An armoured SSH signature of ``message`` (namespace campaignsafe-bundle, SHA-512)."""
        return self.sign_sha512(hashlib.sha512(message).digest())

    def sign_sha512(self, digest: bytes) -> bytes:
        """The same signature, made from the message's SHA-512 (what SSH signs), so a long message can stream."""
        signed = _MAGIC + _string(NAMESPACE.encode()) + _string(b"") + _string(b"sha512")
        signed += _string(digest)
        sig = _string(_KEY_TYPE) + _string(self.private.sign(signed))
        body = _MAGIC + struct.pack(">I", 1) + _string(self.blob) + _string(NAMESPACE.encode()) + _string(b"")
        body += _string(b"sha512") + _string(sig)
        lines = textwrap.wrap(base64.b64encode(body).decode(), 70)
        return ("\n".join([_BEGIN, *lines, _END]) + "\n").encode("ascii")


def signer() -> Signer:
    """The user's signing key, made (0600, in the data folder) on first use."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = key_path()
    paths.private_home()
    with paths.locked(path):
        _clear_partial(path)
        if not path.exists():
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
            )
            paths.atomic_write(path, pem)  # a temporary file, fsync, rename: never half a key
        from campaignsafe.inputfiles import read_data_file

        try:
            loaded = serialization.load_ssh_private_key(
                read_data_file(path, "the bundle signing key") or b"", password=None
            )
        except (ValueError, TypeError, OSError, UnicodeError):
            loaded = None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise StoreError(
            f"the bundle signing key {path} is damaged or not an Ed25519 key",
            f"move {path.name} out of the data folder (keep it); a new key is made on the next export, "
            "with a new fingerprint",
            code="signing_key_damaged",
        )
    raw = loaded.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return Signer(loaded, raw)


def key_fingerprint(pem: bytes) -> str | None:
    """The fingerprint of a private signing key given as its file's bytes (None when it is not an Ed25519 key)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        loaded = serialization.load_ssh_private_key(pem, password=None)
    except (ValueError, TypeError, UnicodeError):
        return None
    if not isinstance(loaded, Ed25519PrivateKey):
        return None
    raw = loaded.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return Signer(loaded, raw).fingerprint


def _clear_partial(path: Path) -> None:
    """Remove temporary files a killed key write left (``.bundle-signing-key.*.tmp``); called under the lock."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            os.unlink(stale)


def how_to(identity: str, fp: str, anchor: str | None) -> str:
    """HOW-TO-VERIFY.txt: the two standard commands, and what the key and anchor mean, every line within 80 columns
    for Notepad or a terminal (the audit chain head on a line of its own, never split)."""
    lines = [
        "How to check this evidence bundle",
        "=================================",
        "",
        "1. Every file is unchanged: in the folder this zip was unpacked into, run",
        "",
        "       sha256sum -c MANIFEST.sha256",
        "",
        "   (on a Mac: shasum -a 256 -c MANIFEST.sha256). Every line must say OK.",
        "",
        "2. The manifest was signed by the key below (OpenSSH 8.1 or later):",
        "",
        f"       ssh-keygen -Y verify -f {ALLOWED_SIGNERS} -I {identity} \\",
        f"           -n {NAMESPACE} -s {SIGNATURE} < MANIFEST.sha256",
        "",
        '   It must print: Good "campaignsafe-bundle" signature. Anyone could make a key:',
        "   compare the fingerprint below with the one on the report's cover and in the",
        "   email the sender sent you, and with earlier bundles from the same person.",
        "",
        f"Signing key fingerprint: {fp}",
    ]
    if anchor:
        lines += [
            "Audit chain head:",
            f"    {anchor}",
            "",
            "The audit chain head is the sequence number and SHA-256 of the newest entry of",
            "the sender's audit log when the bundle was made. On the sender's laptop,",
            "",
            "       campaignsafe check --anchor \\",
            f"    {anchor}",
            "",
            "proves that nothing recorded up to then has been changed since.",
        ]
    lines += ["", "campaignsafe verify BUNDLE.zip does all of this in one step."]
    return "\n".join(lines) + "\n"


#: the head on its own line below the label (so 80 columns never split it), or beside it (bundles before 2026-12-03)
_HEAD_LINE = re.compile(r"^Audit chain head:(?: |\n {4})(\d{1,18}:[0-9a-f]{64})$", re.MULTILINE)


def anchor_in(how_to_text: str) -> str | None:
    """The audit chain head a HOW-TO-VERIFY.txt states (None when absent)."""
    m = _HEAD_LINE.search(how_to_text)
    return m.group(1) if m else None


# -- checking a signature ------------------------------------------------------------------------


class BadSignature(Exception):
    """The signature is malformed, for another namespace, or does not match."""


def _read_string(data: bytes, at: int) -> tuple[bytes, int]:
    if at + 4 > len(data):
        raise BadSignature("truncated")
    (n,) = struct.unpack(">I", data[at : at + 4])
    end = at + 4 + n
    if end > len(data):
        raise BadSignature("truncated")
    return data[at + 4 : end], end


def key_of(armoured: bytes) -> bytes:
    """The public key blob an armoured signature carries; BadSignature when it is not one."""
    return _parse(armoured)[0]


def _parse(armoured: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """(public key blob, hash algorithm, raw Ed25519 signature, namespace) of an armoured SSH signature."""
    if len(armoured) > MAX_SIGNATURE:
        raise BadSignature("too large")
    try:
        text = armoured.decode("ascii").strip()
    except UnicodeDecodeError:
        raise BadSignature("not text") from None
    if not (text.startswith(_BEGIN) and text.endswith(_END)):
        raise BadSignature("not an SSH signature")
    try:
        body = base64.b64decode("".join(text[len(_BEGIN) : -len(_END)].split()), validate=True)
    except ValueError:
        raise BadSignature("bad base64") from None
    if body[:6] != _MAGIC or body[6:10] != struct.pack(">I", 1):
        raise BadSignature("not an SSHSIG version 1 signature")
    at = 10
    blob, at = _read_string(body, at)
    namespace, at = _read_string(body, at)
    _reserved, at = _read_string(body, at)
    algo, at = _read_string(body, at)
    sig, at = _read_string(body, at)
    if at != len(body):
        raise BadSignature("trailing data")
    key_type, kat = _read_string(blob, 0)
    raw_key, kat = _read_string(blob, kat)
    sig_type, sat = _read_string(sig, 0)
    raw_sig, sat = _read_string(sig, sat)
    if key_type != _KEY_TYPE or sig_type != _KEY_TYPE or len(raw_key) != 32 or len(raw_sig) != 64:
        raise BadSignature("not an Ed25519 signature")
    if kat != len(blob) or sat != len(sig):
        raise BadSignature("trailing data")
    return blob, algo, raw_sig, namespace


def check(armoured: bytes, message: bytes) -> str:
    """The signing key's fingerprint when ``armoured`` is a good signature of ``message``; else BadSignature."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    blob, algo, raw_sig, namespace = _parse(armoured)
    if namespace != NAMESPACE.encode():
        raise BadSignature(f"made for another purpose (namespace {namespace[:40]!r})")
    hashes = {b"sha512": hashlib.sha512, b"sha256": hashlib.sha256}
    if algo not in hashes:
        raise BadSignature("unknown hash algorithm")
    signed = _MAGIC + _string(namespace) + _string(b"") + _string(algo) + _string(hashes[algo](message).digest())
    raw_key = _read_string(blob, len(_KEY_TYPE) + 4)[0]
    try:
        Ed25519PublicKey.from_public_bytes(raw_key).verify(raw_sig, signed)
    except InvalidSignature:
        raise BadSignature("does not match MANIFEST.sha256") from None
    return fingerprint(blob)


def key_in(line_text: str) -> bytes | None:
    """The ssh-ed25519 key blob in a public-key or allowed_signers line (None when there is none)."""
    m = re.search(r"ssh-ed25519 ([A-Za-z0-9+/=]{40,100})", line_text)
    if not m:
        return None
    try:
        return base64.b64decode(m.group(1), validate=True)
    except ValueError:
        return None
