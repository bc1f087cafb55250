"""No error message quotes what the user wrote about an incident, at any debug level.

Each entry point that takes a token about an incident (a kind, a date, a postcode, a force, a
place, a report route, a web address, a field name, an evidence or incident file's name) is fed
a distinctive canary that makes it fail; the canary must never appear in what is printed, in
plain runs, with ``--debug`` and with ``CAMPAIGNSAFE_DEBUG=1``. Messages name the field instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run
from tests.incident_helpers import minimal, write_json

CANARY = "Qz7canary"
#: a field name the user typed (a plain word, so it is taken as a field, not as free text)
WORD = "canaryfield"
FLAGS = ("--when", "2026-05-01 18:30", "--place", "High Street", "--kind", "threats", "--no-input")


def _file(tmp_path: Path, data: object, name: str = "incident.json") -> str:
    return str(write_json(tmp_path, data, name))


def _yaml(tmp_path: Path, text: str) -> str:
    p = tmp_path / "incident.yaml"
    p.write_text(text, encoding="utf-8")
    return str(p)


# (an id, a function of tmp_path giving the arguments); every case must fail
CASES: list[tuple[str, object]] = [
    (
        "report --kind",
        lambda t: ["report", "--when", "2026-05-01 18:30", "--place", "x", "--kind", CANARY, "--no-input"],
    ),
    ("report --when", lambda t: ["report", "--when", CANARY, "--place", "x", "--kind", "threats", "--no-input"]),
    ("report --when date", lambda t: ["report", "--when", f"31/02/2026 {CANARY}", "--place", "x", "--kind", "threats"]),
    ("report --when time", lambda t: ["report", "--when", "2026-05-01 99pm", "--place", CANARY, "--kind", "threats"]),
    ("report --postcode", lambda t: ["report", *FLAGS, "--postcode", f"ZZ{CANARY}"]),
    ("report --force", lambda t: ["report", *FLAGS, "--force", CANARY]),
    ("report --reported-to", lambda t: ["report", *FLAGS, "--reported-to", CANARY]),
    ("report --suspect key", lambda t: ["report", *FLAGS, "--suspect", f"a man; {WORD}=1"]),
    ("report --url", lambda t: ["report", *FLAGS, "--url", f"not a web address {CANARY}"]),
    ("report --url seen_at", lambda t: ["report", *FLAGS, "--url", f"https://x.com/a/status/1; seen_at={CANARY}"]),
    ("report --url screenshot", lambda t: ["report", *FLAGS, "--url", f"https://x.com/a; screenshot=/no/{CANARY}.png"]),
    ("report --evidence missing", lambda t: ["report", *FLAGS, "--evidence", str(t / f"{CANARY}.jpg")]),
    ("report --evidence folder", lambda t: ["report", *FLAGS, "--evidence", str(t / "dir" / CANARY)]),
    ("report --from-file missing", lambda t: ["report", "--from-file", str(t / f"{CANARY}.yaml")]),
    ("report --from-file kind", lambda t: ["report", "--from-file", _file(t, minimal(kind=CANARY))]),
    ("report --from-file when", lambda t: ["report", "--from-file", _file(t, minimal(occurred_at=CANARY))]),
    ("report --from-file key", lambda t: ["report", "--from-file", _file(t, {**minimal(), CANARY: 1})]),
    ("report --from-file nested key", lambda t: ["report", "--from-file", _file(t, minimal(location={CANARY: "x"}))]),
    (
        "report --from-file postcode",
        lambda t: ["report", "--from-file", _file(t, minimal(location={"text": "x", "postcode": f"ZZ{CANARY}"}))],
    ),
    (
        "report --from-file evidence",
        lambda t: ["report", "--from-file", _file(t, minimal(evidence=[{"path": CANARY}]))],
    ),
    ("report --from-file name", lambda t: ["report", "--from-file", _file(t, [], f"{CANARY}.json")]),
    ("report --from-file json", lambda t: ["report", "--from-file", str(_bad_json(t))]),
    ("report --from-file yaml", lambda t: ["report", "--from-file", _yaml(t, f"kind: threats\n  {CANARY}: : [\n")]),
    ("report --from-file yaml tab", lambda t: ["report", "--from-file", _yaml(t, f"kind:\t{CANARY}\n\t- x")]),
    ("list --since", lambda t: ["incidents", "list", "--since", CANARY]),
    ("list --until", lambda t: ["incidents", "list", "--until", f"{CANARY} 2026"]),
    ("list --kind", lambda t: ["incidents", "list", "--kind", CANARY]),
    ("list --force", lambda t: ["incidents", "list", "--force", CANARY]),
    ("links --kind", lambda t: ["incidents", "links", "--kind", CANARY]),
    ("edit --when", lambda t: ["incidents", "edit", "1", "--when", CANARY]),
    ("edit --kind", lambda t: ["incidents", "edit", "1", "--kind", CANARY]),
    ("edit --postcode", lambda t: ["incidents", "edit", "1", "--postcode", f"ZZ{CANARY}"]),
    ("edit --force", lambda t: ["incidents", "edit", "1", "--force", CANARY]),
    ("edit --add-suspect", lambda t: ["incidents", "edit", "1", "--add-suspect", f"a; {WORD}=x"]),
    ("update --reported-to", lambda t: ["incidents", "update", "1", "--reported-to", CANARY]),
    ("update --when", lambda t: ["incidents", "update", "1", "--reported-to", "101", "--when", CANARY]),
    ("add-evidence file", lambda t: ["incidents", "add-evidence", "1", str(t / f"{CANARY}.jpg")]),
    (
        "add-evidence --seen-at",
        lambda t: ["incidents", "add-evidence", "1", "--url", "https://x.com/a", "--seen-at", CANARY],
    ),
    (
        "add-evidence --screenshot",
        lambda t: ["incidents", "add-evidence", "1", "--url", "https://x.com/a", "--screenshot", str(t / CANARY)],
    ),
    ("export --since", lambda t: ["export", "--since", CANARY]),
    ("export --kind", lambda t: ["export", "--kind", CANARY]),
    ("export --force", lambda t: ["export", "--force", CANARY]),
    ("export --format", lambda t: ["export", "--all", "--format", CANARY]),
]


def _bad_json(tmp_path: Path) -> Path:
    p = tmp_path / "broken.json"
    p.write_text('{"kind": "threats", "description": "' + CANARY + '", }', encoding="utf-8")
    return p


@pytest.fixture
def recorded(home: Path, tmp_path: Path) -> None:
    assert run("profile", "--name", "Jo Smith", "--initials", "JS").exit_code == 0
    r = run("report", *FLAGS, "--description", "A man shouted.")
    assert r.exit_code == 0, r.stderr
    (tmp_path / "dir" / CANARY).mkdir(parents=True)


@pytest.mark.parametrize("debug", ["plain", "--debug", "env"])
@pytest.mark.parametrize(("name", "args"), CASES, ids=[c[0] for c in CASES])
def test_no_error_message_quotes_what_was_typed(
    name: str, args: object, debug: str, recorded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = list(args(tmp_path))  # type: ignore[operator]
    if debug == "--debug":
        argv = ["--debug", *argv]
    elif debug == "env":
        monkeypatch.setenv("CAMPAIGNSAFE_DEBUG", "1")
    r = run(*argv)
    assert r.exit_code not in (0, 1), (name, r.exit_code, r.stderr)
    assert r.stderr.strip(), name
    shown = (r.stdout + r.stderr).lower()
    assert CANARY.lower() not in shown and WORD not in shown, (name, r.stderr)


def test_the_messages_still_name_the_field(recorded: None, tmp_path: Path) -> None:
    """Without the value, the message says which field was wrong and how to give it."""
    r = run("report", "--when", "2026-05-01 18:30", "--place", "x", "--kind", CANARY, "--no-input")
    assert r.exit_code == 3 and "kind" in r.stderr
    r = run("incidents", "list", "--since", CANARY)
    assert r.exit_code == 3 and "--since" in r.stderr
    r = run("report", *FLAGS, "--evidence", str(tmp_path / f"{CANARY}.jpg"))
    assert r.exit_code == 3 and "evidence" in r.stderr and "no such file" in r.stderr
    r = run("report", "--from-file", _file(tmp_path, {**minimal(), CANARY: 1}))
    assert r.exit_code == 3 and "unknown field" in r.stderr
    data = json.loads(run("incidents", "list", "--kind", CANARY, "--json").stdout or "{}")
    assert CANARY not in json.dumps(data)


@pytest.mark.parametrize(
    "body",
    [
        "description: !SECRETWORD abc\n",
        "%TAG !s! tag:secretword,2026:\n---\ndescription: !s!x abc\n",
        'description: "secretword \\q"\n',
        "description: !!python/object:secretword.Thing {}\n",
    ],
)
def test_a_yaml_error_never_quotes_a_tag_or_escape_from_the_file(body: str, tmp_path: Path) -> None:
    """PyYAML's problem quoted the file ("could not determine a constructor for the tag '!SECRETWORD'")."""
    f = tmp_path / "incident.yaml"
    f.write_text(body)
    r = run("report", "--from-file", str(f))
    assert r.exit_code == 3 and "not valid YAML" in r.stderr
    assert "secretword" not in r.stderr.lower(), r.stderr
    assert "line " in r.stderr  # where it is, still


def test_a_yaml_error_still_names_the_punctuation_it_expected(tmp_path: Path) -> None:
    f = tmp_path / "incident.yaml"
    f.write_text("description: [a, b\n")
    assert "expected ',' or ']'" in run("report", "--from-file", str(f)).stderr
