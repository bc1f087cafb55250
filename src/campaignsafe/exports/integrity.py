"""Before anything is exported: ``campaignsafe check`` on the record, and what the export says about it.

A record that does not check out is not exported (exit 6, nothing written) unless the user
insists (``export --anyway``); then the findings go on the report's cover and into the JSON, so
the police see them. The check is the quick one: a bundle re-hashes every evidence copy as it is
written and stops on any that no longer matches.
"""

from __future__ import annotations

from pydantic import ValidationError

from campaignsafe.errors import VerifyError
from campaignsafe.exports import model as m


def assess(anyway: bool = False) -> m.Integrity:
    """Check the store; VerifyError (exit 6) when it fails, unless ``anyway``."""
    from campaignsafe.exports.bundle import few
    from campaignsafe.incidents.store import Store

    with Store.open() as store:
        report = store.check(quick=True, what="export")
    if not report.passed and not anyway:
        n = len(report.findings)
        raise VerifyError(
            f"the record does not check out ({n} problem{'s' if n != 1 else ''}: "
            f"{few(sorted({f.subject for f in report.findings}), 3)}); nothing was written",
            "see each one: campaignsafe check. To export anyway, with the findings on the report's cover: add --anyway",
            code="check_failed",
        )
    head = None
    if report.head is not None:
        try:
            head = m.AuditHead(seq=report.head.seq, sha256=report.head.sha256)
        except ValidationError:  # a head changed in the store to something that is not a hash: not stated
            head = None  # (check names the entry among its findings)
    return m.Integrity(
        passed=report.passed,
        exported_despite_findings=not report.passed,
        findings=[m.CheckFinding(**f.as_dict()) for f in report.findings],
        audit_head=head,
    )


def head_text(integrity: m.Integrity | None) -> str | None:
    """``SEQ:SHA256`` for the export's audit chain head (what ``check --anchor`` takes)."""
    if integrity is None or integrity.audit_head is None:
        return None
    return f"{integrity.audit_head.seq}:{integrity.audit_head.sha256}"


def cover_facts(integrity: m.Integrity | None) -> list[tuple[str, str]]:
    """The cover's rows about the record's integrity."""
    if integrity is None:
        return []
    rows = []
    anchor = head_text(integrity)
    if anchor:
        rows.append(("Audit chain head", f"{anchor} (check it later: campaignsafe check --anchor {anchor})"))
    if integrity.passed:
        rows.append(("Record check", "passed: every record, amendment, exhibit and audit entry checks out"))
    else:
        n = len(integrity.findings)
        rows.append(("Record check", f"FAILED: {n} problem{'' if n == 1 else 's'}, listed on this cover"))
    if integrity.signing_key:
        rows.append(("Bundle signing key", integrity.signing_key))
    return rows


def cover_warnings(integrity: m.Integrity | None) -> list[str]:
    """Lines the cover must show first when the record did not check out."""
    if integrity is None or integrity.passed:
        return []
    return [
        "WARNING: campaignsafe check found that this record does not fully check out. It was exported anyway, "
        "at the user's request. Each problem:",
        *(f"{f.subject}: {f.message}" for f in integrity.findings),
    ]
