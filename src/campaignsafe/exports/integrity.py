"""Before anything is exported: ``campaignsafe check`` on the record, and what the export says about it.

A record that does not check out is not exported (exit 6, nothing written) unless the user
insists (``export --anyway``); then the findings go on the report's cover and into the JSON, so
the police see them. The check is the quick one: a bundle re-hashes every evidence copy as it is
written and stops on any that no longer matches.

The check runs in a child process beside the export (:class:`Beside`): it reads the store in its
own snapshot while the export reads and renders into its scratch folder, and the export waits for
its answer before anything leaves that folder. Where no child can be started, or it gives no
answer, the check runs in the export's own process, as before.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from campaignsafe import errors
from campaignsafe.errors import CampaignsafeError, VerifyError
from campaignsafe.exports import model as m

if TYPE_CHECKING:
    from campaignsafe.incidents.store import Store

#: what the child runs: ``python -m campaignsafe.exports.integrity``; ``-P``: the current folder is not put first
#: on its import path (a decimal.py or json.py where the user runs the export would be run)
_CHILD = [sys.executable, "-P", "-m", "campaignsafe.exports.integrity"]


def _findings() -> dict[str, Any]:
    """The quick check's report as a dict (``Report.as_dict``)."""
    from campaignsafe.incidents.store import Store

    with Store.open() as store:
        return store.check(quick=True, what="export").as_dict()


def judged(report: dict[str, Any], anyway: bool) -> m.Integrity:
    """What the export states of a check's report; VerifyError (exit 6) when it failed, unless ``anyway``."""
    from campaignsafe.exports.bundle import few

    findings = [m.CheckFinding(**f) for f in report["findings"]]
    if findings and not anyway:
        n = len(findings)
        raise VerifyError(
            f"the record does not check out ({n} problem{'s' if n != 1 else ''}: "
            f"{few(sorted({f.subject for f in findings}), 3)}); nothing was written",
            "see each one: campaignsafe check. To export anyway, with the findings on the report's cover: add --anyway",
            code="check_failed",
        )
    head = None
    if report["audit_head"] is not None:
        try:
            head = m.AuditHead(**report["audit_head"])
        except ValidationError:  # a head changed in the store to something that is not a hash: not stated
            head = None  # (check names the entry among its findings)
    return m.Integrity(
        passed=not findings,
        exported_despite_findings=bool(findings),
        findings=findings,
        audit_head=head,
    )


class Beside:
    """The quick check, run in a child process while the export reads; :meth:`result` waits for it.

    Leaving the block (the export finished, failed or was interrupted) ends a child still running.
    """

    def __init__(self, anyway: bool) -> None:
        from campaignsafe.incidents.store import Store

        self.anyway = anyway
        self._answer: m.Integrity | CampaignsafeError | None = None
        Store.open().close()  # made or brought up to date here first, so the child only reads
        try:
            self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
                _CHILD, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
        except OSError:  # no interpreter to start (a frozen build, a full process table): check here
            self._proc = None

    def __enter__(self) -> Beside:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()

    def result(self) -> m.Integrity:
        """The check's answer for the export (VerifyError when it failed, unless ``anyway``; its StoreError as is),
        the same every time it is asked."""
        if self._answer is None:
            self._answer = self._judged(self._report)
        if isinstance(self._answer, CampaignsafeError):
            raise self._answer
        return self._answer

    def _judged(self, report: Callable[[], dict[str, Any]]) -> m.Integrity | CampaignsafeError:
        """What :func:`judged` makes of ``report()``, or the error either of them raised (kept, to raise again)."""
        try:
            return judged(report(), self.anyway)
        except CampaignsafeError as exc:
            return exc

    def of_snapshot(self, store: Store) -> m.Integrity:
        """The answer for exactly what the export read in ``store``'s open snapshot: the child's, when it saw the
        same audit chain head (every change to the record adds an entry), else the check run again in it."""
        from campaignsafe.incidents import check

        answer = self.result()
        now, stated = check.head(store.conn), answer.audit_head
        if (stated and (stated.seq, stated.sha256)) == (now and (now.seq, now.sha256)):
            return answer
        # a report, change or deletion between the child's snapshot and the export's: checked again in the export's
        self._answer = self._judged(lambda: store.check_in_snapshot().as_dict())
        return self.result()

    def _report(self) -> dict[str, Any]:
        out = b""
        if self._proc is not None:
            out, _ = self._proc.communicate()
            self._proc = None
        try:
            answer = json.loads(out)
            if "error" in answer:
                raise _error(answer["error"])
            return dict(answer["report"])
        except (ValueError, KeyError, TypeError):  # killed, crashed or cut short: check here instead
            return _findings()


def _error(fields: dict[str, Any]) -> CampaignsafeError:
    """The child's error, raised here as the same class with the same code, message and hint."""
    kind = getattr(errors, str(fields.pop("class")), None)
    if not (isinstance(kind, type) and issubclass(kind, CampaignsafeError)):
        raise KeyError("class")
    error = kind(str(fields.pop("message")), fields.pop("hint", None), code=str(fields.pop("code")))
    error.details = fields or None
    return error


def _child() -> None:
    """The child's side: one JSON object on stdout, the report or the error (never a traceback)."""
    try:
        answer: dict[str, Any] = {"report": _findings()}
    except CampaignsafeError as exc:
        answer = {"error": {"class": type(exc).__name__, **exc.as_dict()}}
    sys.stdout.write(json.dumps(answer))
    sys.stdout.flush()


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
        rows.append(("Audit chain head", anchor))
        rows.append(("Check it later", f"campaignsafe check --anchor {anchor}"))
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


if __name__ == "__main__":
    _child()
