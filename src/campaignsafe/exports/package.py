"""Everything an export writes: one format as text, the hashed evidence bundle, the email draft.

The bundle holds the reports (HTML and Markdown), the JSON and CSV, the JSON Schema and every
evidence file under its exhibit reference, plus ``MANIFEST.sha256`` (see :mod:`.bundle`).
Evidence files stream from the store, and each one's bytes are checked against the hash on
record as they are written: a stored copy that no longer matches stops the export.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formataddr
from pathlib import Path
from typing import Any

from campaignsafe.errors import InputError, StoreError
from campaignsafe.exports import csv_, html, json_, markdown
from campaignsafe.exports import model as m
from campaignsafe.exports import text as tx
from campaignsafe.exports.bundle import Entry, few, write_bundle

RENDERERS: dict[str, Callable[[m.ExportDocument], str]] = {
    "json": json_.to_json,
    "csv": csv_.to_text,
    "html": html.render,
    "md": markdown.render,
}
FORMATS = tuple(RENDERERS)
SUFFIXES = {".json": "json", ".csv": "csv", ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}
REPORT_HTML, REPORT_MD, DATA_JSON, DATA_CSV = "report.html", "report.md", "incidents.json", "incidents.csv"


def render(doc: m.ExportDocument, fmt: str) -> str:
    """The export in one format: json, csv, html or md."""
    if fmt not in RENDERERS:
        raise InputError(f"unknown format {fmt!r}", "use json, csv, html or md", code="bad_format")
    return RENDERERS[fmt](doc)


def format_for(output: str | None, fmt: str | None) -> str:
    """The format asked for, else the output file's suffix, else md; refuses an unknown format."""
    if fmt:
        name = fmt.strip().lower()
        if name not in RENDERERS:
            raise InputError(f"unknown format {fmt!r}", "use json, csv, html or md", code="bad_format")
        return name
    if output and output != "-":
        return SUFFIXES.get(Path(output).suffix.lower(), "md")
    return "md"


@dataclass(frozen=True)
class Bundled:
    """A written bundle: where, how many files and exhibits, and the manifest's own SHA-256."""

    path: Path
    files: int
    evidence_files: int
    manifest_sha256: str


def entries(doc: m.ExportDocument, report_html: str | None = None) -> list[Entry]:
    """Every file of the bundle except the manifest; evidence files as paths to stream."""
    from campaignsafe.incidents import evidence

    out = [
        Entry(REPORT_HTML, (report_html if report_html is not None else html.render(doc)).encode()),
        Entry(REPORT_MD, markdown.render(doc).encode()),
        Entry(DATA_JSON, json_.to_json(doc).encode()),
        Entry(DATA_CSV, csv_.to_text(doc).encode()),
        Entry(m.SCHEMA_FILE, json_.schema_text().encode()),
    ]
    missing = []
    for case in doc.incidents:
        for ex in case.objects.evidence:
            for f in ex.files:
                source = evidence.blob(f.sha256)
                if not source.is_file():
                    missing.append(f"{ex.exhibit_ref} ({f.original_name})")
                out.append(Entry(f.bundle_path, source=source, sha256=f.sha256))
    if missing:
        shown = few(missing)
        raise StoreError(
            f"the stored copy of exhibit {shown} is missing from your data folder; nothing was written",
            "the exhibit is still on record with its hash: add the original file again to restore the copy",
            code="evidence_missing",
        )
    return out


def write(doc: m.ExportDocument, out: Path, report_html: str | None = None) -> Bundled:
    """Write the bundle zip atomically."""
    from campaignsafe.exports import signing

    items = entries(doc, report_html)
    key = signing.signer()
    items += _signing_entries(doc, key)
    manifest = write_bundle(items, out, key.sign, signing.SIGNATURE)
    digest = hashlib.sha256(manifest.encode("utf-8")).hexdigest()
    n_evidence = sum(1 for i in items if i.source is not None)
    return Bundled(out.expanduser(), len(items) + 1, n_evidence, digest)


def _signing_entries(doc: m.ExportDocument, key: Any) -> list[Entry]:
    """The public key, its allowed_signers line and HOW-TO-VERIFY.txt (all listed in the manifest)."""
    from campaignsafe.exports import signing
    from campaignsafe.exports.integrity import head_text

    identity = signing.identity_for(doc.export.producer.email)
    how_to = signing.how_to(identity, key.fingerprint, head_text(doc.export.integrity))
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


def _recipient(doc: m.ExportDocument) -> tuple[str | None, str | None, str | None]:
    """(To address, SPOC name for the greeting, note for the user) from the saved SPOC of the incidents' force."""
    forces = doc.export.forces
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
    save = f"campaignsafe contact save {force.id} --role spoc --name … --email …"
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


def email(doc: m.ExportDocument, report_html: str, bundled: Bundled | None = None) -> Draft:
    """An RFC 5322 draft with the HTML report attached, for the user to check and send themselves."""
    from campaignsafe.exports.eml import draft

    to, spoc_name, note = _recipient(doc)
    p = doc.export.producer
    sender = formataddr((p.name or "", p.email)) if p.email else None
    s = doc.summary
    if s.first is not None and s.last is not None and s.incidents > 1:
        period = f"{s.incidents} incidents, {s.first:%-d %b %Y} to {s.last:%-d %b %Y}"
    else:
        period = f"incident of {s.first:%-d %b %Y}" if s.first is not None else "incidents"
    subject = f"Incident report from {tx.who_line(p)}: {period}"
    body = _body(doc, spoc_name, note, bundled)
    name = f"incident-report-{doc.export.exported_at:%Y-%m-%d}.html"
    data = draft(
        to=to,
        sender=sender,
        subject=subject,
        body=body,
        attachments=[(name, report_html.encode("utf-8"), "text/html")],
        when=doc.export.exported_at,
    )
    return Draft(data, to, note)


def _body(doc: m.ExportDocument, spoc_name: str | None, note: str | None, bundled: Bundled | None) -> str:
    p, s = doc.export.producer, doc.summary
    lines = []
    if note:
        lines += [f"[Note for you, to delete before sending: {note}]", ""]
    lines += [f"Dear {spoc_name}," if spoc_name else "Hello,", ""]
    me = f"I am {tx.me_text(p)}. " if p.name else ""
    kinds = ", ".join(f"{k.label.lower()} ({k.count})" for k in s.by_kind)
    if s.incidents == 1 or s.first is None or s.last is None:
        what = f"an incident on {tx.day_text(s.first)} ({kinds})" if s.first else "an incident"
    else:
        what = (
            f"{s.incidents} incidents between {tx.day_text(s.first)} and {tx.day_text(s.last)}, which I believe "
            f"form a course of conduct: {kinds}"
        )
    lines += [f"{me}I would like to report {what}.", ""]
    refs = sorted({r.reference for c in doc.incidents for r in c.reports if r.police and r.reference})
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
    lines += _integrity_lines(doc)
    contact = " or ".join(x for x in (p.phone, p.email) if x)
    if contact:
        lines += [f"You can reach me on {contact}.", ""]
    lines += ["Yours sincerely,", "", p.name or ""]
    lines += [", ".join(x for x in (p.role, p.constituency) if x)]
    return "\n".join(lines).rstrip() + "\n"


def _integrity_lines(doc: m.ExportDocument) -> list[str]:
    """The email's paragraph anchoring the record: the audit chain head and the signing key."""
    from campaignsafe.exports.integrity import head_text

    facts = doc.export.integrity
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
            f"Please note: campaignsafe's own check found {len(facts.findings)} problem(s) with the record; "
            "they are listed on the report's cover.",
            "",
        ]
    return out
