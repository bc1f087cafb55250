"""The evidence bundle: a zip whose ``MANIFEST.sha256`` lists every other file's SHA-256 (checked by :mod:`.verify`).

The manifest uses the ``sha256sum`` format (``<hex>  <path>``), so ``sha256sum -c MANIFEST.sha256``
works on the unpacked folder as well as ``campaignsafe verify``.
"""

from __future__ import annotations

import hashlib
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from campaignsafe import paths
from campaignsafe.errors import InputError, StoreError
from campaignsafe.hashing import CHUNK

MANIFEST = "MANIFEST.sha256"
# Every entry gets the same timestamp, so the same export gives the same bytes.
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Entry:
    """One file of a bundle: its path inside the bundle and its bytes or a file on disk."""

    name: str
    data: bytes | None = None
    source: Path | None = None
    sha256: str | None = None  # when given, the bytes written must have this hash

    def chunks(self) -> Iterator[bytes]:
        if self.data is not None:
            yield self.data
            return
        assert self.source is not None
        with self.source.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk


def few(items: list[str], limit: int = 5) -> str:
    """``a, b, c`` — or the first ``limit`` and how many more."""
    more = len(items) - limit
    return ", ".join(items[:limit]) + (f" and {more} more" if more > 0 else "")


def safe_name(name: str) -> bool:
    """A relative path with no ``..``, no absolute root, no drive and no backslash."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return False
    return ".." not in PurePosixPath(name).parts


def manifest_text(digests: Iterable[tuple[str, str]]) -> str:
    """``sha256sum`` lines for (path, hex digest) pairs, sorted by path."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(digests))


def write_bundle(
    entries: list[Entry], out: Path, sign: Callable[[bytes], bytes] | None = None, signature_name: str = ""
) -> str:
    """Write ``entries`` plus ``MANIFEST.sha256`` to the zip ``out`` atomically; returns the manifest.

    With ``sign``, its signature of the manifest's bytes is added as ``signature_name``.
    """
    names = [e.name for e in entries]
    bad = [n for n in names if not safe_name(n) or n == MANIFEST]
    if bad or len(set(names)) != len(names):
        raise InputError(
            f"cannot bundle unsafe or duplicate names: {', '.join(bad) or 'duplicates'}", code="bad_bundle"
        )
    digests = []
    changed: list[str] = []
    with (
        paths.atomic_file(out.expanduser(), private=False) as fh,
        zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf,
    ):
        for e in sorted(entries, key=lambda e: e.name):
            info = _info(e.name)
            h = hashlib.sha256()
            with zf.open(info, "w", force_zip64=True) as dest:
                for chunk in e.chunks():
                    h.update(chunk)
                    dest.write(chunk)
            digests.append((e.name, h.hexdigest()))
            if e.sha256 is not None and h.hexdigest() != e.sha256:
                changed.append(e.name)
        if changed:  # raised inside the block: the half-written zip is removed, nothing replaced
            raise StoreError(
                f"cannot bundle {few(changed)}: its bytes no longer match the SHA-256 on record; nothing was written",
                "the stored copy has changed since it was recorded: add the original file again",
                code="evidence_changed",
            )
        manifest = manifest_text(digests)
        zf.writestr(_info(MANIFEST), manifest)
        if sign is not None:
            zf.writestr(_info(signature_name), sign(manifest.encode("utf-8")))
    return manifest


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o600) << 16
    info.create_system = 3  # Unix, so the permission bits above are honoured
    return info
