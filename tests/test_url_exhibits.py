"""A URL exhibit must be a web address: ``notaurl``, ``javascript:`` or ``data:`` is refused on every way in.

The address is evidence an officer may open, so what is stored as one has to be one; anything else
belongs in the description (or as a screenshot file). The refusal never quotes what was typed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignsafe.incidents.identifiers import is_web_address
from tests.conftest import run
from tests.incident_helpers import count, minimal, prompts, set_initials, write_json
from tests.test_guided_entry import DESCRIPTION, FIRST

REFUSED = [
    "notaurl",
    "javascript:alert(document.cookie)",
    "JavaScript://x.com/%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "ftp://files.example.org/a",
    "https://localhost/admin",
    "https://exa mple.com/",
    "http://[::1]/",
    "vbscript:msgbox",
    "javascript:alert(1)%2F%2F@x.com",  # the scheme hidden as a user name before a host
    "mailto:someone@example.org",
    "https://evil.example@x.com/a",
    "https://x.com/a\u200bb",  # a zero-width space inside: copied, it is not the address shown
    "https://x\u3164.com/a",  # a Hangul filler in the host
    "https://_._",
    "https://1.1",
    "https://x.com:0/a",
    "x.com\\a",
]
KEPT = ["https://x.com/angryvoter/status/1", "x.com/angryvoter/status/1", "http://www.example.org/page?id=3"]
FLAGS = ("--when", "2026-05-01 18:30", "--place", "online", "--kind", "online-abuse", "--description", "posts")


@pytest.mark.parametrize("address", REFUSED)
def test_report_refuses_a_url_that_is_not_a_web_address(home: Path, address: str) -> None:
    """By flag: exit 3, the reason and an example, nothing saved, and the address never echoed."""
    set_initials()
    r = run("report", *FLAGS, "--url", address)
    assert r.exit_code == 3, r.stdout
    said = " ".join(r.stderr.split())  # folded to the terminal's width
    assert "url is not a web address (one such as https://x.com/name/status/1); nothing was saved" in said
    assert address not in r.stdout and address not in said
    assert count(home) == 0


@pytest.mark.parametrize("address", KEPT)
def test_report_keeps_a_web_address_exactly_as_given(home: Path, address: str) -> None:
    """An address with or without its scheme is stored as typed (no https:// added to the record)."""
    set_initials()
    r = run("report", *FLAGS, "--url", address, "--json")
    assert r.exit_code == 0, r.stderr
    assert [e["url"] for e in r.json["evidence"]] == [address]


def test_from_file_refuses_a_javascript_url(home: Path, tmp_path: Path) -> None:
    """An incident file with a ``javascript:`` exhibit is refused and names the exhibit, not the address."""
    set_initials()
    data = minimal(evidence=[{"url": "javascript:alert(1)"}])
    r = run("report", "--from-file", str(write_json(tmp_path, data)))
    assert r.exit_code == 3
    said = " ".join(r.stderr.split())
    assert "evidence #1" in said and "not a web address" in said and "alert" not in said
    assert count(home) == 0


def test_add_evidence_refuses_a_data_url(home: Path) -> None:
    """Adding a URL to a recorded incident checks it the same way, and the incident keeps no new exhibit."""
    set_initials()
    assert run("report", *FLAGS).exit_code == 0
    r = run("incidents", "add-evidence", "1", "--url", "data:text/html,hi")
    assert r.exit_code == 3 and "not a web address" in r.stderr
    assert count(home, "evidence") == 0
    assert run("incidents", "add-evidence", "1", "--url", "https://x.com/a/status/2").exit_code == 0
    assert count(home, "evidence") == 1


def test_guided_report_asks_again_after_an_address_that_is_not_one(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """The guided entry says why and asks the same question again; the good address is the one kept."""
    set_initials()
    prompts(monkeypatch)
    # people, vehicles, witnesses, files, then the URL question: a bad address, a good one, then none more
    answers = [*FIRST, *DESCRIPTION, "", "", "", "", "", "javascript:alert(1)", "x.com/a/status/9", "", "", "", "", ""]
    r = run("report", input="\n".join(answers) + "\n\n")
    assert r.exit_code == 0, r.stdout
    assert "that is not a web address" in r.stdout
    d = run("incidents", "show", "1", "--json").json
    assert [e["url"] for e in d["evidence"]] == ["x.com/a/status/9"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_only_http_addresses_with_a_dotted_host_count(text: str) -> None:
    """Whatever the text, an address accepted has no space in it and is http(s) or bare ``host.tld/…``."""
    if is_web_address(text):
        raw = text.strip()
        assert not any(c.isspace() or not c.isprintable() for c in raw)
        scheme, sep, rest = raw.partition("://")
        assert scheme.lower() in ("http", "https") if sep else "://" not in raw
        host = (rest if sep else raw).split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        assert "@" not in host and "." in host and host.isascii()


def test_when_a_web_page_was_seen_is_recorded_only_as_given(home: Path) -> None:
    """A URL given without seen_at says nothing of when it was seen (not the moment it was recorded, which the
    user never said); given, it is kept and shown in the statement."""
    set_initials()
    assert run("report", *FLAGS, "--url", "https://x.com/a/status/1").exit_code == 0
    assert run("report", *FLAGS, "--url", "https://x.com/a/status/2; seen_at=2026-05-01 18:40").exit_code == 0
    first, second = (run("incidents", "show", n, "--json").json["evidence"][0] for n in ("1", "2"))
    assert first["seen_at"] is None and first["added_at"]
    assert second["seen_at"].startswith("2026-05-01T18:40")
    assert "seen" not in run("export", "1", "--format", "md").stdout.split("Exhibits")[-1]
    assert "seen Fri 1 May 2026 18:40" in " ".join(run("export", "2", "--format", "md").stdout.split())
    r = run("incidents", "add-evidence", "1", "--url", "https://x.com/a/status/3", "--json")
    assert r.exit_code == 0 and run("incidents", "show", "1", "--json").json["evidence"][1]["seen_at"] is None


def test_a_screenshot_or_note_holding_a_semicolon_is_kept_whole(home: Path, tmp_path: Path) -> None:
    """`--url "…; screenshot=my; shot.png"` was "url is not a web address" (the rest of the file's name was
    taken as part of the address), and `note=posted; then deleted` the same. Text after a field is that field's
    (an address holds no spaces); the note is shown with its exhibit, as the export shows it."""
    set_initials()
    shot = tmp_path / "my; shot.png"
    shot.write_bytes(b"png")
    url = f"https://x.com/a/status/1; screenshot={shot}; seen_at=2026-05-01 19:00; note=posted; then deleted"
    r = run("report", "--when", "2026-05-01 18:30", "--kind", "online-abuse", "--place", "online",
            "--description", "d", "--url", url, "--json")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    (ev,) = r.json["evidence"]
    assert (ev["url"], ev["screenshot"]["original_name"], ev["note"]) == (
        "https://x.com/a/status/1", "my; shot.png", "posted; then deleted")  # fmt: skip
    assert "note: posted; then deleted" in " ".join(run("incidents", "show", "1").stdout.split())
