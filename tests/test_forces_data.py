"""data/forces.yaml: every force present, every fact sourced and dated, and the compiled JSON in step."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from campaignsafe.contact.forces_schema import ForcesFile, load_forces_yaml
from campaignsafe.datafiles import data_dir

ROOT = Path(__file__).resolve().parents[1]
YAML = ROOT / "data" / "forces.yaml"


@pytest.fixture(scope="module")
def forces() -> ForcesFile:
    if not YAML.exists():
        pytest.skip("not running from a source checkout")
    return load_forces_yaml(YAML)


def test_every_territorial_force_and_btp(forces: ForcesFile, shared: Path) -> None:
    """All 45 territorial forces (ids and PFA codes as in shared/data) plus British Transport Police."""
    with (shared / "police-force-areas/forces.csv").open(encoding="utf-8") as fh:
        rows = {r["force_id"]: r["pfa_code"] for r in csv.DictReader(fh)}
    ours = {f.id: f.pfa_code for f in forces.forces if f.territorial}
    assert ours == rows
    assert [f.id for f in forces.forces if not f.territorial] == ["btp"]


def test_every_force_has_a_website_and_election_contact_route(forces: ForcesFile) -> None:
    """A candidate always gets a website and a way to reach the election contacts."""
    for f in forces.forces:
        assert f.website.value.startswith("https://"), f.id
        assert len(f.election_contacts.value) > 40, f.id


def test_sources_are_complete(forces: ForcesFile) -> None:
    """Every source has a title, publisher, date and an https URL (validated by the schema)."""
    assert forces.sources
    for key, s in forces.sources.items():
        assert s.url.startswith("https://"), key


def test_common_and_national_routes(forces: ForcesFile) -> None:
    """999, 101 and the national routes candidates need are all there."""
    common = {r.id: r.value for r in forces.common_routes}
    assert common["emergency"] == "999" and "101" in common["non-emergency"]
    national = {r.id for r in forces.national_routes}
    assert {"crimestoppers", "anti-terrorist-hotline", "true-vision", "operation-bridger"} <= national


def test_compiled_json_matches_yaml(forces: ForcesFile) -> None:
    """forces.json is the YAML, validated and compiled (rebuild with scripts/build_data.py)."""
    compiled = json.loads((data_dir() / "forces.json").read_text(encoding="utf-8"))
    compiled.pop("_comment")
    assert compiled == forces.model_dump(mode="json", exclude_none=True)
