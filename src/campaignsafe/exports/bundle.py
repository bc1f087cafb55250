"""The evidence bundle: a zip whose ``MANIFEST.sha256`` lists every other file's SHA-256 (checked by :mod:`.verify`).

The manifest uses the ``sha256sum`` format (``<hex>  <path>``), so ``sha256sum -c MANIFEST.sha256``
works on the unpacked folder as well as ``campaignsafe verify``.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from campaignsafe import paths
from campaignsafe.errors import InputError, StoreError
from campaignsafe.hashing import CHUNK

MANIFEST = "MANIFEST.sha256"
#: an entry's date when none is given (a zip cannot say "no date"; 1980 is its first year).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
DateTime = tuple[int, int, int, int, int, int]
#: files already compressed (images, video, audio, archives, office documents): stored as they are,
#: since deflating them again costs time and saves nothing.
_PACKED = "jpg jpeg png gif webp heic heif avif mp4 m4v mov webm mkv 3gp mp3 m4a aac ogg oga opus amr flac"
_ARCHIVES = "zip gz tgz bz2 xz 7z rar zst docx xlsx pptx odt ods odp epub"
COMPRESSED = frozenset(f".{x}" for x in f"{_PACKED} {_ARCHIVES}".split())
#: deflate level 3: zlib's fast strategy (levels 1-3 take the same time), twice as fast as the default
#: level 6 on the reports and data, which come out about 15% larger.
LEVEL = 3
#: where ZipInfo keeps its own compression level (renamed in Python 3.13).
_LEVEL_ATTR = "compress_level" if sys.version_info >= (3, 13) else "_compresslevel"
#: a file up to this size is read whole, hashed and written in one go.
SMALL = CHUNK


@dataclass(frozen=True)
class Entry:
    """One file of a bundle: its path inside the bundle and its bytes, a file on disk, or a stream of bytes."""

    name: str
    data: bytes | None = None
    source: str | Path | None = None
    sha256: str | None = None  # when given, the bytes written must have this hash
    stream: Callable[[], Iterable[bytes]] | None = None  # called once, when the entry is written

    def chunks(self) -> Iterator[bytes]:
        if self.data is not None:
            yield self.data
            return
        if self.stream is not None:
            yield from self.stream()
            return
        assert self.source is not None
        with open(self.source, "rb") as fh:  # a str or a Path
            while chunk := fh.read(CHUNK):
                yield chunk

    def whole(self) -> bytes | None:
        """All the entry's bytes when it has them or its file is small (else None: stream it)."""
        if self.data is not None or self.source is None:
            return self.data
        fd = os.open(self.source, os.O_RDONLY | paths.BINARY)  # no buffered file: tens of thousands
        try:
            data = b""
            while len(data) <= SMALL and (more := os.read(fd, SMALL + 1 - len(data))):
                data += more
        finally:
            os.close(fd)
        return data if len(data) <= SMALL else None


@dataclass(frozen=True)
class Manifest:
    """A written bundle's ``MANIFEST.sha256``: its own SHA-256 and how many files it lists."""

    sha256: str
    files: int


def zip_time(when: datetime | None) -> DateTime:
    """The date every entry of a zip gets: ``when`` (the export's or the backup's time) in UK time, as zip
    dates carry no time zone; so the same export (``SOURCE_DATE_EPOCH``) gives the same bytes."""
    if when is None:
        return ZIP_TIME
    from campaignsafe.incidents.when import LONDON

    local = when.astimezone(LONDON) if when.tzinfo is not None else when
    if local.year < 1980:  # before the zip format's first date
        return ZIP_TIME
    if local.year > 2107:  # after its last
        return (2107, 12, 31, 23, 59, 58)
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


def few(items: list[str], limit: int = 5) -> str:
    """``a, b, c`` — or the first ``limit`` and how many more."""
    more = len(items) - limit
    return ", ".join(items[:limit]) + (f" and {more} more" if more > 0 else "")


