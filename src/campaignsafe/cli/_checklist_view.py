"""How ``campaignsafe checklist`` looks in a terminal (rich is imported only in here, on use)."""

import sys
from typing import TYPE_CHECKING, Any

from campaignsafe.guidance.checklist import DANGER, STATUS_WORDS, Row, View, by_topic, count
from campaignsafe.guidance.content import NATION_NAMES, Guidance, nations_text
from campaignsafe.usertext import visible

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

    from campaignsafe.guidance.content import Source
    from campaignsafe.guidance.progress import ProfileSummary

MARK = {"done": "[x]", "todo": "[ ]", "na": "[-]"}
BAR_WIDTH = 20


def bar(settled: int, total: int, width: int = BAR_WIDTH) -> "Text":
    """A text progress bar that still reads without colour: █ settled, ░ still to do."""
    from rich.text import Text

    filled = 0 if not total else round(width * settled / total)
    if settled and not filled:
        filled = 1
    out = Text()
    out.append("█" * filled, style="green")
    out.append("░" * (width - filled), style="dim")
    return out


def _applies(saved: str | None, now: str | None) -> bool:
    """Whether a saved default (``all`` meaning none narrowed) is what the scope now uses."""
    return saved is not None and (None if saved == "all" else saved) == now


def scope_text(view: View) -> str:
    """'profile default · all roles · all nations'; a role or nation saved for the checklist profile, or taken
    from ``campaignsafe profile``, says so."""
    s, d = view.scope, view.progress.defaults
    role = f"{s.role}s" if s.role else "all roles"
    nation = NATION_NAMES[s.nation] if s.nation else "all nations"
    if s.role_from:
        role += " (your profile's role)"
    elif _applies(d.role, s.role):
        role += " (saved)"
    if s.nation_from:
        nation += " (your profile's force)"
    elif _applies(d.nation, s.nation):
        nation += " (saved)"
    return f"profile {s.profile} · {role} · {nation}"


def danger(out: "Console") -> None:
    """The 999 line, always first (shorter on a terminal too narrow for it, so 999 stays on line 1)."""
    out.print(DANGER if len(DANGER) <= out.width else "In immediate danger: call 999.", style="bold red")


def show_list(view: View) -> None:
    """Topics with a progress bar each, then the overall progress."""
    from rich.markup import escape
    from rich.table import Table

    out = _console()
    danger(out)
    out.print(f"Checklist for {escape(scope_text(view))}\n")
    topics = [(topic, count(rows)) for topic, rows in by_topic(view)]
    c = count(view.rows)
    # one line a topic when its title, id, a bar of 8 or more and the count fit (then the list fits 24 rows)
    title_w = max(len(t.title) for t, _ in topics)
    id_w = max(len(t.id) for t, _ in topics)
    done_w = max(len(_done(x)) for x in [c, *(n for _, n in topics)])
    bar_w = min(BAR_WIDTH, out.width - title_w - id_w - done_w - 6)  # three gaps of two
    one_line = bar_w >= 8
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, padding=(0, 1))
    table.add_column("Topic" if one_line else "Topic (id)", ratio=None if one_line else 1, overflow="fold")
    if one_line:
        table.add_column("Id", style="dim", no_wrap=True)
    table.add_column("Progress", width=bar_w if one_line else BAR_WIDTH, no_wrap=True)
    table.add_column("Done", justify="right", no_wrap=True)
    width = bar_w if one_line else BAR_WIDTH
    for topic, n in topics:
        named = (
            [escape(topic.title), escape(topic.id)]
            if one_line
            else [f"{escape(topic.title)}\n[dim]{escape(topic.id)}[/]"]
        )
        table.add_row(*named, bar(n.done, n.total - n.na, width), _done(n))
    table.add_section()
    table.add_row("[bold]Overall[/]", *([""] if one_line else []), bar(c.done, c.total - c.na, width), _done(c))
    out.print(table)
    if c.na:
        say(out, f"Items marked not applicable ({c.na}) are not counted: campaignsafe checklist show TOPIC lists them.")
    _orphans(out, view)
    if c.settled < c.total:
        out.print()
        say(out, "Next: campaignsafe checklist run (essentials first), or for the most important items:"
            " campaignsafe checklist next")  # fmt: skip


