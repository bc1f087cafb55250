"""``campaignsafe verify``: re-check a bundle zip or its unpacked folder, as an attacker would try to fool it.

Every file listed in ``MANIFEST.sha256`` is re-hashed in place (nothing is extracted) and the
manifest's signature is checked. A bundle passes only when what ``unzip`` would give an officer
is exactly what the manifest lists: entry names are compared in canonical form, and any entry
that would unpack to something else is *unsafe* and fails: an absolute or ``..`` path, a
non-canonical name (``./``, ``//``, a backslash, un-normalised Unicode), two names that unpack to
one file on some systems (case or Unicode normalisation), a symbolic link, a device or a FIFO.
The manifest is capped in size and read strictly (no duplicate or malformed lines), and memory
stays flat whatever the zip holds. In folder mode nothing that is not a regular file is opened.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from campaignsafe import paths
from campaignsafe.errors import InputError, VerifyError
from campaignsafe.exports import signing
from campaignsafe.exports.bundle import MANIFEST, few, safe_name
from campaignsafe.hashing import CHUNK

#: the manifest may be at most this large, plus PER_FILE for each file the bundle holds.
MANIFEST_BASE = 1 << 20
PER_FILE = 4096
#: HOW-TO-VERIFY.txt and key files are small; read at most this much of them.
SMALL_FILE = 64 * 1024
#: files that are part of the bundle but, by design, not listed in its manifest.
UNLISTED = {MANIFEST, signing.SIGNATURE}
#: files an operating system's file browser writes into any folder it shows or zips: never a bundle's own
_LITTER_NAMES = {".ds_store": "macOS", "thumbs.db": "Windows", "desktop.ini": "Windows"}
#: how each begins: an AppleDouble companion (``._name``), Finder's ``.DS_Store`` and the OLE file ``Thumbs.db``
_MAGIC = {
    "._": b"\x00\x05\x16\x07",
    ".ds_store": b"\x00\x00\x00\x01Bud1",
    "thumbs.db": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
}
#: the largest such file left out (a thumbnail cache is a few MiB): anything larger is counted as added
LITTER_MAX = 16 << 20


def litter(name: str) -> str | None:
    """What wrote ``name`` when it is named as a file browser's own (``.DS_Store``, ``Thumbs.db``, ``desktop.ini``,
    macOS's ``._*`` companions, and those in a zip's ``__MACOSX/``), or None. Only the name: see :func:`is_litter`
    for the content. A folder so named holds none of them, and ``__MACOSX/`` only ``._`` companions."""
    parts = name.split("/")
    base, folders = parts[-1], parts[1:-1] if parts[0] == "__MACOSX" else parts[:-1]
    if any(p.startswith("._") or p.lower() in _LITTER_NAMES or p == "__MACOSX" for p in folders):
        return None
    if base.startswith("._"):
        return "macOS"
    return None if parts[0] == "__MACOSX" else _LITTER_NAMES.get(base.lower())


def is_litter(name: str, head: bytes | None) -> bool:
    """Whether an unlisted ``name`` is a file browser's and begins as that kind of file does (``head``: its first
    bytes, None when unreadable or over ``LITTER_MAX``): a report or photo under such a name is counted as added."""
    if head is None or litter(name) is None:
        return False
    base = name.rsplit("/", 1)[-1]
    magic = _MAGIC.get("._" if base.startswith("._") else base.lower())
    if magic is not None:
        return head.startswith(magic)
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00\r\n\t ")  # desktop.ini: an INI file, UTF-8 or UTF-16
    return text.startswith(b"[")


_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError, OSError, ValueError)


@dataclass
class Signature:
    """The manifest's signature: ``valid``, ``invalid`` or ``absent``, the key's fingerprint and why."""

    status: str
    key_fingerprint: str | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "key_fingerprint": self.key_fingerprint, "reason": self.reason}


@dataclass
class VerifyReport:
    """What ``verify`` found: files that match, those altered, missing, added or unsafe, and the signature."""

    ok: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)
    unsafe_reasons: dict[str, str] = field(default_factory=dict)
    manifest_sha256: str | None = None
    signature: Signature = field(default_factory=lambda: Signature("absent"))
    audit_head: str | None = None
    notes: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # unlisted file browsers' files (see :func:`litter`)

    @property
    def passed(self) -> bool:
        bad = self.altered or self.missing or self.added or self.unsafe
        return bool(self.ok) and not bad and self.signature.status != "invalid"

    def flag(self, name: str, reason: str) -> None:
        if name not in self.unsafe_reasons:
            self.unsafe.append(name)
            self.unsafe_reasons[name] = reason

    def as_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "checked": len(self.ok) + len(self.altered) + len(self.missing),
            "ok": self.ok,
            "altered": self.altered,
            "missing": self.missing,
            "added": self.added,
            "unsafe": self.unsafe,
            "unsafe_reasons": self.unsafe_reasons,
            "manifest_sha256": self.manifest_sha256,
            "signature": self.signature.as_dict(),
            "audit_head": self.audit_head,
            "ignored": self.ignored,
            "notes": self.notes,
        }

    def set_added(self, extra: set[str], head: Callable[[str], bytes | None]) -> None:
        """The unlisted files: added, or ignored when a file browser wrote them (:func:`is_litter`; ``head`` gives
        a file's first bytes), each named in a note."""
        self.ignored = sorted(n for n in extra if litter(n) and is_litter(n, head(n)))
        self.added = sorted(extra - set(self.ignored))
        if self.ignored:
            by = sorted({str(litter(n)) for n in self.ignored})
            writes = "writes beside the files it shows" if len(by) == 1 else "write beside the files they show"
            self.notes.append(
                f"Left out of the check, not part of the bundle (files {' and '.join(by)} {writes}; do not rely on"
                f" them): {', '.join(shown(n) for n in self.ignored)}."
            )


def shown(name: str) -> str:
    """A name safe to print: control, format (bidi) and other invisible characters as ``\\uXXXX``."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in name[:300]) + ("…" if len(name) > 300 else "")


def canonical(name: str) -> str:
    """The name as it unpacks: backslashes as ``/``, NFC, no empty or ``.`` parts."""
    text = unicodedata.normalize("NFC", name.replace("\\", "/"))
    return "/".join(p for p in text.split("/") if p not in ("", "."))


def collision_key(name: str) -> str:
    """Two names with one key unpack to one file somewhere (case-insensitive or normalising file systems)."""
    return unicodedata.normalize("NFC", canonical(name).casefold())


def manifest_cap(files: int) -> int:
    """The largest manifest accepted for a bundle holding ``files`` files."""
    return MANIFEST_BASE + PER_FILE * max(files, 0)


def parse_manifest(raw: bytes) -> dict[str, str]:
    """Strict ``sha256sum`` lines → {path: digest}; VerifyError naming the first bad line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise VerifyError(f"{MANIFEST} is not UTF-8 text", code="bad_manifest") from None
    out: dict[str, str] = {}
    keys: dict[str, int] = {}
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, line in enumerate(lines, 1):
        digest, sep, name = line.partition("  ")
        if not sep:
            digest, sep, name = line.partition(" *")  # binary-mode lines
        if not sep or len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest) or not name:
            raise VerifyError(f"{MANIFEST} line {n} is not '<sha256>  <path>'", code="bad_manifest")
        key = collision_key(name)
        if key in keys:
            raise VerifyError(
                f"{MANIFEST} line {n} lists {shown(name)} again (first on line {keys[key]}): which hash is meant?",
                code="bad_manifest",
            )
        keys[key] = n
        out[name] = digest.lower()
    return out


