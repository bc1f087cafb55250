"""`incidents show` and the next steps after `report` fit the terminal; web addresses are never split."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaignsafe.cli._incident_view import fold_text
from tests.conftest import run

LONG_URL = "https://www.facebook.com/groups/1234567890/permalink/9876543210987654/?comment_id=1234567890"
POST = "https://x.com/angryvoter/status/1790000000000000000?s=20&t=abcdefghijklmnop"


def _check(out: str, columns: int) -> None:
    for line in out.splitlines():
        if len(line) > columns:  # only a web address too long for any line may be wider, alone on its line
            assert re.fullmatch(r"https?://\S+", line), f"{len(line)} > {columns}: {line!r}"
    for url in (LONG_URL, POST):
        assert any(url in line for line in out.splitlines()), f"{url} is split across lines"


@pytest.mark.parametrize("columns", [40, 60, 80, 120])
def test_show_and_next_steps_fit_and_keep_urls_whole(
    columns: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"\x89PNG" + bytes(100))
    assert run("profile", "--name", "Jo Smith", "--force", "kent").exit_code == 0
    saved = run(
        "report", "--when", "2026-05-01 18:30", "--place", "online", "--kind", "online-abuse",
        "--description", f'He posted "you will regret standing" at {LONG_URL}',
        "--url", f"{POST}; screenshot={shot}", "--reported-to", "101; reference=CAD 1234",
    )  # fmt: skip
    assert saved.exit_code == 0, saved.stderr
    assert "You have reported it: 101, reference CAD 1234." in " ".join(saved.stdout.split())
    assert "(101 (ref" not in saved.stdout
    for line in saved.stdout.splitlines():
        if len(line) > columns:
            assert re.fullmatch(r"https?://\S+", line), line
    assert any(POST in line for line in saved.stdout.splitlines())
    _check(run("incidents", "show", "1").stdout, columns)


WORDS = st.one_of(
    st.text(alphabet="abcdefghij0123456789\"'.,", min_size=1, max_size=70),
    st.builds(lambda s: "https://example.org/" + s, st.text(alphabet="abc/?=&0123", max_size=60)),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(WORDS, max_size=15), st.integers(min_value=8, max_value=100))
def test_fold_keeps_every_character_splits_no_url_and_fits(words: list[str], width: int) -> None:
    """Folding loses nothing, never splits a web address, and only a web address may pass the width."""
    lines = fold_text(" ".join(words), width)
    for own, line in lines:
        assert len(line) <= width or (own and line.startswith("https://"))
    assert "".join(line for _own, line in lines).replace(" ", "") == "".join(words).replace(" ", "")
    for w in words:
        if w.startswith("https://"):
            assert any(w in line for _own, line in lines)
