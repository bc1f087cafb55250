"""Guided entry for ``campaignsafe report``: one question at a time, every answer kept at once.

Enter accepts the default shown in brackets; ``skip`` leaves a question for the end. Ctrl-C,
a closed terminal (SIGHUP) or SIGTERM stops with exit 130 and the draft kept for ``--resume``.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from campaignsafe.cli._panel import BOLD, RED, style
from campaignsafe.errors import CampaignsafeError

if TYPE_CHECKING:
    from campaignsafe.incidents.draft import Draft
    from campaignsafe.incidents.models import Incident
    from campaignsafe.incidents.questions import Question

SKIP_WORDS = ("skip", "?")
KEPT = "Your answers so far are kept.\nCarry on with: campaignsafe report --resume"


#: the conversation goes to stderr when stdout is for ``--json``.
TO_STDERR = {"on": False}


def say(text: str = "") -> None:
    """A line of the conversation."""
    typer.echo(text, err=TO_STDERR["on"])


def ask(default: str, show_default: bool) -> str:
    """Read one answer (prompt on the conversation's stream)."""
    value: str = typer.prompt(" ", default=default, show_default=show_default, prompt_suffix=" ", err=TO_STDERR["on"])
    return value


@contextmanager
def _hangup_is_interrupt() -> Iterator[None]:
    """Treat a closed terminal (SIGHUP) or SIGTERM like Ctrl-C, so the draft is kept and we exit 130."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    sigs = [s for s in (getattr(signal, "SIGHUP", None), signal.SIGTERM) if s is not None]
    old = {s: signal.signal(s, handler) for s in sigs}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def run(resume: bool, json_out: bool = False) -> Incident:
    """Ask the questions (continuing the draft when ``resume``), then save the incident."""
    from campaignsafe.errors import NotFoundError
    from campaignsafe.incidents import draft as drafts

    TO_STDERR["on"] = json_out
    say(style("If anyone is in immediate danger, call 999 now.", BOLD, RED))
    existing = drafts.load()
    if resume and existing is None:
        raise NotFoundError("there is no unfinished report to resume", "start one: campaignsafe report")
    d = drafts.Draft()
    try:
        with _hangup_is_interrupt():
            if existing is not None and not resume:
                started = existing.started_at[:16].replace("T", " ")
                question = f"You have an unfinished report (started {started}). Continue it?"
                resume = typer.confirm(question, default=True, err=TO_STDERR["on"])
                if not resume:
                    say("Starting a new report; the unfinished one is replaced once you answer the first question.")
            if resume and existing is not None:
                d = existing
                say(f"Carrying on: {len(d.answers)} answer(s) kept.")
            say("Enter accepts what is in [brackets]; 'skip' leaves a question for later.")
            _ask_all(d)
            return _finish(d)
    except (typer.Abort, KeyboardInterrupt, EOFError):
        if d.answers or d.partial or d.skipped:
            drafts.save(d)
            sys.stderr.write(f"\nStopped. {KEPT}\n")
        else:
            sys.stderr.write("\nStopped before any answer; nothing was saved.\n")
        raise typer.Exit(130) from None


def _ask_all(d: Draft) -> None:
    from campaignsafe.incidents.questions import QUESTIONS

    for q in QUESTIONS:
        if q.id not in d.answers and q.id not in d.skipped and q.applies(d.answers):
            _ask(q, d, final=False)
    if any(q.id in d.skipped and q.applies(d.answers) for q in QUESTIONS):
        say()
        say(style("Back to the questions you skipped.", BOLD))
    while left := [q for q in QUESTIONS if q.id not in d.answers and q.applies(d.answers)]:
        _ask(left[0], d, final=True)


def _heading(q: Question) -> None:
    say()
    say(style(q.text, BOLD) + (f"  ({q.hint})" if q.hint else ""))
    if q.id == "kind":
        from campaignsafe.incidents.kinds import KINDS

        labels = [f"{i:>3}  {label}" for i, (label, _h) in enumerate(KINDS.values(), start=1)]
        half = (len(labels) + 1) // 2
        for left, right in zip(labels[:half], labels[half:] + [""] * (len(labels) % 2), strict=True):
            say(f"{left:<38}{right}")


def _ask(q: Question, d: Draft, final: bool) -> None:
    _heading(q)
    if q.shape == "line":
        _ask_line(q, d, final)
    else:
        _ask_lines(q, d, final)


def _skip_or_empty(q: Question, d: Draft, final: bool, skipped: bool) -> bool:
    """Handle an empty answer or 'skip'; True when the question is settled for now."""
    if not final:
        if skipped or q.required:
            d.skip(q.id)
            say("  (skipped: we will come back to it)")
            return True
    elif q.required:
        say("  This one is needed to save the record (Ctrl-C stops; your answers are kept).")
        return False
    d.answer(q.id, "" if q.shape == "line" else [])
    return True


def _refused(q: Question, value: str) -> bool:
    """Say so and return True when the answer holds control characters (file paths excepted)."""
    from campaignsafe.incidents.models import control_problem

    problem = None if q.id == "files" else control_problem(value)
    if problem:
        say(f"  That answer {problem}.")
    return problem is not None


def _ask_line(q: Question, d: Draft, final: bool) -> None:
    default = q.default(d.answers) if q.default else None
    while True:
        value = ask(default or "", bool(default)).strip()
        if value.lower() in SKIP_WORDS or not value:
            if _skip_or_empty(q, d, final, bool(value)):
                return
            continue
        if _refused(q, value):
            continue
        try:
            normal, echo = q.check(value, d.answers) if q.check else (value, None)
        except CampaignsafeError as exc:
            say(f"  {exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
            continue
        d.answer(q.id, normal)
        if echo:
            say(f"  → {echo}")
        return


def _ask_lines(q: Question, d: Draft, final: bool) -> None:
    lines = d.partial.get(q.id, [])
    if lines:
        say("  You had already written:")
        for line in lines:
            say(f"    {line}")
    while True:
        value = ask("", False).rstrip()
        if not lines and value.strip().lower() in SKIP_WORDS:
            if _skip_or_empty(q, d, final, True):
                return
            continue
        if not value.strip():
            if lines:
                break
            if _skip_or_empty(q, d, final, False):
                return
            continue
        if _refused(q, value):
            continue
        if q.shape == "lines" and q.check:
            try:
                normal, echo = q.check(value, d.answers)
            except CampaignsafeError as exc:
                say(f"  {exc.message}")
                continue
            if echo:
                say(f"  → {echo}")
            value = normal
        d.add_line(q.id, value)
        lines = d.partial[q.id]
    d.answer(q.id, "\n".join(lines).strip() if q.shape == "text" else list(lines))


def _finish(d: Draft) -> Incident:
    from campaignsafe import profile
    from campaignsafe.incidents import draft as drafts
    from campaignsafe.incidents import entry
    from campaignsafe.incidents.questions import to_raw

    if d.answers.get("initials"):
        profile.update({"initials": d.answers["initials"]})
    try:
        [incident] = entry.save(entry.check([to_raw(d.answers)]))
    except CampaignsafeError as exc:
        exc.hint = (exc.hint + "; " if exc.hint else "") + "your answers are kept: campaignsafe report --resume"
        raise
    drafts.discard()
    return incident
