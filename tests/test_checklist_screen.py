"""`checklist show` keeps to the terminal's width and never splits a web address."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run

URL = re.compile(r"https?://\S+")


@pytest.mark.parametrize("columns", [60, 80, 120])
@pytest.mark.parametrize("what", ["canvassing", "online-abuse", "--all"])
def test_show_fits_the_width_and_keeps_addresses_whole(
    what: str, columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every line fits COLUMNS but an address alone on its line; every source's address is whole on one line."""
    monkeypatch.setenv("COLUMNS", str(columns))
    r = run("checklist", "show", what, "--json")
    assert r.exit_code == 0, r.stderr
    urls = {s["url"] for t in r.json["topics"] for i in t["items"] for s in i["sources"]}
    lines = run("checklist", "show", what).stdout.splitlines()
    assert lines[0].startswith("If you are in immediate danger")
    assert not [line for line in lines if len(line.rstrip()) > columns and not URL.fullmatch(line.strip())]
    shown = {line.strip() for line in lines if URL.fullmatch(line.strip())}
    assert urls <= shown, sorted(urls - shown)[:3]
    for line in lines:
        for url in URL.findall(line):
            assert line.strip() == url, line  # an address is alone on its line, never in running text


def test_offences_keep_addresses_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """The offences list uses the same source layout."""
    monkeypatch.setenv("COLUMNS", "80")
    lines = run("checklist", "offences").stdout.splitlines()
    assert not [line for line in lines if len(line.rstrip()) > 80 and not URL.fullmatch(line.strip())]


PROMPT_START = "Answer d/n/a/s/q"


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let `checklist run` ask although CliRunner's stdin is not a terminal; a 24-row screen."""
    monkeypatch.setattr("campaignsafe.cli._render.interactive", lambda no_input: not no_input)
    monkeypatch.setenv("LINES", "24")


def _first_screen(stdout: str) -> list[str]:
    """What is on the screen when the first question is asked: everything up to and with the prompt."""
    before, _sep, _after = stdout.partition(PROMPT_START)
    return [*before.splitlines(), PROMPT_START]


@pytest.mark.parametrize("columns", [40, 60, 80])
def test_run_first_screen_shows_the_999_line_and_the_item(
    columns: int, terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On an 80×24 (or narrower) terminal the first item, its prompt and the 999 line above it fit one
    screen: a long item is summarised, saying m shows the rest."""
    from campaignsafe.guidance import content

    monkeypatch.setenv("COLUMNS", str(columns))
    r = run("checklist", "run", input="q\n")
    assert r.exit_code == 0, r.stderr
    screen = _first_screen(r.stdout)
    prompt_rows = -(-len("Answer d/n/a/s/q/m and any note (? for help): ") // columns)
    assert len(screen) - 1 + prompt_rows <= 24, "\n".join(screen)
    assert screen[0] in ("If you are in immediate danger, call 999.", "In immediate danger: call 999.")
    first = next(i for _t, i in content.load_guidance().items() if i.priority == "essential")
    shown = " ".join(" ".join(screen).split())
    assert first.title in shown and "More: type m for the whole item" in shown
    assert " ".join(first.detail.split()[:12]) in shown  # the start of its detail
    assert not [line for line in screen if len(line) > columns]


def test_m_shows_the_whole_item_then_asks_again_and_every_answer_is_kept(terminal: None) -> None:
    """m prints the whole item with each source's address, asks again; the answer after it is saved;
    end of input after that (Ctrl-C) keeps it: exit 130."""
    from campaignsafe.guidance import content, progress

    guide = content.load_guidance()
    first = next(i for _t, i in guide.items() if i.priority == "essential")
    r = run("checklist", "run", input="m\nd after reading it all\nm\n")
    assert r.exit_code == 130
    text = " ".join(r.stdout.split())
    assert " ".join(first.detail.split()) in text
    for src in guide.sources_for(first.sources):
        assert any(line.strip() == src.url for line in r.stdout.splitlines()), src.url  # whole, on its own line
    answer = progress.load(None).answers[first.id]
    assert answer.status == "done" and answer.note == "after reading it all"
    assert "1 answer saved" in r.stderr


def test_progress_says_how_many_are_left_to_do(terminal: None) -> None:
    """'136 items, none done yet', then '135 of 136 items still to do (1 done or not applicable)'."""
    from campaignsafe.guidance import content

    total = sum(1 for _ in content.load_guidance().items())
    fresh = " ".join(run("checklist", "run", "--no-input").stdout.split())
    assert f"{total} items, none done yet." in fresh and "settled" not in fresh and "to go" not in fresh
    assert run("checklist", "mark", "canvassing.never-alone", "done").exit_code == 0
    for args in (("run", "--no-input"), ("next",)):
        said = " ".join(run("checklist", *args).stdout.split())
        assert f"{total - 1} of {total} items still to do (1 done or not applicable)." in said, args


@pytest.mark.parametrize("columns", [40, 60, 80])
def test_hints_never_break_a_command(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hints under `checklist` and `checklist next` give whole commands, each on one line."""
    from tests.screen_helpers import assert_fits

    monkeypatch.setenv("COLUMNS", str(columns))
    for args, commands in (
        ((), ["campaignsafe checklist run", "campaignsafe checklist next"]),
        (("next",), ["campaignsafe checklist show ITEM", "campaignsafe checklist mark ITEM done"]),
    ):
        out = run("checklist", *args).stdout
        assert_fits(out, columns, commands)


@pytest.mark.parametrize("columns", [40, 60, 80])
@pytest.mark.parametrize("args", [("show", "--all"), ("offences",), ("run", "--no-input")])
def test_headings_are_never_cut(args: tuple[str, ...], columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A topic, offence or item heading too long for a rule is folded whole, never cut with '…'."""
    monkeypatch.setenv("COLUMNS", str(columns))
    out = run("checklist", *args).stdout
    assert not [line for line in out.splitlines() if len(line.rstrip()) > columns and not URL.fullmatch(line.strip())]
    if args[0] == "run":  # its "…" ends a summarised item; the heading is whole
        assert re.search(r"Item 1 of \d+ · [^·]+ · in danger, call 999", " ".join(out.split()))
    else:
        assert "…" not in out


def test_next_taller_than_the_screen_ends_with_the_999_line_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """`checklist next` was 32 lines on a 24-row screen: its 999 line had scrolled away. It says it again last."""
    monkeypatch.setenv("LINES", "24")
    lines = run("checklist", "next").stdout.strip().splitlines()
    assert len(lines) > 24 and "999" in lines[0] and "999" in lines[-1]
    monkeypatch.setenv("LINES", "200")
    tall = run("checklist", "next").stdout.strip().splitlines()
    assert "999" in tall[0] and "999" not in tall[-1]  # the whole answer on screen: once is enough


def test_a_wrapped_item_title_hangs_under_its_first_word(monkeypatch: pytest.MonkeyPatch) -> None:
    """`checklist show` at 50 columns: a title's second line began at column 0, under its [ ] box."""
    monkeypatch.setenv("COLUMNS", "50")
    lines = run("checklist", "show", "before-the-campaign").stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("[ ] Find out who your police"))
    assert lines[at + 1].startswith("    ") and lines[at + 1].strip()
