"""Everything an export writes: one format, the hashed evidence bundle, the email draft.

The bundle holds the reports (HTML and Markdown), the JSON and CSV, the JSON Schema and every
evidence file under its exhibit reference, plus ``MANIFEST.sha256`` (see :mod:`.bundle`). Every
file streams into the zip (the formats from :mod:`.stream`, evidence from the store), and each
evidence file's bytes are checked against the hash on record as they are written: a stored copy
that no longer matches stops the export.
"""

from __future__ import annotations

import contextlib
import heapq
import os
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import date
from email.utils import formataddr
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsafe.errors import InputError, StoreError
from campaignsafe.exports import json_, stream
from campaignsafe.exports import model as m
from campaignsafe.exports import text as tx
from campaignsafe.exports.bundle import Entry, few, write_bundle
from campaignsafe.incidents.listing import Filter

if TYPE_CHECKING:
    from campaignsafe.exports.integrity import Beside

FORMATS = stream.FORMATS
SUFFIXES = {
    ".json": "json", ".csv": "csv", ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".txt": "md",
}  # fmt: skip
REPORT_HTML, REPORT_MD, DATA_JSON, DATA_CSV = "report.html", "report.md", "incidents.json", "incidents.csv"


def format_for(output: str | None, fmt: str | None) -> str:
    """The format asked for, else the output file's suffix, else md; refuses an unknown format."""
    if fmt:
        name = fmt.strip().lower()
        if name not in FORMATS:
            raise InputError("--format: unknown format", "use json, csv, html or md", code="bad_format")
        return name
    if output and output != "-":
        suffix = Path(output).suffix.lower()
        if suffix and suffix not in SUFFIXES:  # e.g. .pdf or .docx: Markdown in it would be a broken file
            pdf = "; for a PDF, export --format html and print it to PDF from your browser" if suffix == ".pdf" else ""
            raise InputError(
                f"-o: campaignsafe does not write {suffix} files",
                f"name the file .html, .md, .json or .csv, or give --format{pdf}",
                code="bad_format",
            )
        return SUFFIXES.get(suffix, "md")
    return "md"


@dataclass(frozen=True)
class Bundled:
    """A written bundle: where, how many files and exhibits, and the manifest's own SHA-256."""

    path: Path
    files: int
    evidence_files: int
    manifest_sha256: str


@contextlib.contextmanager
def prepared(
    flt: Filter,
    chosen: m.Selection,
    formats: set[str],
    *,
    bundle: bool = False,
    email: bool = False,
    check: Beside | None = None,
    anyway: bool = False,
) -> Iterator[stream.Streamed]:
    """The selected incidents read once into ``formats`` (every format for a bundle), ready to write.

    ``check`` (:class:`~campaignsafe.exports.integrity.Beside`) gives the record check's answer for the
    snapshot the incidents were read in, asked once they are read and before anything is yielded: a
    failed check stops the export then, and it speaks before any error of the read's own, as when the
    check ran first.
    With ``anyway`` (``export --anyway``) an incident whose stored row cannot be read is left out
    and named among the integrity findings, so the report's cover and the JSON say so.
    The export's scratch folder lives as long as the block; it is removed when the block ends.
    """
    from campaignsafe.errors import CampaignsafeError
    from campaignsafe.exports.case import export_time
    from campaignsafe.exports.spool import Spool
    from campaignsafe.incidents import backend, blobs, evidence

    # a bundle holds the evidence copies as backup does, so none the snapshot lists is removed (an incident
    # deleted meanwhile) before it is written: adding and removing copies waits for it (with no copies yet,
    # there is nothing to hold, and a refused export leaves not even a lock file)
    hold = bundle and (backend.url() is not None or evidence.root().is_dir())
    with blobs.held() if hold else contextlib.nullcontext(), Spool.open() as spool:
        try:
            read = stream.read(
                flt, chosen, export_time(), formats, spool, bundle=bundle, email=email, skip_damaged=anyway, check=check
            )
        except CampaignsafeError:
            if check is not None:
                check.result()  # a record that does not check out is the reason to give
            raise
        integrity = read.meta.integrity
        if read.left_out and integrity is not None:
            integrity.passed = False
            integrity.exported_despite_findings = True
            integrity.findings.extend(left_out_findings(read.left_out))
        yield read  # the check's answer on the cover and in the JSON


def left_out_findings(ids: list[int]) -> list[m.CheckFinding]:
    """What the export says of each damaged incident it left out."""
    return [
        m.CheckFinding(
            subject=f"incident {iid}",
            code="left_out",
            message="its stored record cannot be read, so it is not in this export",
        )
        for iid in ids
    ]