def safe_name(name: str) -> bool:
    """A relative path with no ``..``, no absolute root, no drive and no backslash."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return False
    return ".." not in name.split("/")  # PurePosixPath(name).parts, without making a path per entry


def manifest_text(digests: Iterable[tuple[str, str]], ordered: bool = False) -> str:
    """``sha256sum`` lines for (path, hex digest) pairs, sorted by path (``ordered``: they already are)."""
    return "".join(f"{digest}  {name}\n" for name, digest in (digests if ordered else sorted(digests)))


def exhibit_of(name: str) -> str:
    """``JS/1`` for the bundle entry ``evidence/JS-1_original-name.jpg``: a message never shows the file's name."""
    stem = name.removeprefix("evidence/").split("_", 1)[0]
    prefix, sep, number = stem.rpartition("-")
    return f"{prefix}/{number}" if sep and number.isdigit() else "(unnamed)"


def write_bundle(
    entries: Iterable[Entry],
    out: Path,
    sign_sha512: Callable[[bytes], bytes] | None = None,
    signature_name: str = "",
    when: datetime | None = None,
) -> Manifest:
    """Write ``entries`` plus ``MANIFEST.sha256`` (last) to the zip ``out`` atomically, each entry dated ``when``.

    A list is put in name order; any other iterable must already be in name order, so a bundle of
    any size streams: each file is hashed as it is written and only the manifest's lines wait, on
    disk beside the output, until the end. With ``sign_sha512``, its signature made from the manifest's
    SHA-512 (see ``Signer.sign_sha512``) is added after it as ``signature_name``.
    """
    if isinstance(entries, list):
        entries = sorted(entries, key=lambda e: e.name)
    changed: list[str] = []
    previous: str | None = None
    files = 0
    stamp = zip_time(when)
    out = out.expanduser()
    with (
        paths.atomic_file(out, private=False) as fh,
        tempfile.TemporaryFile(dir=out.parent) as lines,
        tempfile.TemporaryFile(dir=out.parent) as central,
        _LeanZip(fh, central) as zf,
    ):
        for e in entries:
            if not safe_name(e.name) or e.name == MANIFEST or (previous is not None and e.name <= previous):
                bad = e.name if safe_name(e.name) and e.name != MANIFEST else repr(e.name)
                what = "duplicates" if e.name == previous else bad
                raise InputError(f"cannot bundle unsafe, duplicate or unordered names: {what}", code="bad_bundle")
            previous = e.name
            data = e.whole()
            if data is not None:
                digest = hashlib.sha256(data).hexdigest()
                _put(zf, _info(e.name, stamp), data)
            else:
                h = hashlib.sha256()
                with zf.open(_info(e.name, stamp), "w", force_zip64=True) as dest:
                    for chunk in e.chunks():
                        h.update(chunk)
                        dest.write(chunk)
                digest = h.hexdigest()
            lines.write(f"{digest}  {e.name}\n".encode())
            files += 1
            if len(zf.filelist) >= _SPILL:
                zf.spill()
            if e.sha256 is not None and digest != e.sha256:
                changed.append(e.name)
        if changed:  # raised inside the block: the half-written zip is removed, nothing replaced
            raise StoreError(
                f"cannot bundle the file of exhibit {few([exhibit_of(n) for n in changed])}: its bytes no longer match"
                " the SHA-256 on record; nothing was written",
                "the stored copy has changed since it was recorded: add the original file again",
                code="evidence_changed",
            )
        lines.seek(0)
        digest = write_manifest(zf, iter(lambda: lines.read(CHUNK), b""), stamp, sign_sha512, signature_name)
    return Manifest(digest, files)


def write_manifest(
    zf: zipfile.ZipFile,
    chunks: Iterable[bytes],
    stamp: DateTime,
    sign_sha512: Callable[[bytes], bytes] | None = None,
    signature_name: str = "",
) -> str:
    """Add ``MANIFEST.sha256`` from ``chunks`` (its lines, in order) and, with ``sign_sha512``, its signature as
    ``signature_name``, made from the SHA-512 taken as the lines stream (the manifest of 200,000 files is 24 MB,
    never held whole); the manifest's SHA-256."""
    h, h512 = hashlib.sha256(), hashlib.sha512()
    with zf.open(_info(MANIFEST, stamp), "w") as dest:
        for chunk in chunks:
            h.update(chunk)
            h512.update(chunk)
            dest.write(chunk)
    if sign_sha512 is not None:
        zf.writestr(_info(signature_name, stamp), sign_sha512(h512.digest()))
    return h.hexdigest()


