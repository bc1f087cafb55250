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


def say_wrapped(text: str, indent: str = "  ", then: str | None = None) -> None:
    """A longer line of the conversation, folded to the terminal's width (words are never split)."""
    import shutil
    import textwrap

    w = max(30, shutil.get_terminal_size((80, 24)).columns - 1)
    rest = indent if then is None else then
    wrapped = textwrap.wrap(text, w, initial_indent=indent, subsequent_indent=rest, break_on_hyphens=False,
                            break_long_words=False)  # fmt: skip
    say("\n".join(wrapped))


def pasting() -> bool:
    """More typed input already waiting at a terminal: the rest of a paste. A pasted Windows text (CR LF) comes
    through the terminal as a line and an empty line each, and that empty line must not end the answer."""
    try:
        if not sys.stdin.isatty():
            return False
        if sys.platform == "win32":
            import msvcrt

            return bool(msvcrt.kbhit())
        import select

        return bool(select.select([sys.stdin.fileno()], [], [], _PASTE_GAP)[0])
    except (OSError, ValueError, AttributeError):  # no terminal behind stdin (a test's, a closed one)
        return False


#: how long after an empty line more input means a paste, not a person (seconds): far below typing speed
_PASTE_GAP = 0.03


def ask(default: str, show_default: bool) -> str:
    """Read one answer (prompt on the conversation's stream)."""
    value: str = typer.prompt(" ", default=default, show_default=show_default, prompt_suffix=" ", err=TO_STDERR["on"])
    return value


def _started(iso_text: str) -> str:
    """When a draft was started, as every other moment is said (``Thu 3 Dec 2026 12:44``)."""
    from datetime import datetime

    from campaignsafe.incidents.when import When, describe

    try:
        return describe(When(datetime.fromisoformat(iso_text)))
    except (TypeError, ValueError):  # a draft changed by hand: its text as it is, up to the minute
        return str(iso_text)[:16].replace("T", " ")


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
    import shutil

    danger = "If anyone is in immediate danger, call 999 now."
    if len(danger) >= shutil.get_terminal_size((80, 24)).columns:
        danger = "In immediate danger: call 999 now."  # 999 stays on the first line
    say(style(danger, BOLD, RED))
    existing = drafts.load()
    if resume and existing is None:
        raise NotFoundError("there is no unfinished report to resume", "start one: campaignsafe report")
    d = drafts.Draft()
    try:
        with _hangup_is_interrupt():
            if existing is not None and not resume:
                started = _started(existing.started_at)
                question = f"You have an unfinished report (started {started}). Continue it?"
                from campaignsafe.cli._panel import prompt_text

                asked = prompt_text(question, err=TO_STDERR["on"])
                resume = typer.confirm(asked, default=True, err=TO_STDERR["on"])
                if not resume:
                    say_wrapped(
                        "Starting a new report; the unfinished one is replaced once you answer the first question.", ""
                    )
            if resume and existing is not None:
                d = existing
                say(f"Carrying on: {len(d.answers)} answer{'' if len(d.answers) == 1 else 's'} kept.")
            say_wrapped("Enter accepts what is in [brackets]; 'skip' leaves a question for later.", "")
            _ask_all(d)
            _review(d)
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
    import shutil

    say()
    hint = f"  ({q.hint})" if q.hint else ""
    if len(q.text) + len(hint) < shutil.get_terminal_size((80, 24)).columns:
        say(style(q.text, BOLD) + hint)
    else:  # too long for one line: the question, then its examples folded under it
        say(style(q.text, BOLD))
        if q.hint:
            say_wrapped(f"({q.hint})", "  ")
    if q.id == "kind":
        _kind_menu()


def _kind_menu() -> None:
    """The kinds as a numbered menu: two columns when the terminal has room, else one."""
    import shutil

    from campaignsafe.incidents.kinds import KINDS

    labels = [f"{i:>3}  {label}" for i, (label, _h) in enumerate(KINDS.values(), start=1)]
    if shutil.get_terminal_size((80, 24)).columns < 78:
        for line in labels:
            say(line)
        return
    half = (len(labels) + 1) // 2
    for left, right in zip(labels[:half], labels[half:] + [""] * (len(labels) % 2), strict=True):
        say(f"{left:<38}{right}".rstrip())


YES = ("y", "yes")


def _review(d: Draft) -> None:
    """The whole record on one screen before it is saved for good; any answer can be changed."""
    from campaignsafe.incidents.questions import BY_ID, QUESTIONS, review

    while True:
        rows = review(d.answers)
        _show_review(rows)
        say_wrapped("Enter (or y) saves it. To change an answer, type its number.", "")
        choice = ask("", False).strip().lower()
        while choice not in ("", *YES) and not (choice.isdigit() and 1 <= int(choice) <= len(rows)):
            # said just above the prompt, the list not shown again: on 24 rows it would push this off the screen
            say(f"  Type a number from 1 to {len(rows)}, or press Enter to save.")
            choice = ask("", False).strip().lower()
        if choice in ("", *YES):
            return
        qid, _label, shown = rows[int(choice) - 1]
        # the old answer stays (in the draft too) until a new one is given, and Enter on its own keeps it: no
        # default to take by Enter instead ([now] for a time, the profile's force for the force)
        import dataclasses

        q = dataclasses.replace(BY_ID[qid], default=None)
        if q.id in d.answers:
            say(f"  (Enter on its own keeps {shown})" if q.shape == "line" else "  (Enter on its own keeps it)")
        old = d.answers.get(q.id)
        _ask(q, d, final=True, keep=q.id in d.answers)
        if q.id == "when":
            _recheck_reported_at(d)
        new = d.answers.get(q.id)
        if q.id == "reported_police" and new != "no" and old != new:
            # from another route, or from "not yet" with a time or reference kept from a route before it
            if old != "no":
                _recheck_report(d, f"when this said '{shown}'")
            elif any(d.answers.get(k) is not None for k in ("reported_at", "police_ref")):
                _recheck_report(d, "for an earlier answer")
        while left := [x for x in QUESTIONS if x.id not in d.answers and x.applies(d.answers)]:
            _ask(left[0], d, final=True)


