"""A write racing a restore into the same empty data folder is refused, never saved where restore deletes."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from tests.backup_helpers import full_record, ok, use_home
from tests.conftest import run

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Windows refuses to rename a folder with an open file")

WRITE = ("report", "--when", "2026-05-09 10:00", "--kind", "threats", "--description", "said at the door",
         "--place", "High Street", "--json")  # fmt: skip


@pytest.fixture
def backup(home: Path, tmp_path: Path) -> Path:
    full_record(tmp_path)
    out = tmp_path / "backup.zip"
    ok("backup", str(out))
    return out


def _incident(store: object) -> object:
    from campaignsafe.incidents.entry import resolve_location
    from campaignsafe.incidents.models import IncidentIn, LocationIn

    incident = IncidentIn.model_validate(
        {"occurred_at": "2026-05-09T10:00", "kind": "threats", "description": "said at the door",
         "location": {"text": "High Street"}}
    )  # fmt: skip
    return incident, resolve_location(LocationIn(text="High Street")), []


def test_a_store_opened_before_a_restore_refuses_to_write_after_it(
    backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that opened the empty store, then a restore put a record in place: its write is refused
    (exit 5, store_replaced) and the restored record is exactly the backup's."""
    from campaignsafe.errors import StoreError
    from campaignsafe.incidents.store import Store

    new = use_home(monkeypatch, tmp_path / "new-laptop")
    store = Store.open()  # e.g. a guided report, still asking its questions
    try:
        ok("restore", str(backup))
        listed = run("incidents", "list", "--json").json
        with pytest.raises(StoreError) as caught:
            store.add([_incident(store)], None)  # type: ignore[list-item]
        assert caught.value.code == "store_replaced" and caught.value.exit_code == 5
        assert "nothing was saved" in caught.value.message and "said at the door" not in caught.value.message
    finally:
        store.close()
    assert run("incidents", "list", "--json").json == listed
    assert ok("check").stdout.startswith("OK")
    assert ok(*WRITE).json["id"] == 5  # run again, it goes into the restored record
    assert (new / "incidents.db").is_file()


def test_a_write_waiting_on_the_swap_is_refused_not_lost(
    backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race itself: a write that begins while restore moves the empty folder aside waits for restore's
    lock, then finds its file replaced and saves nothing; the restored record is the backup's."""
    from campaignsafe.backup import restore as restoring
    from campaignsafe.errors import StoreError
    from campaignsafe.incidents.store import Store

    new = use_home(monkeypatch, tmp_path / "new-laptop")
    ok("incidents", "list")  # the empty store exists, as after any command in a fresh folder
    outcome: list[object] = []
    opened, go = threading.Event(), threading.Event()
    real_rename = restoring.os.rename

    def write() -> None:  # a report in another process: its store opened before the restore began
        with Store.open() as store:
            opened.set()
            go.wait(30)
            try:
                outcome.append(store.add([_incident(store)], None))  # type: ignore[list-item]
            except StoreError as exc:
                outcome.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    assert opened.wait(30)

    def rename(src: object, dst: object) -> None:
        if Path(str(src)) == new and not go.is_set():  # the folder is about to move aside
            go.set()
            writer.join(0.5)  # it waits for the write lock restore holds
            assert writer.is_alive(), "the write did not wait for restore's lock"
        real_rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(restoring.os, "rename", rename)
    try:
        ok("restore", str(backup))
    finally:
        go.set()
        writer.join(30)
    [result] = outcome
    assert isinstance(result, StoreError) and result.code == "store_replaced"
    monkeypatch.undo()
    use_home(monkeypatch, tmp_path / "new-laptop")
    assert len(run("incidents", "list", "--json").json["incidents"]) == 3
    assert ok("check").stdout.startswith("OK")


def test_a_restore_that_cannot_take_the_lock_changes_nothing(
    backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another command holds the empty store's write lock past the timeout: exit 5, store_locked; the
    folder is as it was and no staging copy is left."""
    import sqlite3

    from campaignsafe.incidents import schema

    new = use_home(monkeypatch, tmp_path / "new-laptop")
    ok("incidents", "list")
    monkeypatch.setattr(schema, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(new / "incidents.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        r = run("restore", str(backup))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.exit_code == 5 and "another campaignsafe command is writing" in r.stderr, r.stderr
    assert run("incidents", "list", "--json").json["incidents"] == []
    assert [p.name for p in new.parent.iterdir() if p.name.startswith(".")] == []
    assert ok("restore", str(backup)).stdout.startswith("Restored 3 incidents")
