"""The evidence bundle: a zip whose ``MANIFEST.sha256`` lists every other file's SHA-256, and ``verify``.

The manifest uses the ``sha256sum`` format (``<hex>  <path>``), so ``sha256sum -c MANIFEST.sha256``
works on the unpacked folder as well as ``campaignsafe verify``.
"""

from __future__ import annotations

import hashlib
import stat
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from campaignsafe import paths
from campaignsafe.errors import InputError, StoreError
from campaignsafe.hashing import CHUNK, sha256_file

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


@dataclass
class VerifyReport:
    """What ``verify`` found: files that match, and those altered, missing or added."""

    ok: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)
    manifest_sha256: str | None = None

    @property
    def passed(self) -> bool:
        return bool(self.ok) and not (self.altered or self.missing or self.added or self.unsafe)

    def as_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "checked": len(self.ok) + len(self.altered) + len(self.missing),
            "ok": self.ok,
            "altered": self.altered,
            "missing": self.missing,
            "added": self.added,
            "unsafe": self.unsafe,
            "manifest_sha256": self.manifest_sha256,
        }


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


def write_bundle(entries: list[Entry], out: Path) -> str:
    """Write ``entries`` plus ``MANIFEST.sha256`` to the zip ``out`` atomically; returns the manifest."""
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
    return manifest


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o600) << 16
    info.create_system = 3  # Unix, so the permission bits above are honoured
    return info


def parse_manifest(text: str) -> dict[str, str]:
    """``sha256sum`` lines → {path: digest}; raises InputError on a malformed line."""
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep:
            digest, sep, name = line.partition(" *")  # binary-mode lines
        digest = digest.strip().lower()
        if not sep or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest) or not name:
            raise InputError(f"{MANIFEST} line {n} is not '<sha256>  <path>'", code="bad_manifest")
        out[name] = digest
    return out


def verify(path: Path) -> VerifyReport:
    """Re-check every hash in a bundle zip or an unpacked bundle folder."""
    path = path.expanduser()
    if path.is_dir():
        return _verify_folder(path)
    if not path.exists():
        raise InputError(f"{path} does not exist", code="missing_file")
    if not zipfile.is_zipfile(path):
        raise InputError(f"{path} is not a zip file or a bundle folder", code="not_a_bundle")
    return _verify_zip(path)


def _verify_zip(path: Path) -> VerifyReport:
    try:
        with zipfile.ZipFile(path) as zf:
            return _check_zip(zf, path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{path} is damaged and cannot be read as a zip ({exc})", code="not_a_bundle") from None


def _check_zip(zf: zipfile.ZipFile, path: Path) -> VerifyReport:
    report = VerifyReport()
    members = [i for i in zf.infolist() if not i.is_dir()]
    counts = Counter(i.filename for i in members)
    # Unsafe: paths that could land outside the folder, and names that appear twice (which copy is meant?).
    report.unsafe = sorted({i.filename for i in members if not safe_name(i.filename) or counts[i.filename] > 1})
    files = {i.filename: i for i in members if i.filename not in report.unsafe}
    if MANIFEST not in files:
        raise InputError(f"{path} has no single, safe {MANIFEST}: it is not a campaignsafe bundle", code="not_a_bundle")
    raw = _read(zf, files[MANIFEST])
    if raw is None:
        raise InputError(f"{path}: {MANIFEST} cannot be read", code="not_a_bundle")
    report.manifest_sha256 = hashlib.sha256(raw).hexdigest()
    listed = parse_manifest(raw.decode("utf-8", errors="replace"))
    for name, digest in sorted(listed.items()):
        if name in report.unsafe:
            continue
        if name not in files:
            report.missing.append(name)
            continue
        h = hashlib.sha256()
        data_ok = _read(zf, files[name], h) is not None
        (report.ok if data_ok and h.hexdigest() == digest else report.altered).append(name)
    report.added = sorted(set(files) - set(listed) - {MANIFEST})
    return report


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, h: Any = None) -> bytes | None:
    """An entry's bytes (or, given ``h``, fed to the hash); None when the entry is damaged or unreadable."""
    chunks = []
    try:
        with zf.open(info) as fh:  # read in place: nothing is extracted
            while chunk := fh.read(CHUNK):
                if h is not None:
                    h.update(chunk)
                else:
                    chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError, OSError):
        return None  # damaged data, an encrypted entry or an unknown compression method
    return b"".join(chunks)


def _verify_folder(root: Path) -> VerifyReport:
    report = VerifyReport()
    manifest = root / MANIFEST
    if not manifest.is_file():
        raise InputError(f"{root} has no {MANIFEST}: it is not a campaignsafe bundle", code="not_a_bundle")
    raw = manifest.read_bytes()
    report.manifest_sha256 = hashlib.sha256(raw).hexdigest()
    listed = parse_manifest(raw.decode("utf-8", errors="replace"))
    present: set[str] = set()
    for p in root.rglob("*"):
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            report.unsafe.append(rel)
        elif p.is_file():
            present.add(rel)
    for name, digest in sorted(listed.items()):
        target = root / name
        if not safe_name(name):
            report.unsafe.append(name)
        elif name not in present:
            report.missing.append(name)
        else:
            (report.ok if sha256_file(target) == digest else report.altered).append(name)
    report.added = sorted(present - set(listed) - {MANIFEST})
    report.unsafe.sort()
    return report
