"""The tool's error family; each class carries the exit code the CLI maps it to.

Exit codes (also listed in every command's ``--help``):

==== =========================================================
code meaning
==== =========================================================
0    success
1    internal error (a bug: run campaignsafe --debug COMMAND … for details)
2    usage error (unknown option, missing argument)
3    input not understood (malformed postcode, bad date, bad file)
4    well-formed but not found (unknown postcode, no such incident)
5    local store problem (locked, corrupt, from a newer version)
6    verification failed (a bundle's files do not match)
7    the output could not be written (a full disk); what the command did is kept
130  interrupted (a guided report's answers so far are kept as a draft)
==== =========================================================
"""

from __future__ import annotations

from typing import Any

EXIT_CODES: dict[int, str] = {
    0: "success",
    1: "internal error (for details: campaignsafe --debug COMMAND …)",
    2: "usage error",
    3: "input not understood",
    4: "not found",
    5: "local store problem (locked, corrupt or newer version)",
    6: "verification failed",
    7: "the output could not be written (a full disk); what the command did is kept",
    130: "interrupted (a guided report's answers are kept as a draft)",
}


class CampaignsafeError(Exception):
    """Base error: a one-line message for the user and an optional hint."""

    exit_code = 1
    code = "error"
    details: dict[str, Any] | None = None  # extra keys for the JSON ``error`` object (e.g. choices)

    def __init__(self, message: str, hint: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, Any]:
        """The stable ``error`` object used in JSON output."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        if self.details:
            out.update(self.details)
        return out


class InputError(CampaignsafeError):
    """The input could not be understood."""

    exit_code = 3
    code = "invalid_input"


class NotFoundError(CampaignsafeError):
    """The input was well-formed but names nothing we know."""

    exit_code = 4
    code = "not_found"


class StoreError(CampaignsafeError):
    """The local data store is locked, corrupt or from a newer version."""

    exit_code = 5
    code = "store_error"


class VerifyError(CampaignsafeError):
    """A bundle or folder failed verification."""

    exit_code = 6
    code = "verify_failed"


#: each exit code in a word or two, for the top-level ``--help``, which must leave room on a 24-line screen
EXIT_WORDS: dict[int, str] = {
    0: "success",
    1: "internal error",
    2: "usage",
    3: "bad input",
    4: "not found",
    5: "store problem",
    6: "check failed",
    7: "output not written",
    130: "interrupted",
}


def exit_code_help(*, short: bool = False) -> str:
    """The exit-code table as one paragraph for ``--help`` epilogs (``short``: in two lines at 80 columns, for the
    top-level help; the README and the main commands' help have the whole table)."""
    if short:
        return "Exit codes: " + ", ".join(f"{k} {v}" for k, v in EXIT_WORDS.items()) + "."
    return "Exit codes: " + "; ".join(f"{k} {v}" for k, v in EXIT_CODES.items()) + "."
