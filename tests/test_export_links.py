"""Links in the export: the JSON lists them (and validates), the reports gain a "Linked incidents" section."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import run
from tests.export_helpers import EPOCH, export
from tests.incident_helpers import minimal, set_initials, write_json
from tests.test_cli_links import SEEDED

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "schema" / "incident-export.schema.json").read_text())


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    set_initials("Jo Smith")
    r = run("report", "--from-file", str(write_json(tmp_path, SEEDED)), "--json")
    assert r.exit_code == 0, r.stderr


def _json(*args: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(export(*args, "--format", "json").stdout)
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)
    return doc


def test_json_export_lists_the_links_as_incidents_links_does(seeded: None) -> None:
    doc = _json("--all")
    assert list(doc) == ["export", "summary", "links", "incidents"]
    assert doc["links"] == run("incidents", "links", "--json").json["links"]
    assert [(x["kind"], x["value"]) for x in doc["links"]][:1] == [("handle", "x:@angryvoter")]


def test_links_are_among_the_exported_incidents_only(seeded: None) -> None:
    doc = _json("1", "4")
    assert [(x["kind"], x["value"], [i["id"] for i in x["incidents"]]) for x in doc["links"]] == [
        ("registration", "AB12CDE", [1, 4])
    ]
    assert _json("4", "5")["links"] == []


def test_markdown_report_gains_the_section(seeded: None) -> None:
    md = export("--all", "--format", "md").stdout
    section = md[md.index("## Linked incidents") : md.index("\n---\n", md.index("## Linked incidents"))]
    assert md.index("## Course of conduct") < md.index("## Linked incidents") < md.index("## Incident 1")
    assert "### Handle: @angryvoter on X, in 3 incidents" in section
    assert "- Incident 4, Sun 3 May 2026, Criminal damage, Metropolitan Police Service;" in section
    assert "not proof" in section
    assert max(len(line) for line in section.splitlines()) <= 78


def test_html_report_gains_the_section_with_links_to_the_incidents(seeded: None) -> None:
    page = export("--all", "--format", "html").stdout
    start = page.index('<section class="linked">')
    section = page[start : page.index("</section>", start)]
    assert "<h2>Linked incidents</h2>" in section
    assert '<a href="#incident-3">3</a>' in section and 'id="incident-3"' in page
    assert "Handle: @angryvoter on X, in 3 incidents" in section


def test_no_section_when_nothing_is_shared(tmp_path: Path) -> None:
    set_initials("Jo Smith")
    data = [
        minimal(people=[{"role": "suspect", "handle": "@one"}]),
        minimal(people=[{"role": "suspect", "name": "A B"}]),
    ]
    assert run("report", "--from-file", str(write_json(tmp_path, data))).exit_code == 0
    assert "Linked incidents" not in export("--all", "--format", "md").stdout
    assert 'class="linked"' not in export("--all", "--format", "html").stdout
    assert _json("--all")["links"] == []


def test_hostile_identifiers_are_escaped(tmp_path: Path) -> None:
    evil = {"role": "suspect", "name": '"><b>Bold</b> <script>x</script>', "contact": "<i>07700 900123</i>"}
    assert run("report", "--from-file", str(write_json(tmp_path, [minimal(people=[evil])] * 2))).exit_code == 0
    page = export("--all", "--format", "html").stdout
    start = page.index('<section class="linked">')
    section = page[start : page.index("</section>", start)]
    assert "<b>" not in section and "<script>" not in section and "&lt;script&gt;" in section
    md = export("--all", "--format", "md").stdout
    section = md.split("## Linked incidents")[1].split("\n---\n")[0]
    assert "\\<script>" in section and not re.search(r"(?<!\\)<script>", section)  # escaped, so shown as typed


def test_bundle_carries_the_links(seeded: None, tmp_path: Path) -> None:
    import zipfile

    out = tmp_path / "police.zip"
    export("--all", "--bundle", str(out))
    with zipfile.ZipFile(out) as zf:
        doc = json.loads(zf.read("incidents.json"))
        assert "## Linked incidents" in zf.read("report.md").decode()
    assert doc["links"][0]["value"] == "x:@angryvoter"


def test_linked_incidents_name_the_profile_force_of_an_online_incident(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An online incident's force comes from the profile: "Linked incidents" names it, labelled, as every view does."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert run("profile", "--name", "Jo Smith", "--force", "kent").exit_code == 0
    online = {"text": "Online"}
    people = [{"role": "suspect", "handle": "@angryvoter", "platform": "X"}]
    seeded = [minimal(location=online, kind="online-abuse", platform="X", people=people, occurred_at=f"2026-04-0{d}")
              for d in (1, 2)]  # fmt: skip
    assert run("report", "--from-file", str(write_json(tmp_path, seeded)), "--json").exit_code == 0
    html = export("--all", "--format", "html").stdout
    section = html[html.index("Linked incidents") :]
    assert "no force" not in section
    assert section.count("Kent Police (from the reporting person&#x27;s profile)") == 2
    [link] = _json("--all")["links"]
    assert {(i["force_id"], i["force_source"]) for i in link["incidents"]} == {("kent", "profile")}
    assert run("incidents", "links", "--json").json["links"] == [link]


def test_the_section_names_no_identifier_the_record_does_not_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its explanation gives no example handle, number or registration: a police reader would take one for the
    case's (a record linked by @bathtroll alone names nothing else)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    troll = {"role": "suspect", "handle": "@bathtroll", "platform": "X"}
    incidents = [minimal(people=[troll]), minimal(occurred_at="2026-05-02T10:00", people=[troll])]
    assert run("report", "--from-file", str(write_json(tmp_path, incidents)), "--json").exit_code == 0
    for fmt in ("md", "html"):
        text = export("--all", "--format", fmt).stdout
        assert "Linked incidents" in text and "bathtroll" in text
        for foreign in ("angryvoter", "07700", "7700 900", "ab12", "twitter"):
            assert foreign not in text.lower(), (fmt, foreign)
