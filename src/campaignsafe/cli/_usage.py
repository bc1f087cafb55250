"""Usage in one style and usage errors in the user's words.

Help writes every argument and option value the same way (``ID``, ``FORCE``, ``BUNDLE``,
``--since TEXT``), not typer's mixture (``{incident_id}``, ``{BUNDLE}``, ``<str>``). A usage error
says what was wrong with what the user typed ("ID must be a whole number, like 3, not 'abc'"),
names the command, and points at its ``--help``: never click's "is not a valid int range".
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from typer.core import TyperArgument

_TYPE_METAVARS = {"integer": "N", "int": "N", "float": "NUMBER", "boolean": "", "path": "PATH", "file": "FILE"}


class PlainArgument(TyperArgument):
    """An argument written as its upper-case name: ``ID``, ``[TOPIC]``, ``FILES...``."""

    def make_metavar(self, ctx: Any, *, usage: bool = False) -> str:
        var = (self.metavar or (self.name or "").upper()).strip("[]{}")
        if self.nargs != 1 and not var.endswith("..."):
            var += "..."
        return f"[{var}]" if usage and not self.required else var


def tidy(cmd: Any) -> Any:
    """Give every argument and option of ``cmd`` (and its sub-commands) the one metavar style."""
    for param in getattr(cmd, "params", []):
        if param.param_type_name == "argument":
            if isinstance(param, TyperArgument):
                param.__class__ = PlainArgument
            if param.metavar is None:
                param.metavar = (param.name or "").upper().replace("INCIDENT_ID", "ID")
        elif param.param_type_name == "option" and not getattr(param, "is_flag", False) and param.metavar is None:
            kind = getattr(param.type, "name", "text")
            param.metavar = _TYPE_METAVARS.get(kind, "TEXT") or None
            if getattr(param.type, "choices", None):
                param.metavar = "|".join(str(c) for c in param.type.choices)
    for sub in getattr(cmd, "commands", {}).values():
        tidy(sub)
    return cmd


def is_usage_error(exc: BaseException) -> bool:
    """Whether ``exc`` is click's usage error (bad option, bad value, missing argument, no such command)."""
    return type(exc).__module__.startswith(("typer", "click")) and hasattr(exc, "ctx") and hasattr(exc, "cmd")


def _name(param: Any) -> str:
    if param is None:
        return "a value"
    if param.param_type_name == "argument":
        return str(param.metavar or param.name or "").upper().strip("[]{}.")
    opts = sorted(param.opts, key=len)
    return opts[-1] if opts else str(param.name)


def words(exc: Any) -> tuple[str, str]:
    """``(message, hint)`` for a usage error, in the user's terms."""
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "campaignsafe"
    hint = f"see: {where} --help"
    param = getattr(exc, "param", None)
    raw = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    name = _name(param)
    if m := re.search(r"'([^']*)' is not a valid (?:int|integer|int range)", raw):
        return f"{name} must be a whole number, like 3, not {m.group(1)!r}", hint
    if m := re.search(r"'([^']*)' is not a valid float", raw):
        return f"{name} must be a number, not {m.group(1)!r}", hint
    if m := re.search(r"(-?\d+) is not in the range (-?\d+)<=x(?:<=(\d+))?", raw):
        value, low, high = int(m.group(1)), m.group(2), m.group(3)
        if value < int(low) or not high:
            return f"{name} must be {low} or more, not {value}", hint
        return f"{name} {value} is too large to be one (the largest is {high})", hint
    if raw.startswith("Missing argument"):
        extra = " (see: campaignsafe incidents list)" if name == "ID" else ""
        return f"{where}: give {name}{extra}", hint
    if raw.startswith("Missing option"):
        return f"{where}: give {name}", hint
    if m := re.match(r"No such option: (\S+)(?: \(Possible options: (.*)\)| Did you mean (\S+)\?)?", raw):
        found = m.group(2) or m.group(3)
        text = f"{where} has no option {m.group(1)}"
        return (text + f"; did you mean {found.rstrip('?')}?", hint) if found else (text, hint)
    if m := re.match(r"No such command '(.*?)'\.", raw):
        return no_such_command(m.group(1), ctx)
    if m := re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", raw):
        # not quoted back: a description typed without quotes would be incident text
        n = len(m.group(1).split())
        return f"{where} got {n} more word{'' if n == 1 else 's'} than it takes; put text with spaces in quotes", hint
    if m := re.match(r"Invalid value for '?([^':]+)'?: (.*)", raw, re.DOTALL):
        return f"{name}: {m.group(2).rstrip('.')}", hint
    if m := re.match(r"Option '(\S+)' requires an argument", raw):
        return f"{m.group(1)} needs a value after it", hint
    return raw.rstrip("."), hint


def no_such_command(typed: str, ctx: Any) -> tuple[str, str]:
    """An unknown command, with the closest real one when there is a plausible one."""
    group = ctx.command if ctx is not None else None
    names = list(group.list_commands(ctx)) if group is not None and hasattr(group, "list_commands") else []
    where = ctx.command_path if ctx is not None else "campaignsafe"
    close = difflib.get_close_matches(typed.lower(), names, n=1, cutoff=0.6)
    if close:
        return f"{where} has no command {typed!r}; did you mean {close[0]}?", f"see: {where} --help"
    return f"{where} has no command {typed!r}", f"commands: {', '.join(names)}" if names else f"see: {where} --help"
