"""The streamed export of a record with many incidents: valid, verifiable, reproducible, and safe to interrupt."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from campaignsafe.errors import InputError
from campaignsafe.exports import json_, model, statement
from campaignsafe.exports.bundle import MANIFEST, Entry, write_bundle
from tests.conftest import run
from tests.export_helpers import EPOCH
from tests.incident_helpers import write_json

MANY = 60
KINDS = ["threats", "online-abuse", "harassment", "criminal-damage"]


@pytest.fixture
def many(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """A profile and MANY incidents over several months, two files each (all named photo.jpg), one amended."""
    return _record(MANY, tmp_path, monkeypatch)


#: enough incidents that every part file is written in several pieces and the zip's directory is
#: moved to disk more than once (``spool._PIECE``, ``bundle._SPILL``), as in a large campaign's export
THOUSANDS = 1_200


@pytest.fixture
def thousands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """The same record as ``many`` with THOUSANDS incidents."""
    return _record(THOUSANDS, tmp_path, monkeypatch)


def _record(count: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert run("profile", "--name", "Jo Smith", "--role", "candidate", "--email", "jo@example.org").exit_code == 0
    files = tmp_path / "files"
    items: list[dict[str, Any]] = []
    for n in range(count):
        folder = files / str(n)
        folder.mkdir(parents=True)
        (folder / "photo.jpg").write_bytes(b"\xff\xd8" + n.to_bytes(4, "big") * 50)
        (folder / "note.txt").write_bytes(f"note {n} \u00e9\n".encode())
        items.append(
            {
                "occurred_at": f"2026-{1 + n % 5:02d}-{1 + n % 28:02d}T{n % 24:02d}:10",
                "kind": KINDS[n % len(KINDS)],
                "description": f'Incident {n}: he said "go home"\nand left | =SUM(A1)',
                "location": {"text": "High Street", "postcode": "SW1A 1AA"} if n % 3 else {"text": "online"},
                "reports": [{"to": "101", "reference": f"CAD {n}"}] if n % 4 == 0 else [],
                "evidence": [{"path": f"{n}/photo.jpg"}, {"path": f"{n}/note.txt"}],
            }
        )
    r = run("report", "--from-file", str(write_json(files, items)), "--json")
    assert r.exit_code == 0, r.stderr
    assert run("incidents", "edit", "2", "--when", "2026-02-03 09:00", "--reason", "checked").exit_code == 0
    return count


def _export(out: Path) -> dict[str, bytes]:
    """Every format and the bundle, as bytes by name."""
    out.mkdir()
    for fmt in ("json", "csv", "md", "html"):
        r = run("export", "--all", "-o", str(out / f"all.{fmt}"))
        assert r.exit_code == 0, r.stderr
    r = run("export", "--all", "--bundle", str(out / "all.zip"))
    assert r.exit_code == 0, r.stderr
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_streamed_export_validates_verifies_and_repeats(many: int, tmp_path: Path) -> None:
    """Many incidents: the JSON fits the schema, verify and sha256sum -c pass, and a second export is identical."""
    _validates_verifies_and_repeats(many, tmp_path)


@pytest.mark.slow
def test_streamed_export_of_thousands_validates_verifies_and_repeats(thousands: int, tmp_path: Path) -> None:
    """The same of 1,200 incidents and 2,400 evidence files: written in pieces, the zip's directory spilled."""
    from campaignsafe.exports import bundle, spool

    assert 2 * thousands > 2 * bundle._SPILL
    _validates_verifies_and_repeats(thousands, tmp_path)
    md = (tmp_path / "one" / "all.md").read_bytes()
    assert len(md) > 3 * spool._PIECE  # written to its part file in several pieces


