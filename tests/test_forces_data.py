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


def _facts(node: object, path: str = "") -> list[tuple[str, dict[str, object]]]:
    """Every dict in the raw YAML that carries a value (a fact or a route), with where it is."""
    found: list[tuple[str, dict[str, object]]] = []
    if isinstance(node, dict):
        if "value" in node or "phone" in node or ("url" in node and "title" not in node):
            found.append((path, node))
        for k, v in node.items():
            if k != "sources":
                found += _facts(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _facts(v, f"{path}[{i}]")
    return found


def test_every_fact_has_a_source_and_a_checked_date() -> None:
    """Every fact in forces.yaml (routes, force facts, Crown Dependency numbers) has sources and a checked date."""
    import yaml

    if not YAML.exists():
        pytest.skip("not running from a source checkout")
    raw = yaml.safe_load(YAML.read_text(encoding="utf-8"))
    facts = _facts({k: v for k, v in raw.items() if k != "sources"})
    assert len(facts) > 100
    for where, fact in facts:
        assert fact.get("sources"), where
        assert all(key in raw["sources"] for key in fact["sources"]), where  # type: ignore[union-attr]
        assert str(fact.get("checked", "")).startswith("20"), where


def test_crown_dependency_numbers_are_sourced_and_isle_of_man_is_not_guessed(forces: ForcesFile) -> None:
    """Jersey's 999 and 612612 come from the force's own pages; Guernsey's 999 too; the Isle of Man's 999 only."""
    by_id = {c.id: c for c in forces.crown_dependencies}
    jersey = by_id["jersey"]
    assert jersey.emergency is not None and jersey.emergency.value == "999"
    assert {"jersey-community-policing", "jersey-high-call-volumes-2020"} <= set(jersey.emergency.sources)
    assert jersey.non_emergency is not None and "612612" in jersey.non_emergency.value
    assert all(forces.sources[k].url.startswith("https://jersey.police.uk/") for k in jersey.emergency.sources)
    guernsey = by_id["guernsey"]
    assert guernsey.emergency is not None and guernsey.emergency.sources == ["guernsey-control-room"]
    iom = by_id["isle-of-man"]  # 999 from the Government's control room page; no non-emergency number guessed
    assert iom.emergency is not None and iom.emergency.value == "999" and iom.emergency.sources == ["iom-esjcr"]
    assert forces.sources["iom-esjcr"].url.startswith("https://www.gov.im/")
    assert iom.non_emergency is None and "could not confirm its non-emergency number" in iom.note


def test_election_contacts_say_no_national_list_not_no_public_list(forces: ForcesFile) -> None:
    """Councils and forces may publish names locally, so the text says there is no national list."""
    for f in forces.forces:
        assert "no public list" not in f.election_contacts.value, f.id


def test_report_fraud_is_current_and_scotland_goes_to_police_scotland(forces: ForcesFile) -> None:
    """Report Fraud (from 4 December 2025) covers England, Wales and NI; Scotland reports fraud to Police Scotland."""
    national = {r.id: r for r in forces.national_routes}
    assert set(national["report-fraud"].nations) == {"england", "wales", "northern-ireland"}
    assert "4 December 2025" in national["report-fraud"].detail
    assert national["fraud-scotland"].nations == ["scotland"] and "101" in national["fraud-scotland"].detail
    text = YAML.read_text(encoding="utf-8")
    assert "Action Fraud" not in text.replace("replaced Action Fraud", "").replace("old Action Fraud links", "")