def verify(path: Path, passphrase_file: str | None = None, ask: bool = False) -> VerifyReport:
    """Re-check every hash and the signature of a bundle zip, an unpacked bundle folder, or a backup (an encrypted
    one is decrypted into an anonymous temporary file first: the passphrase from ``passphrase_file``, else asked
    when ``ask``)."""
    path = path.expanduser()
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path} does not exist", code="missing_file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror})", code="unreadable_file") from None
    if stat.S_ISDIR(st.st_mode):
        return _verify_folder(path)
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path} is not a regular file or a folder (not opened)", code="not_a_bundle")
    try:
        with zipfile.ZipFile(path) as zf:
            return _check_zip(zf, path)
    except zipfile.BadZipFile:
        from campaignsafe.backup.crypto import is_age

        if is_age(path):  # an encrypted backup: checked as restore and import check it, decrypted
            return _verify_sealed(path, passphrase_file, ask)
        raise InputError(f"{path} is not a zip file or a bundle folder", code="not_a_bundle") from None
    except _ZIP_ERRORS as exc:
        raise InputError(f"{path} is damaged and cannot be read as a zip ({exc})", code="not_a_bundle") from None


# -- a zip ---------------------------------------------------------------------------------------


def _not_a_bundle(what: str, names: Iterable[str], folder: Path | None = None) -> InputError:
    """No manifest at the top; when there is one a single folder down (the bundle zipped again inside its own
    folder, as Finder's Compress and Windows' Send to do, or the folder above a bundle), the hint names it."""
    inner = {n.split("/")[0] for n in names if n.count("/") == 1 and n.endswith("/" + MANIFEST) and not litter(n)}
    if len(inner) != 1:
        return InputError(f"{what}: it is not a campaignsafe bundle", code="not_a_bundle")
    name = shown(inner.pop())
    hint = (
        f"unzip it and verify the folder {name} it holds"
        if folder is None
        else f"campaignsafe verify {shown(str(folder))}{os.sep}{name}"
    )
    return InputError(f"{what} at its top: the bundle is one folder down, in {name}/", hint, code="not_a_bundle")