def _validates_verifies_and_repeats(many: int, tmp_path: Path) -> None:
    first = _export(tmp_path / "one")
    doc = json.loads(first["all.json"])
    assert len(doc["incidents"]) == many
    schema = json.loads(json_.schema_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    # the streamed text is exactly the whole document rendered at once
    whole = model.ExportDocument.model_validate_json(first["all.json"])
    assert json_.to_json(whole).encode() == first["all.json"]
    rows = list(csv.reader(io.StringIO(first["all.csv"].decode(), newline="")))
    assert len(rows) == many + 1 and rows[1][rows[0].index("description")].startswith("Incident")
    assert all(f"Incident {c['id']}:".encode() in first["all.md"] for c in doc["incidents"])
    assert first["all.html"].count(b'<article class="incident"') == many

    bundle = tmp_path / "one" / "all.zip"
    r = run("verify", str(bundle), "--json")
    assert r.exit_code == 0, r.stdout
    assert r.json["passed"] and len([n for n in r.json["ok"] if n.startswith("evidence/")]) == 2 * many
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        # every listed file in name order, then the manifest, then its signature (not listed)
        assert names[-2:] == [MANIFEST, MANIFEST + ".sig"] and names[:-2] == sorted(names[:-2])
        assert zf.read("incidents.json") == first["all.json"]
        assert zf.read("report.md") == first["all.md"]
        folder = tmp_path / "unpacked"
        zf.extractall(folder)
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "-c", MANIFEST], cwd=folder, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr

    assert _export(tmp_path / "two") == first


def test_interrupted_export_leaves_nothing(
    many: int, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed half-way through the incidents: no bundle, no report, and no scratch folder left behind."""
    real = statement.incident
    calls = {"n": 0}

    def dies(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == many // 2:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(statement, "incident", dies)
    out = tmp_path / "out"
    out.mkdir()
    r = run("export", "--all", "--bundle", str(out / "b.zip"), "-o", str(out / "r.html"))
    assert r.exit_code == 130 and calls["n"] == many // 2
    assert list(out.iterdir()) == []
    assert not [p for p in home.iterdir() if p.name.startswith(".export-")]


def test_scratch_folder_is_private(many: int, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While an export runs, its scratch folder is 0700 and its files 0600, inside the data folder."""
    seen: list[tuple[int, list[int]]] = []
    real = statement.incident

    def look(*args: Any) -> Any:
        if not seen:
            (folder,) = [p for p in home.iterdir() if p.name.startswith(".export-")]
            seen.append((folder.stat().st_mode & 0o777, [p.stat().st_mode & 0o777 for p in folder.iterdir()]))
        return real(*args)

    monkeypatch.setattr(statement, "incident", look)
    assert run("export", "--all", "--bundle", str(tmp_path / "b.zip")).exit_code == 0
    assert seen[0][0] == 0o700 and seen[0][1] and set(seen[0][1]) == {0o600}


def test_write_bundle_refuses_entries_out_of_order(tmp_path: Path) -> None:
    """A streamed bundle must come in name order: one out of order or repeated writes nothing."""
    for names in (["b.txt", "a.txt"], ["a.txt", "a.txt"], ["a.txt", "../x"]):
        with pytest.raises(InputError):
            write_bundle(iter([Entry(n, b"x") for n in names]), tmp_path / "b.zip")
        assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_damaged_rows_across_read_batches_are_left_out_in_place(thousands: int, home: Path) -> None:
    """The store reads 500 incidents at a time: damaged rows on either side of a batch's edge are each
    named and left out by --anyway, every other incident exported once, in order; without it, exit 6."""
    import sqlite3

    from campaignsafe.incidents import store as store_module
    from campaignsafe.incidents.store import Store

    damaged = [3, store_module._BATCH, store_module._BATCH + 1, thousands - 1]
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS record_no_update")
    for iid in damaged:
        conn.execute("UPDATE incidents SET record = '{\"kind\": ' WHERE id = ?", (iid,))
    conn.close()
    with Store.open() as store:
        order = store.ids()
        read = list(store.readable(order))
    assert [iid for iid, _ in read] == order and len(order) == thousands
    assert sorted(iid for iid, inc in read if inc is None) == damaged
    assert all(inc.id == iid for iid, inc in read if inc is not None)
    assert run("export", "--all", "--format", "json").exit_code == 6
    r = run("export", "--all", "--anyway", "--format", "json")
    assert r.exit_code == 0, r.stderr
    exported = [c["record"]["id"] for c in json.loads(r.stdout)["incidents"]]
    assert len(exported) == thousands - len(damaged) and not set(exported) & set(damaged)
    assert exported == [iid for iid, inc in read if inc is not None]  # the listing's order, each once
    named = ", ".join(str(iid) for iid in order if iid in damaged)  # in the listing's order, as exported
    assert f"incident {named} cannot be read" in " ".join(r.stderr.split())