#: entries whose central directory records are kept in memory before they go to disk
_SPILL = 1000
#: the end of central directory record (no comment): its signature and size
_END_SIGNATURE, _END = b"PK\x05\x06", 22


class _LeanZip(zipfile.ZipFile):
    """A ``ZipFile`` (mode "w") that keeps its central directory in a file, not a ZipInfo per entry.

    Every ``_SPILL`` entries (see :meth:`spill`) their directory records, made by zipfile's own
    code, go to ``central``; when the zip closes they are copied after the last entry and the end
    records written as zipfile writes them. The bytes are exactly those of a plain ``ZipFile``, and a
    bundle of 200,000 files no longer holds 75 MB of ZipInfo until it closes.
    """

    def __init__(self, file: IO[bytes], central: IO[bytes]) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, compresslevel=LEVEL)
        self._central = central
        self._spilled = 0

    def spill(self) -> None:
        """Move the directory records of the entries written so far to ``central``."""
        if not self.filelist:
            return
        self._central.write(_records(self.filelist))
        self._spilled += len(self.filelist)
        self.filelist.clear()
        self.NameToInfo.clear()

    def _write_end_record(self) -> None:
        self.spill()
        self._central.seek(0)
        assert self.fp is not None
        shutil.copyfileobj(self._central, self.fp)
        self.filelist = _Counted(self._spilled)  # counted in the end record, already written above
        super()._write_end_record()  # type: ignore[misc]


class _Counted(list[zipfile.ZipInfo]):
    """No entries to write, but ``n`` of them to count."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def __len__(self) -> int:
        return self.n


def _records(infos: list[zipfile.ZipInfo]) -> bytes:
    """The central directory records of ``infos``, as ``ZipFile`` writes them when it closes."""
    scratch = zipfile.ZipFile(io.BytesIO(), "w")
    scratch.filelist = infos
    scratch._write_end_record()  # type: ignore[attr-defined]
    assert scratch.fp is not None
    data = scratch.fp.getvalue()  # type: ignore[attr-defined]
    scratch.filelist = []
    scratch.close()
    assert data[-_END:].startswith(_END_SIGNATURE)  # fewer than 65,536 records: no ZIP64 end
    return bytes(data[:-_END])


def _put(zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    """Add a small entry whose bytes are all here: the bytes ``zf.writestr`` writes, without its
    per-entry write handle (a bundle has tens of thousands of small evidence files).

    Only between entries written whole (``zf.open`` leaves the file at ``zf.start_dir``); the
    central directory is written from ``zf.filelist`` when the zip closes, as for any entry.
    """
    if info.compress_type == zipfile.ZIP_STORED:
        body = data
    else:  # what zipfile's own deflater gives at this level: raw deflate
        packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        body = packer.compress(data) + packer.flush()
    info.file_size, info.compress_size, info.CRC, info.flag_bits = len(data), len(body), zlib.crc32(data), 0
    fp = zf.fp
    assert fp is not None and len(data) < zipfile.ZIP64_LIMIT
    info.header_offset = zf.start_dir
    header = info.FileHeader(False)
    fp.write(header)
    fp.write(body)
    zf.start_dir += len(header) + len(body)
    zf.filelist.append(info)
    zf.NameToInfo[info.filename] = info


def _info(name: str, date_time: DateTime = ZIP_TIME) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=date_time)
    _stem, dot, ext = name.rpartition(".")
    stored = dot and "/" not in ext and f".{ext.lower()}" in COMPRESSED
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    setattr(info, _LEVEL_ATTR, LEVEL)
    info.external_attr = (stat.S_IFREG | 0o600) << 16
    info.create_system = 3  # Unix, so the permission bits above are honoured
    return info
