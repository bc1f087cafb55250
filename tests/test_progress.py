"""Checklist progress on disk: private, atomic, locked, and never silently lost."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from campaignsafe.errors import InputError, StoreError
from campaignsafe.guidance import progress

ITEMS_A = [f"topic-a.item-{n}" for n in range(25)]
ITEMS_B = [f"topic-b.item-{n}" for n in range(25)]


def _mark_many(home: str, items: list[str], start: object) -> None:
    os.environ["CAMPAIGNSAFE_HOME"] = home
    start.wait()  # type: ignore[attr-defined]
    for item in items:
        progress.record("shared", item, "done", f"by {os.getpid()}")


def test_two_processes_marking_at_once_lose_neither_answer(home: Path) -> None:
    """Two people ticking items on the same profile at the same moment keep all of their answers."""
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(2)
    procs = [ctx.Process(target=_mark_many, args=(str(home), items, start)) for items in (ITEMS_A, ITEMS_B)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    answers = progress.load("shared").answers
    assert set(answers) == set(ITEMS_A) | set(ITEMS_B)


def test_progress_file_is_private(home: Path) -> None:
    """The progress file is readable only by its owner, in a folder only they can open."""
    progress.record(None, "canvassing.never-alone", "done")
    path = progress.progress_path("default")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_note_is_kept_when_status_changes_and_cleared_on_request() -> None:
    """Marking done later keeps the note written earlier; an empty note clears it."""
    progress.record(None, "x.y", "todo", "ask the FEOA")
    assert progress.record(None, "x.y", "done").note == "ask the FEOA"
    assert progress.record(None, "x.y", "done", "").note is None


@pytest.mark.parametrize("content", ["{not json", '{"version": 1, "profile": "default", "answers": {"a.b": 3}}', "[]"])
def test_corrupt_file_is_refused_with_a_way_out(content: str) -> None:
    """A damaged or hand-edited file gives a store error naming the file and how to recover, and is left alone."""
    path = progress.progress_path("default")
    path.parent.mkdir(parents=True)
    path.write_text(content)
    with pytest.raises(StoreError) as exc:
        progress.record(None, "canvassing.never-alone", "done")
    assert str(path) in exc.value.message
    assert "checklist reset" in (exc.value.hint or "")
    assert path.read_text() == content


def test_newer_file_is_refused_not_overwritten() -> None:
    """A file written by a newer campaignsafe is not touched."""
    path = progress.progress_path("default")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"version": 9, "profile": "default", "answers": {}}))
    with pytest.raises(StoreError, match="newer"):
        progress.load(None)


@pytest.mark.parametrize("name", ["../etc", "a/b", "", ".hidden", "x" * 41, "con sole"])
def test_unsafe_profile_names_are_refused(name: str) -> None:
    """A profile name cannot escape the data folder or be awkward as a file name."""
    with pytest.raises(InputError):
        progress.profile_name(name)


def test_profile_names_are_case_insensitive() -> None:
    """'Jane' and 'jane' are the same profile."""
    progress.record("Jane", "a.b", "done")
    assert progress.load("jane").answers["a.b"].status == "done"


def test_reset_sets_the_file_aside() -> None:
    """Starting a profile again renames its file rather than deleting it."""
    progress.record("sam", "a.b", "done")
    aside = progress.reset("sam")
    assert aside.exists() and "a.b" in aside.read_text()
    assert progress.load("sam").answers == {}


def test_copied_file_becomes_a_new_profile() -> None:
    """Copying jane.json to sam.json gives sam a copy of jane's answers, under sam's name."""
    progress.record("jane", "a.b", "done")
    src = progress.progress_path("jane")
    src.with_name("sam.json").write_text(src.read_text())
    progress.record("sam", "c.d", "na")
    sam = progress.load("sam")
    assert sam.profile == "sam" and set(sam.answers) == {"a.b", "c.d"}
