"""Attacks on ``campaignsafe check`` that its own tests did not try: a protection made again doing nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from campaignsafe.incidents import schema
from tests.conftest import run
from tests.export_helpers import make_record


@pytest.fixture
def record(tmp_path: Path) -> list[int]:
    return make_record(tmp_path)


@pytest.mark.parametrize("name", [n for names in schema.MIGRATION_TRIGGERS.values() for n in names])
def test_a_protection_replaced_by_a_no_op_under_its_name_is_named(record: list[int], home: Path, name: str) -> None:
    """Dropping a trigger and making one of the same name that never fires used to pass check:
    only the names of the protections were looked at."""
    conn = sqlite3.connect(home / "incidents.db", isolation_level=None)
    conn.execute(f"DROP TRIGGER {name}")
    conn.execute(f"CREATE TRIGGER {name} BEFORE DELETE ON audit WHEN 0 BEGIN SELECT 1; END")
    conn.close()
    r = run("check", "--json")
    assert r.exit_code == 6
    codes = {(f["subject"], f["code"], f["message"]) for f in r.json["findings"]}
    assert ("the store", "trigger_altered", f"the protection {name} has been changed") in codes


def test_a_store_as_made_has_every_protection_as_made(record: list[int]) -> None:
    r = run("check", "--json")
    assert r.exit_code == 0, r.json["findings"]
