"""`incidents show` and the next steps after `report` fit the terminal; web addresses are never split."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaignsafe.cli._incident_view import fold_text
from tests.conftest import run
from tests.screen_helpers import HASH, assert_fits

LONG_URL = "https://www.facebook.com/groups/1234567890/permalink/9876543210987654/?comment_id=1234567890"
POST = "https://x.com/angryvoter/status/1790000000000000000?s=20&t=abcdefghijklmnop"


def _check(out: str, columns: int, hashes: list[str]) -> None:
    """Only an address or hash too long for any line may be wider, alone on its line; none is split."""
    assert_fits(out, columns, [LONG_URL, POST, *hashes])


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
    record = run("incidents", "show", "1", "--json").json
    hashes = [record["record_sha256"], record["evidence"][0]["screenshot"]["sha256"]]
    assert_fits(saved.stdout, columns, [POST, hashes[1]])
    _check(run("incidents", "show", "1").stdout, columns, hashes)
    assert len(HASH.findall(run("incidents", "show", "1").stdout)) >= 2


WORDS = st.one_of(
    st.text(alphabet="abcdefghij0123456789\"'.,", min_size=1, max_size=70),
    st.builds(lambda s: "https://example.org/" + s, st.text(alphabet="abc/?=&0123", max_size=60)),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(WORDS, max_size=15), st.integers(min_value=8, max_value=100))
def test_fold_keeps_every_character_splits_no_url_and_fits(words: list[str], width: int) -> None:
    """Folding loses nothing, never splits a word, and only a word alone on its line may pass the width."""
    lines = fold_text(" ".join(words), width)
    for own, line in lines:
        assert len(line) <= width or (own and " " not in line)
    assert "".join(line for _own, line in lines).replace(" ", "") == "".join(words).replace(" ", "")
    for w in words:
        assert any(w in line.split() for _own, line in lines), w  # every word whole on a line


@pytest.mark.parametrize("columns", [40, 60, 80])
def test_list_never_splits_a_word(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """`incidents list` is a table at 80 columns; narrower, where the table would cut words
    ('Threat/s', 'Som/erset'), each incident is two lines or more, nothing split, nothing too wide."""
    from tests.incident_helpers import report_json, set_initials

    set_initials()
    place = "Outside the office, Wolverhampton Road"
    report_json("--when", "2026-05-01 18:30", "--place", place, "--postcode", "BA1 1BA",
                "--kind", "threatening-communications", "--description", "d", "--reported-to", "101")  # fmt: skip
    report_json("--when", "2026-05-02 09:00", "--place", "High Street", "--postcode", "SW1A 1AA",
                "--kind", "threats", "--description", "d")  # fmt: skip
    monkeypatch.setenv("COLUMNS", str(columns))
    out = run("incidents", "list").stdout
    assert_fits(out, columns, ["campaignsafe incidents show ID"])
    words = out.split()
    for word in ("Threatening", "Wolverhampton", "Somerset", "Threats"):
        assert word in words or word + "," in words, (word, out)
    assert out.startswith("Id  When") == (columns >= 80)