def say(out: "Console", text: str) -> None:
    """Plain text folded to the console's width; a command to type is never split (see ``_panel``)."""
    from campaignsafe.cli._panel import lay_out

    for line in lay_out(text, out.width, 0, 0):
        out.print(line, markup=False, highlight=False, soft_wrap=True)


def _done(c: Any) -> str:
    """``3/12``: done of the items that apply (those marked not applicable are left out, and said so below)."""
    return f"{c.done}/{c.total - c.na}"


def _orphans(out: "Console", view: View) -> None:
    from rich.markup import escape

    orphans = view.orphans()
    if orphans:
        ids = ", ".join(sorted(orphans))
        out.print(
            f"\nNote: {len(orphans)} saved answer{' is' if len(orphans) == 1 else 's are'} for items this version "
            "of the guidance no longer has "
            f"({escape(ids)}). They are kept in your progress file, not deleted."
        )


def item_view(
    guidance: Guidance, row: Row, heading: str | None = None, compact: bool = False, mark: str = ""
) -> "RenderableType":
    """One item: title, who it is for, status, detail and sources (``compact``: links as their site only;
    ``mark``: a status box before the title)."""
    from rich.console import Group
    from rich.text import Text

    parts = _item_head(row, heading, compact, mark)
    parts.append(Text(""))
    parts.append(Text(" ".join(row.item.detail.split())))
    parts.append(Text(""))
    parts.append(sources_view(guidance.sources_for(row.item.sources), compact))
    return Group(*parts)


def _item_head(row: Row, heading: str | None, compact: bool, mark: str = "") -> "list[RenderableType]":
    """The heading rule, the title, who it is for and (unless ``compact`` and unanswered) its status."""
    from rich.text import Text

    item, answer = row.item, row.answer
    parts: list[RenderableType] = []
    if heading:
        parts.append(FullRule(Text(heading), style="dim"))
    if mark:  # the box, then the title with every wrapped line under its first word (a hanging indent)
        from rich.table import Table

        boxed = Table.grid(padding=(0, 1))
        boxed.add_column(no_wrap=True)
        boxed.add_column(ratio=1)
        boxed.add_row(mark, Text(item.title, style="bold"))
        parts.append(boxed)
    else:
        parts.append(Text(item.title, style="bold"))
    tags = [item.priority, "for " + ", ".join(item.roles)]
    if item.nations:
        tags.append(nations_text(item.nations) + " only")
    parts.append(Text(" · ".join(tags) + f" · {item.id}", style="dim"))
    if answer or not compact:
        status = STATUS_WORDS[row.status] if answer else "not answered yet"
        if answer and answer.note:
            status += f" (note: {visible(answer.note)})"
        parts.append(Text(f"Status: {status}"))
    return parts


def item_brief(
    out: "Console", guidance: Guidance, row: Row, heading: str, room: int, asking: bool = True
) -> "tuple[RenderableType, bool]":
    """The item as ``checklist run`` shows it in at most ``room`` rows: whole when it fits, else its
    head and the first sentences of its detail with a line saying ``m`` shows the rest (not
    ``asking``: the command that shows it); and whether anything was left out."""
    import re

    from rich.console import Group
    from rich.text import Text

    whole = item_view(guidance, row, heading, compact=True)
    if _height(out, whole) <= room:
        return whole, False
    n = len(row.item.sources)
    sources = f"{n} source{'' if n == 1 else 's'}"
    if asking:
        more = Text(f"More: type m for the whole item and its {sources}.", style="dim")
    else:
        from campaignsafe.cli._panel import lay_out

        said = f"The whole item and its {sources}: campaignsafe checklist show {row.item.id}"
        more = Text("\n".join(lay_out(said, out.width)), style="dim")  # the command whole on its line
    head = [*_item_head(row, heading, compact=True), Text("")]
    left = room - _height(out, Group(*head, more))
    detail = " ".join(row.item.detail.split())
    sentences = re.split(r"(?<=[.!?;:])\s+", detail)
    kept = 0
    while kept < len(sentences) and _height(out, Text(" ".join(sentences[: kept + 1]) + " …")) <= left:
        kept += 1
    if kept:
        summary = " ".join(sentences[:kept]) + " …"
    else:  # even the first sentence is too long: as many words as fit
        words = detail.split()
        lo, hi = 0, len(words)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if _height(out, Text(" ".join(words[:mid]) + " …")) <= left:
                lo = mid
            else:
                hi = mid - 1
        summary = " ".join(words[:lo]) + " …"
    return Group(*head, Text(summary), more), True


