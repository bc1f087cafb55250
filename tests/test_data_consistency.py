"""The shipped data against the raw datasets in ../shared/data: a rebuild that drifts fails here."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from campaignsafe.contact import postcode
from campaignsafe.contact.lookup import Lookup
from campaignsafe.datafiles import data_dir

ROOT = Path(__file__).resolve().parents[1]


def _csv(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:  # type: ignore[operator]
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_every_postcode_resolves_to_its_force_council_and_constituency(shared: Path) -> None:
    """Each of the 1,745,849 GB postcodes answers the force of its council and its constituency."""
    lad_force = {r["lad_code"]: r["force_id"] for r in _csv(shared / "police-force-areas/lad_to_pfa.csv")}
    pcon = {
        r["postcode"]: (r["pcon24_code"], r["method"])
        for r in _csv(shared / "constituencies/postcode_pcon2024_codepo2025.4.0.csv.gz")
    }
    lk = Lookup()
    areas = lk.areas
    n = wrong = 0
    with gzip.open(shared / "codepoint-open/codepo_gb_2025.4.0.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            pc = row["Postcode"]
            p = postcode.parse(pc)
            combo = lk.index.unit(p.outward, p.digit, p.unit)
            assert combo is not None, pc
            la, pc_idx, method = areas.combos[combo]
            lad = row["Admin_district_code"]
            if lad:
                got_la = areas.las[la][0]
                wrong += got_la != lad or areas.force_id(areas.las[la][2]) != lad_force[lad]
            else:
                wrong += la != -1
            want_pcon, want_method = pcon[pc]
            got_pcon = areas.constituencies[pc_idx][0] if pc_idx >= 0 else ""
            wrong += got_pcon != want_pcon or areas.methods[method] != want_method
            n += 1
    assert n == 1_745_849
    assert wrong == 0


@pytest.mark.slow
def test_index_holds_no_postcode_beyond_the_dataset(shared: Path) -> None:
    """Existence is exact: the index holds exactly as many postcodes as Code-Point Open."""
    lk = Lookup()
    total = sum(
        sum(1 for v in slots if v) for d in lk.index.districts() for slots in (lk.index.district(d) or {}).values()
    )
    assert total == 1_745_849


def test_every_postcode_of_a_sample_area(shared: Path) -> None:
    """Fast check on one whole area (SK): every postcode exists, with the right council."""
    lk = Lookup()
    with gzip.open(shared / "codepoint-open/codepo_gb_2025.4.0.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["Postcode"].startswith("SK")]
    assert len(rows) > 10_000
    for r in rows:
        ans = lk.resolve(postcode.parse(r["Postcode"]), r["Postcode"])
        if r["Admin_district_code"]:
            assert ans.local_authority and ans.local_authority["code"] == r["Admin_district_code"]


def test_constituency_shares_match_the_analysis_table(shared: Path) -> None:
    """All 650 constituencies, and their force shares, agree with shared/data/analysis."""
    areas = json.loads((data_dir() / "areas.json").read_text())
    forces = [f[0] for f in areas["forces"]]
    ours = {(c[0], forces[f]): share for c in areas["constituencies"] for f, share, _n in c[4]}
    theirs = {
        (r["pcon24_code"], r["force"]): float(r["share"]) for r in _csv(shared / "analysis/pcon2024_force_shares.csv")
    }
    assert len(areas["constituencies"]) == 650
    assert ours.keys() == theirs.keys()
    for key, share in theirs.items():
        assert ours[key] == pytest.approx(share, abs=0.0001), key


def test_district_shares_match_the_analysis_table(shared: Path) -> None:
    """Per-district force counts derived from the index equal shared/data/analysis."""
    lk = Lookup()
    theirs: dict[str, Counter[str]] = {}
    for r in _csv(shared / "analysis/outcode_force_shares.csv"):
        theirs.setdefault(r["outcode"], Counter())[r["force"]] = int(r["postcodes"])
    for outcode, counts in theirs.items():
        ans = lk.resolve(postcode.parse(outcode), outcode)
        assert {f["id"]: f["postcodes"] for f in ans.forces} == dict(counts), outcode


def test_bt_districts_match(shared: Path) -> None:
    """The 81 Northern Ireland districts are the ones in shared/data/ni."""
    areas = json.loads((data_dir() / "areas.json").read_text())
    assert sorted(areas["bt_districts"]) == sorted(r["outcode"] for r in _csv(shared / "ni/bt_outcodes.csv"))
    assert len(areas["bt_districts"]) == 81


def test_shipped_postcode_index_is_under_one_megabyte() -> None:
    """The postcode index stays compact."""
    assert (data_dir() / "postcodes.bin").stat().st_size <= 1_000_000


@pytest.mark.slow
def test_committed_data_matches_a_rebuild(shared: Path) -> None:
    """build_data.py --check: the committed files are exactly what the script builds."""
    script = ROOT / "scripts" / "build_data.py"
    if not script.exists():
        pytest.skip("not running from a source checkout")
    r = subprocess.run(
        [sys.executable, str(script), "--check", "--shared", str(shared)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
