"""What each export format says: JSON against its schema, CSV for spreadsheets, the HTML and markdown reports."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from campaignsafe.exports import json_, markdown
from campaignsafe.exports.names import bundle_paths, safe_part
from campaignsafe.exports.text import size_text
from campaignsafe.incidents.models import STORED, Incident
from tests.conftest import run
from tests.export_helpers import EPOCH, export, make_record
from tests.incident_helpers import minimal, set_initials, write_json

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "schema" / "incident-export.schema.json"
HOSTILE = {
    "description": '<script>alert("x")</script> said "=1+2" & left\n# not a heading\n- not a list',
    "location": {"text": '<img src=x onerror="alert(1)">', "postcode": "SW1A 1AA"},
    "people": [
        {"role": "suspect", "name": '"><b>bold</b>', "handle": "@evil_*user*"},
        {"role": "witness", "name": '=HYPERLINK("http://evil.example","click")', "contact": "+44 7700 900000"},
    ],
    "platform": "-2+3",
    "impact": {"personal": "@SUM(A1:A9)", "campaign": "[link](javascript:alert(1))"},
}


@pytest.fixture
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The three-incident record, exported at a fixed time."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return make_record(tmp_path)


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """One incident whose every free-text field tries to inject HTML, markdown or a spreadsheet formula."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    set_initials("Jo <b>Smith</b>")
    (tmp_path / "<evil>.png").write_bytes(b"png")
    data = minimal(**HOSTILE, evidence=[{"path": "<evil>.png", "note": "<i>note</i>"}])
    r = run("report", "--from-file", str(write_json(tmp_path, data)), "--json")
    assert r.exit_code == 0, r.stderr
    return int(r.json["incidents"][0]["id"])


# -- JSON and its schema -------------------------------------------------------------------------


def test_committed_schema_matches_the_models() -> None:
    """schema/incident-export.schema.json is exactly what the models generate, and the script agrees."""
    assert COMMITTED.read_text(encoding="utf-8") == json_.schema_text()
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "export_schema.py"), "--check"], capture_output=True)
    assert r.returncode == 0, r.stderr
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == "urn:campaignsafe:incident-export:1"


def _validate(doc: Any) -> None:
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)


def test_json_export_validates_against_the_committed_schema(record: list[int], hostile: int) -> None:
    """Every export (files, URLs, amendments, every kind of person, hostile text) validates against the schema."""
    doc = export("--all", "--format", "json").json
    _validate(doc)
    for one in ("1", str(hostile)):
        _validate(export(one, "--format", "json").json)


def test_json_is_structured_as_a_case(record: list[int]) -> None:
    """Event, people by role, objects, locations and reports, plus the export's time, versions and producer."""
    doc = export("--all", "--format", "json").json
    meta = doc["export"]
    assert meta["schema_version"] == 1 and meta["exported_at"] == "2026-05-28T21:26:40+01:00"
    assert meta["tool"]["name"] == "campaignsafe" and {d["id"] for d in meta["tool"]["datasets"]} >= {"forces"}
    assert meta["producer"]["name"] == "Jo Smith" and meta["producer"]["initials"] == "JS"
    assert meta["forces"][0]["id"] == "metropolitan" and meta["forces"][0]["incidents"] == 3
    assert doc["summary"]["incidents"] == 3 and doc["summary"]["by_month"][0]["month"] == "2026-04"
    first = doc["incidents"][0]
    assert first["event"]["occurred_at"] == "2026-04-01T10:15:00+01:00" and first["amended"] is True
    assert [p["name"] for p in first["people"]["victims"]] == ["Pat Lee"]
    assert first["people"]["suspects"][0]["handle"] == "@angryvoter"
    assert first["people"]["witnesses"][0]["contact"] == "07700 900123"
    assert first["people"]["reporting_person"]["name"] == "Jo Smith"
    assert first["objects"]["vehicles"][0]["registration"] == "AB12 CDE"
    assert first["objects"]["online_accounts"] == [
        {"handle": "@angryvoter", "platform": None, "held_by_role": "suspect", "name": None}
    ]
    exhibit = first["objects"]["evidence"][0]
    assert exhibit["exhibit_ref"] == "JS/1" and exhibit["files"][0]["original_name"] == "photo.jpg"
    assert len(exhibit["files"][0]["sha256"]) == 64 and exhibit["files"][0]["size"] > 0
    assert first["locations"][0]["force_id"] == "metropolitan"
    assert first["reports"][0].pop("recorded_at")
    assert first["reports"][0] == {
        "to": "101",
        "label": "101 (ref CAD 1234)",
        "police": True,
        "reference": "CAD 1234",
        "reported_at": "2026-04-01T11:00:00+01:00",
        "platform": None,
        "notes": None,
    }
    assert [a["action"] for a in first["audit"]] == ["created", "evidence-added", "amended"]
    url = doc["incidents"][1]["objects"]["evidence"][0]
    assert url["type"] == "url" and url["files"][0]["part"] == "screenshot"


