"""The backup file: one zip holding the whole data folder, with a manifest like a bundle's.

Layout (every name listed with its SHA-256 in ``MANIFEST.sha256``, so ``campaignsafe verify``
and ``sha256sum -c`` check a backup as they check a bundle)::

    BACKUP.json                 format, version, the store's migrations, counts, when, who
    store/<table>.jsonl         every row of every table of the incident store, column by column
    store/sqlite_sequence.json  the highest id each table has given out (ids are never reused)
    files/<path>                every other file of the data folder: profile, saved contacts,
                                checklist progress, the report draft, evidence copies, keys
    signing-key.pub, allowed_signers, HOW-TO-VERIFY.txt, MANIFEST.sha256.sig
                                the manifest signed with the data folder's key, as a bundle is

The store is read inside one read transaction and the evidence folder is locked for the whole
backup, so the rows and the files are one consistent moment of the record. A server store's backup
is one campaign's record in the same shape (SQLite's tables and columns, its evidence copies under
``files/evidence/``), so ``restore`` puts it into a laptop's data folder and ``import`` into a campaign.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from campaignsafe import __version__, paths
from campaignsafe.errors import InputError
from campaignsafe.exports.bundle import (
    _SPILL,
    MANIFEST,
    _info,
    _LeanZip,
    manifest_text,
    safe_name,
    write_manifest,
    zip_time,
)
from campaignsafe.exports.spool import PREFIX as SCRATCH_PREFIX
from campaignsafe.hashing import CHUNK

FORMAT = "campaignsafe-backup"
FORMAT_VERSION = 1
INFO = "BACKUP.json"
STORE = "store/"
SEQUENCES = "store/sqlite_sequence.json"
FILES = "files/"
DB = "incidents.db"
#: files of the data folder a backup leaves out: the database (carried as rows), its
#: journals, lock files, the temporary files of a write in progress, and export scratch folders.
_LEFT_OUT_NAMES = {DB, DB + "-wal", DB + "-shm", DB + "-journal"}
_SCRATCH = SCRATCH_PREFIX


def left_out(rel: str) -> bool:
    """Whether a path of the data folder (relative, POSIX) is not carried in a backup."""
    name = rel.rsplit("/", 1)[-1]
    return (
        rel in _LEFT_OUT_NAMES
        or rel.startswith(_SCRATCH)
        or name.endswith((".lock", ".tmp"))
        or name.startswith((".incoming-", ".restoring-"))
    )


def home_files(home: Path) -> list[str]:
    """The relative POSIX path of every regular file of the data folder a backup carries, sorted.

    Names only (a path object each, for 200,000 evidence files, was 140 MB): ``home / rel`` is the file.
    """
    found: list[str] = []
    top = str(home)
    for folder, dirs, names in os.walk(top, followlinks=False):
        if folder == top:  # an export's scratch folder (a running or a killed one) is not the record
            dirs[:] = [d for d in dirs if not d.startswith(_SCRATCH)]
        dirs.sort()
        base = os.path.relpath(folder, top).replace(os.sep, "/")
        for name in names:
            rel = name if base == "." else f"{base}/{name}"
            full = os.path.join(folder, name)
            if not left_out(rel) and os.path.isfile(full) and not os.path.islink(full):
                found.append(rel)
    found.sort()
    return found


@dataclass(frozen=True)
class Written:
    """A backup written: where, what it holds, the manifest's SHA-256, and whether it is encrypted."""

    path: Path
    incidents: int
    evidence_files: int
    files: int
    manifest_sha256: str
    encrypted: bool
    #: how many files MANIFEST.sha256 lists (what ``verify`` counts): ``files`` plus the store and signing files
    listed: int = 0


