"""Taking back the evidence copies a failed save made, while another writer on the server points at them."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from campaignsafe.incidents import blobs
from campaignsafe.incidents.store import NewEvidence, Store
from campaignsafe.incidents.when import now
from tests.conftest import run
from tests.incident_helpers import server_rows, set_initials
from tests.test_pg_store import FLAGS, pg  # noqa: F401 (the fixture)

pytestmark = pytest.mark.postgresql


def _held(sha: str) -> bool:
    return bool(server_rows("SELECT 1 FROM blobs WHERE sha256 = %s", sha))


def test_a_failed_save_leaves_the_copy_another_writer_is_pointing_at(pg: str, tmp_path: Path) -> None:  # noqa: F811
    """Writer 1 copies a file and then fails; writer 2 found that copy (so made none) and is about to number it
    as an exhibit. Writer 1's clean-up waits for writer 2 and keeps the copy: check passes, the exhibit opens."""
    set_initials()
    assert run("report", *FLAGS).exit_code == 0
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"the same photo, sent to both")
    removed: list[list[str]] = []
    with blobs.held() as first:
        made = first.ingest(str(photo))
        assert made.created
        sha = made.stored.sha256
        with blobs.held() as second:
            found = second.ingest(str(photo))
            assert not found.created  # the first writer's copy: the second made none to take back
            cleanup = threading.Thread(target=lambda: removed.append(first.remove([sha])))
            cleanup.start()  # the first writer's save failed: it takes back what it made
            time.sleep(1.0)
            assert cleanup.is_alive(), "the clean-up did not wait for the writer in flight"
            assert _held(sha)
            with Store.open() as store:
                store.add_evidence(1, [NewEvidence("file", now(), file=found.stored)], "JS")
        cleanup.join(timeout=30)
    assert removed == [[]] and _held(sha)
    assert run("check", "--json").json["passed"]
    assert run("incidents", "show", "1", "--json").json["evidence"][0]["file"]["sha256"] == sha


def test_a_copy_nothing_points_at_is_taken_back(pg: str, tmp_path: Path) -> None:  # noqa: F811
    """With no other writer in flight, the failed save's copy goes at once, and the next writer copies it again."""
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"a photo no exhibit uses")
    with blobs.held() as first:
        sha = first.ingest(str(photo)).stored.sha256
        started = time.monotonic()
        assert first.remove([sha]) == [sha]
        assert time.monotonic() - started < 5
    assert not _held(sha)
    with blobs.held() as again:
        assert again.ingest(str(photo)).created
    assert _held(sha)
