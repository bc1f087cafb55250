"""``campaignsafe backup``, ``restore`` and ``import``: the whole record to one file, back, and merged."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from campaignsafe.cli._options import JsonOpt, PassFile


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")


def backup(
    out: Annotated[
        Path, typer.Argument(help="The backup file to write (somewhere other than this laptop).", metavar="OUT")
    ],
    encrypt: Annotated[
        bool, typer.Option("--encrypt", help="Encrypt it with a passphrase (age format: `age -d` opens it too).")
    ] = False,
    passphrase_file: PassFile = None,
    json_out: JsonOpt = False,
) -> None:
    """Write everything in your data folder to one file: the record, evidence, checklists, contacts, keys.

    Keep the backup away from this laptop (a USB drive kept elsewhere, or another computer): a lost,
    stolen or broken laptop must not take the record with it. An unencrypted backup holds everything
    your store holds, in readable form: use --encrypt unless it will be kept as safely as the laptop.

    Example: campaignsafe backup campaign.age --encrypt --passphrase-file pass.txt
    """
    from campaignsafe.backup import archive, crypto
    from campaignsafe.errors import InputError
    from campaignsafe.incidents.when import now

    if passphrase_file is not None and not encrypt:
        raise InputError("--passphrase-file goes with --encrypt", code="usage")
    archive.refuse_inside_home(out.expanduser())
    from campaignsafe.cli._render import interactive

    ask = interactive(False)
    secret = crypto.passphrase(passphrase_file, confirm=True, what="--encrypt", ask=ask) if encrypt else None
    done = archive.write(out.expanduser(), secret, now().replace(microsecond=0))
    if json_out:
        from campaignsafe.cli._render import print_json

        print_json(
            {
                "schema_version": 1,
                "path": str(done.path),
                "incidents": done.incidents,
                "evidence_files": done.evidence_files,
                "files": done.files,
                "manifest_files": done.listed,
                "encrypted": done.encrypted,
                "manifest_sha256": done.manifest_sha256,
            }
        )
        return
    _print_written(done, passphrase_file)


def _print_written(done: Any, passphrase_file: str | None = None) -> None:
    from campaignsafe.cli._panel import counted, say

    lock = "encrypted with your passphrase" if done.encrypted else "NOT encrypted: it holds your whole record, readable"
    say(
        f"Wrote {done.path}: {counted(done.incidents, 'incident')} and {_folder_files(done)}; "
        f"{counted(done.listed, 'file')} listed with their SHA-256 in MANIFEST.sha256 (what verify checks); {lock}."
    )
    say(f"MANIFEST.sha256 has SHA-256 {done.manifest_sha256}")
    say("Keep the backup somewhere other than this laptop.")
    how = ""
    if done.encrypted:
        how = f" --passphrase-file {passphrase_file}" if passphrase_file else " (it asks the passphrase)"
    say(f"Check it: campaignsafe verify {done.path}{how}")


def _folder_files(done: Any) -> str:
    """``5 files of your data folder (3 of them evidence)``: what ``files/`` holds."""
    from campaignsafe.cli._panel import counted

    return f"{counted(done.files, 'file')} of your data folder ({done.evidence_files} of them evidence)"


def restore(
    path: Annotated[Path, typer.Argument(help="A backup made by campaignsafe backup.", metavar="IN")],
    passphrase_file: PassFile = None,
    json_out: JsonOpt = False,
) -> None:
    """Put a backup back into an empty data folder: the same incidents, ids, audit log, evidence and checklists.

    The backup is verified first. A data folder that already holds a record is refused: use
    campaignsafe import to add a backup's incidents to an existing record.

    Example: campaignsafe restore campaign.age --passphrase-file pass.txt
    """
    from campaignsafe.backup.restore import restore as put_back
    from campaignsafe.cli._render import interactive

    done = put_back(path, passphrase_file, interactive(False))
    if json_out:
        from campaignsafe.cli._render import print_json

        print_json(
            {
                "schema_version": 1,
                "home": str(done.home),
                "incidents": done.incidents,
                "evidence_files": done.evidence_files,
                "files": done.files,
                "encrypted": done.encrypted,
                "manifest_sha256": done.manifest_sha256,
                "signer": done.signer,
            }
        )
        return
    from campaignsafe.cli._panel import counted, say

    say(f"Restored {counted(done.incidents, 'incident')} and {_folder_files(done)} into {done.home}.")
    signed = f"signed by key {done.signer}" if done.signer else "not signed"
    say(f"The backup verified ({signed}): MANIFEST.sha256 has SHA-256 {done.manifest_sha256}")


def import_(
    path: Annotated[
        Path, typer.Argument(help="An evidence bundle (zip) or a backup from another person.", metavar="BUNDLE")
    ],
    passphrase_file: PassFile = None,
    json_out: JsonOpt = False,
) -> None:
    """Bring another person's record into yours: each incident kept as they recorded it, with their exhibits.

    The bundle or backup is verified first. Their records, exhibit references (JS/1) and hashes are
    kept unchanged and shown as recorded by them; the import is one entry in your audit log (one for each
    1,000 incidents of a large file).
    Importing the same bundle again adds nothing; evidence you already hold is not copied twice.

    Example: campaignsafe import police.zip
    """
    from campaignsafe.backup.importing import import_record
    from campaignsafe.cli._render import interactive

    done = import_record(path, passphrase_file, interactive(False))
    if json_out:
        from campaignsafe.cli._render import print_json

        print_json({"schema_version": 1, **done.as_dict()})
        return
    _print_import(done)


#: imported incidents listed one a line; a large file's others are counted (``--json`` lists every one)
SHOWN = 20


def _print_import(done: Any) -> None:
    from campaignsafe.cli._panel import counted, say
    from campaignsafe.usertext import visible

    who = visible(done.recorded_by_label)  # from the file: never raw to the terminal
    signer = f"signed by key {done.signer}" if done.signer else "not signed"
    say(f"Verified {done.path} ({done.kind}, recorded by {who}, {signer}).")
    say(f"MANIFEST.sha256 has SHA-256 {done.manifest_sha256}")
    if done.ignored:
        from campaignsafe.exports.verify import shown

        left = ", ".join(shown(n) for n in done.ignored)
        say(f"Left out, not part of it (files a file browser writes, not imported): {left}.")
    for m in done.mapping[:SHOWN]:
        say(f"  their incident {m['source_id']} -> your incident {m['id']}  ({counted(m['exhibits'], 'exhibit')})", 4)
    if len(done.mapping) > SHOWN:
        say(f"  … and {len(done.mapping) - SHOWN:,} more (import --json lists every one)", 4)
    for m in done.updated:
        added = f"{counted(m['amendments'], 'later amendment')} added"
        say(f"  their incident {m['source_id']} -> your incident {m['id']}  ({added})", 4)
    for m in done.not_updated:
        say(
            f"  their incident {m['source_id']} -> your incident {m['id']}: it has later amendments, not added"
            " because it was amended here since it was imported",
            4,
        )
    for m in done.other_signer:
        say(
            f"  their incident {m['source_id']} -> your incident {m['id']}: it has later amendments, not added"
            " because this file is not signed by the key that signed the one it was imported from",
            4,
        )
    held = f"; {done.already_held:,} already in your record" if done.already_held else ""
    if done.updated:
        held += f" ({counted(len(done.updated), 'incident')} given later amendments)"
    kept = len(done.not_updated) + len(done.other_signer)
    if kept:
        held += f"; {counted(kept, 'incident')} with later amendments not added (see above)"
    copied = f", {counted(done.files_copied, 'evidence file')} copied, {done.files_already_held:,} already held"
    if not done.files_copied and not done.files_already_held:  # no new incident brought any (not "0 already held")
        copied = ", no evidence files to copy"
    say(f"Imported {counted(len(done.mapping), 'incident')}{held}{copied}.")