def entries(read: stream.Streamed, extra: list[Entry] | None = None) -> Generator[Entry, None, None]:
    """Every file of the bundle except the manifest (``extra`` too), in name order: evidence streams from the store."""
    from campaignsafe.incidents import backend, evidence

    def part(fmt: str) -> Callable[[], Iterator[bytes]]:
        return lambda: read.chunks(fmt)

    data = [
        Entry(REPORT_HTML, stream=part("html")),
        Entry(REPORT_MD, stream=part("md")),
        Entry(DATA_JSON, stream=part("json")),
        Entry(DATA_CSV, stream=part("csv")),
        Entry(m.SCHEMA_FILE, json_.schema_text().encode()),
        *(extra or []),
    ]
    if backend.url():
        files: Iterator[Entry] = _server_files(read)
    else:
        folder = str(evidence.blob("0" * 64).parent.parent)  # the evidence folder, worked out once
        files = (
            Entry(path, source=os.path.join(folder, sha[:2], sha), sha256=sha)  # evidence.blob(sha), without pathlib
            for path, sha in read.spool.files()
        )
    return heapq.merge(files, sorted(data, key=lambda e: e.name), key=lambda e: e.name)


def _server_files(read: stream.Streamed) -> Iterator[Entry]:
    """The evidence entries of a bundle from the server store: each streamed from its chunks as it is written."""
    from campaignsafe.incidents import backend, blobs

    conn, _where = backend.connect()
    try:
        copies = blobs.of(conn)
        for path, sha in read.spool.files():
            yield Entry(path, stream=lambda sha=sha: copies.chunks(sha), sha256=sha)  # type: ignore[misc]
    finally:
        conn.close()


def write(read: stream.Streamed, out: Path) -> Bundled:
    """Write the bundle zip atomically; refuses (writing nothing) when a stored copy of an exhibit is gone."""
    if read.missing:
        raise StoreError(
            f"the stored copy of exhibit {few(read.missing)} is missing from your data folder; nothing was written",
            "the exhibit is still on record with its hash: add the original file again to restore the copy",
            code="evidence_missing",
        )
    from campaignsafe.exports import signing

    key = signing.signer()
    with contextlib.closing(entries(read, _signing_entries(read.meta, key))) as files:  # closed with the scratch open
        manifest = write_bundle(files, out, key.sign_sha512, signing.SIGNATURE, when=read.meta.exported_at)
    return Bundled(out.expanduser(), manifest.files + 1, read.spool.count_files(), manifest.sha256)


def _signing_entries(meta: m.ExportMeta, key: Any) -> list[Entry]:
    """The public key, its allowed_signers line and HOW-TO-VERIFY.txt (all listed in the manifest)."""
    from campaignsafe.exports import signing
    from campaignsafe.exports.integrity import head_text

    identity = signing.identity_for(meta.producer.email)
    how_to = signing.how_to(identity, key.fingerprint, head_text(meta.integrity))
    return [
        Entry(signing.PUBLIC_KEY, key.public_line().encode()),
        Entry(signing.ALLOWED_SIGNERS, key.allowed_signers(identity).encode()),
        Entry(signing.HOW_TO, how_to.encode()),
    ]


# -- the email draft -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """The email draft's bytes, who it is addressed to, and what the user should know."""

    data: bytes
    to: str | None
    note: str | None
    cc: str | None = None  # the force's elected-official adviser, told as the guidance says (Operation Ford)


def _recipient(meta: m.ExportMeta) -> tuple[str | None, str | None, str | None]:
    """(To address, SPOC name for the greeting, note for the user) from the saved SPOC of the incidents' force."""
    forces = meta.forces
    if not forces:
        return (
            None,
            None,
            (
                "No police force is recorded for these incidents (no postcode, and no force in your profile), "
                "so the draft is not addressed: add the recipient before sending."
            ),
        )
    if len(forces) > 1:
        names = ", ".join(f"{f.name} ({f.incidents})" for f in forces)
        return (
            None,
            None,
            (
                f"These incidents fall to {len(forces)} police forces: {names}. The draft is not addressed: choose the "
                "recipient before sending, or export one force's incidents at a time with --force."
            ),
        )
    force = forces[0]
    spocs = [c for c in force.contacts if c.role == "spoc"]
    with_email = [c for c in spocs if c.email]
    save = f"campaignsafe contact save {force.id} --name NAME --email EMAIL"  # --role spoc is the default
    if with_email:
        c = with_email[0]
        return formataddr((c.name or "", c.email or "")), c.name, None
    if spocs:
        return (
            None,
            spocs[0].name,
            (
                f"Your saved election SPOC for {force.name} has no email address, so the draft is not addressed: "
                f"add it before sending, or save it with: {save}"
            ),
        )
    return (
        None,
        None,
        (
            f"No election SPOC is saved for {force.name}, so the draft is not addressed: add the recipient before "
            f"sending, or save your SPOC's details with: {save}"
        ),
    )


