"""``campaignsafe export`` and ``campaignsafe verify``: the police-ready export, and checking a bundle."""

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from campaignsafe.cli._options import JsonOpt, PassFile


def _opt(name: str, text: str, metavar: str | None = None, *aliases: str) -> Any:
    return typer.Option(name, *aliases, help=text, metavar=metavar, show_default=False)


Text = str | None
Ids = Annotated[
    list[int] | None,
    typer.Argument(
        help="Incident ids to export (see: campaignsafe incidents list).",
        metavar="IDS",
        show_default=False,
        min=1,
        max=2**63 - 1,
    ),
]


def export(
    ids: Ids = None,
    all_: Annotated[bool, typer.Option("--all", help="Export every incident.")] = False,
    since: Annotated[Text, _opt("--since", "From this date or time, e.g. 2026-04-01 or '3 weeks ago'.")] = None,
    until: Annotated[Text, _opt("--until", "Up to this date (the whole day) or time.")] = None,
    kind: Annotated[list[str] | None, _opt("--kind", "Only this kind (repeatable).")] = None,
    force: Annotated[Text, _opt("--force", "Only incidents in this force's area (id or name).")] = None,
    fmt: Annotated[
        Text, _opt("--format", "json, csv, html or md (default: from -o's suffix, else md).", None, "-f")
    ] = None,
    output: Annotated[Text, _opt("--output", "Write the format to FILE instead of the screen.", "FILE", "-o")] = None,
    bundle: Annotated[Text, _opt("--bundle", "Write the evidence bundle (zip) to this file.", "OUT.zip")] = None,
    eml: Annotated[Text, _opt("--eml", "Write an email draft to your SPOC, report attached.", "OUT.eml")] = None,
    anyway: Annotated[
        bool,
        typer.Option(
            "--anyway", help="Export even when campaignsafe check finds problems (they go on the report's cover)."
        ),
    ] = False,
) -> None:
    """Export incidents for the police: a report, JSON, CSV, a hashed evidence bundle, an email draft.

    The report (--format html or md) has a cover, a course-of-conduct summary, then each incident as a statement.

    --bundle: both reports, the JSON, CSV and JSON Schema, every evidence file and MANIFEST.sha256 in one zip.

    --eml: an email draft to your saved SPOC with the report attached, for you to send: nothing is ever sent.

    The record is checked first (campaignsafe check --quick): when it does not check out, nothing is
    written (exit 6) unless you add --anyway, which puts every finding on the report's cover and in the JSON.
    Every export states the audit chain head (SEQ:SHA256) for a later: campaignsafe check --anchor SEQ:SHA256.

    SOURCE_DATE_EPOCH (seconds) fixes the export time, so the same export gives the same bytes.

    Example: campaignsafe export --all --bundle police.zip --eml police.eml
    """
    from campaignsafe import paths
    from campaignsafe.exports import case, integrity, package

    flt, chosen = case.selection(ids or [], all_, since, until, kind or [], force)
    for target in (output, eml, bundle):  # a path into the data folder is refused before anything else is said
        if target and target != "-":
            paths.check_output(target)
    fmt_name = package.format_for(output, fmt)
    with integrity.Beside(anyway) as check:  # the record check, in a child process while this one reads
        text_wanted = bool(output or fmt or not (bundle or eml))
        formats = ({fmt_name} if text_wanted else set()) | ({"html"} if eml else set())
        with package.prepared(
            flt, chosen, formats, bundle=bool(bundle), email=bool(eml), check=check, anyway=anyway
        ) as read:
            checked = check.result()  # the same answer ``prepared`` put on the cover and in the JSON
            if bundle or eml or fmt_name in ("html", "md", "json"):
                from campaignsafe.exports import signing

                # made on first use: only once the check has answered (a refused export makes nothing)
                checked.signing_key = signing.signer().fingerprint
            _written(read, checked, bundle, eml, output, fmt_name, text_wanted)


def _written(read: Any, checked: Any, bundle: Text, eml: Text, output: Text, fmt: str, text_wanted: bool) -> None:
    """Say what the export found, then write the bundle, the email draft and the format asked for."""
    from campaignsafe.cli._panel import counted

    if read.left_out:
        _say(
            f"Warning: incident {', '.join(map(str, read.left_out))} cannot be read from the store and is left "
            "out of this export (named on the report's cover and in the JSON). See: campaignsafe check"
        )
    if not checked.passed:
        n = len(checked.findings)
        _say(
            f"Warning: exported although the record does not check out ({counted(n, 'problem')}, "
            "listed on the report's cover). See them: campaignsafe check"
        )
    _warn_profile(read.meta)
    bundled = _write_bundle(read, bundle)
    if eml:
        _write_eml(read, bundled, eml)
    if text_wanted:
        _write_text(output, read.chunks(fmt))


def _write_bundle(read: Any, bundle: Text) -> Any:
    """The bundle written (and said so), or None when none was asked for."""
    from campaignsafe.cli._panel import counted
    from campaignsafe.exports import package

    if not bundle:
        return None
    bundled = package.write(read, Path(bundle))
    _say(
        f"Wrote {bundled.path}: {counted(read.incidents, 'incident')}, "
        f"{counted(bundled.evidence_files, 'evidence file')}; {counted(bundled.files - 1, 'file')} listed "
        f"with their SHA-256 in MANIFEST.sha256 (what verify checks), which is signed. "
        f"Check it: campaignsafe verify {bundled.path}"
    )
    return bundled


def _say(message: str) -> None:
    from campaignsafe.cli._panel import say

    say(message, err=True)


