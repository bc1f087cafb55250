"""Opening a backup or a bundle to read it back: decrypt, refuse bombs, verify, then identify.

Nothing is trusted before the manifest checks out: ``opened()`` decrypts an age file (streamed
into a temporary file the system removes, so a crash leaves nothing unencrypted), refuses a zip
that would expand far beyond its own size, re-hashes every entry against ``MANIFEST.sha256`` and only then reads
``BACKUP.json`` or ``incidents.json`` (the latter member by member, see :meth:`Opened.members`).
"""

from __future__ import annotations

import contextlib
import io
import json
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from campaignsafe import paths
from campaignsafe.backup import archive, crypto
from campaignsafe.errors import InputError, VerifyError

#: a zip may expand to this many times its own size (real records: 1–10×; a zip bomb: 1,000×) …
MAX_RATIO = 100
#: … or to this much, whichever is more (so a small bundle is never refused for compressing well).
MIN_ALLOWED = 64 << 20
MAX_ENTRIES = 2_000_000
BUNDLE_JSON = "incidents.json"


@dataclass
class Opened:
    """A verified backup or bundle: its zip, kind, manifest digests and, for a backup, its BACKUP.json."""

    zf: zipfile.ZipFile
    kind: str  # "backup" or "bundle"
    shown: str
    manifest_sha256: str
    digests: dict[str, str]
    encrypted: bool
    info: dict[str, Any] = field(default_factory=dict)
    signer: str | None = None
    #: unlisted file-browser files verify left out (never read as part of it)
    ignored: list[str] = field(default_factory=list)

    def open(self, name: str) -> IO[bytes]:
        """An entry, streamed."""
        return self.zf.open(name)

    def text(self, name: str) -> str:
        """An entry as UTF-8 text (InputError when it is not)."""
        with self.zf.open(name) as fh:
            raw = fh.read()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{self.shown}: {name} is not UTF-8 text", code="bad_backup") from None

    def json(self, name: str) -> Any:
        """An entry parsed as JSON (InputError when it is not)."""
        try:
            return json.loads(self.text(name))
        except (ValueError, RecursionError):
            raise InputError(f"{self.shown}: {name} is not valid JSON", code="bad_backup") from None

    def members(self, name: str, array_key: str) -> Iterator[tuple[str, Any]]:
        """An entry's top-level JSON members streamed, the array under ``array_key`` item by item
        (as ``array_key + "[]"``; see :mod:`.jsonstream`); InputError for what is not JSON."""
        from campaignsafe.backup import jsonstream

        try:
            with self.zf.open(name) as raw, io.TextIOWrapper(raw, encoding="utf-8") as fh:
                yield from jsonstream.members(fh, array_key)
        except jsonstream.TooLarge:
            raise InputError(
                f"{self.shown}: {name} holds one value larger than {jsonstream.ITEM_MAX >> 20} MiB", code="bad_bundle"
            ) from None
        except UnicodeDecodeError:
            raise InputError(f"{self.shown}: {name} is not UTF-8 text", code="bad_backup") from None
        except (ValueError, RecursionError):
            raise InputError(f"{self.shown}: {name} is not valid JSON", code="bad_backup") from None

    def jsonl(self, name: str) -> Iterator[dict[str, Any]]:
        """An entry's JSON Lines, one object each (InputError on a line that is not an object)."""
        with self.zf.open(name) as raw, io.TextIOWrapper(raw, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                try:
                    row = json.loads(line)
                except (ValueError, RecursionError):
                    raise InputError(f"{self.shown}: {name} line {n} is not JSON", code="bad_backup") from None
                if not isinstance(row, dict):
                    raise InputError(f"{self.shown}: {name} line {n} is not an object", code="bad_backup")
                yield row


def _regular(path: Path) -> None:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path} does not exist", code="missing_file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror})", code="unreadable_file") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path} is not a regular file", code="unreadable_file")


def _bomb(zf: zipfile.ZipFile, size: int, shown: str) -> None:
    members = zf.infolist()
    total = sum(i.file_size for i in members)
    if len(members) > MAX_ENTRIES or total > max(MAX_RATIO * size, MIN_ALLOWED):
        raise InputError(
            f"{shown} would expand to {total:,} bytes from {size:,}: refused as a zip bomb; nothing was written",
            code="zip_bomb",
        )


