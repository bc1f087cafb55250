"""``campaignsafe checklist run``: one item at a time, each answer saved the moment it is given."""

from typing import TYPE_CHECKING

import typer

from campaignsafe.guidance.checklist import STATUS_WORDS, Row, View, count, run_queue

if TYPE_CHECKING:
    from rich.console import Console

NOTE_ROOM = 30  # columns kept after the prompt for the letter and a short note
#: short enough to stay on one line in 80 columns with room for the answer (``m``: the line above says what it does)
PROMPT = "Answer d/n/a/s/q and any note (? for help)"
PROMPT_MORE = "Answer d/n/a/s/q/m and any note (? for help)"
HELP = """d  done                  e.g.  d met DS Patel on 3 May
n  not yet               (kept on your list; `checklist next` shows it)
a  not applicable        e.g.  a we have no office
s  skip                  (not saved; asked again next time)
q  stop here             (everything answered so far is kept)
m  more                  (the whole item, with its sources' addresses)
Full source links: campaignsafe checklist show ITEM"""
_ANSWERS = {
    "d": "done",
    "done": "done",
    "n": "todo",
    "not": "todo",
    "todo": "todo",
    "a": "na",
    "na": "na",
    "n/a": "na",
    "s": "skip",
    "skip": "skip",
    "q": "quit",
    "quit": "quit",
    "m": "more",
    "more": "more",
}


def parse_answer(raw: str) -> tuple[str, str | None] | None:
    """``"d met DS Patel"`` → ``("done", "met DS Patel")``; None when not understood."""
    text = raw.strip()
    if text.lower().startswith("not yet"):
        text = "n" + text[len("not yet") :]
    word, _, rest = text.partition(" ")
    action = _ANSWERS.get(word.lower())
    if action is None:
        return None
    return action, rest.strip() or None


def carry_on_command(view: View, topic: str | None, verb: str = "run") -> str:
    """The command that picks up where this run stopped (``verb`` show: that reviews the same items)."""
    from campaignsafe.guidance import progress

    parts = [f"campaignsafe checklist {verb}", topic or ("--all" if verb == "show" else "")]
    if view.scope.profile != progress.DEFAULT_PROFILE:
        parts.append(f"--profile {view.scope.profile}")
    from campaignsafe.guidance.checklist import applying

    role, _r, nation, _n = applying(view.scope.profile, view.progress.defaults)
    if view.scope.role != role:  # given for this run: the same again next time
        parts.append(f"--role {view.scope.role or 'all'}")
    if view.scope.nation != nation:
        parts.append(f"--nation {view.scope.nation or 'all'}")
    return " ".join(p for p in parts if p)