def test_json_record_is_the_stored_incident(record: list[int]) -> None:
    """Each incident's `record` is the stored incident, original and amendments, in the record's own field names."""
    doc = export("1", "--format", "json").json
    shown = run("incidents", "show", "1", "--json").json
    for key in ("schema_version", "current", "audit", "record_check", "recorded_by", "force"):
        shown.pop(key, None)
    assert doc["incidents"][0]["record"] == shown
    incident = Incident.model_validate(doc["incidents"][0]["record"], context=STORED)
    assert incident.occurred_at.hour == 10 and incident.current().occurred_at.minute == 15


# -- CSV -----------------------------------------------------------------------------------------


def test_csv_has_one_row_per_incident(record: list[int], tmp_path: Path) -> None:
    """A header and one CRLF-terminated row per incident, as it reads now, readable by a spreadsheet."""
    export("--all", "-o", str(tmp_path / "out.csv"))
    raw = (tmp_path / "out.csv").read_bytes()
    text = raw.decode("utf-8")
    assert raw.endswith(b"\r\n") and raw.count(b"\r\n") == 4  # the header and three rows
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["occurred_at"] == "2026-04-01T10:15:00+01:00"
    assert rows[0]["force_name"] == "Metropolitan Police Service"
    assert rows[0]["description"] == 'He said "you will regret standing"\nThen he spat at the leaflets.'
    assert rows[0]["police_reported"] == "yes" and rows[0]["police_references"] == "CAD 1234"
    assert rows[0]["exhibits"] == "JS/1 photo.jpg" and rows[0]["amendments"] == "1"
    assert rows[1]["online_accounts"] == "'@troll (X)"


def test_csv_cells_cannot_become_formulas(hostile: int) -> None:
    """Cells starting =, +, - or @ are prefixed with an apostrophe, whatever field they are in."""
    rows = list(csv.reader(io.StringIO(export("--all", "--format", "csv").stdout, newline="")))
    header, row = rows
    cells = dict(zip(header, row, strict=True))
    assert cells["platform"] == "'-2+3" and cells["impact_personal"] == "'@SUM(A1:A9)"
    assert cells["witnesses"].startswith("'=HYPERLINK(")
    assert not any(c.startswith(("=", "+", "-", "@")) for c in row)


# -- HTML ----------------------------------------------------------------------------------------


def test_html_escapes_every_user_string(hostile: int) -> None:
    """Script tags, attributes and markup typed by the user (or an abuser) appear as text, never as HTML."""
    page = export("--all", "--format", "html").stdout
    for raw in ("<script", "<img", "<b>", "<i>", 'href="javascript'):
        assert raw not in page
    assert not re.search(r"<[^>]*onerror", page)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "&quot;&gt;&lt;b&gt;bold&lt;/b&gt;" in page and "Jo &lt;b&gt;Smith&lt;/b&gt;" in page
    assert "&lt;evil&gt;.png" in page and "&lt;i&gt;note&lt;/i&gt;" in page


def test_html_is_one_self_contained_printable_file(record: list[int]) -> None:
    """Inline CSS for A4 and an inline SVG chart; no script, no link, nothing fetched."""
    page = export("--all", "--format", "html").stdout
    assert page.startswith("<!doctype html>") and "@page { size: A4" in page and "<svg" in page
    for fetch in ("<script", "<link", "<img", "<iframe", "@import", "url(", " src="):
        assert fetch not in page
    assert not re.search(r'href="(?!#)', page)
    assert "If you are in immediate danger, call 999." in page and "not legal advice" in page


def test_html_report_follows_the_statement_order(record: list[int]) -> None:
    """Cover, course of conduct, then each incident in MG11 order with amendments beside the original."""
    page = export("--all", "--format", "html").stdout
    order = [
        "Who is reporting", "DI ", "Course of conduct", "Every incident, oldest first", 'id="incident-1"',
        "Who I am", "When and where", "What happened", "Who was there", "The effect on me",
        "What I have already reported", "The exhibits I produce", "Amendments", 'id="incident-2"',
    ]  # fmt: skip
    order.remove("DI ")
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "Jo Smith" in page and "07700 900000" in page and "Metropolitan Police Service" in page
    assert "3 incidents from Wed 1 Apr 2026 to Fri 1 May 2026 (31 days)" in page
    assert "<th>Before</th><th>Amended to</th>" in page
    assert "Wed 1 Apr 2026 10:00</td>" in page and "Wed 1 Apr 2026 10:15</td>" in page
    assert "JS/1" in page and re.search(r'<code class="hash">[0-9a-f]{64}</code>', page)


def test_a_second_amendment_does_not_call_the_first_ones_value_first_recorded(home: Path) -> None:
    """Amended twice, the second amendment's old value is the first amendment's, labelled as what it was before."""
    base = ("--place", "High Street", "--kind", "threats", "--description", "x")
    assert run("report", "--when", "2026-05-01 18:30", *base).exit_code == 0
    for when in ("2026-05-01 18:45", "2026-05-01 19:00"):
        assert run("incidents", "edit", "1", "--when", when, "--reason", "phone log").exit_code == 0
    text = run("export", "1", "--format", "md").stdout
    page = run("export", "1", "--format", "html").stdout
    assert "As first recorded: Fri 1 May 2026 18:45" not in text
    assert "  - Before: Fri 1 May 2026 18:45\n  - Amended to: Fri 1 May 2026 19:00" in text
    assert "<th>As first recorded</th>" not in page and "<th>Before</th><th>Amended to</th>" in page