def _warn_profile(meta: Any) -> None:
    if not meta.producer.name:
        _say(
            "Note: your profile has no name, so the report does not say who is reporting. "
            "Set it: campaignsafe profile --name 'Jo Smith' --role candidate --phone PHONE --email EMAIL"
        )


def _write_text(output: str | None, chunks: Iterator[bytes]) -> None:
    if not output or output == "-":
        raw = getattr(sys.stdout, "buffer", None)
        if raw is not None and not sys.stdout.isatty():  # a file or a pipe: the export's own bytes, as a file gets
            sys.stdout.flush()  # (no code page, and CSV's CR LF not made CR CR LF by Windows' text mode)
            for chunk in chunks:
                raw.write(chunk)
            raw.flush()
            return
        import codecs

        decoder = codecs.getincrementaldecoder("utf-8")()
        for chunk in chunks:
            sys.stdout.write(decoder.decode(chunk))
        sys.stdout.write(decoder.decode(b"", final=True))
        return
    from campaignsafe.paths import write_output as write_file

    _say(f"Wrote {write_file(output, chunks)}")


def _write_eml(read: Any, bundled: Any, target: str) -> None:
    from campaignsafe.exports import package
    from campaignsafe.paths import write_output as write_file

    draft = package.email(read, read.text("html"), bundled)
    path = write_file(target, draft.data)
    addressed = f"addressed to {draft.to}" if draft.to else "not addressed"
    if draft.cc:
        addressed += f", copied to your Force Elected-Official Adviser {draft.cc}"
    _say(f"Wrote {path}: an email draft {addressed}, the report attached. Open it in your mail client; it is not sent.")
    if draft.note:
        _say(f"Note: {draft.note}")


def verify(
    path: Annotated[
        Path,
        typer.Argument(
            help="A bundle zip, the folder it was unpacked into, or a backup (encrypted too).",
            metavar="BUNDLE",
            show_default=False,
        ),
    ],
    passphrase_file: PassFile = None,
    json_out: JsonOpt = False,
) -> None:
    """Re-check every file of an evidence bundle against its MANIFEST.sha256, and the manifest's signature.

    Lists each file altered, missing or added, and each unsafe entry: an absolute or '..' path, a name
    that unpacks as another (./, //, backslash, case or Unicode twins), a link, device or FIFO (never
    extracted or opened). Names the signing key by its fingerprint, as ssh-keygen -l prints it, and the
    audit chain head the bundle states. Exit code 0 only when every file matches and the signature
    (if any) is good; 6 when not.

    Example: campaignsafe verify police.zip
    """
    from campaignsafe.cli._render import interactive
    from campaignsafe.errors import CampaignsafeError, VerifyError
    from campaignsafe.exports.verify import shown
    from campaignsafe.exports.verify import verify as check

    try:
        report = check(path, passphrase_file, interactive(False))  # (an encrypted backup asks its passphrase)
    except CampaignsafeError as exc:
        if json_out:
            from campaignsafe.cli._render import print_json

            print_json({"schema_version": 1, "path": str(path), "error": exc.as_dict()})
        raise
    problems = [
        (label, names)
        for label, names in (
            ("altered", report.altered),
            ("missing", report.missing),
            ("added", report.added),
            ("unsafe", report.unsafe),
        )
        if names
    ]
    summary = [f"{len(names)} {label}" for label, names in problems]
    sig = report.signature
    if sig.status == "invalid":
        summary.append("the signature does not check out")
    failure = None
    if not report.passed:
        what = ", ".join(summary) or "the manifest lists no files"
        failure = VerifyError(f"{shown(str(path))}: verification failed ({what})", code="verify_failed")
    from campaignsafe.cli._pipes import verdict

    verdict(failure)
    if json_out:
        from campaignsafe.cli._render import print_json

        out: dict[str, Any] = {"schema_version": 1, "path": str(path), **report.as_dict()}
        if failure is not None:
            out["error"] = failure.as_dict()
        print_json(out)
    else:
        _print_verify(report, problems)
    if failure is not None:
        raise failure


def _print_verify(report: Any, problems: list[tuple[str, list[str]]]) -> None:
    from campaignsafe.cli._panel import counted, say
    from campaignsafe.exports.verify import shown

    if problems:  # the failure first: nothing below reads as "all is well"
        what = ", ".join(f"{len(names)} {label}" for label, names in problems)
        say(f"FAILED: the bundle does not match its MANIFEST.sha256 ({what}):")
    for label, names in problems:
        for name in names:
            why = report.unsafe_reasons.get(name) if label == "unsafe" else None
            say(f"{label.upper():<8} {shown(name)}" + (f" ({why})" if why else ""), 9)
    if not report.altered and not report.missing and not report.added and not report.unsafe and report.ok:
        n = len(report.ok)
        say(f"OK: {'the' if n == 1 else 'all'} {counted(n, 'file')} listed in MANIFEST.sha256 "
            f"{'matches' if n == 1 else 'match'} {'its' if n == 1 else 'their'} SHA-256.")  # fmt: skip
    say(f"MANIFEST.sha256 itself has SHA-256 {report.manifest_sha256}")
    sig = report.signature
    if sig.status == "valid" and problems:
        say(
            f"Signature: the manifest is signed with the key {sig.key_fingerprint}, but the files above do not "
            "match it, so the signature does not vouch for them"
        )
    elif sig.status == "valid":
        say(f"Signature: good, made with the key {sig.key_fingerprint}")
    elif sig.status == "invalid":
        say(f"SIGNATURE BAD: {sig.reason}")
    if report.audit_head:
        say(f"Audit chain head when it was made (for campaignsafe check --anchor): {report.audit_head}")
    for note in report.notes:
        say(f"Note: {note}")