def _day(d: date) -> str:
    """``1 May 2026`` (``%-d`` is not portable to Windows)."""
    return f"{d.day} {d:%b %Y}"


def email(read: stream.Streamed, report_html: str, bundled: Bundled | None = None) -> Draft:
    """An RFC 5322 draft with the HTML report attached, for the user to check and send themselves."""
    from campaignsafe.exports.eml import draft

    to, spoc_name, note = _recipient(read.meta)
    cc = _adviser(read.meta)
    p = read.meta.producer
    sender = formataddr((p.name or "", p.email)) if p.email else None
    s = read.summary
    if s.first is not None and s.last is not None and s.incidents > 1:
        period = f"{s.incidents} incidents, {_day(s.first)} to {_day(s.last)}"
    else:
        period = f"incident of {_day(s.first)}" if s.first is not None else "incidents"
    subject = f"Incident report from {tx.who_line(p)}: {period}"
    body = _body(read, spoc_name, note, bundled)
    name = f"incident-report-{read.meta.exported_at:%Y-%m-%d}.html"
    data = draft(
        to=to,
        sender=sender,
        subject=subject,
        body=body,
        attachments=[(name, report_html.encode("utf-8"), "text/html")],
        when=read.meta.exported_at,
        cc=cc,
    )
    return Draft(data, to, note, cc)


def _adviser(meta: m.ExportMeta) -> str | None:
    """The saved Force Elected-Official Adviser (with an email) of the incidents' one force, to copy the draft to:
    the adviser looks after candidates' security and takes no crime reports, but is to be told of them."""
    if len(meta.forces) != 1:
        return None
    for c in meta.forces[0].contacts:
        if c.role == "adviser" and c.email:
            return formataddr((c.name or "", c.email))
    return None


def _body(read: stream.Streamed, spoc_name: str | None, note: str | None, bundled: Bundled | None) -> str:
    p, s = read.meta.producer, read.summary
    lines = []
    if note:
        lines += [f"[Note for you, to delete before sending: {note}]", ""]
    lines += [f"Dear {spoc_name}," if spoc_name else "Hello,", ""]
    me = f"I am {tx.me_text(p)}. " if p.name else ""
    kinds = ", ".join(f"{k.label.lower()} ({k.count})" for k in s.by_kind)
    if s.incidents == 1 and s.by_kind:  # "(threats)": a count of one said nothing ("(threats (1))")
        kinds = s.by_kind[0].label.lower()
    if s.incidents == 1 or s.first is None or s.last is None:
        what = f"an incident on {tx.day_text(s.first)} ({kinds})" if s.first else "an incident"
    else:
        what = f"{s.incidents} incidents between {tx.day_text(s.first)} and {tx.day_text(s.last)}: {kinds}"
    lines += [f"{me}I would like to report {what}.", ""]
    refs = sorted(read.police_refs)
    if refs:
        lines += [f"I have already reported some of this to the police (references: {', '.join(refs)}).", ""]
    lines += [
        "The attached report (an HTML file: it opens in any web browser and prints on A4) sets out each incident in "
        "the order of a witness statement, with the exhibits I can produce and their SHA-256 hashes.",
        "",
    ]
    if bundled is not None:
        lines += [
            f"I also have an evidence bundle, {bundled.path.name}, with every original file and a manifest of their "
            f"hashes; its MANIFEST.sha256 has SHA-256 {bundled.manifest_sha256}. Please let me know how you would "
            "like to receive it, for example through your force's evidence upload link.",
            "",
        ]
    else:
        lines += ["I have kept the original files and can provide them in whatever way you prefer.", ""]
    lines += _integrity_lines(read.meta)
    contact = " or ".join(x for x in (p.phone, p.email) if x)
    if contact:
        lines += [f"You can reach me on {contact}.", ""]
    lines += ["Yours sincerely,", "", p.name or ""]
    lines += [", ".join(x for x in (p.role, p.constituency) if x)]
    return "\n".join(lines).rstrip() + "\n"


def _integrity_lines(meta: m.ExportMeta) -> list[str]:
    """The email's paragraph anchoring the record: the audit chain head and the signing key."""
    from campaignsafe.exports.integrity import head_text

    facts = meta.integrity
    anchor = head_text(facts)
    if facts is None or anchor is None:
        return []
    text = (
        f"My record's audit log stood at entry {anchor} (sequence number and SHA-256) when I made this export, "
        "so any later change to it can be detected"
    )
    text += f"; my evidence bundles are signed with the key {facts.signing_key}." if facts.signing_key else "."
    out = [text, ""]
    if not facts.passed:
        out += [
            f"Please note: campaignsafe's own check found {len(facts.findings)} problem"
            f"{'' if len(facts.findings) == 1 else 's'} with the record; "
            "they are listed on the report's cover.",
            "",
        ]
    return out
