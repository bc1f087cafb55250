"""`contact` answers fit a screen: 999 first, one force in 80×24, two in 40 lines, nothing wider
than the terminal, web addresses whole and outside the boxes."""

from __future__ import annotations

import re

import pytest

from campaignsafe.datafiles import load_json
from tests.conftest import run

URL = re.compile(r"https?://\S+")
SHARED_TEXT = "Every force has a Force Elected-Official Adviser"
SCREEN_ROWS = 23  # a 24-row terminal keeps the first line on screen with the prompt under the answer


def screen(query: str, columns: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    r = run("contact", query)
    assert r.exit_code == 0, r.stderr
    return r.stdout.splitlines()


def too_wide(lines: list[str], columns: int) -> list[str]:
    """Lines wider than the terminal, except an address alone on its line (it cannot be split)."""
    return [line for line in lines if len(line) > columns and not URL.fullmatch(line)]


@pytest.mark.parametrize("columns", [60, 80, 120])
@pytest.mark.parametrize(
    ("query", "budget"),
    [
        ("SW1A 1AA", SCREEN_ROWS),
        ("EH1 1YZ", SCREEN_ROWS),
        ("BT1 5GS", SCREEN_ROWS),
        ("SK17", 40),
        ("Cities of London and Westminster", 40),
        ("Brighton", SCREEN_ROWS),
        ("Glasgow", SCREEN_ROWS),
    ],
)
def test_answers_fit_their_line_budget_and_the_width(
    query: str, budget: int, columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A postcode and a place fit 80×24 with 999 on line 1; a district or constituency of two forces 40 lines."""
    lines = screen(query, columns, monkeypatch)
    assert lines[0] == "In immediate danger: call 999"
    assert not too_wide(lines, columns)
    if columns >= 80:
        assert len(lines) <= budget, "\n".join(lines)


def test_every_force_alone_fits_80_by_24(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whichever force answers, its whole answer fits one 80×24 screen."""
    for fid, *_rest in load_json("areas.json")["forces"]:
        lines = screen(fid, 80, monkeypatch)
        assert len(lines) <= SCREEN_ROWS, fid
        assert not too_wide(lines, 80), fid
        assert not [line for line in lines if "│" in line and URL.search(line)], fid


def test_text_every_force_shares_is_said_once_after_the_panels(monkeypatch: pytest.MonkeyPatch) -> None:
    """The election-contacts paragraph the two forces share appears once, outside the boxes, after both."""
    lines = screen("SK17", 80, monkeypatch)
    text = "\n".join(lines)
    assert text.count(SHARED_TEXT) == 1
    at = next(i for i, line in enumerate(lines) if SHARED_TEXT in line)
    assert not lines[at].startswith("│")
    assert at > max(i for i, line in enumerate(lines) if line.startswith("╰"))


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_web_addresses_are_whole_and_never_inside_a_border(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every address of the Met (three of them, one longer than 80 columns) is printed whole, outside the box."""
    routes = next(f for f in load_json("forces.json")["forces"] if f["id"] == "metropolitan")
    wanted = [routes[k]["value"] for k in ("website", "report_online", "election_page")]
    lines = screen("SW1A 1AA", columns, monkeypatch)
    for url in wanted:
        (line,) = [line for line in lines if url in line.split()]
        assert "│" not in line and line.endswith(url), line
    assert not [line for line in lines if "│" in line and URL.search(line)]


def test_two_forces_each_keep_their_own_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a two-force answer each force's website follows its own panel."""
    lines = screen("Cities of London and Westminster", 80, monkeypatch)
    starts = [i for i, line in enumerate(lines) if line.startswith("╭")]
    assert len(starts) == 2
    assert any("www.met.police.uk" in line for line in lines[starts[0] : starts[1]])
    assert any("www.cityoflondon.police.uk" in line for line in lines[starts[1] :])
    assert "2 police forces cover Cities of London and Westminster" in " ".join(lines)
    assert "Metropolitan Police Service · 88% of the postcodes" in lines[starts[0]]


@pytest.mark.parametrize("columns", [40, 60, 80])
@pytest.mark.parametrize("fid", ["metropolitan", "avon-and-somerset", "devon-and-cornwall"])
def test_none_saved_says_the_whole_command(fid: str, columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no saved contact the panel gives the complete command to save one, never cut or split:
    inside the box when it fits the column, else under it on a line of its own."""
    lines = screen(fid, columns, monkeypatch)
    command = f"campaignsafe contact save {fid} --name NAME"
    (at,) = [i for i, line in enumerate(lines) if command in line]
    assert lines[at].startswith("│") or lines[at].strip() == command
    assert not [line for line in lines if "…" in line]  # nothing that reads as cut short
    assert not too_wide(lines, columns) or all(line.strip() == command for line in too_wide(lines, columns))
    assert run("contact", "save", fid, "--name", "NAME").exit_code == 0  # the command works as shown
    assert command not in run("contact", fid).stdout  # and once saved it is no longer offered


def test_a_name_of_several_forces_says_the_choice_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`contact Kingston` lists each force with its areas; the reason and what to do are said once (stderr)."""
    monkeypatch.setenv("COLUMNS", "80")
    r = run("contact", "Kingston")
    assert r.exit_code == 4
    both = r.stdout + r.stderr
    assert both.count("names areas of 2 police forces") == 1
    assert both.lower().count("give the full name") == 1
    assert "Humberside Police:" in r.stdout and "Metropolitan Police Service:" in r.stdout