class _Zip:
    """A zip being written entry by entry, each hashed as it streams, for the manifest.

    The manifest's lines wait in a temporary database on disk (entries come in no particular order, the
    manifest lists them by name), so a backup of 200,000 files holds none of them in memory.
    """

    def __init__(self, fh: IO[bytes], created: datetime) -> None:
        # the zip's directory waits in an unnamed temporary file, not as a ZipInfo an entry (see _LeanZip)
        self._central = tempfile.TemporaryFile()  # noqa: SIM115 - closed by finish() or discard()
        self.zf = _LeanZip(fh, self._central)
        self._stamp = zip_time(created)  # every entry dated the backup's time
        self._lines = sqlite3.connect("", isolation_level=None)  # "": a private file SQLite removes when closed
        self._lines.execute("PRAGMA cache_size = -2000")  # at most ~2 MB of it in memory
        self._lines.execute("CREATE TABLE lines (name TEXT PRIMARY KEY, digest TEXT NOT NULL) WITHOUT ROWID")
        self._lines.execute("BEGIN")
        #: the SHA-256 of the entry added last
        self.last = ""

    def add(self, name: str, chunks: Iterator[bytes]) -> None:
        if not safe_name(name) or name == MANIFEST:
            raise InputError(f"cannot back up a file named {name!r}", code="bad_backup")
        h = hashlib.sha256()
        with self.zf.open(_info(name, self._stamp), "w", force_zip64=True) as dest:
            for chunk in chunks:
                h.update(chunk)
                dest.write(chunk)
        self.last = h.hexdigest()
        try:
            self._lines.execute("INSERT INTO lines VALUES (?, ?)", (name, self.last))
        except sqlite3.IntegrityError:
            raise InputError(f"cannot back up two files named {name!r}", code="bad_backup") from None
        if len(self.zf.filelist) >= _SPILL:
            self.zf.spill()

    def discard(self) -> None:
        """Give up on a zip cut short by an error (its file is removed): closed now, not later by the
        garbage collector on a file already closed, which printed an 'Exception ignored' traceback."""
        with contextlib.suppress(Exception):
            self.zf.close()
        self._central.close()
        self._lines.close()

    def finish(self, sign_sha512: Any = None, signature_name: str = "") -> tuple[str, int]:
        """Write ``MANIFEST.sha256`` (every entry by name) and its signature (:func:`write_manifest`); close the
        zip. The manifest's SHA-256 and how many files it lists."""
        (listed,) = self._lines.execute("SELECT count(*) FROM lines").fetchone()
        rows = self._lines.execute("SELECT name, digest FROM lines ORDER BY name")
        chunks = (
            manifest_text(batch, ordered=True).encode("utf-8") for batch in iter(lambda: rows.fetchmany(1000), [])
        )
        digest = write_manifest(self.zf, chunks, self._stamp, sign_sha512, signature_name)
        self.zf.close()
        self._central.close()
        self._lines.close()
        return digest, int(listed)


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def _jsonl(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    buf: list[str] = []
    size = 0
    for row in rows:
        line = json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
        buf.append(line)
        size += len(line)
        if size >= CHUNK:
            yield "".join(buf).encode("utf-8")
            buf, size = [], 0
    if buf:
        yield "".join(buf).encode("utf-8")


@dataclass
class _Source:
    """What a backup reads from the open store, the same from either store: SQLite's tables, their rows, the id
    counters and the migrations; on a server store, one campaign's, with its evidence copies from the server."""

    conn: Any
    campaign: str | None  # None: the SQLite file; else the server campaign whose record this is

    def tables(self) -> list[str]:
        from campaignsafe.incidents import rows

        return rows.tables(self.conn) if self.campaign is None else list(rows.sqlite_shape())

    def count(self, table: str) -> int:
        from campaignsafe.incidents import rows

        if self.campaign is None:
            return int(self.conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
        return rows.campaign_count(self.conn, table, self.campaign)

    def read(self, table: str) -> Iterator[dict[str, Any]]:
        from campaignsafe.incidents import rows

        if self.campaign is None:
            return rows.read(self.conn, table)
        return rows.campaign_rows(self.conn, table, self.campaign)

    def sequences(self) -> dict[str, int]:
        from campaignsafe.incidents import rows

        if self.campaign is None:
            return rows.sequences(self.conn)
        return rows.campaign_sequences(self.conn, self.campaign)

    def migrations(self) -> list[str]:
        from campaignsafe.incidents import backend

        return backend.recorded(self.conn)

    def copies(self) -> list[tuple[str, str]]:
        """(data-folder path, SHA-256) of each evidence copy held in the server (none for the SQLite file)."""
        if self.campaign is None:
            return []
        got = self.conn.execute("SELECT sha256 FROM blobs WHERE campaign = ? ORDER BY sha256", (self.campaign,))
        return [(f"evidence/{sha[:2]}/{sha}", str(sha)) for (sha,) in got]


def _write_zip(fh: IO[bytes], created: datetime) -> tuple[tuple[str, int], dict[str, int]]:
    """Write the whole backup zip to ``fh``: the manifest's SHA-256 and length in files, and the counts."""
    from campaignsafe.exports import signing
    from campaignsafe.incidents import backend, schema
    from campaignsafe.incidents.store import Store

    home = paths.home()
    key = signing.signer()  # made on first use, so the backup carries it
    with Store.open() as store:
        conn = store.conn
        src = _Source(conn, backend.one_campaign(conn, "backup"))
        # one read snapshot of every table (and, on a server, of its evidence copies)
        conn.execute("BEGIN" if src.campaign is None else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            names = src.tables()
            counts = {t: src.count(t) for t in names}
            files = home_files(home)
            if src.campaign is not None:  # the copies are the server's; a laptop's own record is not this one
                files = [rel for rel in files if not rel.startswith("evidence/")]
            else:  # a copy no exhibit uses (left by a killed import, say) is not part of the record
                used = {v for r in conn.execute("SELECT file_sha256, screenshot_sha256 FROM evidence") for v in r if v}
                files = [rel for rel in files if not rel.startswith("evidence/") or rel.rsplit("/", 1)[-1] in used]
            held = src.copies()
            counts["files"] = len(files) + len(held)
            producer = _profile()
            counts["evidence_files"] = sum(1 for rel in files if rel.startswith("evidence/")) + len(held)
            info = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "tool": {"name": "campaignsafe", "version": __version__},
                "created_at": created.isoformat(),
                "migrations": src.migrations(),
                "tables": names,
                "counts": counts,
                "producer": producer,
                # what an incident with no place-based force falls to (kept beside the recorder when imported)
                "profile_force": _profile_force(),
            }
            z = _Zip(fh, created)
            try:
                with schema.errors(store.path):  # a damaged row: exit 5 with the way out, never an internal error
                    return _write_entries(z, src, key, info, files, held), counts
            except BaseException:
                z.discard()
                raise
        finally:
            conn.execute("COMMIT")


def _write_entries(
    z: _Zip, src: _Source, key: Any, info: dict[str, Any], files: list[Any], held: list[tuple[str, str]]
) -> tuple[str, int]:
    """Every entry of the backup, then its signed manifest (its SHA-256, and how many files it lists)."""
    from campaignsafe.exports import signing
    from campaignsafe.incidents import blobs, check

    z.add(INFO, iter([(json.dumps(info, ensure_ascii=False, indent=2) + "\n").encode("utf-8")]))
    for t in info["tables"]:
        z.add(f"{STORE}{t}.jsonl", _jsonl(src.read(t)))
    z.add(SEQUENCES, iter([json.dumps(src.sequences(), sort_keys=True).encode("utf-8")]))
    home = paths.home()
    for rel in files:
        z.add(FILES + rel, _file_chunks(home / rel))
    for rel, sha in held:  # streamed from the server in its chunks; a damaged copy is refused, not carried
        z.add(FILES + rel, blobs.of(src.conn).chunks(sha))
        if z.last != sha:
            from campaignsafe.errors import StoreError

            raise StoreError(
                f"the server's copy of an exhibit file ({sha[:12]}…) no longer matches its SHA-256",
                "run campaignsafe check, which names the exhibit",
                code="store_damaged",
            )
    head = check.head(src.conn)
    identity = signing.identity_for(info["producer"].get("email"))
    for name, text in (
        (signing.PUBLIC_KEY, key.public_line()),
        (signing.ALLOWED_SIGNERS, key.allowed_signers(identity)),
        (signing.HOW_TO, signing.how_to(identity, key.fingerprint, head.text() if head else None)),
    ):
        z.add(name, iter([text.encode("utf-8")]))
    return z.finish(key.sign_sha512, signing.SIGNATURE)


def _profile_force() -> str | None:
    from campaignsafe import profile

    return profile.load().force_id


def _profile() -> dict[str, Any]:
    from campaignsafe import profile

    return profile.load().model_dump(exclude={"force_id"})


def refuse_inside_home(out: Path) -> None:
    """A backup written into the data folder would be lost with it (and would back itself up)."""
    home = paths.home()
    try:
        inside = out.resolve().is_relative_to(home.resolve())
    except OSError:
        inside = False
    if inside:
        raise InputError(
            f"cannot write the backup to {out}: it is inside the data folder it backs up",
            "write it to a USB drive or another folder: campaignsafe backup /media/usb/campaign.backup",
            code="bad_output",
        )


def write(out: Path, secret: str | None, created: datetime) -> Written:
    """Write the backup of the whole data folder to ``out`` atomically (age-encrypted with ``secret``)."""
    from campaignsafe.incidents import backend, evidence

    out = paths.check_output(out)
    refuse_inside_home(out)
    # nothing is added to or removed from the data folder's copies meanwhile (a server's: one snapshot)
    with contextlib.nullcontext() if backend.url() else evidence.lock():
        if secret is None:
            with paths.atomic_file(out, private=False) as fh:
                manifest, counts = _write_zip(fh, created)
        else:
            from campaignsafe.backup import crypto

            # sealed as it is written: only the encrypted bytes ever reach the disk
            with paths.atomic_file(out, private=False) as fh:
                sealed = crypto.sealer(fh, secret)
                manifest, counts = _write_zip(sealed, created)  # type: ignore[arg-type]  # zipfile writes a stream
                sealed.close()
    digest, listed = manifest
    return Written(
        out, counts.get("incidents", 0), counts["evidence_files"], counts["files"], digest, secret is not None, listed
    )