@contextlib.contextmanager
def opened(path: Path, passphrase_file: str | None, ask: bool = False) -> Iterator[Opened]:
    """Open, decrypt, check and verify ``path``; yields it (VerifyError / InputError before anything is trusted)."""
    path = path.expanduser()
    shown = str(path)
    _regular(path)
    encrypted = crypto.is_age(path)
    source: IO[bytes]
    if encrypted:
        secret = crypto.passphrase(passphrase_file, confirm=False, what=f"{shown} is encrypted: it", ask=ask)
        source = decrypted(path, secret, shown)
        size = source.tell()
        source.seek(0)
    else:
        source, size = path.open("rb"), path.stat().st_size
    with source:
        if not zipfile.is_zipfile(source):
            raise InputError(
                f"{shown} is not a campaignsafe backup or bundle (not a zip or an age file)", code="not_a_backup"
            )
        try:
            zf = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise InputError(f"{shown} is damaged and cannot be read as a zip ({exc})", code="not_a_backup") from None
        with zf:
            _bomb(zf, size, shown)
            yield _verified(zf, shown, encrypted)


def decrypted(path: Path, secret: str, shown: str) -> IO[bytes]:
    """The plaintext of the age file at ``path`` in an anonymous temporary file (removed when closed, or
    by the system if the process dies), beside the data folder: on the disk the record is restored to."""
    import tempfile

    try:
        plain = tempfile.TemporaryFile(dir=paths.home().parent)  # noqa: SIM115 - closed by the caller
    except OSError:  # that folder cannot be written: the system's temporary folder
        plain = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        with path.open("rb") as src:
            crypto.unseal(src, plain, secret, shown)
    except BaseException:
        plain.close()
        raise
    return plain


def _verified(zf: zipfile.ZipFile, shown: str, encrypted: bool) -> Opened:
    from campaignsafe.exports.bundle import MANIFEST
    from campaignsafe.exports.verify import _check_zip, parse_manifest

    try:
        report = _check_zip(zf, Path(shown))
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{shown} is damaged and cannot be read as a zip ({exc})", code="not_a_backup") from None
    fp = report.signature.key_fingerprint
    if report.signature.status == "invalid":
        raise VerifyError(
            f"{shown} failed verification: its signature does not check out"
            + (f" (key {fp})" if fp else "")
            + "; nothing was written",
            report.signature.reason,
            code="bad_signature",
        )
    if not report.passed:
        what = ", ".join(
            f"{len(v)} {k}"
            for k, v in (
                ("altered", report.altered),
                ("missing", report.missing),
                ("added", report.added),
                ("unsafe", report.unsafe),
            )
            if v
        )
        raise VerifyError(
            f"{shown} failed verification ({what or 'its manifest lists no files'}); nothing was written",
            f"see each file: campaignsafe verify {shown}" if not encrypted else None,
            code="verify_failed",
        )
    digests = parse_manifest(zf.read(MANIFEST))
    names = set(digests)
    if archive.INFO in names:
        kind = "backup"
    elif BUNDLE_JSON in names:
        kind = "bundle"
    else:
        raise InputError(f"{shown} verifies, but is neither a campaignsafe backup nor a bundle", code="not_a_backup")
    out = Opened(zf, kind, shown, report.manifest_sha256 or "", digests, encrypted, signer=fp, ignored=report.ignored)
    if kind == "backup":
        out.info = _backup_info(out)
    return out


def _backup_info(o: Opened) -> dict[str, Any]:
    from campaignsafe.incidents import schema

    info = o.json(archive.INFO)
    if not isinstance(info, dict) or info.get("format") != archive.FORMAT:
        raise InputError(f"{o.shown}: {archive.INFO} does not describe a campaignsafe backup", code="bad_backup")
    version = info.get("format_version")
    known = {name for name, _fn in schema.MIGRATIONS}
    migrations = info.get("migrations")
    if not isinstance(version, int) or not isinstance(migrations, list):
        raise InputError(f"{o.shown}: {archive.INFO} has no format version or migrations", code="bad_backup")
    unknown = [m for m in migrations if m not in known]
    if version > archive.FORMAT_VERSION or unknown:
        tool = info.get("tool", {}).get("version", "?") if isinstance(info.get("tool"), dict) else "?"
        raise InputError(
            f"{o.shown} was made by a newer campaignsafe ({tool}) than this one; nothing was written",
            "upgrade campaignsafe, then restore or import it",
            code="backup_newer",
        )
    return info