def _zip_reason(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if not safe_name(name.replace("\\", "/")):
        return "an absolute path or '..': it would land outside the folder"
    if canonical(name) != name:
        return "not in canonical form (./, //, a backslash or un-normalised Unicode): it unpacks under another name"
    mode = info.external_attr >> 16  # Unix mode bits, whichever system the zip claims to come from
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
        return "a device, FIFO or other special file"
    return None


def _check_folders(report: VerifyReport, folders: list[zipfile.ZipInfo], members: list[zipfile.ZipInfo]) -> None:
    """A folder entry (``zip -r`` of an unpacked bundle adds them) passes only when it is the folder of a file in
    the zip, safe, and empty; any other would unpack where a file should be, or outside the folder."""
    parents = {m.filename[: i + 1] for m in members for i, ch in enumerate(m.filename) if ch == "/"}
    for info in folders:
        name, bare = info.filename, info.filename[:-1]
        reason = None
        if not bare or not safe_name(bare.replace("\\", "/")) or canonical(bare) != bare:
            reason = "a folder entry under an unsafe or non-canonical name: it unpacks elsewhere"
        elif stat.S_IFMT(info.external_attr >> 16) not in (0, stat.S_IFDIR):
            reason = "a folder entry that is a link or special file"
        if reason is None and (info.file_size or info.compress_size):
            reason = "a folder entry that holds data"
        if reason is None and name not in parents:
            reason = (
                "a folder entry that is no file's folder: it unpacks where a file should be, or is not the bundle's"
            )
        if reason:
            report.flag(name, reason)


def _check_zip(zf: zipfile.ZipFile, path: Path) -> VerifyReport:
    report = VerifyReport()
    members = [i for i in zf.infolist() if not i.filename.endswith("/")]
    for info in members:
        reason = _zip_reason(info)
        if reason:
            report.flag(info.filename, reason)
    _check_folders(report, [i for i in zf.infolist() if i.filename.endswith("/")], members)
    counts = Counter(i.filename for i in members)
    keys = Counter(collision_key(i.filename) for i in members)
    for info in members:
        if counts[info.filename] > 1:
            report.flag(info.filename, "appears more than once: which copy is the evidence?")
        elif keys[collision_key(info.filename)] > 1:
            report.flag(info.filename, "unpacks to the same file as another entry on some systems (case or Unicode)")
    files = {i.filename: i for i in members if i.filename not in report.unsafe_reasons}
    if MANIFEST not in files:
        raise _not_a_bundle(f"{path} has no single, safe {MANIFEST}", files)
    raw = _read_capped(zf, files[MANIFEST], manifest_cap(len(members)), len(members))
    report.manifest_sha256 = hashlib.sha256(raw).hexdigest()
    listed = parse_manifest(raw)
    for name, digest in sorted(listed.items()):
        if name in report.unsafe_reasons:
            continue
        if canonical(name) != name or not safe_name(name):
            report.flag(name, "listed in the manifest under an unsafe name")
        elif name not in files:
            report.missing.append(name)
        else:
            (report.ok if _zip_sha256(zf, files[name]) == digest else report.altered).append(name)
    report.set_added(set(files) - set(listed) - UNLISTED, lambda n: _zip_head(zf, files[n]))
    report.unsafe.sort()

    def small(name: str) -> bytes | None:
        info = files.get(name)
        return None if info is None else _read_small(lambda: zf.open(info))

    _signature(report, raw, small, listed)
    return report


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, files: int) -> bytes:
    """The manifest's bytes, refused (VerifyError) past ``cap`` whatever its header claims."""
    too_big = VerifyError(
        f"{MANIFEST} is larger than {cap // (1 << 20)} MiB, far too large for a bundle of {files} files: refused",
        code="manifest_too_large",
    )
    if info.file_size > cap:
        raise too_big
    chunks, size = [], 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(min(CHUNK, cap + 1 - size)):
                size += len(chunk)
                if size > cap:
                    raise too_big
                chunks.append(chunk)
    except _ZIP_ERRORS:
        raise VerifyError(f"{MANIFEST} is damaged and cannot be read", code="bad_manifest") from None
    return b"".join(chunks)