def test_a_place_that_names_its_postcode_does_not_say_it_twice(home: Path, tmp_path: Path) -> None:
    """The guided report offers the postcode written in the place; the report's heading and index then gave
    "Outside the library, Bath BA1 1SU, BA1 1SU". Once; a place without it still gets ", POSTCODE"."""
    named = minimal(location={"text": "Outside the library, Bath ba1 1su", "postcode": "BA1 1SU"})
    plain = minimal(location={"text": "High Street", "postcode": "BA1 1SU"})
    assert run("report", "--from-file", str(write_json(tmp_path, [named, plain]))).exit_code == 0
    for fmt in ("md", "html"):
        text = run("export", "--all", "--format", fmt).stdout
        assert "ba1 1su, BA1 1SU" not in text and "Outside the library, Bath ba1 1su" in text
        assert "High Street, BA1 1SU" in text


# -- markdown ------------------------------------------------------------------------------------


def test_markdown_reads_as_plain_text(record: list[int]) -> None:
    """Wrapped at 78 columns (apart from tables and hashes), the exact words quoted line by line."""
    text = export("--all", "--format", "md").stdout
    hashed = re.compile(r"[0-9a-f]{64}")  # a SHA-256 cannot be wrapped
    long = [
        line
        for line in text.splitlines()
        if len(line) > 78 and not line.startswith(("|", "  - SHA-256")) and not hashed.search(line)
    ]
    assert long == []
    assert '> He said "you will regret standing"  \n> Then he spat at the leaflets.\n' in text
    assert "| April 2026 | 2 |" in text
    assert "  - Before: Wed 1 Apr 2026 10:00\n  - Amended to: Wed 1 Apr 2026 10:15" in text
    headings = [line for line in text.splitlines() if line.startswith("### ") and ". " in line[:8]]
    assert headings[:7] == [
        "### 1. Who I am",
        "### 2. When and where",
        "### 3. What happened",
        "### 4. Who was there",
        "### 5. The effect on me",
        "### 6. What I have already reported",
        "### 7. The exhibits I produce",
    ]


def test_markdown_makes_user_text_inert(hostile: int) -> None:
    """User text cannot become a heading, a list, a link, emphasis or HTML in a markdown viewer."""
    text = export("--all", "--format", "md").stdout
    assert "\\<script>" in text and "<script" not in text.replace("\\<script", "")
    assert "> \\# not a heading" in text and "> \\- not a list" in text
    assert "\\[link](javascript:alert(1))" in text and "@evil\\_\\*user\\*" in text


@pytest.mark.parametrize(
    ("raw", "inert"),
    [
        ("plain words", "plain words"),
        ("@angry_voter_99", "@angry_voter_99"),
        ("_emph_ and *bold*", "\\_emph\\_ and \\*bold\\*"),
        ("<b>x</b> & &amp;", "\\<b>x\\</b> & &amp;amp;"),
        ("`code` [a](b)", "\\`code\\` \\[a](b)"),
    ],
)
def test_markdown_escaping(raw: str, inert: str) -> None:
    """Escaping keeps ordinary text (handles with underscores included) as it was."""
    assert markdown.esc(raw) == inert


# -- bundle names and small helpers --------------------------------------------------------------


def test_bundle_names_are_safe_and_unique(record: list[int]) -> None:
    """Exhibit files are named after their reference and original name, sanitised, and never collide."""
    assert safe_part("../../etc/passwd") == "etc_passwd"
    assert safe_part("photo (1).JPG") == "photo_1_.JPG"
    assert safe_part("." * 5) == "file"
    assert len(safe_part("x" * 300 + ".jpeg")) == 80 and safe_part("x" * 300 + ".jpeg").endswith(".jpeg")
    from campaignsafe.incidents.store import Store

    with Store.open() as store:
        incident = store.get(1)

    def with_ref(ref: str) -> Incident:
        return incident.model_copy(update={"evidence": [incident.evidence[0].model_copy(update={"exhibit_ref": ref})]})

    names = bundle_paths([incident, with_ref("js/1"), with_ref("JS:1"), with_ref("JS/1 ")])
    assert names == {
        ("JS/1", "file"): "evidence/JS-1_photo.jpg",
        ("js/1", "file"): "evidence/js-1_photo-2.jpg",
        ("JS:1", "file"): "evidence/JS_1_photo.jpg",
        ("JS/1 ", "file"): "evidence/JS-1_photo-3.jpg",
    }
    assert bundle_paths([incident]) == {("JS/1", "file"): "evidence/JS-1_photo.jpg"}  # stable


def test_sizes_read_naturally() -> None:
    """Sizes in bytes, kB, MB."""
    assert [size_text(n) for n in (532, 1_200, 1_234_567, 5 * 10**9)] == ["532 bytes", "1.2 kB", "1.2 MB", "5.0 GB"]
