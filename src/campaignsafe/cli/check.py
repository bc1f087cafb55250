"""``campaignsafe check``: prove the record still holds, or name each incident, exhibit or entry that does not."""

from typing import Annotated, Any

import typer

from campaignsafe.cli._options import JsonOpt


def check(
    quick: Annotated[
        bool, typer.Option("--quick", help="Skip re-hashing the stored evidence copies (the slow part).")
    ] = False,
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            help="Prove the audit chain still holds this entry unchanged: SEQ:SHA256, as an export stated it.",
            metavar="SEQ:HASH",
            show_default=False,
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Re-check the whole record: every record's SHA-256, the audit chain, every exhibit and stored copy.

    Cross-checks every incident, amendment, exhibit and tombstone against the audit log, and the
    listed values against each record and its amendments. Exit 0 when everything holds; 6, naming
    each incident, exhibit or audit entry, when anything does not. Nothing is changed: the store is
    opened read-only, and one from an older campaignsafe is checked as it is, not upgraded.

    --anchor: give the audit chain head from a report's cover or an email draft (SEQ:HASH) to prove
    nothing recorded up to that export has been rewritten since.

    Example: campaignsafe check --anchor 12:3f5a…
    """
    from campaignsafe import paths
    from campaignsafe.errors import VerifyError
    from campaignsafe.incidents import check as core
    from campaignsafe.incidents.store import Store

    wanted = core.parse_anchor(anchor) if anchor is not None else None  # --anchor "": refused, never skipped
    if not Store.exists():  # nothing recorded yet (never a server store): nothing to create
        paths.sweep_leftovers()  # but a killed restore's or import's unencrypted copy goes, as elsewhere
        report = core.Report(files_checked=None if quick else 0)
        if wanted is not None:
            report.anchor = {**wanted.as_dict(), "holds": False}
            report.add(f"audit entry {wanted.seq}", "anchor_mismatch", "the anchor you gave is missing (no record)")
    else:
        with Store.open_readonly() as store:  # read only: never migrated or changed by a check
            report = store.check(quick=quick, anchor=wanted, every_campaign=True)
    failure = None
    if not report.passed:
        n = len(report.findings)
        codes = {f.code for f in report.findings}
        message = f"the record does not check out: {n} problem{'s' if n != 1 else ''} found"
        hint = "keep the data folder as it is (copy it somewhere safe) and tell the police officer in the case"
        if codes == {"anchor_misnumbered"}:  # a copying slip, not tampering
            message = "the anchor does not hold as given: its number and its hash are of different audit entries"
            hint = "copy the anchor again, SEQ:HASH exactly as the report's cover or the email draft gives it"
        elif codes == {"anchor_mismatch"}:  # all else holds: the anchor may be another record's, or mistyped
            hint = (
                "first check the anchor is this record's, copied exactly (SEQ:HASH, from its report's cover or"
                f" email draft); if it is, {hint}"
            )
        failure = VerifyError(message, hint, code="check_failed")
    from campaignsafe.cli._pipes import verdict

    verdict(failure)
    if json_out:
        from campaignsafe.cli._render import print_json

        out: dict[str, Any] = {"schema_version": 1, **report.as_dict()}
        if failure is not None:
            out["error"] = failure.as_dict()
        print_json(out)
    else:
        _print(report)
    if failure is not None:
        raise failure


def _print(report: Any) -> None:
    from campaignsafe.cli._panel import counted, say

    for f in report.findings:
        say(f"FAILED  {f.line()}", 8)
    files = (
        "stored copies not re-hashed (--quick)"
        if report.files_checked is None
        else counted(report.files_checked, "stored evidence file")
    )
    what = ", ".join(
        [counted(report.incidents, "incident"), counted(report.exhibits, "exhibit"),
         counted(report.audit_entries, "audit entry", "audit entries"), files]
    )  # fmt: skip
    say(f"OK: the record holds: {what}." if report.passed else f"Checked {what}.")
    if report.anchor is not None:
        state = "holds" if report.anchor["holds"] else "DOES NOT HOLD"
        say(f"Anchor {report.anchor['seq']}:{report.anchor['sha256']} {state}.")
    if report.head is not None:
        say(f"Audit chain head (for check --anchor later): {report.head.seq}:{report.head.sha256}")
    for c in report.campaigns:  # HQ: every campaign, each its own chain
        head = c["audit_head"]
        chain = f"audit chain head {head['seq']}:{head['sha256']}" if head else "no audit entries"
        state = "holds" if c["passed"] else "DOES NOT HOLD"
        say(f"Campaign {c['campaign']} {state}: {counted(c['incidents'], 'incident')}; {chain}", 4)
    if report.older_store:
        say(
            f"Note: the store is from an older campaignsafe (it lacks {', '.join(report.pending_migrations)}); "
            "it was checked as it is and not changed. It is upgraded the next time campaignsafe records something."
        )