def walk(view: View, topic: str | None, no_input: bool) -> None:
    """Ask each queued item in turn; Ctrl-C or end of input leaves with 130 and every answer kept.

    Each item is shown so that it and the prompt fit the terminal's height, the 999 line above
    the first: a long item is summarised, and ``m`` shows the whole of it.
    """
    from rich.markup import escape

    from campaignsafe.cli import _render
    from campaignsafe.cli._checklist_view import danger, item_brief, say, scope_text, to_do_text

    out = _render.console()
    queue, revisit = run_queue(view, topic)
    danger(out)
    scope = [r for r in view.rows if topic is None or r.topic.id == view.guidance.topic(topic).id]
    where = f"{view.guidance.topic(topic).title} ({topic})" if topic else "all topics, essentials first"
    head = [f"Checklist for {escape(scope_text(view))}: {escape(where)}. {to_do_text(count(scope))}"]
    if not queue:
        out.print(head[0])
        out.print()
        say(out, f"Every item here is done or not applicable. Review them: {carry_on_command(view, topic, 'show')}")
        return
    if revisit:
        head.append(f"Every item has an answer; going through the {len(queue)} you marked 'not yet'.")
    elif later := sum(1 for r in scope if r.answer is not None and r.status == "todo"):
        head.append(f"Marked 'not yet': {later}, asked after these {len(queue)}.")
    asking = _render.interactive(no_input)
    if asking:
        head.append("Each answer is saved at once; stop with q or Ctrl-C and run this again to carry on.")
    used = 1 + sum(_rows(out, line) for line in head)  # the 999 line and what follows it
    for line in head:
        out.print(line)
    if not asking:
        first = _heading(queue[0], 1, len(queue))
        brief, _more = item_brief(out, view.guidance, queue[0], first, _room(out, used), asking=False)
        out.print(brief, crop=False)
        from campaignsafe.errors import InputError

        raise InputError(
            "checklist run asks about each item, so it needs a terminal (nothing was changed)",
            f"run it in a terminal, or record answers with: campaignsafe checklist mark {queue[0].item.id}"
            " done|todo|na",
            code="no_terminal",
        )
    saved = 0
    try:
        for n, row in enumerate(queue, 1):
            if n > 1:
                out.print()
                used = 1
            heading = _heading(row, n, len(queue))
            brief, _more = item_brief(out, view.guidance, row, heading, _room(out, used))
            out.print(brief, crop=False)
            action, note = _ask(PROMPT_MORE)  # m even when the brief is whole: it shows the sources' addresses
            while action == "more":
                from campaignsafe.cli._checklist_view import item_view

                out.print()
                out.print(item_view(view.guidance, row, heading), crop=False)
                action, note = _ask(PROMPT)
            if action == "quit":
                _stopped(saved, view, topic, stderr=False)
                return
            if action == "skip":
                out.print("Skipped; it will be asked again next time.", style="dim")
                continue
            _save(view, row, action, note)
            saved += 1
            out.print(f"Saved: {STATUS_WORDS[action]}" + (" with your note." if note else "."), style="dim")
    except (typer.Abort, KeyboardInterrupt, EOFError):
        _stopped(saved, view, topic, stderr=True)
        raise typer.Exit(130) from None
    done = count(_fresh(view, topic))
    out.print()
    out.print(
        f"That was the last item. {done.done} done, {done.na} not applicable, "
        f"{done.todo} not yet, {done.unanswered} unanswered of {done.total}."
    )
    say(out, "See progress: campaignsafe checklist; print a briefing: campaignsafe checklist export")


def _rows(out: "Console", text: str) -> int:
    """How many terminal rows ``text`` (rich markup) takes at the console's width."""
    return len(out.render_lines(out.render_str(text), out.options, pad=False))


def _room(out: "Console", used: int) -> int:
    """Rows left for an item on a screen of the terminal's height, after ``used`` and the prompt."""
    import shutil

    height = shutil.get_terminal_size((80, 24)).lines
    from campaignsafe.cli._panel import lay_out

    prompt = len(lay_out(PROMPT_MORE, max(20, out.width - NOTE_ROOM)))  # folded as prompt_text folds it
    return max(8, height - used - prompt)


def _heading(row: Row, n: int, total: int) -> str:
    return f"Item {n} of {total} · {row.topic.title} · in danger, call 999"


def _ask(prompt: str) -> tuple[str, str | None]:
    while True:
        from campaignsafe.cli._panel import prompt_text

        raw = typer.prompt(prompt_text(prompt, room=NOTE_ROOM))
        answer = parse_answer(raw)
        if answer is not None:
            return answer
        if raw.strip() != "?":  # help asked for is given; anything else is said not to be understood first
            typer.echo("That answer was not understood: start it with one of these letters.")
        typer.echo(HELP)


def _save(view: View, row: Row, action: str, note: str | None) -> None:
    from campaignsafe.guidance import progress

    progress.record(view.scope.profile, row.item.id, action, note)


def _fresh(view: View, topic: str | None) -> list[Row]:
    from campaignsafe.guidance.checklist import load_view

    role = None if view.scope.role_from else view.scope.role or "all"
    nation = None if view.scope.nation_from else view.scope.nation or "all"
    again = load_view(view.scope.profile, role, nation)
    return [r for r in again.rows if topic is None or r.topic.id == again.guidance.topic(topic).id]


def _stopped(saved: int, view: View, topic: str | None, stderr: bool) -> None:
    from campaignsafe.cli._render import console

    target = console(stderr=True) if stderr else console()
    target.print(
        f"\nStopped. {'1 answer' if saved == 1 else f'{saved} answers'} saved this time; "
        "nothing you answered is lost.\n"
        f"Carry on with: {carry_on_command(view, topic)}",
        markup=False,
    )