def _recheck_reported_at(d: Draft) -> None:
    """A report time now before the incident's (When changed on the review screen) asked again, not refused at the
    save that follows."""
    from campaignsafe.incidents.questions import BY_ID

    q = BY_ID["reported_at"]
    if not (d.answers.get("reported_at") and q.applies(d.answers) and q.check):
        return
    try:
        q.check(d.answers["reported_at"], d.answers)
    except CampaignsafeError as exc:
        say_wrapped(exc.message)
        _ask(q, d, final=True)


def _recheck_report(d: Draft, given: str) -> None:
    """The report time and reference asked again after the route changed (101 → online): they were given for
    the other route, so each is checked, and Enter on its own keeps it."""
    import dataclasses

    from campaignsafe.incidents.questions import BY_ID, review

    shown = {qid: value for qid, _label, value in review(d.answers)}
    say_wrapped(f"The report time and reference were given {given}: check each.")
    for qid in ("reported_at", "police_ref"):
        q = dataclasses.replace(BY_ID[qid], default=None)
        if qid in d.answers:
            say(f"  (Enter on its own keeps {shown[qid]})")
        _ask(q, d, final=True, keep=qid in d.answers)


def _show_review(rows: list[tuple[str, str, str]]) -> None:
    """Every answer in full, each line folded at word boundaries under its label (never cut short)."""
    import shutil
    import textwrap

    w = max(30, shutil.get_terminal_size((80, 24)).columns) - 1
    say()
    say(style("Check the record before it is saved", BOLD))
    label_w = max(len(label) for _q, label, _v in rows)
    pad = " " * (label_w + 5)
    for i, (_qid, label, value) in enumerate(rows, start=1):
        head = f"{i:>2} {label:<{label_w}}  "
        folded: list[str] = []
        for line in value.splitlines() or [""]:
            folded += textwrap.wrap(line, max(20, w - len(pad)), break_long_words=False, break_on_hyphens=False) or [""]
        say((head + folded[0]).rstrip())
        for line in folded[1:]:
            say((pad + line).rstrip())


def _ask(q: Question, d: Draft, final: bool, keep: bool = False) -> None:
    """Ask ``q`` and record the answer; with ``keep`` (changing an answer) an empty answer leaves it as it was."""
    _heading(q)
    if q.shape == "line":
        _ask_line(q, d, final, keep)
    else:
        _ask_lines(q, d, final, keep)


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


def _ask_line(q: Question, d: Draft, final: bool, keep: bool = False) -> None:
    default = q.default(d.answers) if q.default else None
    offered: str | None = None  # a "did you mean …?" that 'y' accepts
    while True:
        value = ask(default or "", bool(default)).strip()
        if keep and not value:
            return
        if q.default_unsaid and default and value == default:  # not an answer: the record says where it came from
            d.answer(q.id, "")
            say_wrapped(
                f"→ {default}, from your profile (recorded as your profile's force, not one you named)", "  ", "    "
            )
            return
        if offered and value.lower() in YES:
            value = offered
        offered = None
        if value.lower() in SKIP_WORDS or not value:
            if _skip_or_empty(q, d, final, bool(value)):
                return
            continue
        if _refused(q, value):
            continue
        try:
            normal, echo = q.check(value, d.answers) if q.check else (value, None)
        except CampaignsafeError as exc:
            say_wrapped(exc.message + (f" ({exc.hint})" if exc.hint else ""))
            found = getattr(exc, "suggestions", [])
            if len(found) == 1:
                offered = found[0]
                say(f"  Type y for {found[0]}, or another answer.")
            if q.id == "kind" and len(found) != 1:  # with one "did you mean", y is all it takes
                _kind_menu()
            continue
        d.answer(q.id, normal)
        if echo:
            say_wrapped(f"→ {echo}", "  ", "    ")
        return


def _ask_lines(q: Question, d: Draft, final: bool, keep: bool = False) -> None:
    lines = d.partial.get(q.id, [])
    if lines:
        say("  You had begun a new answer:" if keep else "  You had already written:")
        for line in lines:
            say(f"    {line}")
    typed = False
    while True:
        value = ask("", False).rstrip()
        if keep and not typed and not value:  # the old answer stays; a new one begun and left is let go
            if lines:
                say("  (the old answer is kept; the new one begun is not)")
            d.partial.pop(q.id, None)
            return
        typed = True
        if not lines and value.strip().lower() in SKIP_WORDS:
            if _skip_or_empty(q, d, final, True):
                return
            continue
        if not value:  # the end of the answer, unless it is a blank line inside pasted text (kept as one)
            if not (lines and q.shape == "text" and pasting()):
                if lines:
                    break
                if _skip_or_empty(q, d, final, False):
                    return
                continue
        elif _refused(q, value):
            continue
        elif q.shape == "lines" and q.check:
            try:
                normal, echo = q.check(value, d.answers)
            except CampaignsafeError as exc:
                say(f"  {exc.message}")
                continue
            if echo:
                say_wrapped(f"→ {echo}", "  ", "    ")
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
