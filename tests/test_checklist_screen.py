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