def _height(out: "Console", renderable: "RenderableType") -> int:
    """Rows ``renderable`` takes at the console's width."""
    return len(out.render_lines(renderable, out.options, pad=False))


def to_do_text(c: Any) -> str:
    """``133 of 135 items still to do (2 done or not applicable).``"""
    left, items = c.total - c.settled, "item" if c.total == 1 else "items"
    if not left:
        return f"All {c.total} {items} done or not applicable."
    if not c.settled:
        return f"{c.total} {items}, none done yet."
    return f"{left} of {c.total} {items} still to do ({c.settled} done or not applicable)."


def sources_view(sources: "list[Source]", compact: bool = False) -> "RenderableType":
    """'Sources:' then each source's title, publisher and date with a hanging indent, its address
    under it on a line of its own, never split (print with ``crop=False`` so a long one stays whole).

    ``compact`` names only the site instead of the full URL, so an item fits one screen.
    """
    from urllib.parse import urlsplit

    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    several = len(sources) > 1
    label = "Sources:" if several else "Source:"
    indent = len(label) + 1 + (3 if several else 0)
    parts: list[RenderableType] = []
    for n, src in enumerate(sources, 1):
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, width=len(label))
        if several:
            grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        text = Text(f"{src.title}. {src.publisher}, {src.date}")
        if compact:
            site = urlsplit(src.url).hostname or src.url
            text.append(f" ({site.removeprefix('www.')})", style="cyan")
        else:
            text.append(".")
        grid.add_row(*([label if n == 1 else ""] + ([f"{n}."] if several else []) + [text]))
        parts.append(grid)
        if not compact:
            parts.append(Address(src.url, indent))
    return Group(*parts)


class FullRule:
    """A left-aligned rule with its title, or, when the title would not fit whole beside a few
    dashes, the title alone, folded at words: never cut with an ellipsis (rich's Rule cuts it)."""

    def __init__(self, title: "Text", style: str = "") -> None:
        self.title, self.style = title, style

    def __rich_console__(self, console: "Console", options: Any) -> Any:
        from rich.rule import Rule

        if len(self.title.plain) + 4 <= options.max_width:
            yield Rule(self.title, align="left", style=self.style or "rule.line")
        else:
            self.title.stylize(self.style)
            yield self.title


class Address:
    """A web address on a line of its own: indented when it fits, else from the first column, never split."""

    def __init__(self, url: str, indent: int) -> None:
        self.url, self.indent = url, indent

    def __rich_console__(self, console: "Console", options: Any) -> Any:
        from rich.segment import Segment
        from rich.style import Style

        pad = self.indent if self.indent + len(self.url) <= options.max_width else 0
        yield Segment(" " * pad)
        yield Segment(self.url, Style(color="cyan"))
        yield Segment.line()


def show_item(view: View, row: Row) -> None:
    """One item, read-only."""
    out = _console()
    danger(out)
    out.print(item_view(view.guidance, row, f"{row.topic.title} ({row.topic.id})"), crop=False)


def show_topics(view: View, topic_id: str | None) -> None:
    """Every item of one topic (or of all topics) with status, detail and sources."""
    from rich.markup import escape
    from rich.text import Text

    groups = by_topic(view)
    wanted = view.guidance.topic(topic_id).id if topic_id is not None else None
    out = _console()
    danger(out)
    out.print(f"Checklist for {escape(scope_text(view))}")
    if wanted is not None:
        groups = [(t, rows) for t, rows in groups if t.id == wanted]
        if not groups:
            out.print(f"\nNo items in {escape(wanted)} for {escape(scope_text(view))}.")
    for topic, rows in groups:
        c = count(rows)
        out.print()
        out.print(FullRule(Text.from_markup(f"[bold]{escape(topic.title)}[/] ({escape(topic.id)}) · {_done(c)} done")))
        out.print(" ".join(topic.summary.split()), style="italic")
        for row in rows:
            out.print()
            out.print(item_view(view.guidance, row, mark=MARK[row.status]), crop=False)
    _orphans(out, view)