def _zip_sha256(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    """An entry's SHA-256, streamed; None when its data is damaged, encrypted or in an unknown method."""
    h = hashlib.sha256()
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(CHUNK):
                h.update(chunk)
    except _ZIP_ERRORS:
        return None
    return h.hexdigest()


def _zip_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """An entry's first bytes, read to its end: None when it is over ``LITTER_MAX`` as it unpacks (its header's size
    can lie) or does not unpack as ``unzip`` would give it (a bad CRC, damaged data)."""
    if info.file_size > LITTER_MAX:
        return None
    size = 0
    try:
        with zf.open(info) as fh:
            head: bytes = fh.read(64)
            size = len(head)
            while size <= LITTER_MAX and (chunk := fh.read(CHUNK)):
                size += len(chunk)
    except _ZIP_ERRORS:
        return None
    return head if size <= LITTER_MAX else None


def _file_head(path: Path) -> bytes | None:
    try:
        with _open_regular(path) as fh:
            if os.fstat(fh.fileno()).st_size > LITTER_MAX:
                return None
            data: bytes = fh.read(64)
    except OSError:
        return None
    return data


def _read_small(opener: Any) -> bytes | None:
    try:
        with opener() as fh:
            data: bytes = fh.read(SMALL_FILE + 1)
    except _ZIP_ERRORS:
        return None
    return data if len(data) <= SMALL_FILE else None


# -- the signature -------------------------------------------------------------------------------


def _signature(report: VerifyReport, manifest: bytes, small: Any, listed: dict[str, str]) -> None:
    """Check ``MANIFEST.sha256.sig`` and the signing files; note the audit chain head the bundle states."""
    if signing.HOW_TO in report.ok:
        text = (small(signing.HOW_TO) or b"").decode("utf-8", errors="replace")
        report.audit_head = signing.anchor_in(text)
    armoured = small(signing.SIGNATURE)
    signs = [n for n in (signing.PUBLIC_KEY, signing.ALLOWED_SIGNERS) if n in listed]
    if armoured is None:
        if signs:
            report.signature = Signature(
                "invalid", reason=f"the bundle names a signing key but {signing.SIGNATURE} is missing (removed?)"
            )
        else:
            report.notes.append(
                "This bundle is not signed (made before campaignsafe signed bundles): its files match its "
                "manifest, but nothing shows who made it."
            )
        return
    try:
        fp = signing.check(armoured, manifest)
        blob = signing.key_of(armoured)
    except signing.BadSignature as exc:
        report.signature = Signature("invalid", reason=f"{signing.SIGNATURE}: {exc}")
        return
    for name in signs:
        if name in report.ok and signing.key_in((small(name) or b"").decode("ascii", errors="replace")) != blob:
            report.signature = Signature("invalid", fp, f"the signature's key is not the one in {name}")
            return
    report.signature = Signature("valid", fp)


# -- an unpacked folder --------------------------------------------------------------------------


def _walk(root: Path, report: VerifyReport, folders: list[str] | None = None) -> Iterator[str]:
    """Every regular file under ``root`` (relative, POSIX); links and special files flagged, never opened; each
    folder under it put in ``folders`` (``name/``)."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            report.flag(Path(folder).relative_to(root).as_posix() + "/", f"cannot be read ({exc.strerror})")
            continue
        for entry in entries:
            rel = Path(entry.path).relative_to(root).as_posix()
            if entry.is_symlink():
                report.flag(rel, "a symbolic link")
            elif entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
                if folders is not None:
                    folders.append(rel + "/")
            elif entry.is_file(follow_symlinks=False):
                yield rel
            else:
                report.flag(rel, "a FIFO, device or other special file (not opened)")


@contextlib.contextmanager
def _open_regular(path: Path) -> Iterator[Any]:
    """Open ``path`` only if it is (still) a regular file: never blocks on a FIFO, never follows a link."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | paths.BINARY
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(21, "not a regular file")
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with fh:
        yield fh


def _file_sha256(path: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with _open_regular(path) as fh:
            while chunk := fh.read(CHUNK):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def _parents(names: set[str]) -> set[str]:
    """Every folder (``a/``, ``a/b/``) that holds one of ``names``, or is one (a name ending in ``/``)."""
    out: set[str] = set()
    for name in names:
        while "/" in name:
            name = name[: name.rindex("/")]
            if name + "/" in out:
                break
            out.add(name + "/")
    return out


def _verify_folder(root: Path) -> VerifyReport:
    report = VerifyReport()
    folders: list[str] = []
    present = set(_walk(root, report, folders))
    keys = Counter(collision_key(n) for n in present)
    for name in sorted(present):
        if canonical(name) != name:
            report.flag(name, "its name is not in canonical (NFC) form")
        elif keys[collision_key(name)] > 1:
            report.flag(name, "differs from another file only by case or Unicode form")
    present -= set(report.unsafe_reasons)
    if MANIFEST not in present:
        raise _not_a_bundle(f"{root} has no {MANIFEST}", present, root)
    cap = manifest_cap(len(present))
    try:
        with _open_regular(root / MANIFEST) as fh:
            raw = fh.read(cap + 1)
    except OSError as exc:
        raise InputError(f"{root / MANIFEST}: cannot read it ({exc.strerror})", code="unreadable_file") from None
    if len(raw) > cap:
        raise VerifyError(
            f"{MANIFEST} is larger than {cap // (1 << 20)} MiB, far too large for {len(present)} files: refused",
            code="manifest_too_large",
        )
    report.manifest_sha256 = hashlib.sha256(raw).hexdigest()
    listed = parse_manifest(raw)
    unreadable = []
    for name, digest in sorted(listed.items()):
        if name in report.unsafe_reasons:
            continue
        if canonical(name) != name or not safe_name(name):
            report.flag(name, "listed in the manifest under an unsafe name")
        elif name not in present:
            report.missing.append(name)
        else:
            got = _file_sha256(root / name)
            if got is None:
                unreadable.append(name)
            (report.ok if got == digest else report.altered).append(name)
    if unreadable:
        report.notes.append(f"Could not read {few(unreadable)}: counted as altered.")
    report.set_added(present - set(listed) - UNLISTED, lambda n: _file_head(root / n))
    # a folder holding no file is not the bundle's (as its folder entry in a zip fails): added
    report.added += sorted(set(folders) - _parents(present | set(report.unsafe_reasons)))
    report.unsafe.sort()

    def small(name: str) -> bytes | None:
        return _read_small(lambda: _open_regular(root / name)) if name in present else None

    _signature(report, raw, small, listed)
    return report


def _verify_sealed(path: Path, passphrase_file: str | None, ask: bool) -> VerifyReport:
    """An encrypted backup, decrypted into an anonymous temporary file (gone when closed) and checked as a zip."""
    from campaignsafe.backup import crypto, reading

    secret = crypto.passphrase(passphrase_file, confirm=False, what=f"{path} is encrypted: verifying it", ask=ask)
    with reading.decrypted(path, secret, str(path)) as plain:
        plain.seek(0)
        try:
            with zipfile.ZipFile(plain) as zf:
                return _check_zip(zf, path)
        except zipfile.BadZipFile:
            raise InputError(
                f"{path} decrypts, but not to a zip: not a campaignsafe backup", code="not_a_bundle"
            ) from None
        except _ZIP_ERRORS as exc:
            raise InputError(f"{path} is damaged and cannot be read as a zip ({exc})", code="not_a_bundle") from None
