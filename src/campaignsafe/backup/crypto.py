"""Passphrase encryption in the age file format (streamed, :mod:`.agefile`), and getting the passphrase.

The passphrase is asked at a terminal (twice when encrypting) or read from the first line of
``--passphrase-file``; it is never taken from the command line, where other users and the
shell history can see it. A backup is sealed as it is written and opened as it is read, 64 KiB
at a time, so memory does not grow with its size.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

from campaignsafe.backup.agefile import MAGIC as MAGIC  # the first line of every age file
from campaignsafe.errors import InputError

if TYPE_CHECKING:
    from campaignsafe.backup import agefile
MAX_PASSPHRASE_FILE = 4096


def is_age(path: Path) -> bool:
    """Whether the file starts like an age file."""
    try:
        with path.open("rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def read_passphrase_file(path: str) -> str:
    """The passphrase: the first line of ``path`` (its line ending removed)."""
    p = Path(path).expanduser()
    try:
        if not p.is_file():
            raise InputError(f"--passphrase-file {path}: not a file", code="bad_passphrase_file")
        with p.open("rb") as fh:
            raw = fh.read(MAX_PASSPHRASE_FILE + 1)
    except OSError as exc:
        raise InputError(
            f"--passphrase-file {path}: cannot read it ({exc.strerror})", code="bad_passphrase_file"
        ) from None
    if len(raw) > MAX_PASSPHRASE_FILE:
        raise InputError(f"--passphrase-file {path}: too long for a passphrase file", code="bad_passphrase_file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"--passphrase-file {path}: not UTF-8 text", code="bad_passphrase_file") from None
    first = text.splitlines()[0] if text else ""
    if not first:
        raise InputError(f"--passphrase-file {path}: the first line is empty", code="bad_passphrase_file")
    return first


#: the shortest passphrase a backup is encrypted with: a few unrelated words are easily more.
MIN_LENGTH = 12
_WEAK = frozenset((
    "password", "passphrase", "passw0rd", "qwerty", "qwertyuiop", "asdfgh", "letmein", "welcome", "admin",
    "iloveyou", "monkey", "dragon", "abc", "abcdef", "abcdefgh", "football", "campaign", "campaignsafe", "secret",
    "changeme", "trustno1", "sunshine",
))  # fmt: skip


def weakness(secret: str) -> str | None:
    """Why ``secret`` is too weak to encrypt a backup with, or None: too short, or obviously guessable."""
    if len(secret) < MIN_LENGTH:
        return f"the passphrase is too short ({len(secret)} characters, not {MIN_LENGTH} or more)"
    folded = "".join(c for c in secret.casefold() if c.isalnum())
    if len(set(secret)) < 5:
        return "the passphrase repeats too few characters to be hard to guess"
    if folded and (folded.isdigit() or folded in "0123456789" * 4 or folded in "abcdefghijklmnopqrstuvwxyz"):
        return "the passphrase is a run of digits or letters, which is easy to guess"
    if folded.rstrip("0123456789") in _WEAK or any(folded == w * (len(folded) // len(w)) for w in _WEAK):
        return "the passphrase is a common password, which is easy to guess"
    return None


def _strong(secret: str, where: str) -> str:
    why = weakness(secret)
    if why:
        raise InputError(
            f"{why}{where}; nothing was written",
            "use four or more unrelated words, at least 12 characters in all",
            code="weak_passphrase",
        )
    return secret


def passphrase(file: str | None, *, confirm: bool, what: str, ask: bool) -> str:
    """The passphrase from ``file``, else (when ``ask``: at a terminal) asked, twice with ``confirm``.

    With ``confirm`` (encrypting) a weak passphrase (see :func:`weakness`) is refused.
    """
    if file is not None:
        secret = read_passphrase_file(file)
        return _strong(secret, f", in --passphrase-file {file}") if confirm else secret
    if not ask:
        raise InputError(
            f"{what} needs a passphrase, and there is no terminal to ask it at",
            "give --passphrase-file FILE (its first line is the passphrase)",
            code="no_passphrase",
        )
    import getpass

    if not confirm:
        first = getpass.getpass("Passphrase: ")
        if not first:
            raise InputError("the passphrase is empty", code="no_passphrase")
        return first
    # the rule is said before the first try; a weak passphrase, or a second typing that differs, is asked again
    # (three tries in all)
    sys.stderr.write(f"Choose a passphrase of {MIN_LENGTH} or more characters: four or more unrelated words.\n")
    for tries_left in (2, 1, 0):
        first = getpass.getpass("Passphrase: ")
        if not first:
            raise InputError("the passphrase is empty", code="no_passphrase")
        why = weakness(first)
        if why is None:
            if getpass.getpass("The same passphrase again: ") == first:
                return first
            if not tries_left:
                raise InputError("the two passphrases differ; nothing was written", code="passphrase_mismatch")
            why = "the two passphrases differ"
        elif not tries_left:
            _strong(first, "")
        sys.stderr.write(f"{why[0].upper()}{why[1:]}: try again.\n")
    raise AssertionError("unreachable: the last try returns or raises")


def sealer(out: IO[bytes], secret: str) -> agefile.Sealer:
    """A stream that writes what it is given to ``out`` as an age file encrypted to ``secret`` (scrypt)."""
    from campaignsafe.backup import agefile

    return agefile.Sealer(out, secret)


def unseal(src: IO[bytes], dst: IO[bytes], secret: str, shown: str) -> int:
    """Write the plaintext of the age file ``src`` to ``dst`` (its size); InputError for a wrong passphrase or
    a damaged or cut-short file (what ``dst`` got by then is to be discarded)."""
    from campaignsafe.backup import agefile

    try:
        return agefile.unseal(src, dst, secret)
    except agefile.AgeError as exc:
        if exc.kind == "not_passphrase":
            message = "it is not encrypted with a passphrase (an age file encrypted to a key opens with age -d -i KEY)"
            hint = "decrypt it with the age tool first, then give the zip"
        elif exc.kind == "too_costly":
            message = "its passphrase key derivation asks for more memory than is allowed or available"
            hint = "decrypt it with the age tool first (age -d -o campaign.zip FILE), then give the zip"
        else:
            message = "wrong passphrase, or the file is damaged or cut short"
            hint = "check the passphrase (its file's first line), or try another copy of the backup"
        raise InputError(
            f"cannot decrypt {shown}: {message}; nothing was written", hint, code="cannot_decrypt"
        ) from None