def show_next(view: View, rows: list[Row]) -> None:
    """The most important open items."""
    from rich.markup import escape
    from rich.table import Table

    out = _console()
    danger(out)
    c = count(view.rows)
    out.print(f"Checklist for {escape(scope_text(view))}: {to_do_text(c)}")
    if not rows:
        out.print("\nNothing left to do: every item is done or not applicable.")
        return
    out.print()
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, padding=(0, 1))
    table.add_column("Priority", no_wrap=True)
    table.add_column("Item", ratio=1, overflow="fold")
    for row in rows:
        state = "" if row.answer is None else " [dim](not yet)[/]"
        table.add_row(row.item.priority, f"{escape(row.item.title)}{state}\n[dim]{escape(row.item.id)}[/]")
    out.print(table)
    out.print()
    say(out, "Read one: campaignsafe checklist show ITEM; answer: campaignsafe checklist mark ITEM done")
    if 6 + 2 * len(rows) > out.height:  # taller than the screen: the 999 line has scrolled off the top, so again
        danger(out)


def profiles_json(found: list["ProfileSummary"]) -> dict[str, Any]:
    """The ``checklist profiles --json`` object: each profile's saved defaults and the role and nation that apply."""
    from campaignsafe.guidance.checklist import applying

    out = []
    for p in found:
        entry: dict[str, Any] = {"name": p.name, "path": str(p.path)}
        if p.progress is None:
            entry["error"] = p.error
        else:
            answers = p.progress.answers.values()
            last = max((a.answered_at for a in answers), default=None)
            role, role_from, nation, nation_from = applying(p.name, p.progress.defaults)
            entry |= {
                "defaults": p.progress.defaults.model_dump(),
                "applies": {
                    "role": role,
                    "role_from_profile": role_from,
                    "nation": nation,
                    "nation_from_profile_force": nation_from,
                },
                "answers": {s: sum(1 for a in answers if a.status == s) for s in ("done", "todo", "na")},
                "last_answered_at": last.isoformat() if last else None,
            }
        out.append(entry)
    return {"profiles": out}


def show_profiles(found: list["ProfileSummary"]) -> None:
    """Each profile: its defaults and how many answers it has."""
    from rich.markup import escape
    from rich.table import Table

    out = _console()
    if not found:
        out.print("No checklist progress saved yet. Answers go to the profile 'default' unless you give --profile.")
        return
    table = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 1))
    for col in ("Profile", "Role", "Nation", "Done", "Not yet", "N/A", "Last answer"):
        table.add_column(col, overflow="fold")
    derived = False
    for entry in profiles_json(found)["profiles"]:
        if "error" in entry:
            table.add_row(escape(entry["name"]), "[red]unreadable[/]", "", "", "", "", "")
            continue
        a, used = entry["answers"], entry["applies"]
        last = (entry["last_answered_at"] or "")[:10]
        saved = entry["defaults"]
        role = (used["role"] or "all") + (" (profile)" if used["role_from_profile"] else _saved(saved["role"]))
        nation = (used["nation"] or "all") + (
            " (profile)" if used["nation_from_profile_force"] else _saved(saved["nation"])
        )
        derived = derived or bool(used["role_from_profile"] or used["nation_from_profile_force"])
        table.add_row(
            escape(entry["name"]), escape(role), escape(nation), str(a["done"]), str(a["todo"]), str(a["na"]), last
        )  # fmt: skip
    out.print(table)
    if derived:
        out.print(
            "(profile): none saved, so taken from campaignsafe profile (the role it names; the nation of its force)."
        )
    if any(e.get("defaults", {}).get(k) for e in profiles_json(found)["profiles"] for k in ("role", "nation")):
        out.print("(saved): saved for that profile with checklist profiles --save ('none' clears it).")
    if derived:
        out.print("Every item instead: campaignsafe checklist profiles --save --role all --nation all", soft_wrap=True)
    for p in found:
        if p.error:
            out.print(f"\n{escape(p.name)}: {escape(p.error)}")


def _saved(value: str | None) -> str:
    return "" if value is None else " (saved)"


def write_output(output: str, text: str) -> None:
    """``-`` → standard output; otherwise the named file, replaced atomically."""
    if output == "-":
        sys.stdout.write(text)
        return
    from campaignsafe.paths import write_output as write_file

    path = write_file(output, text)
    sys.stderr.write(f"Wrote {path}\n")


def _console() -> "Console":
    from campaignsafe.cli._render import console

    return console()
